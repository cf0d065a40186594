"""The home dashboard on the demo plant: each role sees the tiles its roles may open, and every
count opens a list of exactly that many rows (for all sites and for one site chosen)."""

import pytest

from medtrace.analytics.home import TILES
from medtrace.org.middleware import SESSION_KEY

pytestmark = pytest.mark.django_db

ROLES = ["qa", "warehouse", "supervisor", "auditor", "operator"]


def _listed(response, key: str) -> int:
    """How many rows the list the tile opened shows (all pages)."""
    context = response.context
    if key.startswith(("expired", "expiring_")):
        bucket = 0 if key == "expired" else int(key.split("_")[1])
        return next(len(rows) for number, _label, rows in context["groups"] if number == bucket)
    if key == "certificates_expiring":
        return len(context["certificates"])
    return context["page"].paginator.count


def _tiles(client) -> dict:
    home = client.get("/")
    assert home.status_code == 200
    return {item.tile.key: item for _area, shown in home.context["tiles"] for item in shown}


@pytest.mark.parametrize("username", ROLES)
def test_every_count_opens_a_list_of_that_many_rows(client, demo_plant, username):
    client.force_login(demo_plant.users[username])
    tiles = _tiles(client)
    user = demo_plant.users[username]
    assert set(tiles) == {tile.key for tile in TILES if user.has_perm(tile.perm)}
    for key, item in tiles.items():
        response = client.get(item.url.split("#")[0])
        assert response.status_code == 200, key
        assert _listed(response, key) == item.count, key


def test_the_demo_gives_the_qa_manager_something_to_open(client, demo_plant):
    client.force_login(demo_plant.users["qa"])
    tiles = _tiles(client)
    for key in ("ncr_open", "capa_open", "deviation_open", "stock_on_hold", "recalls_draft"):
        assert tiles[key].count > 0, key
    html = client.get("/").content.decode()
    assert 'href="/quality/ncrs/?open=on" data-tile="ncr_open"' in html
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "30 天内到期" in chinese and "Expiring within" not in chinese


def test_a_chosen_site_narrows_every_count(client, demo_plant):
    qa = demo_plant.users["qa"]
    client.force_login(qa)
    everywhere = {key: item.count for key, item in _tiles(client).items()}
    site = demo_plant.sites["SZ02"]
    session = client.session
    session[SESSION_KEY] = site.pk
    session.save()
    narrowed = _tiles(client)
    assert all(narrowed[key].count <= everywhere[key] for key in narrowed)
    for key, item in narrowed.items():
        response = client.get(item.url.split("#")[0])
        assert _listed(response, key) == item.count, key
