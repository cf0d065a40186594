"""/api/v1/production: executing a work order over the API, as an MES, a machine or a floor
terminal would. Operations gated by training and calibration (refused with the reason named),
readings posted in batches (each row judged on its own; an out-of-limit one opens a deviation
and holds the lot in its transaction), consumption by scan, output, labels, completion and
QA's signed release with segregation of duties. Refusals answer the rule and write nothing."""

import json
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_api_token
from medtrace.audit.models import AuditEntry
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import IssuingAgency
from medtrace.catalog.models import RoutingOperation
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.production import services
from medtrace.production.choices import OperationStatus
from medtrace.production.models import (
    Consumption,
    Output,
    ParameterReading,
    WorkOrderOperation,
)
from medtrace.production.services import operations, readings
from medtrace.production.tests.fixtures import op_of, run_through
from medtrace.quality.models import Deviation
from medtrace.quality.services.nonconformance import open_nonconformance
from medtrace.scan.checks import gs1_check_digit

pytestmark = pytest.mark.django_db

API = "/api/v1/production/work-orders"
MELT = "熔体温度"


def post(client, path, body=None, **headers):
    return client.post(
        API + path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def error_of(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def as_user(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def machine(site_a, operator_a):
    """The Authorization header of the molding machine's gateway: the operator's read-write
    token for site A."""
    _token, secret = create_api_token(
        user=operator_a, name="IM-01 gateway", sites=[site_a], can_write=True,
        expires_in_days=30, by=operator_a,
    )  # fmt: skip
    return {"Authorization": f"Bearer {secret}"}


def reading(value, **row):
    return {"operation": 10, "parameter": MELT, "value": value, "unit": "°C", **row}


def started(order, operator, molder):
    return operations.start(op_of(order, 10), by=operator, equipment=molder)


def written():
    return AuditEntry.objects.count(), ParameterReading.objects.count(), Deviation.objects.count()


# --- Work orders and operations ------------------------------------------------------------


def test_an_operation_is_started_read_and_finished_over_the_api(
    as_user, operator_a, released, molder
):
    client = as_user(operator_a)
    listed = client.get(f"{API}/{released.pk}/operations")
    assert listed.status_code == 200
    first, second = listed.json()
    assert (first["position"], first["status"], first["equipment_type"]) == (
        10, "pending", "injection_molding",
    )  # fmt: skip
    assert first["parameters"] == [
        {"name": MELT, "unit": "°C", "lower_limit": "220", "target": "230", "upper_limit": "240"}
    ]
    assert second["position"] == 20 and second["readings"] == []

    response = post(client, f"/{released.pk}/operations/10/start", {"equipment": "im-01"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_progress" and body["equipment"] == "IM-01"
    assert body["started_by"] == "operator-a" and body["equipment_state"]["calibration_due_on"]
    assert body["missing"] == [f"{MELT} has no reading at operation 注塑."]

    refused = post(client, f"/{released.pk}/operations/10/finish", {"note": "ok"})
    assert refused.status_code == 409
    assert error_of(refused)["details"]["missing"] == body["missing"]

    posted = post(client, f"/{released.pk}/readings", {"readings": [reading("231.5")]})
    assert posted.json()["recorded"] == 1
    finished = post(client, f"/{released.pk}/operations/10/finish", {"note": "首件合格"})
    assert finished.status_code == 200
    body = finished.json()
    assert body["status"] == "done" and body["finished_by"] == "operator-a"
    assert body["note"] == "首件合格" and body["missing"] == []
    [row] = body["readings"]
    assert (row["value"], row["within_limits"], row["source"], row["equipment"]) == (
        "231.5", True, "machine", "IM-01",
    )  # fmt: skip

    order = client.get(f"{API}/{released.pk}").json()
    assert order["status"] == "in_progress" and order["started_at"]
    assert order["line"] == "PRD" and order["lot"] == released.lot.lot_number
    assert order["made"] == "0" and order["completed_at"] is None


def test_an_untrained_operator_is_refused_with_the_document_named(
    as_user, operator_a, released, molder, effective_sop
):
    number = effective_sop.document.number
    WorkOrderOperation.objects.filter(work_order=released, position=10).update(documents=[number])
    RoutingOperation.objects.filter(routing=released.routing, position=10).update(
        documents=[number]
    )
    before = AuditEntry.objects.count()
    response = post(
        as_user(operator_a), f"/{released.pk}/operations/10/start", {"equipment": "IM-01"}
    )
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "permission_denied" and error["details"]["cause"] == "not_trained"
    assert number in error["message"]
    assert op_of(released, 10).status == OperationStatus.PENDING
    assert AuditEntry.objects.count() == before


def test_equipment_past_its_calibration_due_date_is_refused_by_name(
    as_user, operator_a, released, molder
):
    molder.calibration_due_on = date.today() - timedelta(days=1)
    molder.save(update_fields=["calibration_due_on"])
    before = AuditEntry.objects.count()
    response = post(
        as_user(operator_a), f"/{released.pk}/operations/10/start", {"equipment": "IM-01"}
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "invalid_state" and error["details"]["cause"] == "equipment_unusable"
    assert "IM-01" in error["message"]
    assert op_of(released, 10).status == OperationStatus.PENDING
    assert AuditEntry.objects.count() == before


def test_starting_refusals_answer_their_codes(
    as_user, client, operator_a, qa_a, supervisor_b, released, molder, site_a
):
    path = f"/{released.pk}/operations/10/start"
    _token, secret = create_api_token(
        user=operator_a, name="reader", sites=[site_a], can_write=False, expires_in_days=5,
        by=operator_a,
    )  # fmt: skip
    client = as_user(operator_a)
    before = AuditEntry.objects.count()
    unknown = post(client, path, {"equipment": "IM-99"})
    assert unknown.status_code == 404
    assert "IM-99" in error_of(unknown)["details"]["fields"]["equipment"][0]
    assert post(client, path, {}).status_code == 422  # the operation needs its machine
    assert post(client, f"/{released.pk}/operations/20/start", {}).status_code == 409
    assert post(client, f"/{released.pk}/operations/30/start", {}).status_code == 404
    naive = post(client, path, {"equipment": "IM-01", "at": "2024-01-01T08:00:00"})
    assert naive.status_code == 422 and "time zone" in error_of(naive)["message"]
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    assert post(client, path, {"equipment": "IM-01", "at": future}).status_code == 422
    garbled = client.post(API + path, "{equipment:", content_type="application/json")
    assert garbled.status_code == 400 and error_of(garbled)["code"] == "validation_error"
    assert post(as_user(qa_a), path, {"equipment": "IM-01"}).status_code == 403
    assert post(as_user(supervisor_b), path, {"equipment": "IM-01"}).status_code == 404
    assert as_user(supervisor_b).get(f"{API}/{released.pk}/operations").status_code == 404
    client.logout()
    read_only = post(client, path, {"equipment": "IM-01"}, Authorization=f"Bearer {secret}")
    assert read_only.status_code == 403 and error_of(read_only)["code"] == "token_read_only"
    assert client.get(f"{API}/{released.pk}/operations").status_code == 401
    assert AuditEntry.objects.count() == before
    assert op_of(released, 10).status == OperationStatus.PENDING


# --- Readings from machines ----------------------------------------------------------------


def test_a_machine_posts_a_batch_judged_row_by_row(
    client, machine, operator_a, released, molder, site_a, qa_a
):
    from medtrace.equipment import services as equipment_services
    from medtrace.equipment.choices import EquipmentType

    equipment_services.create_equipment(
        site=site_a, code="IM-02", name="注塑机 2", equipment_type=EquipmentType.INJECTION_MOLDING,
        by=qa_a,
    )  # fmt: skip
    started(released, operator_a, molder)
    now = timezone.now().isoformat()
    rows = [
        reading("231.5", read_at=now, client_id="im01-0001", equipment="IM-01"),
        reading(229, client_id="im01-0002", equipment="im-02"),
        reading("231", equipment="IM-99"),
        reading("231", operation=30),
        reading("hot"),
        reading("500", unit="K"),
        reading("230", parameter="压力"),
        reading("230", read_at="2024-01-01T08:00:00"),
    ]
    response = post(client, f"/{released.pk}/readings", {"readings": rows}, **machine)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["recorded"], body["refused"]) == (2, 6)
    results = body["results"]
    assert [row["index"] for row in results] == list(range(8))
    assert [row["status"] for row in results] == ["recorded"] * 2 + ["refused"] * 6
    assert results[0]["within_limits"] is True and results[0]["deviation"] is None
    assert results[0]["error"] is None
    unknown = results[2]["error"]
    assert unknown["code"] == "not_found" and "IM-99" in unknown["message"]
    assert "no operation 30" in results[3]["error"]["message"]
    assert "not a number" in results[4]["error"]["message"]
    assert "not K" in results[5]["error"]["message"]
    assert "records no parameter" in results[6]["error"]["message"]
    assert results[6]["error"]["details"]["fields"] == {
        "parameter": [results[6]["error"]["message"]]
    }
    assert "time zone" in results[7]["error"]["message"]
    stored = {row.client_id: row for row in ParameterReading.objects.all()}
    assert set(stored) == {"im01-0001", "im01-0002"}
    assert stored["im01-0002"].equipment.code == "IM-02"
    assert stored["im01-0001"].recorded_by == operator_a

    # A retry of the same rows records nothing again and answers the first readings.
    again = post(client, f"/{released.pk}/readings", {"readings": rows[:2]}, **machine).json()
    assert [row["reading"] for row in again["results"]] == [
        results[0]["reading"],
        results[1]["reading"],
    ]
    assert ParameterReading.objects.count() == 2


def test_an_out_of_limit_reading_opens_a_deviation_and_holds_the_lot(
    client, machine, operator_a, released, molder
):
    started(released, operator_a, molder)
    assert status_of(released.lot).status != StockStatus.ON_HOLD
    response = post(
        client, f"/{released.pk}/readings",
        {"readings": [reading("251.5", client_id="im01-0009", equipment="IM-01")]}, **machine,
    )  # fmt: skip
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["status"] == "recorded" and row["within_limits"] is False
    deviation = Deviation.objects.get(number=row["deviation"])
    assert list(deviation.lots.all()) == [released.lot]
    assert deviation.equipment == molder and deviation.operation == "注塑"
    assert "251.5" in deviation.description
    info = status_of(released.lot)
    assert info.status == StockStatus.ON_HOLD and deviation.number in info.reason
    assert ParameterReading.objects.get(pk=row["reading"]).deviation == deviation
    operations_page = client.get(f"{API}/{released.pk}/operations", headers=machine).json()
    assert operations_page[0]["readings"][0]["deviation"] == deviation.number
    blockers = client.get(f"{API}/{released.pk}/release-blockers", headers=machine).json()
    assert any(deviation.number in line for line in blockers["blockers"])


def test_the_reading_its_deviation_and_the_hold_are_one_transaction(
    client, machine, operator_a, released, molder
):
    """When holding the lot fails, neither the reading nor its deviation stays: the row is
    refused and the rows beside it are still recorded."""
    started(released, operator_a, molder)
    refusal = DomainError(ErrorCode.INVALID_STATE, "The trace core refused the hold.")
    with mock.patch.object(readings, "hold_lot", side_effect=refusal):
        response = post(
            client, f"/{released.pk}/readings",
            {"readings": [reading("260", client_id="x-1"), reading("230", client_id="x-2")]},
            **machine,
        )  # fmt: skip
    results = response.json()["results"]
    assert [row["status"] for row in results] == ["refused", "recorded"]
    assert results[0]["error"]["message"] == "The trace core refused the hold."
    assert not Deviation.objects.exists()
    assert list(ParameterReading.objects.values_list("client_id", flat=True)) == ["x-2"]
    assert status_of(released.lot).status != StockStatus.ON_HOLD


def test_a_malformed_batch_is_refused_whole(
    as_user, client, machine, operator_a, qa_a, supervisor_b, released, molder
):
    started(released, operator_a, molder)
    path = f"/{released.pk}/readings"
    before = written()
    assert post(client, path, {"readings": []}, **machine).status_code == 422
    too_many = {"readings": [reading("230", client_id=f"r{n}") for n in range(501)]}
    assert post(client, path, too_many, **machine).status_code == 422
    no_value = post(client, path, {"readings": [{"operation": 10, "parameter": MELT}]}, **machine)
    assert no_value.status_code == 422
    assert no_value.json()["error"]["details"]["errors"][0]["loc"][-1] == "value"
    garbled = client.post(
        API + path, "readings=1", content_type="application/json", headers=machine
    )
    assert garbled.status_code == 400
    unknown = post(client, "/999999/readings", {"readings": [reading("230")]}, **machine)
    assert unknown.status_code == 404
    assert written() == before
    client.logout()
    assert post(as_user(qa_a), path, {"readings": [reading("230")]}).status_code == 403
    assert post(as_user(supervisor_b), path, {"readings": [reading("230")]}).status_code == 404
    assert written() == before


# --- Consumption and output ----------------------------------------------------------------


def test_components_are_consumed_by_scan(as_user, operator_a, released, components, qa_a):
    client = as_user(operator_a)
    path = f"/{released.pk}/consumptions"
    first = post(client, path, {"code": "T-001", "quantity": 200, "key": "scan-1"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["component"], body["lot"], body["quantity"], body["uom"]) == (
        "CMP-TUBE", "T-001", "200", "EA",
    )  # fmt: skip
    assert body["consumed_by"] == "operator-a" and body["event"].startswith("urn:uuid:")
    again = post(client, path, {"code": "T-001", "quantity": 200, "key": "scan-1"})
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert Consumption.objects.count() == 1
    listed = client.get(API + path).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get(f"{API}/{released.pk}").json()["status"] == "in_progress"

    before = Consumption.objects.count(), AuditEntry.objects.count()
    over = post(client, path, {"code": "T-001", "quantity": "11"})
    assert over.status_code == 422 and error_of(over)["details"]["over_consumption"] is True
    assert "give a reason" in error_of(over)["message"]
    short = post(client, path, {"code": "S-001", "quantity": "301"})
    assert short.status_code == 409 and "holds 300" in error_of(short)["message"]
    unknown = post(client, path, {"code": "NOPE-404", "quantity": "1"})
    assert unknown.status_code == 404 and "NOPE-404" in error_of(unknown)["message"]
    assert post(client, path, {"code": "S-001"}).status_code == 422  # a lot needs its quantity
    assert post(client, path, {"code": "S-001", "quantity": "x"}).status_code == 422
    assert (Consumption.objects.count(), AuditEntry.objects.count()) == before
    open_nonconformance(
        site=released.site, title="毛刺", description="穿刺器毛刺", source="in_process",
        severity="major", lot=components["spike"], by=qa_a,
    )  # fmt: skip
    held = post(client, path, {"code": "S-001", "quantity": "10"})
    assert held.status_code == 409 and "cannot be consumed" in error_of(held)["message"]
    assert Consumption.objects.count() == 1
    beyond = post(client, path, {"code": "T-001", "quantity": "10", "reason": "管路剪切报废"})
    assert beyond.status_code == 201 and beyond.json()["reason"] == "管路剪切报废"


def test_output_is_recorded_and_capped(as_user, operator_a, supervisor_b, released):
    client = as_user(operator_a)
    path = f"/{released.pk}/outputs"
    made = post(client, path, {"quantity": "60", "key": "out-1"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["made"] == "60" and body["outputs"][0]["quantity"] == "60"
    assert body["outputs"][0]["serial"] is None and body["event"].startswith("urn:uuid:")
    assert post(client, path, {"quantity": "60", "key": "out-1"}).json()["event"] == body["event"]
    before = Output.objects.count(), AuditEntry.objects.count()
    over = post(client, path, {"quantity": "41"})
    assert over.status_code == 409 and "exceed" in error_of(over)["message"]
    serials = post(client, path, {"serials": ["SN1"]})
    assert serials.status_code == 422 and "tracked by lot" in error_of(serials)["message"]
    assert post(client, path, {"quantity": "-1"}).status_code == 422
    assert (Output.objects.count(), AuditEntry.objects.count()) == before
    listed = client.get(API + path).json()
    assert listed["count"] == 1 and listed["items"][0]["recorded_by"] == "operator-a"
    assert client.get(f"{API}/{released.pk}").json()["made"] == "60"
    assert post(as_user(supervisor_b), path, {"quantity": "1"}).status_code == 404
    assert client.get(API + path).status_code == 404


def test_serialized_output_is_generated_or_scanned(
    as_user, operator_a, supervisor_a, engineer_a, qa_a, site_a, product, catheter, bins
):
    from medtrace.catalog.services import LineIn
    from medtrace.production.tests.fixtures import make_bom, make_effective, make_routing

    bom = make_bom(catheter, engineer_a, [LineIn("CMP-TUBE", 1)])
    make_effective(
        site_a, engineer_a, qa_a, boms=[bom], routings=[make_routing(catheter, engineer_a)]
    )
    order = services.create_work_order(site=site_a, item=catheter, quantity=3, by=supervisor_a)
    order = services.release(order, by=supervisor_a)
    client = as_user(operator_a)
    path = f"/{order.pk}/outputs"
    generated = post(client, path, {"generate": 2})
    assert generated.status_code == 201, generated.json()
    serials = [row["serial"] for row in generated.json()["outputs"]]
    assert len(set(serials)) == 2 and all(serials)
    assert all(row["serial_source"] == "generated" for row in generated.json()["outputs"])
    assert post(client, path, {"quantity": "1"}).status_code == 422
    assert post(client, path, {"serials": [serials[0]]}).status_code == 409  # used once per GTIN
    scanned = post(client, path, {"serials": ["PRE-0001"]})
    assert scanned.status_code == 201 and scanned.json()["made"] == "3"
    assert scanned.json()["outputs"][0]["serial_source"] == "scanned"
    assert post(client, path, {"generate": 1}).status_code == 409  # the order's 3 are made


# --- Labels --------------------------------------------------------------------------------


def _unit_di(product, engineer_a):
    value = "0950600099" + "001"
    return catalog.create_device_identifier(
        item=product, issuing_agency=IssuingAgency.GS1, value=value + gs1_check_digit(value),
        brand="康滴", model_number="IV-01", registration_number="国械注准20213140001",
        label_has_expiry=False, by=engineer_a,
    )  # fmt: skip


def test_labels_are_printed_and_reconciled(as_user, operator_a, product, engineer_a, released):
    identifier = _unit_di(product, engineer_a)
    client = as_user(operator_a)
    [row] = client.get(f"{API}/{released.pk}/labels").json()
    assert (row["device_identifier"], row["printed"], row["reconciled"]) == (
        identifier.value, 0, True,
    )  # fmt: skip
    printed = post(client, f"/{released.pk}/labels/{identifier.value}/print", {"copies": 3})
    assert printed.status_code == 200, printed.content
    assert printed["Content-Type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    [row] = client.get(f"{API}/{released.pk}/labels").json()
    assert (row["printed"], row["unaccounted"], row["reconciled"]) == (3, 3, False)
    path = f"/{released.pk}/labels/{identifier.value}/reconcile"
    too_many = post(client, path, {"used": 3, "destroyed": 1})
    assert too_many.status_code == 422
    assert "more than the 3 printed" in error_of(too_many)["message"]
    done = post(client, path, {"used": 2, "destroyed": 1, "reason": "1 张打印歪斜"})
    assert done.status_code == 200
    assert (done.json()["used"], done.json()["reconciled"]) == (2, True)
    assert post(client, f"/{released.pk}/labels/09506000999999/print", {}).status_code == 404
    none = post(client, f"/{released.pk}/labels/{identifier.value}/print", {"copies": 0})
    assert none.status_code == 422


# --- Completion and QA's release -----------------------------------------------------------


def test_a_lot_is_made_over_the_api_and_released_by_someone_else(
    client, as_user, make_user, site_a, supervisor_a, qa_a, released, molder, bins
):
    """The whole floor through the API by one person who also holds the QA manager role: they
    may not release what they made (segregation of duties); a QA manager who did not may."""
    dual = make_user("dual-a", (site_a, Role.QA_MANAGER), (site_a, Role.OPERATOR))
    client = as_user(dual)
    pk = released.pk
    assert post(client, f"/{pk}/operations/10/start", {"equipment": "IM-01"}).status_code == 200
    assert post(client, f"/{pk}/readings", {"readings": [reading("230")]}).json()["recorded"] == 1
    assert post(client, f"/{pk}/operations/10/finish", {}).status_code == 200
    for code, quantity in (("T-001", 200), ("S-001", 100)):
        assert (
            post(client, f"/{pk}/consumptions", {"code": code, "quantity": quantity}).status_code
            == 201
        )
    assert post(client, f"/{pk}/operations/20/start", {}).status_code == 200
    assert post(client, f"/{pk}/operations/20/finish", {}).status_code == 200
    assert post(client, f"/{pk}/outputs", {"quantity": 100}).status_code == 201

    assert post(client, f"/{pk}/complete").status_code == 403  # not a supervisor
    completed = post(as_user(supervisor_a), f"/{pk}/complete")
    assert completed.status_code == 200
    body = completed.json()
    assert body["status"] == "completed" and body["completed_at"] and body["made"] == "100"
    assert post(client, f"/{pk}/complete").status_code == 409  # completed already

    blockers = as_user(qa_a).get(f"{API}/{pk}/release-blockers").json()
    assert blockers["status"] == "completed" and blockers["blockers"] == []
    assert {"user": "dual-a", "did": "started operation 注塑"} in blockers["participants"]

    before = AuditEntry.objects.count()
    refused = post(as_user(dual), f"/{pk}/release-lot", {"password": PASSWORD})
    assert refused.status_code == 403
    error = error_of(refused)
    assert error["code"] == "permission_denied"
    assert error["details"]["cause"] == "segregation_of_duties"
    assert "started operation 注塑" in error["message"]
    assert AuditEntry.objects.count() == before

    client = as_user(qa_a)
    wrong = post(client, f"/{pk}/release-lot", {"password": "not-it"})
    assert wrong.status_code == 403 and error_of(wrong)["code"] == "signature_refused"
    nowhere = post(client, f"/{pk}/release-lot", {"password": PASSWORD, "location": "Z-99"})
    assert nowhere.status_code == 404
    assert post(client, f"/{pk}/release-lot", {}).status_code == 422  # no password
    released_lot = post(
        client, f"/{pk}/release-lot",
        {"password": PASSWORD, "reason": "DHR reviewed", "location": "a-01"},
    )  # fmt: skip
    assert released_lot.status_code == 200, released_lot.json()
    body = released_lot.json()
    assert body["status"] == "closed" and body["lot_released_at"]
    assert status_of(released.lot).status == StockStatus.AVAILABLE
    again = post(client, f"/{pk}/release-lot", {"password": PASSWORD})
    assert again.status_code == 409


def test_release_is_refused_listing_what_is_missing(
    as_user, operator_a, qa_a, supervisor_a, released, molder
):
    run_through(released, operator_a, molder, melt="260")
    completed = post(as_user(supervisor_a), f"/{released.pk}/complete")
    assert completed.status_code == 200
    refused = post(as_user(qa_a), f"/{released.pk}/release-lot", {"password": PASSWORD})
    assert refused.status_code == 409
    missing = error_of(refused)["details"]["missing"]
    assert any(line.startswith("Deviation DEV-") for line in missing)
    assert as_user(qa_a).get(f"{API}/{released.pk}/release-blockers").json()["blockers"] == missing


def test_complete_is_refused_until_everything_is_recorded(
    as_user, operator_a, supervisor_a, supervisor_b, released, molder
):
    started(released, operator_a, molder)
    refused = post(as_user(supervisor_a), f"/{released.pk}/complete")
    assert refused.status_code == 409
    missing = error_of(refused)["details"]["missing"]
    assert "No output is recorded." in missing and any("装配" in line for line in missing)
    assert post(as_user(supervisor_b), f"/{released.pk}/complete").status_code == 404
    assert as_user(supervisor_b).get(f"{API}/{released.pk}/release-blockers").status_code == 404


# --- The list and the schema ---------------------------------------------------------------


def test_the_list_shows_progress_without_a_query_per_order(
    as_user, operator_a, supervisor_a, product, site_a, released
):
    client = as_user(operator_a)
    client.get(API)
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for _ in range(4):
        other = services.create_work_order(site=site_a, item=product, quantity=5, by=supervisor_a)
        services.release(other, by=supervisor_a)
    with CaptureQueriesContext(connection) as many:
        rows = client.get(API).json()["items"]
    assert len(many) == len(few)
    assert {row["line"] for row in rows} == {"PRD"} and all(row["lot"] for row in rows)


def test_the_schema_declares_every_answer(client, admin_a):
    client.force_login(admin_a)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    base = "/api/v1/production/work-orders/{pk}"
    # 429: too many unknown tokens from one address (core.ratelimit), on every secured call.
    body_write = {"200", "400", "401", "403", "404", "409", "422", "429"}
    # A path parameter that does not parse as its type answers 422 (docs/api.md).
    read = {"200", "401", "403", "404", "422", "429"}
    expected = {
        (f"{base}/operations", "get"): read,
        (f"{base}/operations/{{position}}/start", "post"): body_write,
        (f"{base}/operations/{{position}}/finish", "post"): body_write,
        (f"{base}/readings", "post"): body_write,
        (f"{base}/consumptions", "get"): read,
        (f"{base}/consumptions", "post"): body_write - {"200"} | {"201"},
        (f"{base}/outputs", "post"): body_write - {"200"} | {"201"},
        (f"{base}/labels", "get"): read,
        (f"{base}/labels/{{di}}/print", "post"): body_write,
        (f"{base}/labels/{{di}}/reconcile", "post"): body_write,
        (f"{base}/complete", "post"): {"200", "401", "403", "404", "409", "422", "429"},
        (f"{base}/release-blockers", "get"): read,
        (f"{base}/release-lot", "post"): body_write,
    }
    for (path, method), codes in expected.items():
        assert set(paths[path][method]["responses"]) == codes, (path, method)
    pdf = paths[f"{base}/labels/{{di}}/print"]["post"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf
