"""Calibration records: drafted, verified by another person's signature, then immutable; a pass
moves the ledger, a failure takes the equipment out of service and opens the impact review; a
correction replaces the record it names. Every refusal writes nothing."""

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PASSWORD
from medtrace.audit import signatures
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import services
from medtrace.equipment.choices import CalibrationStatus, EquipmentStatus
from medtrace.equipment.models import CalibrationRecord, Equipment, ImpactReview
from medtrace.equipment.services import calibration
from medtrace.equipment.services.usability import local_day
from medtrace.equipment.tests.conftest import LAB, calibrate, draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def today(equipment):
    return local_day(Equipment.objects.select_related("site").get(pk=equipment.pk))


def entries(record):
    return AuditEntry.objects.filter(
        object_type=record._meta.label_lower, object_id=str(record.pk)
    ).order_by("sequence")


def test_a_draft_counts_for_nothing_until_verified(tester, supervisor_a, qa_a):
    day = today(tester) - timedelta(days=3)
    record = draft(
        tester,
        day,
        by=supervisor_a,
        certificate_number="JZ-2026-1187",
        certificate=SimpleUploadedFile("cal.pdf", b"%PDF-1.4 cert", "application/pdf"),
        readings=[{"point": "10 kPa", "nominal": "0.50", "tolerance": "0.05", "as_found": "0.52"}],
    )
    assert record.number.startswith("CAL-") and record.status == CalibrationStatus.DRAFT
    assert record.next_due_on == day + timedelta(days=180)
    assert record.readings[0]["as_found"] == "0.52" and record.readings[0]["as_left"] == ""
    assert record.certificate.name.endswith(".pdf")
    [created] = entries(record)
    assert created.action == "create" and created.actor_id == supervisor_a.pk
    tester.refresh_from_db()
    assert tester.last_calibrated_on is None
    assert not services.is_usable(tester).usable

    verified = calibration.verify(record, by=qa_a, password=PASSWORD, reason="证书已核对")
    assert verified.status == CalibrationStatus.VERIFIED and verified.verified_by == qa_a
    [signature] = Signature.objects.filter(object_type="equipment.calibrationrecord")
    assert signature.meaning == "verified" and signature.signer == qa_a
    assert signatures.is_valid(signature, verified)
    tester.refresh_from_db()
    assert tester.last_calibrated_on == day
    assert tester.calibration_due_on == day + timedelta(days=180)
    moved = AuditEntry.objects.filter(
        object_type="equipment.equipment", object_id=str(tester.pk), action="change"
    ).get()
    assert moved.changes["last_calibrated_on"] == [None, day.isoformat()]
    assert record.number in moved.reason and moved.actor_id == qa_a.pk
    assert [e.action for e in entries(record)] == ["create", "sign", "transition"]
    assert services.is_usable(tester).usable


def test_a_failure_takes_the_equipment_out_of_service_and_opens_the_review(
    tester, supervisor_a, qa_a
):
    passed = calibrate(tester, today(tester) - timedelta(days=60), by=supervisor_a, verifier=qa_a)
    failed = calibrate(tester, today(tester) - timedelta(days=1), "fail", by=supervisor_a,
                       verifier=qa_a)  # fmt: skip
    tester.refresh_from_db()
    assert tester.status == EquipmentStatus.OUT_OF_SERVICE
    assert tester.last_calibrated_on == passed.performed_on  # a failure does not move it
    assert failed.next_due_on is None
    transition = AuditEntry.objects.get(object_type="equipment.equipment", action="transition")
    assert transition.changes == {"status": ["in_service", "out_of_service"]}
    assert failed.number in transition.reason and transition.actor_id == qa_a.pk
    review = ImpactReview.objects.get(calibration=failed)
    assert review.since_calibration == passed and review.status == "open"
    zone = ZoneInfo("Asia/Shanghai")
    start, end = review.window_start.astimezone(zone), review.window_end.astimezone(zone)
    assert (start.date(), start.time()) == (passed.performed_on, time.min)
    assert (end.date(), end.time()) == (failed.performed_on, time.max)
    assert AuditEntry.objects.filter(object_type="equipment.impactreview", action="create").exists()
    verdict = services.is_usable(tester)
    assert verdict.rules == ["out_of_service", "calibration_failed"]
    # Back in service only once calibrated again.
    with pytest.raises(DomainError) as refused:
        services.change_equipment_status(equipment=tester, status="in_service", reason="修好了")
    assert refused.value.code == ErrorCode.INVALID_STATE and failed.number in refused.value.message
    calibrate(tester, today(tester), by=supervisor_a, verifier=qa_a)
    services.change_equipment_status(equipment=tester, status="in_service", reason="复校合格")
    assert services.is_usable(tester).usable


