"""The impact review of a failed calibration. Acceptance: its impact list equals exactly the
lots processed on that equipment since its last passing calibration, with events on either
side of both window boundaries, on another equipment, consumed as inputs and retracted; then
one action opens a deviation (or an NCR) linked back, and QA concludes by signature."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import ErrorDeclaration, Event, QuantityElement
from medtrace.equipment import calibration_selectors as selectors
from medtrace.equipment import services
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.models import ImpactReview
from medtrace.equipment.services import impact
from medtrace.equipment.services.usability import local_day
from medtrace.equipment.tests.conftest import calibrate
from medtrace.quality.choices import InspectionStage, NcrSource
from medtrace.quality.models import InspectionRecord
from medtrace.quality.services import deviation as deviations
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects
from medtrace.trace.services.recording import record_events

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")


def at(day, hour=12, minute=0, second=0, micro=0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=ZONE)


@dataclass
class Plant:
    machine: object
    other: object
    today: object
    last_pass: object = None
    failed: object = None
    lots: dict = field(default_factory=dict)
    inspections: dict = field(default_factory=dict)


def _event(when, read_point, *, event_type="ObjectEvent", **what) -> Event:
    return Event(
        event_type=event_type,
        event_id=f"urn:uuid:{uuid.uuid4()}",
        event_time=when,
        event_time_zone_offset="+08:00",
        action=None if event_type == "TransformationEvent" else "OBSERVE",
        biz_step=what.pop("biz_step", "inspecting"),
        read_point=read_point,
        **what,
    )


@pytest.fixture
def plant(site_a, qa_a, supervisor_a, organization):
    machine = services.create_equipment(
        site=site_a, code="LT-07", name="泄漏测试仪 7", equipment_type=EquipmentType.LEAK_TESTER,
        calibration_required=True, calibration_interval_days=365,
    )  # fmt: skip
    other = services.create_equipment(
        site=site_a, code="LT-08", name="泄漏测试仪 8", equipment_type=EquipmentType.LEAK_TESTER,
        calibration_required=True, calibration_interval_days=365,
    )  # fmt: skip
    today = local_day(machine)
    found = Plant(machine, other, today)
    calibrate(machine, today - timedelta(days=400), by=supervisor_a, verifier=qa_a)
    found.last_pass = calibrate(machine, today - timedelta(days=200), by=supervisor_a,
                                verifier=qa_a)  # fmt: skip
    calibrate(other, today - timedelta(days=300), by=supervisor_a, verifier=qa_a)
    item = catalog.create_item(
        organization=organization, code="IS-01", name="输液器", kind=ItemKind.FINISHED_DEVICE
    )
    for name in ("before", "start", "unit", "end", "after", "other", "input", "output",
                 "retracted", "inspected", "inspected_before", "inspected_other"):  # fmt: skip
        found.lots[name] = objects.create_lot(
            item=item, lot_number=f"L-{name}", site=site_a, origin=LotOrigin.PRODUCED
        )
    unit = objects.create_unit(item=item, serial="SN-0001", site=site_a, lot=found.lots["unit"])

    def lot(name):
        return (QuantityElement(found.lots[name].identifier, Decimal(10)),)

    here, there = machine.read_point, other.read_point
    start_day, end_day = today - timedelta(days=200), today - timedelta(days=10)
    retracted = _event(at(today - timedelta(days=50)), here, quantity_list=lot("retracted"))
    events = [
        _event(at(start_day - timedelta(days=1), 23, 59, 59, 999999), here,
               quantity_list=lot("before")),
        _event(at(start_day, 0, 0, 0), here, quantity_list=lot("start")),
        _event(at(today - timedelta(days=100)), here, epc_list=(unit.identifier,),
               biz_step="commissioning"),
        _event(at(end_day, 23, 59, 59, 999999), here, quantity_list=lot("end")),
        _event(at(end_day + timedelta(days=1), 0, 0, 0), here, quantity_list=lot("after")),
        _event(at(today - timedelta(days=100)), there, quantity_list=lot("other")),
        _event(at(today - timedelta(days=90)), here, event_type="TransformationEvent",
               biz_step="assembling", input_quantity_list=lot("input"),
               output_quantity_list=lot("output")),
        retracted,
    ]  # fmt: skip
    record_events(events, organization=organization, site=site_a, by=supervisor_a)
    declaration = Event(
        **{
            **{name: getattr(retracted, name) for name in (
                "event_type", "event_id", "event_time", "event_time_zone_offset", "action",
                "biz_step", "read_point", "quantity_list")},
            "error_declaration": ErrorDeclaration(declaration_time=at(today), reason="录错设备"),
        }
    )  # fmt: skip
    record_events([declaration], organization=organization, site=site_a, by=supervisor_a)
    plan = inspection_plans.create_plan(
        organization=organization, code="IP-LEAK", name="泄漏测试", stage=InspectionStage.FINAL,
        aql_major="1.0",
        characteristics=[{"name": "Leak", "kind": "attribute", "defect_class": "major"}],
        by=qa_a,
    )  # fmt: skip
    machine.refresh_from_db()
    other.refresh_from_db()
    for name, instrument, when in (
        ("inspected", machine, at(today - timedelta(days=50))),
        ("inspected_before", machine, at(start_day - timedelta(days=1), 9)),
        ("inspected_other", other, at(today - timedelta(days=50))),
    ):
        record = inspections.start_inspection(
            site=site_a, plan=plan, lot=found.lots[name], lot_size=100, equipment=[instrument],
            by=qa_a,
        )  # fmt: skip
        InspectionRecord.objects.filter(pk=record.pk).update(started_at=when)
        found.inspections[name] = record
    found.failed = calibrate(machine, end_day, "fail", by=supervisor_a, verifier=qa_a)
    return found


PROCESSED = {"start", "unit", "end", "output", "inspected"}


def test_the_impact_list_is_exactly_the_lots_processed_since_the_last_pass(plant):
    review = ImpactReview.objects.get(calibration=plant.failed)
    assert review.since_calibration == plant.last_pass
    listed = selectors.impact_of_review(review)
    assert {lot.lot_number for lot in listed.lots} == {f"L-{name}" for name in PROCESSED}
    assert listed.inspection_ids == [plant.inspections["inspected"].pk]
    assert len(listed.events) == 4  # start, the unit, the transformation, end
    steps = dict(listed.events_by_step())
    assert steps == {"inspecting": 2, "commissioning": 1, "assembling": 1}
    [(item, lots)] = listed.lots_by_item()
    assert item.code == "IS-01" and len(lots) == len(PROCESSED)
    ids = selectors.lot_ids_processed(plant.machine, review.window_start, review.window_end)
    assert ids == set(listed.lot_ids)


def test_the_impact_list_costs_the_same_queries_however_long(plant, supervisor_a, organization):
    review = ImpactReview.objects.select_related("equipment__site").get(calibration=plant.failed)
    with CaptureQueriesContext(connection) as few:
        selectors.impact_of_review(review)
    item = plant.lots["start"].item
    more = []
    for number in range(15):
        lot = objects.create_lot(item=item, lot_number=f"M-{number}", site=plant.machine.site)
        more.append(
            _event(
                at(plant.today - timedelta(days=30 + number)),
                plant.machine.read_point,
                quantity_list=(QuantityElement(lot.identifier, Decimal(1)),),
            )
        )
    record_events(more, organization=organization, site=plant.machine.site, by=supervisor_a)
    with CaptureQueriesContext(connection) as many:
        listed = selectors.impact_of_review(review)
    assert len(listed.lots) == len(PROCESSED) + 15
    assert len(many) == len(few)


def test_without_a_pass_the_window_has_no_start(tester, supervisor_a, qa_a):
    failed = calibrate(tester, local_day(tester), "fail", by=supervisor_a, verifier=qa_a)
    review = ImpactReview.objects.get(calibration=failed)
    assert review.window_start is None and review.since_calibration is None


def test_one_action_opens_a_deviation_linked_back(plant, qa_a, supervisor_a):
    review = ImpactReview.objects.get(calibration=plant.failed)
    deviation = impact.open_deviation(review, by=supervisor_a)
    review.refresh_from_db()
    assert review.deviation == deviation and deviation.kind == "unplanned"
    assert deviation.equipment == plant.machine
    assert (deviation.window_start, deviation.window_end) == (
        review.window_start,
        review.window_end,
    )
    assert {lot.lot_number for lot in deviation.lots.all()} == {f"L-{n}" for n in PROCESSED}
    assert plant.failed.number in deviation.description
    assert list(deviations.blocking_release(plant.lots["end"])) == [deviation]
    linked = AuditEntry.objects.get(object_type="equipment.impactreview", action="change")
    assert linked.changes == {"deviation": [None, deviation.number]}
    before = AuditEntry.objects.count()
    for opener in (impact.open_deviation, impact.open_nonconformance):
        with pytest.raises(DomainError) as refused:
            opener(review, by=qa_a)
        assert refused.value.code == ErrorCode.INVALID_STATE
        assert deviation.number in refused.value.message
    assert AuditEntry.objects.count() == before


def test_or_an_ncr_naming_the_equipment(tester, supervisor_a, qa_a, operator_a):
    calibrate(tester, local_day(tester) - timedelta(days=20), by=supervisor_a, verifier=qa_a)
    failed = calibrate(tester, local_day(tester), "fail", by=supervisor_a, verifier=qa_a)
    review = ImpactReview.objects.get(calibration=failed)
    with pytest.raises(DomainError) as refused:
        impact.open_nonconformance(review, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    ncr = impact.open_nonconformance(review, by=qa_a)
    review.refresh_from_db()
    assert review.nonconformance == ncr and ncr.equipment == tester
    assert ncr.source == NcrSource.OTHER and ncr.equipment_status == "out_of_service"
    assert ncr.lot is None  # nothing processed: no lot to hold


def test_qa_concludes_by_signature_over_the_list_as_assessed(plant, qa_a, supervisor_a):
    review = ImpactReview.objects.get(calibration=plant.failed)
    with pytest.raises(DomainError) as refused:
        impact.conclude(review, by=qa_a, password=PASSWORD)
    assert "assessment" in refused.value.details["fields"]
    with pytest.raises(DomainError) as refused:
        impact.record_assessment(review, assessment=" ", by=qa_a)
    assert refused.value.code == ErrorCode.VALIDATION
    impact.record_assessment(review, assessment="泄漏率偏大 0.4 Pa/s, 仍在产品规格内。", by=qa_a)
    review.refresh_from_db()
    assert sorted(review.assessed_lots) == sorted(plant.lots[n].pk for n in PROCESSED)
    with pytest.raises(DomainError) as refused:
        impact.conclude(review, by=supervisor_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED  # QA's decision
    # A lot recorded in the window after the assessment: the list must be assessed again.
    late = objects.create_lot(item=plant.lots["start"].item, lot_number="L-late",
                              site=plant.machine.site)  # fmt: skip
    record_events(
        [_event(at(plant.today - timedelta(days=40)), plant.machine.read_point,
                quantity_list=(QuantityElement(late.identifier, Decimal(1)),))],
        organization=plant.machine.organization, site=plant.machine.site, by=supervisor_a,
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        impact.conclude(review, by=qa_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert not Signature.objects.filter(object_type="equipment.impactreview").exists()
    impact.record_assessment(review, assessment="含补录批次 L-late, 结论不变。", by=qa_a)
    concluded = impact.conclude(review, by=qa_a, password=PASSWORD)
    assert concluded.status == "concluded" and concluded.concluded_at is not None
    signature = Signature.objects.get(object_type="equipment.impactreview")
    assert signature.meaning == "approved" and signature.signer == qa_a
    with pytest.raises(DomainError) as refused:
        impact.record_assessment(review, assessment="改", by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
