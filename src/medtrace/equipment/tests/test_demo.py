"""The demo plants' equipment: eight pieces per plant, one overdue, one out of service; their
calibration history and maintenance; at Suzhou the leak tester's failed calibration, whose
impact review lists the lots leak-tested on it since its last pass."""

import pytest
from django.utils import timezone

from medtrace.equipment import calibration_selectors, selectors, services
from medtrace.equipment.models import CalibrationRecord, Equipment, ImpactReview

pytestmark = pytest.mark.django_db


def test_demo_equipment(demo_plant):
    plant = demo_plant
    for code in ("SZ01", "SZ02"):
        site = plant.sites[code]
        equipment = Equipment.objects.filter(site=site)
        assert equipment.count() == 8
        assert equipment.filter(status="out_of_service").count() == 1
        overdue = selectors.overdue(equipment, timezone.localdate())
        assert [e.code for e in overdue] == ["BAL-01"]
        today = services.usability.site_day(site)
        soon = selectors.calibration_due([site.pk], 30, today).filter(calibration_due_on__gte=today)
        assert [e.code for e in soon] == ["DL-01"]
        due = calibration_selectors.plans_due([site.pk], 0, today)
        assert [plan.equipment.code for plan in due] == ["EXT-01"]
    records = CalibrationRecord.objects.filter(site=plant.sites["SZ01"], status="verified")
    assert records.count() == 9  # Shenzhen's calibrations are on paper
    assert not Equipment.objects.filter(site=plant.sites["DC01"]).exists()
    tester = Equipment.objects.get(site=plant.sites["SZ01"], code="LT-01")
    assert services.is_usable(tester).usable
    review = ImpactReview.objects.get()
    assert review.equipment == tester and review.status == "open" and review.assessment
    assert review.calibration.result == "fail" and review.calibration.corrects is not None
    listed = calibration_selectors.impact_of_review(review)
    assert len(listed.lots) >= 5 and len(listed.events) >= 5
    assert {lot.item.code for lot in listed.lots} == {"SA-LINE", "IS-2001"}
    assert sorted(review.assessed_lots) == listed.lot_ids
