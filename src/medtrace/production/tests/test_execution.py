"""Executing a work order: operations gated by training and equipment, readings against the
snapshot's limits (an out-of-limit one opens a deviation and holds the lot in its own
transaction), consumption by scan against the BOM, output, completion, and QA's signed release
with segregation of duties. Every refusal names its rule and writes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.production import services
from medtrace.production.choices import OperationStatus, WorkOrderStatus
from medtrace.production.models import Consumption, ParameterReading
from medtrace.production.services import consumption, lot_release, operations, outputs, readings
from medtrace.production.tests.fixtures import lot_of, op_of, run_through
from medtrace.quality.models import Deviation
from medtrace.trace.models import GenealogyLink, TraceEvent

pytestmark = pytest.mark.django_db


def test_release_numbers_the_lot_and_lays_out_the_operations(released, bins):
    assert released.lot.lot_number.startswith("A")
    assert released.line == bins["PRD"]
    assert [(op.position, op.name, op.status) for op in released.operations.all()] == [
        (10, "注塑", OperationStatus.PENDING),
        (20, "装配", OperationStatus.PENDING),
    ]


def test_a_lot_made_end_to_end_and_released_by_qa(released, operator_a, molder, qa_a, bins):
    run_through(released, operator_a, molder)
    released.refresh_from_db()
    assert released.status == WorkOrderStatus.IN_PROGRESS
    lot_release.complete(released, by=released.released_by)
    lot = released.lot
    assert status_of(lot).status == StockStatus.QUARANTINE
    order = lot_release.release_lot(
        released, by=qa_a, password=PASSWORD, location=bins["A-01"], reason="DHR reviewed"
    )
    assert order.status == WorkOrderStatus.CLOSED
    assert order.lot_released_by == qa_a
    assert status_of(lot).status == StockStatus.AVAILABLE
    assert Stock.objects.get(object=lot).location == bins["A-01"]
    assert Stock.objects.get(object=lot_of(order, "T-001")).quantity == Decimal("300")
    assert Signature.objects.filter(object_id=str(order.pk), meaning="released").exists()
    sources = set(
        GenealogyLink.objects.filter(target=lot, kind="transformation").values_list(
            "source__identifier", flat=True
        )
    )
    assert sources == {lot_of(order, "T-001").identifier, lot_of(order, "S-001").identifier}
    first = op_of(order, 10)
    assert first.equipment_state["code"] == "IM-01" and first.equipment_state["calibration_due_on"]


def test_an_untrained_operator_is_refused_naming_the_document(
    product, planned, supervisor_a, components, operator_a, effective_sop, molder
):
    from medtrace.production.models import WorkOrderOperation

    order = services.release(planned, by=supervisor_a)
    WorkOrderOperation.objects.filter(work_order=order, position=10).update(
        documents=[effective_sop.document.number]
    )
    from medtrace.catalog.models import RoutingOperation

    RoutingOperation.objects.filter(routing=order.routing, position=10).update(
        documents=[effective_sop.document.number]
    )
    with pytest.raises(DomainError) as refused:
        operations.start(op_of(order, 10), by=operator_a, equipment=molder)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert effective_sop.document.number in refused.value.message
    assert op_of(order, 10).status == OperationStatus.PENDING


def test_equipment_past_its_calibration_due_date_is_refused(released, operator_a, molder):
    molder.calibration_due_on = date.today() - timedelta(days=1)
    molder.save(update_fields=["calibration_due_on"])
    with pytest.raises(DomainError) as refused:
        operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "IM-01" in refused.value.message
    assert op_of(released, 10).status == OperationStatus.PENDING


def test_operations_run_in_the_routing_order_and_need_their_equipment(released, operator_a):
    with pytest.raises(DomainError, match="comes first"):
        operations.start(op_of(released, 20), by=operator_a)
    with pytest.raises(DomainError, match="scan or choose it"):
        operations.start(op_of(released, 10), by=operator_a)


def test_an_out_of_limit_reading_opens_a_deviation_and_holds_the_lot(released, operator_a, molder):
    first = operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    reading = readings.record(first, parameter="熔体温度", value="251.5", by=operator_a)
    assert reading.within_limits is False
    deviation = Deviation.objects.get(pk=reading.deviation_id)
    assert list(deviation.lots.all()) == [released.lot]
    assert deviation.equipment == molder and deviation.operation == "注塑"
    assert "251.5" in deviation.description
    info = status_of(released.lot)
    assert info.status == StockStatus.ON_HOLD and deviation.number in info.reason
    # Without a client ID a second reading is another reading, with its own deviation; the
    # lot is held once.
    again = readings.record(first, parameter="熔体温度", value="251.5", by=operator_a)
    assert again.pk != reading.pk and Deviation.objects.count() == 2


def test_a_reading_is_idempotent_by_client_id_and_checked(released, operator_a, molder):
    first = operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    one = readings.record(first, parameter="熔体温度", value="229", client_id="m-1", by=operator_a)
    two = readings.record(first, parameter="熔体温度", value="229", client_id="m-1", by=operator_a)
    assert one.pk == two.pk and ParameterReading.objects.count() == 1
    with pytest.raises(DomainError, match="records no parameter"):
        readings.record(first, parameter="压力", value="1", by=operator_a)
    with pytest.raises(DomainError, match="not K"):
        readings.record(first, parameter="熔体温度", value="500", unit="K", by=operator_a)
    with pytest.raises(DomainError, match="not a number"):
        readings.record(first, parameter="熔体温度", value="hot", by=operator_a)
    assert ParameterReading.objects.count() == 1 and not Deviation.objects.exists()


def test_finishing_needs_every_parameter_read(released, operator_a, molder):
    first = operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    with pytest.raises(DomainError, match="has no reading"):
        operations.finish(first, by=operator_a)


def test_consumption_refusals_name_the_rule(released, operator_a, components, organization):
    from medtrace.catalog.models import Item

    with pytest.raises(DomainError, match="give a reason"):
        consumption.consume(released, scanned=components["tube"], quantity="211", by=operator_a)
    with pytest.raises(DomainError, match="holds 300"):
        consumption.consume(released, scanned=components["spike"], quantity="301", by=operator_a)
    other = Item.objects.create(
        organization=organization, code="CMP-X", name="X", kind="component", unit="EA"
    )
    from medtrace.trace.services import objects

    stray = objects.create_lot(item=other, lot_number="X-1", site=released.site)
    with pytest.raises(DomainError, match="not a component"):
        consumption.consume(released, scanned=stray, quantity="1", by=operator_a)
    assert not Consumption.objects.exists()
    assert not TraceEvent.objects.filter(event_type="TransformationEvent").exists()
    # Within the tolerance with a reason beyond it:
    consumption.consume(
        released, scanned=components["tube"], quantity="215", reason="管路剪切报废", by=operator_a
    )
    assert consumption.consumed_of(released, "CMP-TUBE") == Decimal("215")


def test_a_held_component_lot_is_not_consumed(released, operator_a, components, qa_a):
    from medtrace.quality.services.nonconformance import open_nonconformance

    open_nonconformance(
        site=released.site, title="毛刺", description="管路毛刺", source="in_process",
        severity="major", lot=components["tube"], by=qa_a,
    )  # fmt: skip
    with pytest.raises(DomainError, match="cannot be consumed"):
        consumption.consume(released, scanned=components["tube"], quantity="10", by=operator_a)


def test_release_is_refused_with_everything_missing(released, operator_a, molder, qa_a):
    operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    with pytest.raises(DomainError) as refused:
        lot_release.complete(released, by=released.released_by)
    assert "装配" in refused.value.message and "No output" in refused.value.message
    missing = lot_release.blockers(released)
    assert any("注塑" in line for line in missing)


def test_the_operator_may_not_release_and_a_deviation_blocks(
    released, operator_a, molder, qa_a, make_user, site_a
):
    from medtrace.accounts.roles import Role

    run_through(released, operator_a, molder, melt="260")
    lot_release.complete(released, by=released.released_by)
    dual = make_user("dual-a", (site_a, Role.QA_MANAGER), (site_a, Role.OPERATOR))
    with pytest.raises(DomainError, match="Deviation DEV-"):
        lot_release.release_lot(released, by=qa_a, password=PASSWORD)
    Deviation.objects.update(status="closed")
    third = operations.current(released)
    assert third is None
    # Someone who recorded output may not release:
    from medtrace.production.models import Output

    Output.objects.filter(work_order=released).update(recorded_by=dual)
    with pytest.raises(DomainError) as refused:
        lot_release.release_lot(released, by=dual, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert "recorded output" in refused.value.message
    released.refresh_from_db()
    assert released.status == WorkOrderStatus.COMPLETED
    order = lot_release.release_lot(released, by=qa_a, password=PASSWORD)
    assert order.status == WorkOrderStatus.CLOSED
    assert status_of(order.lot).status == StockStatus.AVAILABLE


def test_output_is_capped_at_the_order_quantity(released, operator_a):
    outputs.record(released, quantity="60", by=operator_a)
    with pytest.raises(DomainError, match="exceed"):
        outputs.record(released, quantity="41", by=operator_a)
    released.lot.refresh_from_db()
    assert released.lot.manufactured_on == released.site.local_date()
    assert AuditEntry.objects.filter(object_id=str(released.pk), changes__has_key="made").exists()


def test_readings_in_a_batch_are_judged_row_by_row(released, operator_a, molder):
    operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    now = timezone.now()
    results = readings.record_batch(
        released,
        [
            {"operation": 10, "parameter": "熔体温度", "value": "231", "client_id": "a",
             "read_at": now},
            {"operation": 30, "parameter": "熔体温度", "value": "231", "client_id": "b"},
            {"operation": 10, "parameter": "熔体温度", "value": "245", "client_id": "c"},
        ],
        by=operator_a,
    )  # fmt: skip
    assert [bool(row.reading) for row in results] == [True, False, True]
    assert "no operation 30" in results[1].error.message
    assert results[2].reading.deviation is not None


def test_a_completed_order_waits_in_qas_inbox(released, operator_a, molder, qa_a, client):
    from django.urls import reverse

    run_through(released, operator_a, molder)
    lot_release.complete(released, by=released.released_by)
    client.force_login(qa_a)
    page = client.get(reverse("quality:inbox")).content.decode()
    assert 'data-task="work-order"' in page and released.number in page
    client.force_login(operator_a)
    assert 'data-task="work-order"' not in client.get(reverse("quality:inbox")).content.decode()