def _nothing_written(before_records, before_entries):
    return (CalibrationRecord.objects.count(), AuditEntry.objects.count()) == (
        before_records,
        before_entries,
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"performed_on": "future"}, ErrorCode.VALIDATION, "performed_on"),
        ({"external_lab": ""}, ErrorCode.VALIDATION, "external_lab"),
        ({"performed_by": "supervisor"}, ErrorCode.VALIDATION, "external_lab"),
        ({"reference_standard": ""}, ErrorCode.VALIDATION, "reference_standard"),
        ({"traceability": ""}, ErrorCode.VALIDATION, "traceability"),
        ({"as_found": ""}, ErrorCode.VALIDATION, "as_found"),
        ({"result": "maybe"}, ErrorCode.VALIDATION, "result"),
        (
            {"readings": [{"nominal": "0.50", "tolerance": "0.05", "as_found": "0.60"}]},
            ErrorCode.VALIDATION,
            "result",
        ),
        (
            {"readings": [{"nominal": "x", "tolerance": "0.05", "as_found": "0.5"}]},
            ErrorCode.VALIDATION,
            "readings",
        ),
        (
            {"readings": [{"nominal": "0.5", "tolerance": "-1", "as_found": "0.5"}]},
            ErrorCode.VALIDATION,
            "readings",
        ),
        ({"readings": [{"nominal": "0.5"}]}, ErrorCode.VALIDATION, "readings"),
    ],
)
def test_refusals_write_nothing(tester, supervisor_a, change, code, field):
    day = today(tester)
    if change.get("performed_on") == "future":
        change["performed_on"] = day + timedelta(days=1)
    if change.get("performed_by") == "supervisor":
        change["performed_by"] = supervisor_a
    before = (CalibrationRecord.objects.count(), AuditEntry.objects.count())
    result = change.pop("result", "pass")
    performed_on = change.pop("performed_on", day)
    with pytest.raises(DomainError) as refused:
        draft(tester, performed_on, result, by=supervisor_a, **change)
    assert refused.value.code == code
    assert field in refused.value.details["fields"], refused.value.details
    assert _nothing_written(*before)


def test_equipment_that_is_retired_or_needs_no_calibration_is_not_calibrated(
    tester, balance, supervisor_a, site_a
):
    loose = services.create_equipment(
        site=site_a, code="FIX-01", name="夹具", equipment_type="other"
    )
    services.change_equipment_status(equipment=tester, status="retired", reason="报废")
    before = (CalibrationRecord.objects.count(), AuditEntry.objects.count())
    for equipment in (loose, tester):
        with pytest.raises(DomainError) as refused:
            draft(equipment, today(balance), by=supervisor_a)
        assert refused.value.code == ErrorCode.INVALID_STATE
    assert _nothing_written(*before)


