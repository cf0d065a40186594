"""A failed calibration walked in a real browser on the demo plant: the QA manager records the
Suzhou leak tester's calibration by the metrology institute as failed (a value found out of
tolerance), verifies it with their signature, sees the equipment out of service and the impact
list of what it leak-tested since its last pass, and opens a deviation over those lots from it.
Elements are found by id and data attributes, so the test holds whether or not the new strings
are translated."""

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.equipment.models import CalibrationRecord, Equipment, ImpactReview
from medtrace.equipment.services.usability import local_day

pytestmark = pytest.mark.e2e


def test_qa_records_a_failed_calibration_and_opens_a_deviation_from_its_impact(
    page, base_url, demo_plant, sign_in
):
    tester = Equipment.objects.select_related("site").get(site__code="SZ01", code="LT-01")
    sign_in("qa")
    page.goto(f"/equipment/{tester.pk}/")
    expect(page.locator("#usability")).to_have_attribute("data-usable", "true")
    page.locator("#record-calibration").click()
    form = page.locator("#calibration-form form")
    expect(form).to_be_visible()
    form.locator("#id_calibration_performed_on").fill(local_day(tester).isoformat())
    form.locator("#id_calibration_external_lab").fill("苏州市计量测试院")
    form.locator("#id_calibration_reference_standard").fill("标准漏孔 SL-10, S/N 7781")
    form.locator("#id_calibration_reference_certificate").fill("JL2026-0311")
    form.locator("#id_calibration_traceability").fill("NIM via CNAS L0123")
    form.locator("#id_calibration_as_found").fill("0.68 Pa/s @10 kPa")
    form.locator("#id_calibration_as_left").fill("停用待修 removed from use")
    form.locator("#id_calibration_readings").fill("10 kPa | 0.50 | 0.05 | 0.68 | | Pa/s")
    form.locator("input[name=result][value=fail]").check()
    with page.expect_navigation():
        page.locator("#calibration-submit").click()
    record = CalibrationRecord.objects.get(equipment=tester, status="draft")
    expect(page).to_have_url(f"{base_url}/equipment/calibrations/{record.pk}/")
    expect(page.locator("main h1")).to_contain_text(record.number)

    page.locator("summary[data-action=verify]").click()
    verify = page.locator("#action-verify form")
    verify.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        verify.locator("button[type=submit]").click()
    expect(page.locator("[data-status=verified]")).to_be_visible()
    review = ImpactReview.objects.get(calibration=record)

    with page.expect_navigation():
        page.locator("[data-link=impact-review]").click()
    expect(page).to_have_url(f"{base_url}/equipment/impact-reviews/{review.pk}/")
    counts = page.locator("#impact-counts")
    listed = int(counts.get_attribute("data-lots"))
    assert listed > 0
    expect(page.locator("#impact-lots [data-link=lot]")).to_have_count(listed)

    page.locator("#open-form input[name=record][value=deviation]").check()
    with page.expect_navigation():
        page.locator("#open-submit").click()
    deviation = ImpactReview.objects.get(pk=review.pk).deviation
    expect(page).to_have_url(f"{base_url}/quality/deviations/{deviation.pk}/")
    expect(page.locator("#deviation-scope [data-link=lot]")).to_have_count(listed)
    assert deviation.lots.count() == listed

    page.goto(f"/equipment/{tester.pk}/")
    expect(page.locator("#usability")).to_have_attribute("data-usable", "false")
    expect(page.locator("#usability [data-rule=calibration_failed]")).to_be_visible()
    link = page.locator(f"#open-reviews a[href='/equipment/impact-reviews/{review.pk}/']")
    expect(link).to_be_visible()
