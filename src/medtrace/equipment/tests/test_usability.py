"""is_usable / require_usable: each rule named, now and at past moments (the calibration
history and the audited status changes), and the refusal production gets."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import services
from medtrace.equipment.services.usability import local_day
from medtrace.equipment.tests.conftest import calibrate, draft

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")


def at(day, clock=time(12)) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZONE)


def test_equipment_without_calibration_is_usable_while_in_service(site_a, qa_a):
    fixture = services.create_equipment(
        site=site_a, code="FIX-1", name="夹具", equipment_type="other"
    )
    verdict = services.is_usable(fixture)
    assert verdict.usable and bool(verdict) and verdict.reasons == []
    assert services.require_usable(fixture).usable


def test_each_rule_is_named(tester, supervisor_a, qa_a):
    never = services.is_usable(tester)
    assert never.rules == ["never_calibrated"]
    assert "LT-01 needs calibration and has none on record" in never.reasons[0]
    today = local_day(tester)
    calibrate(tester, today - timedelta(days=200), by=supervisor_a, verifier=qa_a)
    overdue = services.is_usable(tester)
    assert overdue.rules == ["calibration_overdue"]
    due = (today - timedelta(days=20)).isoformat()
    assert f"calibration was due on {due}" in overdue.reasons[0]
    services.change_equipment_status(
        equipment=tester, status="out_of_service", reason="传感器漂移", by=qa_a
    )
    out = services.is_usable(tester)
    assert out.rules == ["out_of_service", "calibration_overdue"]
    assert "out of service since" in out.reasons[0] and "传感器漂移" in out.reasons[0]
    assert qa_a.printed_name in out.reasons[0]
    services.change_equipment_status(equipment=tester, status="retired", reason="报废", by=qa_a)
    retired = services.is_usable(tester)
    assert retired.rules == ["retired"] and "报废" in retired.reasons[0]


def test_require_usable_refuses_with_the_reasons_and_writes_nothing(tester):
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.require_usable(tester)
    error = refused.value
    assert error.code == ErrorCode.INVALID_STATE and error.http_status == 409
    assert error.details["rules"] == ["never_calibrated"]
    assert error.details["fields"]["equipment"][0] in error.message
    assert "LT-01 may not be used" in error.message
    assert AuditEntry.objects.count() == before


def test_a_past_moment_reads_the_calibration_history(tester, supervisor_a, qa_a):
    today = local_day(tester)
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    calibrate(tester, day(400), by=supervisor_a, verifier=qa_a)  # due day(220)
    calibrate(tester, day(210), by=supervisor_a, verifier=qa_a)  # due day(30)
    failed = calibrate(tester, day(100), "fail", by=supervisor_a, verifier=qa_a)
    draft(tester, day(90), by=supervisor_a)  # a draft counts for nothing
    calibrate(tester, day(50), by=supervisor_a, verifier=qa_a)  # due today + 130
    services.change_equipment_status(equipment=tester, status="in_service", reason="复校合格")

    def rules(moment):
        return services.is_usable(tester, at=moment).rules

    assert rules(at(day(401))) == ["never_calibrated"]
    assert rules(at(day(300))) == []
    assert rules(at(day(220), time.max)) == []  # due that day: still calibrated
    assert rules(at(day(219), time.min)) == ["calibration_overdue"]
    assert rules(at(day(210), time.min)) == []
    assert rules(at(day(101))) == []
    assert rules(at(day(100), time.min)) == ["calibration_failed"]
    verdict = services.is_usable(tester, at=at(day(95)))
    assert (
        failed.number in verdict.reasons[0]
        and "has not passed a calibration since" in (verdict.reasons[0])
    )
    assert rules(at(day(90))) == ["calibration_failed"]
    assert rules(at(day(50))) == []
    assert rules(None) == []


def test_a_past_moment_reads_the_audited_status(tester, supervisor_a, qa_a):
    calibrate(tester, local_day(tester), by=supervisor_a, verifier=qa_a)
    in_service = timezone.now()
    services.change_equipment_status(equipment=tester, status="out_of_service", reason="维修")
    out = timezone.now()
    services.change_equipment_status(equipment=tester, status="in_service", reason="修复")
    assert services.is_usable(tester, at=in_service).usable
    assert services.is_usable(tester, at=out).rules == ["out_of_service"]
    assert "维修" in services.is_usable(tester, at=out).reasons[0]
    assert services.is_usable(tester).usable


def test_a_correction_replaces_the_record_in_the_history(tester, supervisor_a, qa_a):
    today = local_day(tester)
    wrong = calibrate(tester, today - timedelta(days=5), "fail", by=supervisor_a, verifier=qa_a)
    assert services.is_usable(tester).rules == ["out_of_service", "calibration_failed"]
    calibrate(
        tester, today - timedelta(days=5), by=supervisor_a, verifier=qa_a, corrects=wrong,
        correction_reason="结果录反 (result entered the wrong way round)",
    )  # fmt: skip
    assert services.is_usable(tester).rules == ["out_of_service"]  # a person puts it back
