"""The demo's production, made through the services on the demo plant: work orders in every
state (the infusion lines and a set order closed, a set order held by an out-of-limit EO cycle
then released once its deviation closed, one completed and waiting for QA, catheter kits in
progress with components recorded per serial, orders released, planned and cancelled), and a
released lot's device history record naming what it was made of, by whom, on what."""

import re

import pytest
from django.urls import reverse

from medtrace.audit.signatures import with_validity
from medtrace.demo import DEMO_PASSWORD
from medtrace.documents.tests.generation_fixtures import pdf_text
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.production import selectors
from medtrace.production.choices import OperationStatus, WorkOrderStatus
from medtrace.production.models import Consumption, ParameterReading, WorkOrder
from medtrace.production.services import lot_release
from medtrace.production.services.common import named_event_id
from medtrace.quality.choices import DeviationStatus
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db


def _orders():
    return WorkOrder.objects.filter(site__code="SZ01").select_related("item", "lot", "site")


def test_the_demo_has_work_orders_in_every_state(demo_plant):
    orders = _orders()
    assert {order.status for order in orders} == set(WorkOrderStatus.values)
    for order in orders.filter(status=WorkOrderStatus.RELEASED):
        assert order.snapshot["bom"]["lines"] and order.snapshot["routing"]["operations"]
        kitting = selectors.kitting_list(order)
        assert len(kitting) == len(order.snapshot["bom"]["lines"])
        assert any(kit.picks for kit in kitting)
    cancelled = orders.get(status=WorkOrderStatus.CANCELLED)
    assert cancelled.cancel_reason and cancelled.lot is None
    closed = orders.filter(status=WorkOrderStatus.CLOSED)
    assert sorted(order.item.code for order in closed) == ["IS-2001", "IS-2001", "SA-LINE"]
    for order in closed:
        assert lot_release.blockers(order) == []
        assert status_of(order.lot).status == StockStatus.AVAILABLE
        signed = {(s.meaning, s.signer.username) for s, _valid in with_validity(order)}
        assert ("released", "qa") in signed
    waiting = orders.get(status=WorkOrderStatus.COMPLETED)
    assert status_of(waiting.lot).status == StockStatus.QUARANTINE
    [missing] = lot_release.blockers(waiting)
    assert "not accounted for" in missing


def test_the_catheter_kits_in_progress_record_components_per_serial(demo_plant):
    kits = _orders().get(item__code="CVC-3001", status=WorkOrderStatus.IN_PROGRESS)
    units = [output.unit for output in kits.outputs.select_related("unit")]
    assert len(units) == kits.quantity
    assembly, leak, sterilization = kits.operations.order_by("position")
    assert assembly.per_unit and assembly.status == OperationStatus.DONE
    assert leak.status == OperationStatus.IN_PROGRESS and leak.readings.exists()
    assert sterilization.status == OperationStatus.PENDING
    for unit in units:
        into = Consumption.objects.filter(work_order=kits, into_unit=unit)
        assert sorted(into.values_list("component__code", flat=True)) == [
            "CP-HUB",
            "CP-TUBE",
            "PK-TYVEK",
        ]
    assert not kits.consumptions.filter(into_unit__isnull=True).exists()


def test_the_out_of_limit_eo_cycle_was_deviated_held_and_released_after_closure(demo_plant):
    reading = ParameterReading.objects.select_related("deviation", "operation__work_order").get(
        within_limits=False
    )
    assert reading.parameter.startswith("EO") and reading.value > reading.upper_limit
    deviation, order = reading.deviation, reading.operation.work_order
    assert list(deviation.lots.all()) == [order.lot]
    assert deviation.status == DeviationStatus.CLOSED
    assert deviation.impact_assessment and deviation.closure_summary and deviation.risk_level
    held = TraceEvent.objects.get(event_id=named_event_id(order, f"hold:{deviation.number}"))
    assert held.biz_step == "holding" and held.disposition == "non_conformant"
    assert order.status == WorkOrderStatus.CLOSED
    assert order.lot_released_at > deviation.closed_at
    assert status_of(order.lot).status == StockStatus.AVAILABLE
    assert order.lot_released_by.username == "qa"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_dhr_pdf_of_a_released_demo_lot_names_everything_it_was_made_of(client, demo_plant):
    order = (
        _orders()
        .filter(item__code="IS-2001", status=WorkOrderStatus.CLOSED)
        .exclude(operations__readings__within_limits=False)
        .get()
    )
    lots = {row.lot.lot_number for row in order.consumptions.select_related("lot")}
    operations = list(order.operations.select_related("started_by", "finished_by", "equipment"))
    people = {op.started_by.printed_name for op in operations}
    people |= {op.finished_by.printed_name for op in operations}
    equipment = {op.equipment.code for op in operations}
    parameters = set(
        ParameterReading.objects.filter(operation__work_order=order).values_list(
            "parameter", flat=True
        )
    )
    assert len(lots) == 3 and len(equipment) == 4 and len(parameters) == 10
    client.login(username="auditor", password=DEMO_PASSWORD)
    response = client.get(reverse("production:dhr-pdf", args=[order.pk]))
    assert response.status_code == 200
    text = _flat(pdf_text(response.content))
    for expected in sorted(lots | people | equipment | parameters):
        assert _flat(expected) in text, expected
