"""Maintenance plans and records, and the periodic job that takes equipment whose calibration
is overdue out of service."""

from datetime import UTC, date, datetime, timedelta

import pytest

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import calibration_selectors as selectors
from medtrace.equipment import services
from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.jobs import take_overdue_out_of_service
from medtrace.equipment.models import Equipment, MaintenancePlan, MaintenanceRecord
from medtrace.equipment.services import maintenance, status_rules
from medtrace.equipment.services.usability import local_day
from medtrace.equipment.tests.conftest import calibrate
from medtrace.jobs.registry import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def extruder(site_a):
    return services.create_equipment(
        site=site_a, code="EXT-01", name="挤出机", equipment_type="extruder"
    )


def test_a_plan_falls_due_and_moves_when_done(extruder, supervisor_a, site_a):
    today = local_day(extruder)
    plan = maintenance.create_plan(
        equipment=extruder, task="检查螺杆和加热圈", interval_days=30, by=supervisor_a,
        next_due_on=today - timedelta(days=2),
    )  # fmt: skip
    assert plan.is_overdue(today)
    default = maintenance.create_plan(equipment=extruder, task="清洁", interval_days=7,
                                      by=supervisor_a)  # fmt: skip
    assert default.next_due_on == today + timedelta(days=7)
    due = list(selectors.plans_due([site_a.pk], 0, today))
    assert due == [plan]
    record = maintenance.record_maintenance(
        equipment=extruder, kind="preventive", performed_on=today, performed_by=supervisor_a,
        work_done="螺杆磨损 0.2 mm, 在限内", parts="加热圈 x1", result="completed", plan=plan,
        by=supervisor_a,
    )  # fmt: skip
    assert record.number.startswith("MNT-")
    plan.refresh_from_db()
    assert (plan.last_done_on, plan.next_due_on) == (today, today + timedelta(days=30))
    moved = AuditEntry.objects.filter(object_type="equipment.maintenanceplan", action="change")
    assert record.number in moved.get().reason
    # An older job recorded late does not move the plan back.
    maintenance.record_maintenance(
        equipment=extruder, kind="preventive", performed_on=today - timedelta(days=10),
        external_party="金纬售后", work_done="补录", result="completed", plan=plan,
        by=supervisor_a,
    )  # fmt: skip
    plan.refresh_from_db()
    assert plan.next_due_on == today + timedelta(days=30)
    assert list(selectors.plans_due([site_a.pk], 0, today)) == []
    maintenance.update_plan(plan, active=False, by=supervisor_a, reason="停用")
    assert list(selectors.plans_due([site_a.pk], 60, today)) == [default]


def test_corrective_maintenance_returns_the_equipment_to_service(extruder, supervisor_a):
    services.change_equipment_status(equipment=extruder, status="out_of_service", reason="螺杆磨损")
    maintenance.record_maintenance(
        equipment=extruder, kind="corrective", performed_on=local_day(extruder),
        performed_by=supervisor_a, work_done="更换螺杆", parts="螺杆 SJ-45 x1",
        result="completed", returns_to_service=True, by=supervisor_a,
    )  # fmt: skip
    extruder.refresh_from_db()
    assert extruder.status == EquipmentStatus.IN_SERVICE
    entry = AuditEntry.objects.filter(object_type="equipment.equipment", action="transition")
    assert "更换螺杆" in entry.order_by("sequence").last().reason


def _count():
    return (MaintenanceRecord.objects.count(), AuditEntry.objects.count())


def test_maintenance_refusals_write_nothing(extruder, tester, supervisor_a, qa_a, site_a):
    today = local_day(extruder)
    other_plan = maintenance.create_plan(equipment=tester, task="点检", interval_days=1, by=qa_a)
    base = {
        "equipment": extruder, "kind": "corrective", "performed_on": today,
        "performed_by": supervisor_a, "work_done": "检查", "result": "completed",
        "by": supervisor_a,
    }  # fmt: skip
    cases = [
        ({"performed_on": today + timedelta(days=1)}, "performed_on"),
        ({"external_party": "厂家"}, "external_party"),
        ({"performed_by": None}, "external_party"),
        ({"work_done": ""}, "work_done"),
        ({"kind": "preventive", "plan": other_plan}, "plan"),
        ({"returns_to_service": True}, "returns_to_service"),  # it is in service
        ({"result": "follow_up", "returns_to_service": True}, "returns_to_service"),
    ]
    before = _count()
    for change, field in cases:
        with pytest.raises(DomainError) as refused:
            maintenance.record_maintenance(**(base | change))
        assert field in refused.value.details.get("fields", {}), (change, refused.value.message)
    # Back in service only while calibrated: the tester has never been calibrated.
    services.change_equipment_status(equipment=tester, status="out_of_service", reason="坏了")
    before = _count()
    with pytest.raises(DomainError) as refused:
        maintenance.record_maintenance(**(base | {"equipment": tester, "returns_to_service": True}))
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert _count() == before
    tester.refresh_from_db()
    assert tester.status == "out_of_service"
    services.change_equipment_status(equipment=tester, status="retired", reason="报废")
    with pytest.raises(DomainError):
        maintenance.create_plan(equipment=tester, task="x", interval_days=1, by=qa_a)
    assert MaintenancePlan.objects.count() == 1


def test_the_job_takes_overdue_equipment_out_of_service_once(
    balance, tester, extruder, supervisor_a, qa_a
):
    """BAL-01 is overdue (due 2026-03-01 by the ledger); the tester is calibrated; the
    extruder needs no calibration."""
    calibrate(tester, local_day(tester), by=supervisor_a, verifier=qa_a)
    spec = registry.get("equipment.calibration_overdue")
    assert spec is not None and spec.func is take_overdue_out_of_service
    assert any(p.name == spec.name for p in registry.periodic_jobs())
    taken = status_rules.take_overdue_out_of_service()
    assert [e.code for e in taken] == ["BAL-01"]
    balance.refresh_from_db()
    assert balance.status == EquipmentStatus.OUT_OF_SERVICE
    entry = AuditEntry.objects.get(
        object_type="equipment.equipment", object_id=str(balance.pk), action="transition"
    )
    assert entry.actor_id is None and "calibration was due on 2026-03-01" in entry.reason
    assert "scheduled calibration check" in entry.reason
    before = AuditEntry.objects.count()
    assert status_rules.take_overdue_out_of_service() == []  # idempotent
    assert AuditEntry.objects.count() == before
    verdict = services.is_usable(balance)
    assert verdict.rules == ["out_of_service", "calibration_overdue"]
    assert "the system" in verdict.reasons[0]


def test_the_job_reads_each_sites_own_day(balance):
    """Due 2026-03-01: at 2026-03-01 20:00 UTC it is already the 2nd in Shanghai."""
    day_after_in_shanghai = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    still_the_first = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert status_rules.take_overdue_out_of_service(now=still_the_first) == []
    assert [e.code for e in status_rules.take_overdue_out_of_service(day_after_in_shanghai)] == [
        "BAL-01"
    ]
    assert Equipment.objects.get(pk=balance.pk).status == "out_of_service"
    assert date(2026, 3, 2) == local_day(balance, day_after_in_shanghai)
