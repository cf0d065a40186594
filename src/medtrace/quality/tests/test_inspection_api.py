"""/api/v1/quality/inspection-plans and /inspections: the acceptance walk (a failed incoming
inspection recorded entirely through the API leaves an NCR linked to the lot, the supplier and
the inspection, the lot on hold by one trace event, audit entries for both records, and
nothing else), site and organization scope, what an operator may not do, refusals that change
nothing, and list queries that do not grow with the list."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.equipment import services as equipment_services
from medtrace.quality.choices import InspectionStatus
from medtrace.quality.models import (
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    Nonconformance,
    SamplingScheme,
)
from medtrace.quality.services import inspection as inspections
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot, TraceEvent, TraceObject
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

API = "/api/v1/quality"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def rows_by_table() -> dict[str, int]:
    """How many rows each of the project's tables holds (Django's own included)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def grown(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {label: after[label] - before[label] for label in after if after[label] != before[label]}


def results_for(record: dict, *, failing: int = 0, weight: str = "25.0") -> list[dict]:
    """Every result the record asks for (from its GET body); the first `failing` samples of
    the attribute characteristics fail."""
    plan = InspectionPlan.objects.get(pk=record["plan_id"])
    rows = []
    for characteristic in plan.characteristics.all():
        size = record["sampling"][characteristic.defect_class]["sample_size"]
        for sample in range(1, size + 1):
            row = {"characteristic_id": characteristic.pk, "sample": sample}
            if characteristic.kind == "variable":
                row["value"] = weight
            else:
                row["passed"] = sample > failing
            rows.append(row)
    return rows


PLAN = {
    "code": "IP-PC-API",
    "name": "聚碳酸酯来料检验 (API)",
    "stage": "incoming",
    "aql_major": "1.0",
    "aql_minor": "4.0",
    "characteristics": [
        {"name": "Black specks", "kind": "attribute", "defect_class": "major"},
        {
            "name": "Bag weight",
            "kind": "variable",
            "defect_class": "major",
            "unit": "kg",
            "lower_limit": "24.8",
            "target": "25",
            "upper_limit": "25.3",
            "equipment_type": "balance",
            "method": "Whole bag on the platform balance",
        },
        {"name": "Label legible", "kind": "attribute", "defect_class": "minor"},
    ],
}


def new_inspection(plan_id, lot, equipment=(), **overrides):
    return {
        "site": "A1",
        "plan_id": plan_id,
        "lot_id": lot.pk,
        "lot_size": 500,
        "equipment_ids": [each.pk for each in equipment],
    } | overrides


@pytest.fixture
def started(resin_plan, received_lot, inspector_a, balance):
    return inspections.start_inspection(
        site=received_lot.site, plan=resin_plan, lot=received_lot, lot_size=8,
        equipment=[balance], by=inspector_a,
    )  # fmt: skip


def test_a_failed_incoming_inspection_recorded_through_the_api(
    client, qa_a, inspector_a, resin, received_lot, balance
):
    client.force_login(qa_a)
    response = post(client, "/inspection-plans", PLAN | {"item_id": resin.pk})
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["item"] == "RM-PC-01" and plan["active"] is True
    assert [c["name"] for c in plan["characteristics"]] == [
        "Black specks", "Bag weight", "Label legible",
    ]  # fmt: skip
    assert plan["characteristics"][1]["upper_limit"] == "25.300000"

    client.force_login(inspector_a)
    client.get(f"{API}/inspections")  # the session's first request does its own bookkeeping
    before = rows_by_table()
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    objects_before = set(TraceObject.objects.values_list("pk", "disposition"))

    response = post(client, "/inspections", new_inspection(plan["id"], received_lot, [balance]))
    assert response.status_code == 201, response.content
    record = response.json()
    assert (record["lot"], record["supplier"], record["status"]) == (
        "PC2611A",
        "SUP-PC",
        "in_progress",
    )
    assert record["sampling"]["major"]["sample_size"] == 50
    assert record["sampling"]["major"]["accept"] == 1
    assert record["missing_results"] == 150 and record["verdict"] is None
    assert record["equipment"][0]["equipment"] == "BAL-01"
    assert {a["name"] for a in record["allowed_actions"]} == {"complete"}

    pk = record["id"]
    response = post(client, f"/inspections/{pk}/results", {"results": results_for(record)[:60]})
    assert response.status_code == 200 and response.json()["missing_results"] == 90
    response = post(
        client, f"/inspections/{pk}/results", {"results": results_for(record, failing=3)}
    )
    assert response.status_code == 200 and response.json()["missing_results"] == 0
    response = post(client, f"/inspections/{pk}/actions/complete", {"password": PASSWORD})
    assert response.status_code == 200, response.content
    done = response.json()
    assert done["status"] == "completed" and done["verdict"] == "rejected"
    assert done["verdict_detail"]["major"] == {
        "defectives": 3, "accept": 1, "reject": 2, "verdict": "rejected",
    }  # fmt: skip
    assert done["verdict_detail"]["minor"]["verdict"] == "accepted"
    assert done["allowed_actions"] == []
    assert len(done["results"]) == 150
    assert sum(not row["conforming"] for row in done["results"]) == 6

    # The NCR: linked to the lot, its supplier and the inspection that rejected it.
    ncr = Nonconformance.objects.get()
    assert (done["nonconformance_id"], done["nonconformance"]) == (ncr.pk, ncr.number)
    assert (ncr.lot_id, ncr.supplier.code, ncr.inspection_id) == (received_lot.pk, "SUP-PC", pk)
    assert (ncr.source, ncr.severity, ncr.status) == ("incoming", "major", "open")
    ncr_body = client.get(f"{API}/ncrs/{ncr.pk}").json()
    assert ncr_body["lot"] == "PC2611A" and ncr_body["hold_event_id"]

    # The lot is on hold through the trace core: one event, its disposition, nothing else.
    assert TraceEvent.objects.count() == 1
    changed = set(TraceObject.objects.values_list("pk", "disposition")) - objects_before
    assert changed == {(received_lot.pk, "non_conformant")}
    assert Lot.objects.get(pk=received_lot.pk).disposition == "non_conformant"

    # Audit entries for both records, the signature, and nothing else written.
    audited = set(AuditEntry.objects.values_list("object_type", "object_id"))
    assert ("quality.inspectionrecord", str(pk)) in audited
    assert ("quality.nonconformance", str(ncr.pk)) in audited
    assert Signature.objects.get().object_id == str(pk)
    assert SamplingScheme.objects.get().state["status"] == "normal"
    assert grown(before, rows_by_table()) == {
        "quality.InspectionRecord": 1,
        "quality.InspectionInstrument": 1,
        "quality.InspectionResult": 150,
        "quality.SamplingScheme": 1,  # the supplier's switching rules moved on by this lot
        "quality.Nonconformance": 1,
        "quality.RecordCounter": 2,  # this year's INS and NCR numbers
        "audit.Signature": 1,
        "audit.AuditEntry": 7,
        "trace.TraceEvent": 1,
        "trace.EventObject": 1,  # the hold names the lot
    }
    entries = AuditEntry.objects.filter(pk__gt=last_entry).order_by("pk")
    assert list(entries.values_list("object_type", "object_id", "action")) == [
        ("quality.inspectionrecord", str(pk), "create"),
        ("quality.inspectionrecord", str(pk), "change"),
        ("quality.inspectionrecord", str(pk), "change"),
        ("quality.inspectionrecord", str(pk), "sign"),
        ("trace.traceevent", str(TraceEvent.objects.get().pk), "create"),
        ("quality.nonconformance", str(ncr.pk), "create"),
        ("quality.inspectionrecord", str(pk), "transition"),
    ]


def test_plans_are_the_organizations_and_only_qa_managers_write_them(
    client, qa_a, qa_b, inspector_a, stranger, resin_plan
):
    client.force_login(qa_b)  # another site of the same organization: master data is shared
    listed = client.get(f"{API}/inspection-plans").json()["items"]
    assert [row["code"] for row in listed] == ["IP-PC-IN"]
    assert client.get(f"{API}/inspection-plans/{resin_plan.pk}").json()["aql_major"] == "1.0"
    client.force_login(stranger)
    assert client.get(f"{API}/inspection-plans").json()["items"] == []
    assert client.get(f"{API}/inspection-plans/{resin_plan.pk}").status_code == 404
    response = post(client, f"/inspection-plans/{resin_plan.pk}/active", {"active": False})
    assert response.status_code == 404

    client.force_login(inspector_a)
    assert post(client, "/inspection-plans", PLAN).status_code == 403
    response = post(
        client, f"/inspection-plans/{resin_plan.pk}/active", {"active": False, "reason": "x"}
    )
    assert response.status_code == 403
    assert InspectionPlan.objects.get(pk=resin_plan.pk).active

    client.force_login(qa_a)
    response = post(client, f"/inspection-plans/{resin_plan.pk}/active", {"active": False})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"
    response = post(
        client,
        f"/inspection-plans/{resin_plan.pk}/active",
        {"active": False, "reason": "Grade discontinued."},
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert [r["code"] for r in client.get(f"{API}/inspection-plans?active=false").json()["items"]]


def test_a_refused_plan_leaves_nothing(client, qa_a):
    client.force_login(qa_a)
    body = PLAN | {"aql_major": "1.2"}
    response = post(client, "/inspection-plans", body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"].keys() == {"aql_major"}
    body = PLAN | {"code": "IP-X", "aql_minor": ""}  # a minor characteristic, no minor AQL
    assert post(client, "/inspection-plans", body).status_code == 422
    assert not InspectionPlan.objects.exists()
    assert not AuditEntry.objects.filter(object_type="quality.inspectionplan").exists()


def test_an_inspection_of_another_site_or_organization_is_not_found(
    client, qa_b, stranger, started, resin_plan, received_lot
):
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/inspections/{started.pk}").status_code == 404
        assert client.get(f"{API}/inspections").json()["items"] == []
        response = post(
            client,
            f"/inspections/{started.pk}/results",
            {"results": [{"characteristic_id": 1, "sample": 1, "passed": True}]},
        )
        assert response.status_code == 404
        response = post(client, f"/inspections/{started.pk}/actions/cancel", {"reason": "x"})
        assert response.status_code == 404
    client.force_login(qa_b)  # a lot of site A started at B: not found
    response = post(client, "/inspections", new_inspection(resin_plan.pk, received_lot, site="B1"))
    assert response.status_code == 404
    client.force_login(stranger)  # our plan from another organization: not found
    response = post(client, "/inspections", new_inspection(resin_plan.pk, received_lot, site="X1"))
    assert response.status_code == 404
    assert InspectionRecord.objects.count() == 1 and not InspectionResult.objects.exists()


def test_an_operator_reads_but_may_not_write(client, operator_a, started, resin_plan, received_lot):
    client.force_login(operator_a)
    body = client.get(f"{API}/inspections/{started.pk}").json()
    assert body["number"] == started.number and body["allowed_actions"] == []
    specks = started.plan.characteristics.get(name="Black specks")
    response = post(
        client,
        f"/inspections/{started.pk}/results",
        {"results": [{"characteristic_id": specks.pk, "sample": 1, "passed": True}]},
    )
    assert response.status_code == 403
    response = post(client, f"/inspections/{started.pk}/actions/complete", {"password": PASSWORD})
    assert response.status_code == 403
    response = post(client, "/inspections", new_inspection(resin_plan.pk, received_lot))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert InspectionRecord.objects.count() == 1 and not InspectionResult.objects.exists()
    assert not Signature.objects.exists()


def test_refusals_change_nothing(client, qa_a, inspector_a, started, resin_plan, received_lot,
                                 balance):  # fmt: skip
    equipment_services.update_equipment(
        equipment=balance, last_calibrated_on=timezone.localdate() - timedelta(days=400), by=qa_a
    )
    client.force_login(inspector_a)
    client.get(f"{API}/inspections")  # the session's first request does its own bookkeeping
    before = rows_by_table()
    specks = started.plan.characteristics.get(name="Black specks")
    weight = started.plan.characteristics.get(name="Bag weight")

    # Results: one bad row refuses the batch; a sample beyond the class's sample size.
    response = post(
        client,
        f"/inspections/{started.pk}/results",
        {
            "results": [
                {"characteristic_id": specks.pk, "sample": 1, "passed": True},
                {"characteristic_id": weight.pk, "sample": 2, "passed": True},
            ]
        },
    )
    assert response.status_code == 422
    assert "is measured" in response.json()["error"]["message"]
    response = post(
        client,
        f"/inspections/{started.pk}/results",
        {"results": [{"characteristic_id": specks.pk, "sample": 9, "passed": True}]},
    )
    assert response.status_code == 422
    # Completion with results missing is a conflict with the record's state.
    response = post(client, f"/inspections/{started.pk}/actions/complete", {"password": PASSWORD})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_state"
    # An unknown action is refused by name; cancelling is the QA manager's.
    response = post(client, f"/inspections/{started.pk}/actions/approve", {})
    assert response.status_code == 422 and "approve" in response.json()["error"]["message"]
    response = post(client, f"/inspections/{started.pk}/actions/cancel", {"reason": "x"})
    assert response.status_code == 403
    # Starting with the balance out of calibration.
    response = post(client, "/inspections", new_inspection(resin_plan.pk, received_lot, [balance]))
    assert response.status_code == 422
    assert "out of calibration" in response.json()["error"]["message"]
    assert response.json()["error"]["details"]["fields"].keys() == {"equipment"}

    client.force_login(qa_a)
    response = post(client, f"/inspections/{started.pk}/actions/cancel", {"reason": " "})
    assert response.status_code == 422 and response.json()["error"]["code"] == "reason_required"
    assert grown(before, rows_by_table()) == {}
    assert InspectionRecord.objects.get(pk=started.pk).status == InspectionStatus.IN_PROGRESS


def test_a_wrong_password_is_refused_and_signs_nothing(client, inspector_a, started):
    client.force_login(inspector_a)
    body = client.get(f"{API}/inspections/{started.pk}").json()
    post(client, f"/inspections/{started.pk}/results", {"results": results_for(body, failing=1)})
    response = post(client, f"/inspections/{started.pk}/actions/complete", {"password": "nope"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "signature_refused"
    record = InspectionRecord.objects.get(pk=started.pk)
    assert record.status == InspectionStatus.IN_PROGRESS and record.verdict == ""
    assert not Signature.objects.exists() and not Nonconformance.objects.exists()
    assert not TraceEvent.objects.exists()


def test_a_completed_inspection_is_a_conflict_to_change(client, inspector_a, started):
    client.force_login(inspector_a)
    body = client.get(f"{API}/inspections/{started.pk}").json()
    post(client, f"/inspections/{started.pk}/results", {"results": results_for(body)})
    done = post(client, f"/inspections/{started.pk}/actions/complete", {"password": PASSWORD})
    assert done.json()["verdict"] == "accepted" and done.json()["nonconformance_id"] is None
    response = post(client, f"/inspections/{started.pk}/actions/complete", {"password": PASSWORD})
    assert response.status_code == 409
    response = post(
        client, f"/inspections/{started.pk}/results", {"results": results_for(body, failing=5)}
    )
    assert response.status_code == 409
    assert not InspectionResult.objects.filter(conforming=False).exists()


def test_filters(client, qa_a, inspector_a, started, resin_plan, received_lot, balance, resin,
                 supplier, site_a):  # fmt: skip
    other_lot = objects.create_lot(
        item=resin, lot_number="PC2612B", site=site_a, origin=LotOrigin.RECEIVED, supplier=supplier
    )
    later = inspections.start_inspection(
        site=site_a, plan=resin_plan, lot=other_lot, lot_size=8, equipment=[balance], by=qa_a
    )
    inspections.cancel_inspection(later, by=qa_a, reason="Started twice.")
    client.force_login(inspector_a)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(f"{API}/inspections{query}").json()["items"]]

    assert set(ids("")) == {started.pk, later.pk}
    assert ids("?status=cancelled") == [later.pk]
    assert ids(f"?lot_id={received_lot.pk}") == [started.pk]
    assert set(ids(f"?plan_id={resin_plan.pk}&stage=incoming&site=a1")) == {started.pk, later.pk}
    assert ids("?verdict=rejected") == [] and ids("?stage=final") == []
    assert ids("?site=B1") == []


def test_the_list_costs_the_same_queries_whatever_its_length(
    client, inspector_a, resin_plan, received_lot, balance
):
    def begin():
        inspections.start_inspection(
            site=received_lot.site, plan=resin_plan, lot=received_lot, lot_size=8,
            equipment=[balance], by=inspector_a,
        )  # fmt: skip

    client.force_login(inspector_a)
    begin()
    client.get(f"{API}/inspections")  # the session and the roles are read once per request
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/inspections")
    for _ in range(4):
        begin()
    with CaptureQueriesContext(connection) as five:
        response = client.get(f"{API}/inspections")
    assert len(response.json()["items"]) == 5
    assert len(five) == len(one)


def test_an_inspection_is_signed_only_through_its_completion(client, inspector_a, started):
    client.force_login(inspector_a)
    response = client.post(
        f"/api/v1/signatures/quality.inspectionrecord/{started.pk}",
        {"meaning": "verified", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code in (404, 409)
    assert not Signature.objects.exists()