def test_verification_refusals_leave_the_draft_as_it_was(
    tester, supervisor_a, qa_a, operator_a, make_user, site_a
):
    own = draft(tester, today(tester), by=supervisor_a, external_lab="", performed_by=qa_a)
    before = tester.last_calibrated_on
    with pytest.raises(DomainError) as refused:
        calibration.verify(own, by=qa_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED  # four eyes
    with pytest.raises(DomainError) as refused:
        calibration.verify(own, by=operator_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED  # no permission
    with pytest.raises(DomainError) as refused:
        calibration.verify(own, by=supervisor_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    failed = AuditEntry.objects.filter(object_id=str(own.pk), action="sign_failed").get()
    assert failed.changes["cause"] == "wrong_password"  # the refusal itself is kept
    own.refresh_from_db()
    tester.refresh_from_db()
    assert own.status == "draft" and tester.last_calibrated_on == before
    assert not Signature.objects.exists()
    calibration.verify(own, by=supervisor_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        calibration.verify(own, by=supervisor_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE  # verified once, then immutable


def test_a_draft_is_cancelled_with_a_reason(tester, supervisor_a):
    record = draft(tester, today(tester), by=supervisor_a)
    with pytest.raises(DomainError) as refused:
        calibration.cancel(record, by=supervisor_a, reason=" ")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    cancelled = calibration.cancel(record, by=supervisor_a, reason="录错设备")
    assert cancelled.status == "cancelled"
    tester.refresh_from_db()
    assert tester.last_calibrated_on is None


def test_a_correction_replaces_the_record_it_names(tester, supervisor_a, qa_a):
    wrong_day = today(tester) - timedelta(days=10)
    right_day = today(tester) - timedelta(days=12)
    first = calibrate(tester, wrong_day, by=supervisor_a, verifier=qa_a)
    before = (CalibrationRecord.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as refused:
        draft(tester, right_day, by=supervisor_a, corrects=first)
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert _nothing_written(*before)
    correction = draft(
        tester, right_day, by=supervisor_a, corrects=first, correction_reason="日期抄错"
    )
    tester.refresh_from_db()
    assert tester.last_calibrated_on == wrong_day  # the draft counts for nothing yet
    calibration.verify(correction, by=qa_a, password=PASSWORD)
    tester.refresh_from_db()
    assert tester.last_calibrated_on == right_day
    assert tester.calibration_due_on == right_day + timedelta(days=180)
    with pytest.raises(DomainError) as refused:
        draft(tester, right_day, by=supervisor_a, corrects=first, correction_reason="again")
    assert refused.value.code == ErrorCode.INVALID_STATE  # already corrected
    with pytest.raises(DomainError) as refused:
        draft(
            tester, right_day, by=supervisor_a, corrects=draft(tester, right_day, by=supervisor_a),
            correction_reason="x",
        )  # fmt: skip
    assert refused.value.code == ErrorCode.INVALID_STATE  # a draft is not corrected


def test_records_replace_typing_the_last_calibration(balance, supervisor_a, qa_a):
    services.update_equipment(equipment=balance, last_calibrated_on=date(2025, 4, 1))
    calibrate(balance, today(balance) - timedelta(days=5), by=supervisor_a, verifier=qa_a)
    balance.refresh_from_db()
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.update_equipment(equipment=balance, last_calibrated_on=date(2026, 1, 1))
    assert "last_calibrated_on" in refused.value.details["fields"]
    assert AuditEntry.objects.count() == before
    services.update_equipment(equipment=balance, serial_number="SN-1")  # the rest still changes


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=-1000, max_value=1000, places=3),
            st.decimals(min_value=0, max_value=10, places=3),
            st.decimals(min_value=-1000, max_value=1000, places=3),
        ),
        max_size=5,
    )
)
def test_a_pass_is_refused_exactly_when_a_value_was_found_out_of_tolerance(values):
    readings = calibration.clean_readings(
        [
            {"nominal": str(nominal), "tolerance": str(tolerance), "as_found": str(found)}
            for nominal, tolerance, found in values
        ]
    )
    expected = [abs(found - nominal) > tolerance for nominal, tolerance, found in values]
    assert [calibration.out_of_tolerance(row) for row in readings] == expected
    assert all(Decimal(row["tolerance"]) >= 0 for row in readings)


def test_an_internal_calibration_names_the_person(tester, supervisor_a, qa_a):
    record = calibrate(
        tester, today(tester), by=qa_a, verifier=qa_a, external_lab="", performed_by=supervisor_a
    )
    assert record.performer == supervisor_a.printed_name and record.external_lab == ""
    assert LAB not in record.performer
