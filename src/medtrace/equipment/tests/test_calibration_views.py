"""Calibration, maintenance and impact-review pages: the htmx forms on the equipment's page,
verification by signature, the impact list and its one action, the conclusion; who may do
what, site scope, and a detail page whose queries do not grow with its history."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.equipment.models import CalibrationRecord, ImpactReview, MaintenanceRecord
from medtrace.equipment.services import maintenance
from medtrace.equipment.services.usability import local_day
from medtrace.equipment.tests.conftest import LAB, calibrate
from medtrace.quality.models import Deviation, Nonconformance

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def form_data(day, **changes):
    data = {
        "performed_on": day.isoformat(),
        "external_lab": LAB,
        "reference_standard": "标准漏孔 SL-10",
        "reference_certificate": "JL2026-0311",
        "traceability": "NIM via CNAS L0123",
        "as_found": "0.52 Pa/s",
        "as_left": "0.50 Pa/s",
        "result": "pass",
        "readings": "10 kPa | 0.50 | 0.05 | 0.52 | 0.50 | Pa/s",
        "certificate_number": "JZ-1187",
    }
    data.update(changes)
    return data


def test_the_equipment_page_shows_the_verdict_history_and_forms_to_whom_may(
    client, tester, operator_a, supervisor_a, qa_a
):
    client.force_login(operator_a)
    shown = page(client, f"/equipment/{tester.pk}/")
    assert 'data-usable="false"' in shown and 'data-rule="never_calibrated"' in shown
    assert "record-calibration" not in shown and "record-maintenance" not in shown
    assert "urn:medtrace:equipment:A1:LT-01" in shown
    assert client.get(f"/equipment/{tester.pk}/calibrations/new/").status_code == 403
    calibrate(tester, local_day(tester), by=supervisor_a, verifier=qa_a)
    client.force_login(supervisor_a)
    shown = page(client, f"/equipment/{tester.pk}/")
    assert 'data-usable="true"' in shown and 'id="record-calibration"' in shown
    assert 'data-result="pass"' in shown and 'id="record-maintenance"' in shown


def test_record_a_calibration_through_htmx_then_verify_it(client, tester, supervisor_a, qa_a):
    client.force_login(supervisor_a)
    url = f"/equipment/{tester.pk}/calibrations/new/"
    fragment = client.get(url, **HTMX).content.decode()
    assert 'id="calibration-form"' in fragment and "<html" not in fragment
    before = (CalibrationRecord.objects.count(), AuditEntry.objects.count())
    refused = client.post(url, form_data(local_day(tester), reference_standard=""), **HTMX)
    assert refused.status_code == 200 and 'id="calibration-form"' in refused.content.decode()
    assert "errorlist" in refused.content.decode()
    assert (CalibrationRecord.objects.count(), AuditEntry.objects.count()) == before
    day = local_day(tester) - timedelta(days=1)
    certificate = SimpleUploadedFile("cert.pdf", b"%PDF-1.4 x", "application/pdf")
    response = client.post(url, {**form_data(day), "certificate": certificate}, **HTMX)
    record = CalibrationRecord.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/equipment/calibrations/{record.pk}/"
    assert record.readings[0]["unit"] == "Pa/s" and record.status == "draft"
    shown = page(client, f"/equipment/calibrations/{record.pk}/")
    assert 'data-status="draft"' in shown and 'data-action="verify"' in shown
    assert client.get(f"/equipment/calibrations/{record.pk}/certificate/").status_code == 200
    wrong = client.post(
        f"/equipment/calibrations/{record.pk}/actions/verify/",
        {"password": "nope", "meaning": "verified"},
    )
    assert wrong.status_code == 200 and "password is wrong" in wrong.content.decode()
    client.force_login(qa_a)
    done = client.post(
        f"/equipment/calibrations/{record.pk}/actions/verify/",
        {"password": PASSWORD, "meaning": "verified"},
    )
    assert done.status_code == 302
    record.refresh_from_db()
    tester.refresh_from_db()
    assert record.status == "verified" and tester.last_calibrated_on == day
    shown = page(client, f"/equipment/calibrations/{record.pk}/")
    assert 'id="correct-calibration"' in shown and 'data-action="verify"' not in shown


def test_a_failure_from_the_form_leads_to_the_impact_review(client, tester, supervisor_a, qa_a):
    calibrate(tester, local_day(tester) - timedelta(days=30), by=supervisor_a, verifier=qa_a)
    client.force_login(supervisor_a)
    client.post(
        f"/equipment/{tester.pk}/calibrations/new/",
        form_data(local_day(tester), result="fail",
                  readings="10 kPa | 0.50 | 0.05 | 0.71 | 0.50 | Pa/s"),
    )  # fmt: skip
    record = CalibrationRecord.objects.get(result="fail")
    client.force_login(qa_a)
    client.post(
        f"/equipment/calibrations/{record.pk}/actions/verify/",
        {"password": PASSWORD, "meaning": "verified"},
    )
    review = ImpactReview.objects.get(calibration=record)
    shown = page(client, f"/equipment/{tester.pk}/")
    assert f"/equipment/impact-reviews/{review.pk}/" in shown
    assert 'data-rule="calibration_failed"' in shown and 'data-rule="out_of_service"' in shown
    shown = page(client, f"/equipment/impact-reviews/{review.pk}/")
    assert 'data-lots="0"' in shown and 'id="open-form"' in shown
    response = client.post(f"/equipment/impact-reviews/{review.pk}/open/", {"record": "deviation"})
    deviation = Deviation.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        f"/quality/deviations/{deviation.pk}/"
    )
    shown = page(client, f"/equipment/impact-reviews/{review.pk}/")
    assert 'id="open-form"' not in shown and deviation.number in shown
    again = client.post(f"/equipment/impact-reviews/{review.pk}/open/", {"record": "ncr"})
    assert again.status_code == 200 and not Nonconformance.objects.exists()
    client.post(
        f"/equipment/impact-reviews/{review.pk}/assessment/",
        {"assessment": "期间无生产, 无影响。"},
    )
    concluded = client.post(
        f"/equipment/impact-reviews/{review.pk}/actions/conclude/",
        {"password": PASSWORD, "meaning": "approved"},
    )
    assert concluded.status_code == 302
    review.refresh_from_db()
    assert review.status == "concluded" and review.assessment == "期间无生产, 无影响。"


def test_supervisors_do_not_conclude(client, tester, supervisor_a, qa_a):
    failed = calibrate(tester, local_day(tester), "fail", by=supervisor_a, verifier=qa_a)
    review = ImpactReview.objects.get(calibration=failed)
    client.force_login(supervisor_a)
    shown = page(client, f"/equipment/impact-reviews/{review.pk}/")
    assert 'id="assessment-form"' in shown and 'data-action="conclude"' not in shown
    refused = client.post(
        f"/equipment/impact-reviews/{review.pk}/actions/conclude/",
        {"password": PASSWORD, "meaning": "approved"},
    )
    assert refused.status_code == 403


def test_maintenance_and_plans_through_htmx(client, tester, supervisor_a):
    client.force_login(supervisor_a)
    url = f"/equipment/{tester.pk}/maintenance-plans/new/"
    assert 'id="plan-form"' in client.get(url, **HTMX).content.decode()
    response = client.post(url, {"task": "每日点检", "interval_days": "1"}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"].endswith("#maintenance")
    plan = tester.maintenance_plans.get()
    url = f"/equipment/{tester.pk}/maintenance/new/"
    refused = client.post(url, {"kind": "preventive", "performed_on": "2000-01-01"}, **HTMX)
    assert refused.status_code == 200 and not MaintenanceRecord.objects.exists()
    response = client.post(
        url,
        {
            "kind": "preventive", "plan": plan.pk, "performed_on": local_day(tester).isoformat(),
            "performed_by": supervisor_a.pk, "work_done": "点检正常", "result": "completed",
        },
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 204
    shown = page(client, f"/equipment/{tester.pk}/")
    record = MaintenanceRecord.objects.get()
    assert f'data-maintenance="{record.number}"' in shown and "点检正常" in shown


def test_another_sites_records_are_not_found(client, tester, qa_b, supervisor_a, qa_a):
    failed = calibrate(tester, local_day(tester), "fail", by=supervisor_a, verifier=qa_a)
    review = ImpactReview.objects.get(calibration=failed)
    client.force_login(qa_b)
    for url in (
        f"/equipment/calibrations/{failed.pk}/",
        f"/equipment/impact-reviews/{review.pk}/",
        f"/equipment/{tester.pk}/calibrations/new/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/equipment/impact-reviews/{review.pk}/open/", {"record": "deviation"}
                       ).status_code == 404  # fmt: skip
    assert not Deviation.objects.exists()


def test_the_list_marks_calibrations_due_soon(client, tester, supervisor_a, qa_a):
    calibrate(tester, local_day(tester) - timedelta(days=170), by=supervisor_a, verifier=qa_a)
    client.force_login(qa_a)
    assert 'data-calibration="due-soon"' in page(client, "/equipment/")
    assert "LT-01" in page(client, "/equipment/", calibration="due30")
    assert "LT-01" not in page(client, "/equipment/", calibration="overdue")


def test_the_detail_page_queries_do_not_grow_with_its_history(client, tester, supervisor_a, qa_a):
    plan = maintenance.create_plan(equipment=tester, task="点检", interval_days=7, by=qa_a)
    client.force_login(qa_a)

    def add(days):
        for day in days:
            calibrate(tester, local_day(tester) - timedelta(days=day), by=supervisor_a,
                      verifier=qa_a)  # fmt: skip
            maintenance.record_maintenance(
                equipment=tester, kind="preventive", plan=plan, performed_by=supervisor_a,
                performed_on=local_day(tester) - timedelta(days=day), work_done="点检",
                result="completed", by=supervisor_a,
            )  # fmt: skip

    def count():
        with CaptureQueriesContext(connection) as captured:
            page(client, f"/equipment/{tester.pk}/")
        return len(captured)

    add([100])
    count()
    few = count()
    add([90, 80, 70, 60])
    assert count() == few


def test_the_list_shows_and_filters_overdue_maintenance(client, tester, balance, qa_a):
    maintenance.create_plan(
        equipment=tester, task="点检", interval_days=1, by=qa_a,
        next_due_on=local_day(tester) - timedelta(days=1),
    )  # fmt: skip
    client.force_login(qa_a)
    listed = page(client, "/equipment/", maintenance="overdue")
    assert "LT-01" in listed and "BAL-01" not in listed
    assert 'data-maintenance="overdue"' in listed
