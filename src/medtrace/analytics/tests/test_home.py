"""The home dashboard on the demo plant: each role sees the tiles its roles may open, and every
count opens a list of exactly that many rows (for all sites and for one site chosen)."""

from dataclasses import dataclass

import pytest

from conftest import PASSWORD
from medtrace.accounts.services import create_user
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


@dataclass
class Counted:
    count: int
    url: str


def _tiles(client) -> dict:
    """Each tile's count and link; a deferred tile's count fetched as the page does (htmx)."""
    home = client.get("/")
    assert home.status_code == 200
    tiles = {}
    for _area, shown in home.context["tiles"]:
        for item in shown:
            count = item.count
            if item.tile.deferred:
                assert count is None and f'hx-get="{item.count_url}"' in home.content.decode()
                count = int(client.get(item.count_url).content)
            tiles[item.tile.key] = Counted(count, item.url)
    return tiles


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


def test_a_deferred_count_is_refused_to_whoever_may_not_open_its_list(client, demo_plant):
    client.force_login(demo_plant.users["qa"])
    assert client.get("/tiles/no-such-tile/").status_code == 404
    nobody = create_user(
        organization=demo_plant.organization, username="no-roles", password=PASSWORD
    )
    client.force_login(nobody)
    assert client.get("/tiles/lots_high_risk/").status_code == 404
