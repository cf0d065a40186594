"""/api/v1/recalls: starting a recall from codes or a supplier's lot; the record with its
deadlines and scope counts; the scope's entries page by page and per place; rescoping with a
reason; the signed approval that recalls our stock, closure and cancelling; site scope,
permissions and refusals that change nothing; the OpenAPI document."""

import pytest

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.catalog.models import Item
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.org.models import Site
from medtrace.quality.services.capa import open_capa
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall, ScopeSnapshot
from medtrace.recall.tests.fixtures import HOSPITAL
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

API = "/api/v1/recalls"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def new_recall(codes=(), **overrides):
    return {
        "site": "A1",
        "title": "管路破裂 Tubing bursts",
        "reason": "Supplier tube lot fails burst pressure.",
        "nmpa_class": "II",
        "depth": "user",
        "strategy": "removal",
        "codes": list(codes),
    } | overrides


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_a_recall_starts_from_a_lot_code(client, qa_a, made_and_shipped):
    product = made_and_shipped["product"]
    client.force_login(qa_a)
    response = post(client, "", new_recall([product.lot_number], fda_class="II", hazard="Leak"))
    assert response.status_code == 201, response.json()
    body = response.json()
    recall = Recall.objects.get()
    assert body["number"] == recall.number and body["status"] == "draft"
    assert body["roots"] == [product.identifier] and body["hazard"] == "Leak"
    assert body["scope"]["version"] == 1 and body["scope"]["lots"] == 1
    assert body["scope"]["consignees"] == 1 and body["scope"]["places"] == {
        "stock": 1,
        "consignee": 1,
    }
    regimes = [(row["regime"], row["due"], row["overdue"]) for row in body["deadlines"]]
    assert ("FDA", None, False) in regimes and len(regimes) == 4
    assert {action["name"] for action in body["allowed_actions"]} == {"approve", "cancel"}
    assert AuditEntry.objects.filter(object_id=str(recall.pk), action="create").exists()

    listed = client.get(API).json()
    assert listed["count"] == 1
    row = listed["items"][0]
    assert (row["number"], row["lots"], row["units"], row["consignees"]) == (
        recall.number,
        1,
        0,
        1,
    )
    assert client.get(API, {"drill": "true"}).json()["count"] == 0
    assert client.get(API, {"status": "draft", "site": "a1"}).json()["count"] == 1


def test_a_supplier_lot_starts_a_recall(client, qa_a, supplier_lot):
    supplier, lot = supplier_lot
    client.force_login(qa_a)
    code = supplier.code.lower()  # codes are read in any case
    response = post(client, "", new_recall(supplier=code, supplier_lot="SL-2026-5"))
    assert response.status_code == 201, response.json()
    assert response.json()["roots"] == [lot.identifier]
    unknown = post(client, "", new_recall(supplier="SUP-9", supplier_lot="SL-0"))
    assert unknown.status_code == 404 and "SL-0" in unknown.json()["error"]["message"]
    half = post(client, "", new_recall(supplier="SUP-9"))
    assert half.status_code == 422
    assert post(client, "", new_recall(supplier="NOPE", supplier_lot="x")).status_code == 404
    assert Recall.objects.count() == 1


def test_refusals_change_nothing(client, qa_a, operator_a, qa_b, made_and_shipped, stranger):
    lot = made_and_shipped["product"].lot_number
    client.force_login(qa_a)
    nothing = post(client, "", new_recall())
    assert nothing.status_code == 422 and "roots" in nothing.json()["error"]["details"]["fields"]
    unclassified = post(client, "", new_recall([lot], nmpa_class=None))
    assert unclassified.status_code == 422 and error_code(unclassified) == "validation_error"
    assert post(client, "", new_recall([lot], nmpa_class="IV")).status_code == 422
    assert post(client, "", new_recall(["NO-SUCH-LOT"])).status_code == 404
    assert post(client, "", new_recall([lot], nonconformance="NCR-1")).status_code == 404
    other = Site.objects.get(code="X1")
    item = Item.objects.create(
        organization=other.organization, code="X-1", name="x", kind="component"
    )
    objects.create_lot(item=item, lot_number="F-1", site=other)
    foreign = post(client, "", new_recall(["F-1"]))
    assert foreign.status_code == 404 and error_code(foreign) == "not_found"
    assert post(client, "", new_recall([lot], site="B1")).status_code == 404
    client.force_login(operator_a)
    denied = post(client, "", new_recall([lot]))
    assert denied.status_code == 403 and error_code(denied) == "permission_denied"
    client.force_login(qa_b)
    assert post(client, "", new_recall([lot])).status_code == 404  # site A is not theirs
    assert not Recall.objects.exists() and not ScopeSnapshot.objects.exists()


def test_other_sites_do_not_see_the_recall(client, qa_b, stranger, made_and_shipped, open_from):
    recall = open_from([made_and_shipped["product"]])
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/{recall.pk}").status_code == 404
        assert client.get(f"{API}/{recall.pk}/scope").status_code == 404
        assert client.get(API).json()["count"] == 0
        refused = post(client, f"/{recall.pk}/actions/approve", {"password": PASSWORD})
        assert refused.status_code == 404
    assert Recall.objects.get().status == RecallStatus.DRAFT


