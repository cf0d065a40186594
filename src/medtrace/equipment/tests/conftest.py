"""Equipment test data: a production supervisor at site A and a balance that needs calibration."""

from datetime import date

import pytest

from medtrace.accounts.roles import Role
from medtrace.equipment import services
from medtrace.equipment.choices import EquipmentType

TODAY = date(2026, 3, 14)


@pytest.fixture
def supervisor_a(make_user, site_a):
    return make_user("supervisor-a", (site_a, Role.PRODUCTION_SUPERVISOR))


@pytest.fixture
def balance(site_a, qa_a):
    return services.create_equipment(
        site=site_a,
        code="bal-01",
        name="电子天平",
        name_en="Electronic balance",
        equipment_type=EquipmentType.BALANCE,
        calibration_required=True,
        calibration_interval_days=365,
        last_calibrated_on=date(2025, 3, 1),
        by=qa_a,
    )


@pytest.fixture
def extruder_b(site_b, qa_b):
    return services.create_equipment(
        site=site_b, code="EXT-01", name="挤出机", equipment_type=EquipmentType.EXTRUDER, by=qa_b
    )


@pytest.fixture
def tester(site_a, qa_a):
    """A leak tester that needs calibration every 180 days and has none on record yet."""
    return services.create_equipment(
        site=site_a,
        code="LT-01",
        name="泄漏测试仪",
        name_en="Leak tester",
        equipment_type=EquipmentType.LEAK_TESTER,
        calibration_required=True,
        calibration_interval_days=180,
        by=qa_a,
    )


LAB = "苏州计量测试院 Suzhou Institute of Metrology"


def draft(equipment, day, result="pass", *, by, **fields):
    """A draft calibration by the external lab, against a traceable reference."""
    from medtrace.equipment.services import calibration

    values = {
        "external_lab": LAB,
        "reference_standard": "标准漏孔 Reference leak SL-10 S/N 7781",
        "reference_certificate": "JL2026-0311",
        "traceability": "NIM via CNAS L0123",
        "as_found": "0.52 Pa/s at 10 kPa" if result == "pass" else "0.91 Pa/s at 10 kPa",
        "as_left": "0.50 Pa/s at 10 kPa",
    }
    values.update(fields)
    return calibration.record_calibration(
        equipment=equipment, performed_on=day, result=result, by=by, **values
    )


def calibrate(equipment, day, result="pass", *, by, verifier, **fields):
    """A calibration drafted by `by` and verified by `verifier` (PASSWORD)."""
    from conftest import PASSWORD
    from medtrace.equipment.services import calibration

    record = draft(equipment, day, result, by=by, **fields)
    return calibration.verify(record, by=verifier, password=PASSWORD)
