"""/api/v1/quality/ncrs: the acceptance walk (a failed incoming inspection reported through
the API leaves the NCR linked to lot and supplier, the lot on hold, audit entries, nothing
else), workflow actions with signatures, site scope and refusals that change nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import Decision, NcrStatus
from medtrace.quality.models import Disposition, Nonconformance
from medtrace.quality.services import nonconformance as ncrs
from medtrace.trace.models import Lot, TraceEvent, TraceObject

pytestmark = pytest.mark.django_db

API = "/api/v1/quality/ncrs"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def new_ncr(lot, **overrides):
    return {
        "site": "A1",
        "title": "来料外观不良",
        "description": "4 of 80 sampled pellets with black specks (AQL 1.0: Ac 2, Re 3).",
        "source": "incoming",
        "severity": "major",
        "lot_id": lot.pk,
        "quantity": "500",
        "uom": "kg",
    } | overrides


def test_a_failed_incoming_inspection_reported_through_the_api(client, qa_a, received_lot):
    client.force_login(qa_a)
    objects_before = set(TraceObject.objects.values_list("pk", "disposition"))
    response = post(client, "", new_ncr(received_lot))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lot"] == "PC2611A" and body["item"] == "RM-PC-01"
    assert body["supplier"] == "SUP-PC" and body["supplier_lot_number"] == "HS-55102"
    assert body["status"] == "open" and body["hold_event_id"].startswith("urn:uuid:")
    assert {a["name"] for a in body["allowed_actions"]} == {"start_review", "cancel"}
    # The lot is on hold through the trace core: one event, its disposition, nothing else.
    assert TraceEvent.objects.count() == 1
    changed = set(TraceObject.objects.values_list("pk", "disposition")) - objects_before
    assert changed == {(received_lot.pk, "non_conformant")}
    ncr = Nonconformance.objects.get()
    assert list(
        AuditEntry.objects.filter(object_type="quality.nonconformance").values_list(
            "object_id", flat=True
        )
    ) == [str(ncr.pk)]


def test_the_site_code_is_matched_whatever_its_case(client, qa_a, received_lot):
    client.force_login(qa_a)
    assert post(client, "", new_ncr(received_lot, site="a1")).status_code == 201


def test_a_refused_ncr_leaves_nothing(client, qa_a, received_lot):
    client.force_login(qa_a)
    response = post(client, "", new_ncr(received_lot, uom=""))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"].keys() == {"uom"}
    assert not Nonconformance.objects.exists()
    assert not TraceEvent.objects.exists()
    assert Lot.objects.get(pk=received_lot.pk).disposition == ""


def test_the_walk_to_closure_through_actions(client, qa_a, received_lot):
    client.force_login(qa_a)
    pk = post(client, "", new_ncr(received_lot)).json()["id"]
    assert post(client, f"/{pk}/actions/start_review", {}).json()["status"] == "under_review"
    response = post(
        client,
        f"/{pk}/dispositions",
        {"decision": "return_to_supplier", "quantity": "500", "justification": "Replace."},
    )
    assert response.status_code == 201 and response.json()["decision"] == "return_to_supplier"
    response = post(client, f"/{pk}/actions/approve_dispositions", {"password": PASSWORD})
    assert response.json()["status"] == "dispositioned"
    row = response.json()["dispositions"][0]
    assert row["quantity"] == "500.000000" and row["executed_at"] is None
    response = post(client, f"/{pk}/actions/close", {"password": PASSWORD})
    assert response.status_code == 409  # the return is not carried out yet
    response = post(
        client, f"/{pk}/dispositions/{row['id']}/carried-out", {"note": "Shipped back."}
    )
    assert response.status_code == 200 and response.json()["event_id"].startswith("urn:uuid:")
    response = post(client, f"/{pk}/actions/close", {"password": PASSWORD})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["allowed_actions"] == []
    assert Signature.objects.count() == 2


def test_a_wrong_password_is_refused_and_changes_nothing(client, qa_a, make_ncr):
    ncr = ncrs.start_review(make_ncr(), by=qa_a)
    ncrs.add_disposition(
        ncr, decision=Decision.SCRAP, quantity=Decimal(500), justification="x", by=qa_a
    )
    client.force_login(qa_a)
    response = post(client, f"/{ncr.pk}/actions/approve_dispositions", {"password": "nope"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "signature_refused"
    assert Nonconformance.objects.get(pk=ncr.pk).status == NcrStatus.UNDER_REVIEW


def test_an_action_the_state_does_not_allow_is_a_conflict(client, qa_a, make_ncr):
    ncr = make_ncr()
    client.force_login(qa_a)
    response = post(client, f"/{ncr.pk}/actions/close", {"password": PASSWORD})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"


def test_an_unknown_action_is_refused_by_name(client, qa_a, make_ncr):
    ncr = make_ncr()
    client.force_login(qa_a)
    response = post(client, f"/{ncr.pk}/actions/approve", {})
    assert response.status_code == 422
    assert "approve" in response.json()["error"]["message"]


def test_an_operator_reads_but_may_not_decide(client, operator_a, make_ncr):
    ncr = make_ncr()
    client.force_login(operator_a)
    body = client.get(f"{API}/{ncr.pk}").json()
    assert body["number"] == ncr.number and body["allowed_actions"] == []
    assert post(client, f"/{ncr.pk}/actions/start_review", {}).status_code == 403
    response = post(
        client, f"/{ncr.pk}/dispositions",
        {"decision": "scrap", "quantity": "1", "justification": "x"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Disposition.objects.exists()


def test_another_sites_ncr_is_not_found_and_not_listed(client, qa_b, stranger, make_ncr):
    ncr = make_ncr()
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/{ncr.pk}").status_code == 404
        assert client.get(API).json()["items"] == []
        assert post(client, f"/{ncr.pk}/actions/start_review", {}).status_code == 404


def test_a_lot_of_another_site_is_not_found(client, qa_b, received_lot):
    client.force_login(qa_b)
    response = post(client, "", new_ncr(received_lot, site="B1"))
    assert response.status_code == 404
    assert not Nonconformance.objects.exists()


def test_filters(client, qa_a, make_ncr):
    open_ncr = make_ncr()
    cancelled = ncrs.cancel(make_ncr(hold=False), by=qa_a, reason="Raised twice.")
    client.force_login(qa_a)
    ids = lambda query: [row["id"] for row in client.get(API + query).json()["items"]]  # noqa: E731
    assert set(ids("")) == {open_ncr.pk, cancelled.pk}
    assert ids("?open=true") == [open_ncr.pk]
    assert ids("?status=cancelled") == [cancelled.pk]
    assert ids("?severity=minor") == []


def test_the_list_costs_the_same_queries_whatever_its_length(client, qa_a, make_ncr):
    client.force_login(qa_a)
    make_ncr()
    client.get(API)  # the session and the roles are read once per request; warm the rest
    with CaptureQueriesContext(connection) as one:
        client.get(API)
    for _ in range(4):
        make_ncr(hold=False)
    with CaptureQueriesContext(connection) as five:
        client.get(API)
    assert len(five) == len(one)


def test_an_ncr_is_signed_only_through_its_actions(client, qa_a, make_ncr):
    ncr = make_ncr()
    client.force_login(qa_a)
    response = client.post(
        f"/api/v1/signatures/quality.nonconformance/{ncr.pk}",
        {"meaning": "approved", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert not Signature.objects.exists()
    listed = client.get(f"/api/v1/signatures/quality.nonconformance/{ncr.pk}")
    assert listed.status_code == 200 and listed.json() == []
