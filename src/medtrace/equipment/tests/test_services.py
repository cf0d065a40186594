"""Equipment services: the computed due date, the audited status machine, the site rules."""

from datetime import date

import pytest

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import selectors, services
from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_create_computes_the_due_date_and_audits(balance, qa_a):
    assert balance.code == "BAL-01"
    assert balance.calibration_due_on == date(2026, 3, 1)
    assert balance.organization_id == balance.site.organization_id
    entry = AuditEntry.objects.get(object_type="equipment.equipment", action="create")
    assert entry.site_id == balance.site_id and entry.actor_id == qa_a.pk


def test_update_recomputes_the_due_date(balance):
    services.update_equipment(equipment=balance, last_calibrated_on=date(2026, 3, 10))
    balance.refresh_from_db()
    assert balance.calibration_due_on == date(2027, 3, 10)
    services.update_equipment(equipment=balance, calibration_required=False)
    balance.refresh_from_db()
    assert balance.calibration_due_on is None


def test_calibration_needs_an_interval(site_a):
    with pytest.raises(DomainError) as refused:
        services.create_equipment(
            site=site_a, code="X", name="x", equipment_type="balance", calibration_required=True
        )
    assert "calibration_interval_days" in refused.value.details["fields"]


def test_duplicate_code_per_site_only(balance, site_a, site_b):
    with pytest.raises(DomainError) as refused:
        services.create_equipment(site=site_a, code="BAL-01", name="x", equipment_type="balance")
    assert refused.value.code == ErrorCode.DUPLICATE
    services.create_equipment(site=site_b, code="BAL-01", name="x", equipment_type="balance")


def test_location_of_another_site_is_refused(site_a, site_b):
    elsewhere = site_b.locations.first()
    with pytest.raises(DomainError) as refused:
        services.create_equipment(
            site=site_a, code="X", name="x", equipment_type="other", location=elsewhere
        )
    assert "location" in refused.value.details["fields"]


def test_status_changes_need_a_reason_and_retired_is_final(balance, qa_a):
    with pytest.raises(DomainError) as refused:
        services.change_equipment_status(
            equipment=balance, status=EquipmentStatus.OUT_OF_SERVICE, reason=" "
        )
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    services.change_equipment_status(
        equipment=balance, status=EquipmentStatus.OUT_OF_SERVICE, reason="坏了", by=qa_a
    )
    entry = AuditEntry.objects.get(action="transition")
    assert entry.changes == {"status": ["in_service", "out_of_service"]} and entry.reason == "坏了"
    services.change_equipment_status(equipment=balance, status="retired", reason="报废")
    for status in ("in_service", "out_of_service"):
        with pytest.raises(DomainError) as refused:
            services.change_equipment_status(equipment=balance, status=status, reason="x")
        assert refused.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(DomainError):
        services.update_equipment(equipment=balance, name="新")
    balance.refresh_from_db()
    assert balance.status == "retired" and balance.name == "电子天平"
    assert AuditEntry.objects.filter(action="transition").count() == 2


def test_calibration_due_and_overdue(balance, site_a, site_b, extruder_b):
    services.create_equipment(
        site=site_a,
        code="DL-01",
        name="记录仪",
        equipment_type="thermometer",
        calibration_required=True,
        calibration_interval_days=365,
        last_calibrated_on=date(2025, 4, 1),
    )
    due = list(selectors.calibration_due([site_a.pk, site_b.pk], 30, TODAY))
    assert [(e.code, e.overdue) for e in due] == [("BAL-01", True), ("DL-01", False)]
    assert [e.code for e in selectors.calibration_due([site_a.pk], 10, TODAY)] == ["BAL-01"]
    assert selectors.calibration_due([site_b.pk], 365, TODAY).count() == 0
    assert balance.is_calibration_overdue(TODAY)
    services.change_equipment_status(equipment=balance, status="retired", reason="报废")
    assert [e.code for e in selectors.calibration_due([site_a.pk], 30, TODAY)] == ["DL-01"]