def test_the_scope_is_read_by_place_page_by_page(client, qa_a, made_and_shipped, open_from):
    product, tube = made_and_shipped["product"], made_and_shipped["tube"]
    recall = open_from([tube])
    client.force_login(qa_a)
    everything = client.get(f"{API}/{recall.pk}/scope").json()
    assert everything["count"] == 3
    consignees = client.get(f"{API}/{recall.pk}/scope", {"place": "consignee"}).json()["items"]
    assert [(row["lot"], row["quantity"], row["consignee"]) for row in consignees] == [
        (product.lot_number, "30.000000", HOSPITAL)
    ]
    assert consignees[0]["shipment"].startswith("urn:uuid:") and consignees[0]["shipped_at"]
    wip = client.get(f"{API}/{recall.pk}/scope", {"place": "wip"}).json()["items"]
    assert [(row["lot"], row["site"], row["location"]) for row in wip] == [("T-001", "A1", "PRD")]
    paged = client.get(f"{API}/{recall.pk}/scope", {"page_size": 2, "page": 2}).json()
    assert paged["count"] == 3 and len(paged["items"]) == 1
    assert client.get(f"{API}/{recall.pk}/scope", {"version": 7}).status_code == 404
    assert client.get(f"{API}/{recall.pk}/scope", {"place": "moon"}).status_code == 422


def test_rescoping_keeps_the_difference(client, qa_a, made_and_shipped, open_from):
    product, tube = made_and_shipped["product"], made_and_shipped["tube"]
    recall = open_from([product])
    client.force_login(qa_a)
    no_reason = post(client, f"/{recall.pk}/rescope", {"reason": " ", "add": ["T-001"]})
    assert no_reason.status_code == 422 and recall.scopes.count() == 1
    stranger_root = post(client, f"/{recall.pk}/rescope", {"reason": "x", "remove": ["T-001"]})
    assert stranger_root.status_code == 422 and recall.scopes.count() == 1
    wider = post(client, f"/{recall.pk}/rescope", {"reason": "同批管路", "add": ["T-001"]})
    assert wider.status_code == 201, wider.json()
    assert wider.json()["version"] == 2 and wider.json()["added"] == [tube.identifier]
    assert wider.json()["roots"] == sorted([product.identifier, tube.identifier])
    history = client.get(f"{API}/{recall.pk}/scopes").json()
    assert [scope["version"] for scope in history] == [2, 1]
    assert history[0]["reason"] == "同批管路" and history[0]["computed_by"] == "qa-a"


def test_approval_recalls_our_stock_then_closure(client, qa_a, made_and_shipped, open_from):
    product, tube = made_and_shipped["product"], made_and_shipped["tube"]
    recall = open_from([tube])
    client.force_login(qa_a)
    wrong = post(client, f"/{recall.pk}/actions/approve", {"password": "not-it"})
    assert wrong.status_code == 403 and error_code(wrong) == "signature_refused"
    assert status_of(product).status == StockStatus.AVAILABLE
    approved = post(client, f"/{recall.pk}/actions/approve", {"password": PASSWORD})
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "approved" and body["approved_at"]
    assert all(row["due"] for row in body["deadlines"])
    for lot in (product, tube):
        assert status_of(lot).status == StockStatus.RECALLED
    assert Signature.objects.filter(object_id=str(recall.pk), meaning="approved").exists()
    again = post(client, f"/{recall.pk}/actions/approve", {"password": PASSWORD})
    assert again.status_code == 409 and error_code(again) == "invalid_state"
    assert post(client, f"/{recall.pk}/actions/cancel", {"reason": "x"}).status_code == 409
    early = post(client, f"/{recall.pk}/actions/close", {"password": PASSWORD})
    assert early.status_code == 409
    rules = [row["rule"] for row in early.json()["error"]["details"]["criteria"]]
    assert rules == ["effectiveness", "capa"]
    capa = open_capa(site=recall.site, title="管路", source="complaint",
                     problem_statement="Tube lot fails burst pressure.", by=qa_a)  # fmt: skip
    assert post(client, f"/{recall.pk}/capa", {"capa": capa.number}).status_code == 200
    Recall.objects.filter(pk=recall.pk).update(effectiveness="E")
    closed = post(client, f"/{recall.pk}/actions/close", {"password": PASSWORD})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert post(client, f"/{recall.pk}/actions/fly", {}).status_code == 422


def test_a_draft_is_cancelled_with_a_reason(client, qa_a, operator_a, made_and_shipped, open_from):
    recall = open_from([made_and_shipped["product"]])
    client.force_login(operator_a)
    assert post(client, f"/{recall.pk}/actions/cancel", {"reason": "x"}).status_code == 403
    client.force_login(qa_a)
    refused = post(client, f"/{recall.pk}/actions/cancel", {"reason": ""})
    assert refused.status_code == 422 and error_code(refused) == "reason_required"
    cancelled = post(client, f"/{recall.pk}/actions/cancel", {"reason": "误报"})
    assert cancelled.status_code == 200 and cancelled.json()["cancel_reason"] == "误报"
    assert post(client, f"/{recall.pk}/rescope", {"reason": "x"}).status_code == 409


def test_openapi_declares_the_responses(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(paths[API]["post"]["responses"])
    assert {"200", "401", "403", "404"} <= set(paths[API]["get"]["responses"])
    assert {"201", "422"} <= set(paths[API + "/{pk}/rescope"]["post"]["responses"])
    assert {"200", "403", "409"} <= set(paths[API + "/{pk}/actions/{name}"]["post"]["responses"])
    assert {"200", "404"} <= set(paths[API + "/{pk}/scope"]["get"]["responses"])
