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
