"""The demo plants' equipment: six pieces per plant, one overdue, one out of service."""

import pytest
from django.utils import timezone

from medtrace.demo import generate
from medtrace.equipment import selectors
from medtrace.equipment.models import Equipment

pytestmark = pytest.mark.django_db


def test_demo_equipment():
    plant = generate()
    for code in ("SZ01", "SZ02"):
        site = plant.sites[code]
        equipment = Equipment.objects.filter(site=site)
        assert equipment.count() == 6
        assert equipment.filter(status="out_of_service").count() == 1
        overdue = selectors.overdue(equipment, timezone.localdate())
        assert [e.code for e in overdue] == ["BAL-01"]
    assert not Equipment.objects.filter(site=plant.sites["DC01"]).exists()
