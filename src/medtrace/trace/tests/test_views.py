"""The scan-to-trace pages on the synthetic plant: what a scan opens, who may see an object,
the timeline (error declarations struck through), the forward and backward panels against
the oracle, the graph's JSON, the CSV and PDF exports and their audit entries, and a query
count that does not grow with the events."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_user
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.catalog.models import Item
from medtrace.org import services as org_services
from medtrace.partners import services as partners
from medtrace.trace import graph as genealogy
from medtrace.trace.models import TraceObject
from medtrace.trace.services import create_lot, ensure_party
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events, event

pytestmark = pytest.mark.django_db

HOSPITAL = corpus.party_id(100)  # receives pallet 50 (forward from most finished units)
PANEL = {"HX-Request": "true"}


@pytest.fixture
def plant(organization, site_a, qa_a):
    built = corpus.build()
    # The first hospital is one of our customers: its consignee row shows the customer's name.
    customer = partners.create_customer(
        organization=organization,
        code="H-ONE",
        name="第一医院",
        name_en="First Hospital",
        kind="hospital",
        gln=HOSPITAL.rsplit("/", 1)[1],
    )
    ensure_party(organization=organization, customer=customer)
    events, declarations = corpus_events(built.facts)
    record_events(events, organization=organization, site=site_a, by=qa_a, create_missing=True)
    record_events(declarations, organization=organization, site=site_a, by=qa_a)
    return built


def obj(organization, identifier) -> TraceObject:
    return TraceObject.objects.get(organization=organization, identifier=identifier)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def linked_objects(text: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/trace/objects/(\d+)/"', text)}


def pks(organization, identifiers) -> set[int]:
    return set(
        TraceObject.objects.filter(
            organization=organization, identifier__in=identifiers
        ).values_list("pk", flat=True)
    )


# --- scanning ----------------------------------------------------------------------------


def test_a_scan_naming_one_object_opens_its_page(client, qa_a, plant, organization):
    client.force_login(qa_a)
    lot = obj(organization, corpus.lot_id(corpus.FIN_GTIN, "F0"))
    for code in (
        f"(01){corpus.FIN_GTIN}(10)F0",  # a label's human-readable line
        f"]d201{corpus.FIN_GTIN}10F0",  # a DataMatrix as a keyboard-wedge scanner types it
        lot.identifier,  # the Digital Link
    ):
        response = client.get("/trace/", {"q": code})
        assert response.status_code == 302, code
        assert response["Location"] == f"/trace/objects/{lot.pk}/"
    container = obj(organization, corpus.sscc_id(50))
    response = client.get("/trace/", {"q": container.identifier.rsplit("/", 1)[1]})
    assert response["Location"] == f"/trace/objects/{container.pk}/"


def test_a_number_several_items_use_lists_them_to_choose(client, qa_a, plant, organization):
    sub_item = Item.objects.get(organization=organization, code=f"GTIN-{corpus.SUB_GTIN}")
    other = create_lot(item=sub_item, lot_number="F0", gtin=corpus.SUB_GTIN)
    client.force_login(qa_a)
    page = html(client.get("/trace/", {"q": "F0"}))
    assert "names 2 objects" in page
    finished = obj(organization, corpus.lot_id(corpus.FIN_GTIN, "F0"))
    assert {finished.pk, other.pk} <= linked_objects(page)


def test_a_code_naming_nothing_says_so_and_keeps_the_code(client, qa_a, plant):
    client.force_login(qa_a)
    page = html(client.get("/trace/", {"q": "NO-SUCH-LOT"}))
    assert "Nothing traced here is named NO-SUCH-LOT." in page
    assert 'value="NO-SUCH-LOT"' in page
    assert "Latest events" in page


def test_the_header_scan_box_opens_the_lot_not_the_item(client, qa_a, plant, organization):
    client.force_login(qa_a)
    lot = obj(organization, corpus.lot_id(corpus.FIN_GTIN, "F1"))
    response = client.get("/search/", {"q": f"(01){corpus.FIN_GTIN}(10)F1"})
    assert response.status_code == 302 and response["Location"] == f"/trace/objects/{lot.pk}/"
    # a GTIN alone names the item, not one lot: the search goes on as before
    assert client.get("/search/", {"q": corpus.FIN_GTIN}).status_code in (200, 302)
    assert "/trace/" not in client.get("/search/", {"q": corpus.FIN_GTIN}).get("Location", "")


def test_the_menu_offers_traceability(client, operator_a, site_a):
    client.force_login(operator_a)
    home = html(client.get("/"))
    assert 'href="/trace/"' in home and "Traceability" in home


def test_the_scan_page_shows_the_latest_events(client, qa_a, plant):
    client.force_login(qa_a)
    page = html(client.get("/trace/"))
    newest = max(plant.facts, key=lambda fact: fact.time)
    assert newest.event_id in page
    assert "autofocus" in page


# --- who may see what ---------------------------------------------------------------------


def test_objects_of_a_site_or_organization_the_user_cannot_see_answer_404(
    client, qa_b, plant, organization
):
    lot = obj(organization, corpus.lot_id(corpus.RAW_GTIN, "R0"))
    urls = [
        f"/trace/objects/{lot.pk}/",
        f"/trace/objects/{lot.pk}/forward/",
        f"/trace/objects/{lot.pk}/graph.json?direction=forward",
        f"/trace/objects/{lot.pk}/backward.csv",
        f"/trace/objects/{lot.pk}/forward.pdf",
    ]
    client.force_login(qa_b)  # same organization, site B only
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert "Nothing traced here" in html(client.get("/trace/", {"q": lot.identifier}))

    other, _created = org_services.ensure_organization(name="别家", name_en="Other Co.")
    site = org_services.create_site(organization=other, code="Z1", name="Z", name_en="Z")
    stranger = create_user(organization=other, username="stranger", password=PASSWORD)
    org_services.grant_role(user=stranger, site=site, role=Role.QA_MANAGER)
    client.force_login(stranger)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert plant.facts[-1].event_id not in html(client.get("/trace/"))


# --- the object page ----------------------------------------------------------------------


def test_the_lot_page_shows_its_facts_and_the_declared_event_struck_through(
    client, qa_a, plant, organization
):
    client.force_login(qa_a)
    sub = obj(organization, corpus.lot_id(corpus.SUB_GTIN, "B0"))
    page = html(client.get(f"/trace/objects/{sub.pk}/"))
    assert sub.identifier in page and corpus.SUB_GTIN in page
    assert f'href="/catalog/items/GTIN-{corpus.SUB_GTIN}/"' in page
    assert f'hx-get="/trace/objects/{sub.pk}/forward/"' in page  # the panel loads after
    wrong = next(fact for fact in plant.facts if fact.kind == "make" and fact.retracted)
    entry = page.split(wrong.event_id)[0].rsplit('<li class="trace-event', 1)[1]
    assert entry.startswith(" declared") and "<del>" in entry
    assert "Declared erroneous" in entry and "incorrect data" in entry
    assert "Qa-A" in page  # who recorded the events


def test_the_unit_page_shows_its_lot_where_it_is_and_lot_level_events(
    client, qa_a, plant, organization
):
    client.force_login(qa_a)
    # a unit of F2, whose lot quantity was shipped to a hospital
    serial, lot_identifier = next(
        (unit, lot) for unit, lot in plant.unit_lot.items() if lot.endswith("/10/F2")
    )
    unit = obj(organization, serial)
    lot = obj(organization, lot_identifier)
    page = html(client.get(f"/trace/objects/{unit.pk}/"))
    assert f'href="/trace/objects/{lot.pk}/"' in page
    lot_shipment = next(
        fact for fact in plant.facts if fact.kind == "ship" and fact.objects == [lot_identifier]
    )
    assert lot_shipment.event_id in page and "lot-level" in page
    assert "shipping" in page and corpus.party_id(103) in page
    assert "+08:00" in page  # the time where the event happened


def test_the_container_page_lists_what_it_holds_now(client, qa_a, plant, organization):
    client.force_login(qa_a)
    pallet = obj(organization, corpus.sscc_id(50))
    page = html(client.get(f"/trace/objects/{pallet.pk}/"))
    cases = pks(organization, [corpus.sscc_id(1), corpus.sscc_id(2)])
    assert cases <= linked_objects(page)
    assert "Holds 2 objects now" in page
    case = obj(organization, corpus.sscc_id(1))
    inside = html(client.get(f"/trace/objects/{case.pk}/"))
    assert f'href="/trace/objects/{pallet.pk}/"' in inside.split("Inside")[1]


def test_the_object_page_costs_the_same_queries_however_many_events(
    client, qa_a, plant, organization, site_a
):
    client.force_login(qa_a)
    unit = obj(organization, next(iter(plant.unit_lot)))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/trace/objects/{unit.pk}/").status_code == 200
        return len(captured)

    def observe(first: int, count: int) -> None:
        observed = [
            event(
                "ObjectEvent",
                f"urn:uuid:observed-{n}",
                corpus.START + timedelta(days=40, minutes=n),
                biz_step="inspecting",
                disposition="conformant",
                epcs=[unit.identifier],
                destinations=[corpus.party_id(200 + n)],
            )
            for n in range(first, first + count)
        ]
        record_events(observed, organization=organization, site=site_a, by=qa_a)

    queries()  # the session is saved once, on the first page
    observe(0, 30)
    fewer = queries()
    observe(30, 60)
    assert queries() == fewer <= 20  # with the stock panel (its status names who set it)


# --- the trace panels -------------------------------------------------------------------


@pytest.mark.parametrize(
    "root",
    [
        corpus.lot_id(corpus.RAW_GTIN, "R0"),
        corpus.lot_id(corpus.SUB_GTIN, "B1"),
        corpus.sscc_id(51),
    ],
)
def test_the_forward_panel_lists_what_the_oracle_expects(client, qa_a, plant, organization, root):
    client.force_login(qa_a)
    expected = corpus.Oracle(plant).forward(root)
    start = obj(organization, root)
    panel = html(client.get(f"/trace/objects/{start.pk}/forward/", headers=PANEL))
    assert "<html" not in panel  # the fragment only
    objects = expected["lots"] | expected["units"] | expected["containers"]
    assert linked_objects(panel) - {start.pk} == pks(organization, objects)
    for party in expected["parties"]:
        assert party in panel
    for party in {corpus.party_id(100 + n) for n in range(6)} - expected["parties"]:
        assert party not in panel
    assert "Traced in" in panel and " ms" in panel
    if HOSPITAL in expected["parties"]:
        assert "First Hospital" in panel and 'href="/partners/customers/H-ONE/"' in panel


@pytest.mark.parametrize(
    "root", [corpus.unit_id("S0000"), corpus.lot_id(corpus.FIN_GTIN, "F1"), corpus.sscc_id(50)]
)
def test_the_backward_panel_lists_what_the_oracle_expects(client, qa_a, plant, organization, root):
    client.force_login(qa_a)
    expected = corpus.Oracle(plant).backward(root)
    start = obj(organization, root)
    page = html(client.get(f"/trace/objects/{start.pk}/backward/"))  # a page of its own
    assert "<html" in page
    panel = page.split('id="trace-panel"')[1]
    found = linked_objects(panel) - {start.pk}
    assert pks(organization, expected["lots"] | expected["units"]) <= found
    assert expected["parties"] and all(party in panel for party in expected["parties"])
    assert "Sources" in panel


def test_the_panel_counts_statuses_and_takes_options(client, qa_a, plant, organization):
    client.force_login(qa_a)
    raw = obj(organization, corpus.lot_id(corpus.RAW_GTIN, "R0"))
    everything = html(client.get(f"/trace/objects/{raw.pk}/forward/", headers=PANEL))
    assert "Units by status" in everything and "active" in everything
    one_step = html(
        client.get(f"/trace/objects/{raw.pk}/forward/", {"max_depth": 1}, headers=PANEL)
    )
    assert len(linked_objects(one_step)) < len(linked_objects(everything))
    assert f"/trace/objects/{raw.pk}/forward.csv?max_depth=1" in one_step
    before = html(
        client.get(
            f"/trace/objects/{raw.pk}/forward/",
            {"as_of": corpus.START.strftime("%Y-%m-%dT%H:%M")},
            headers=PANEL,
        )
    )
    assert "Traced in" in before and linked_objects(before) == set()
    refused = html(client.get(f"/trace/objects/{raw.pk}/forward/", {"max_depth": 0}, headers=PANEL))
    assert "errorlist" in refused and "Traced in" not in refused


# --- the graph ----------------------------------------------------------------------------


def test_the_graph_json_has_nodes_edges_and_categories(client, qa_a, plant, organization):
    client.force_login(qa_a)
    raw = obj(organization, corpus.lot_id(corpus.RAW_GTIN, "R4"))
    response = client.get(f"/trace/objects/{raw.pk}/graph.json", {"direction": "forward"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    graph = response.json()
    assert graph["direction"] == "forward" and graph["root"] == str(raw.pk)
    assert not graph["truncated"] and not graph["grouped"]
    assert graph["total_nodes"] == len(graph["nodes"])
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert nodes[str(raw.pk)]["root"] and nodes[str(raw.pk)]["depth"] == 0
    assert {"lot", "unit", "container", "party"} == {node["kind"] for node in nodes.values()}
    for node in nodes.values():
        assert set(node) >= {"id", "label", "kind", "status", "url", "depth"}
        if node["kind"] != "party":
            assert node["url"] == f"/trace/objects/{node['id']}/"
    assert all(edge["source"] in nodes and edge["target"] in nodes for edge in graph["edges"])
    kinds = {edge["kind"] for edge in graph["edges"]}
    assert {"transformation", "membership", "packed", "shipped"} <= kinds
    expected = corpus.Oracle(plant).forward(raw.identifier)
    parties = {node["label"] for node in nodes.values() if node["kind"] == "party"}
    assert len(parties) == len(expected["parties"])
    assert [c["kind"] for c in graph["categories"]] == ["lot", "unit", "container", "party"]


def test_a_large_graph_is_capped_nearest_first(client, qa_a, plant, organization, monkeypatch):
    monkeypatch.setattr(genealogy, "GRAPH_NODES", 5)
    client.force_login(qa_a)
    raw = obj(organization, corpus.lot_id(corpus.RAW_GTIN, "R0"))
    graph = client.get(f"/trace/objects/{raw.pk}/graph.json?direction=forward").json()
    assert graph["truncated"] and len(graph["nodes"]) == 5 < graph["total_nodes"]
    assert graph["grouped"] == 0
    depths = [node["depth"] for node in graph["nodes"]]
    assert depths == sorted(depths) and depths[0] == 0
    bad = client.get(f"/trace/objects/{raw.pk}/graph.json?direction=sideways")
    assert bad.status_code == 400


def test_a_wide_generation_is_drawn_in_groups(client, qa_a, plant, organization, monkeypatch):
    monkeypatch.setattr(genealogy, "COLUMN_NODES", 3)
    client.force_login(qa_a)
    lot = obj(organization, corpus.lot_id(corpus.FIN_GTIN, "F1"))
    graph = client.get(f"/trace/objects/{lot.pk}/graph.json?direction=forward").json()
    groups = [node for node in graph["nodes"] if node["count"] > 1]
    assert groups and graph["grouped"] == sum(node["count"] for node in groups)
    units = next(node for node in groups if node["kind"] == "unit")
    assert units["label"] == f"{units['count']} units of lot F1"
    assert units["url"] == f"/trace/objects/{lot.pk}/"  # the lot lists them
    nodes = {node["id"] for node in graph["nodes"]}
    assert any(units["id"] in (edge["source"], edge["target"]) for edge in graph["edges"])
    assert all(edge["source"] in nodes and edge["target"] in nodes for edge in graph["edges"])
    assert len(nodes) + graph["grouped"] - len(groups) == graph["total_nodes"]


# --- exports ------------------------------------------------------------------------------


def test_the_csv_export_holds_the_trace_and_is_audited(client, qa_a, plant, organization):
    client.force_login(qa_a)
    root = corpus.lot_id(corpus.RAW_GTIN, "R4")
    raw = obj(organization, root)
    response = client.get(f"/trace/objects/{raw.pk}/forward.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="trace-forward-lot-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    expected = corpus.Oracle(plant).forward(root)
    listed = {row["Identifier"] for row in rows if row["Identifier"]}
    assert listed == {root} | expected["lots"] | expected["units"] | expected["containers"]
    assert {row["Party identifier"] for row in rows if row["Party identifier"]} == set(
        expected["parties"]
    )
    assert any(row["Event time"].endswith("+08:00") for row in rows if row["Party identifier"])
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert (entry.object_type, entry.object_id) == ("trace.lot", str(raw.pk))
    assert entry.changes["format"] == "csv" and entry.changes["export"] == "trace forward"
    assert entry.changes["units"] == len(expected["units"])
    assert entry.actor_id == qa_a.pk


def test_the_pdf_export_is_a_pdf_and_is_audited(client, qa_a, plant, organization):
    client.force_login(qa_a)
    unit = obj(organization, corpus.unit_id("S0000"))
    response = client.get(f"/trace/objects/{unit.pk}/backward.pdf?max_depth=2")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert (entry.object_type, entry.object_id) == ("trace.unit", str(unit.pk))
    assert entry.changes["format"] == "pdf" and entry.changes["max_depth"] == 2


def test_a_consignee_that_is_our_customer_shows_its_name(client, qa_a, plant, organization):
    client.force_login(qa_a)
    pallet = obj(organization, corpus.sscc_id(50))
    panel = html(client.get(f"/trace/objects/{pallet.pk}/forward/", headers=PANEL))
    assert "First Hospital" in panel and HOSPITAL in panel
    graph = client.get(f"/trace/objects/{pallet.pk}/graph.json?direction=forward").json()
    hospital = next(node for node in graph["nodes"] if node["kind"] == "party")
    assert hospital["label"] == "First Hospital"
    assert hospital["url"] == "/partners/customers/H-ONE/"
