"""Calibration records: drafted with who calibrated, against which traceable standard, what
was found and left, the measured values and the certificate; then verified by another
person's electronic signature (meaning verified), after which the record never changes.

Verifying a pass moves the ledger's last calibration and due date. Verifying a failure (out
of tolerance as found) takes the equipment out of service, with the record as the reason, and
opens the impact review of what it touched since its last pass (services.impact). A mistake in
a verified record is corrected by a new record naming it, with the reason; once the correction
is verified, it replaces the old one in the history."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.uploads import checked_certificate_file
from medtrace.core.validation import validated
from medtrace.equipment.choices import CalibrationResult, CalibrationStatus, EquipmentStatus
from medtrace.equipment.models import CalibrationRecord, Equipment
from medtrace.equipment.services import impact, ledger, usability
from medtrace.equipment.workflows import CALIBRATION
from medtrace.quality.services.numbering import next_number

READING_FIELDS = ("point", "nominal", "tolerance", "as_found", "as_left", "unit")
NUMBERS = ("nominal", "tolerance", "as_found", "as_left")


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _number(value, name: str, position: int) -> str:
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        _refuse(
            ErrorCode.VALIDATION,
            _("Measured value %(position)s: %(name)s “%(value)s” is not a number.")
            % {"position": position, "name": name, "value": value},
            "readings",
        )
    return str(number)


def clean_readings(readings) -> list[dict]:
    """The measured values as stored: each with its point and nominal value, the tolerance
    (±, not negative), the value found and the value left, numbers as strings."""
    cleaned = []
    for position, reading in enumerate(readings or (), start=1):
        unknown = set(reading) - set(READING_FIELDS)
        if unknown:
            raise TypeError(f"unknown reading fields: {sorted(unknown)}")
        row = {name: str(reading.get(name) or "").strip() for name in READING_FIELDS}
        for name in NUMBERS:
            row[name] = _number(reading.get(name), name, position)
        for name in ("nominal", "tolerance", "as_found"):
            if not row[name]:
                _refuse(
                    ErrorCode.VALIDATION,
                    _("Measured value %(position)s needs its nominal value, tolerance and the "
                      "value found.") % {"position": position},
                    "readings",
                )  # fmt: skip
        if Decimal(row["tolerance"]) < 0:
            _refuse(
                ErrorCode.VALIDATION,
                _("Measured value %(position)s: a tolerance is not negative.")
                % {"position": position},
                "readings",
            )
        row["point"] = row["point"] or row["nominal"]
        cleaned.append(row)
    return cleaned


def out_of_tolerance(reading: dict, key: str = "as_found") -> bool:
    if not reading.get(key):
        return False
    deviation = abs(Decimal(reading[key]) - Decimal(reading["nominal"]))
    return deviation > Decimal(reading["tolerance"])


def _check_equipment(equipment: Equipment) -> None:
    if equipment.status == EquipmentStatus.RETIRED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Equipment %(code)s is retired; it is no longer calibrated.")
            % {"code": equipment.code},
        )
    if not equipment.calibration_required or not equipment.calibration_interval_days:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(code)s is not marked as needing calibration; give it a calibration interval "
              "first.") % {"code": equipment.code},
        )  # fmt: skip


def _check_correction(equipment: Equipment, corrects: CalibrationRecord | None, reason: str):
    if corrects is None:
        return
    if corrects.equipment_id != equipment.pk:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(number)s is a calibration of other equipment.") % {"number": corrects.number},
            "corrects",
        )
    if corrects.status != CalibrationStatus.VERIFIED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is not verified: cancel the draft and record the calibration again.")
            % {"number": corrects.number},
            "corrects",
        )
    if corrects.corrections.filter(status=CalibrationStatus.VERIFIED).exists():
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is already corrected; correct the correction instead.")
            % {"number": corrects.number},
            "corrects",
        )
    if not reason.strip():
        _refuse(
            ErrorCode.REASON_REQUIRED,
            _("Say why %(number)s is corrected.") % {"number": corrects.number},
            "correction_reason",
        )


@transaction.atomic
def record_calibration(
    *,
    equipment: Equipment,
    performed_on: date,
    result: str,
    reference_standard: str,
    traceability: str,
    as_found: str,
    as_left: str,
    by,
    performed_by=None,
    external_lab: str = "",
    reference_certificate: str = "",
    readings=(),
    certificate_number: str = "",
    certificate=None,
    corrects: CalibrationRecord | None = None,
    correction_reason: str = "",
) -> CalibrationRecord:
    """Draft a calibration record of `equipment`; it counts once verified. The next due date
    of a pass follows from the equipment's calibration interval."""
    equipment = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=equipment.pk)
    )
    _check_equipment(equipment)
    if performed_on > usability.local_day(equipment):
        _refuse(
            ErrorCode.VALIDATION,
            _("A calibration cannot be recorded before it is performed."),
            "performed_on",
        )
    external_lab = external_lab.strip()
    if (performed_by is None) == (not external_lab):
        _refuse(
            ErrorCode.VALIDATION,
            _("Name who calibrated: one of us or an external laboratory, not both."),
            "external_lab",
        )
    if performed_by is not None and performed_by.organization_id != equipment.organization_id:
        _refuse(ErrorCode.VALIDATION, _("Unknown person."), "performed_by")
    _check_correction(equipment, corrects, correction_reason)
    readings = clean_readings(readings)
    found_out = [row["point"] for row in readings if out_of_tolerance(row)]
    if result == CalibrationResult.PASS and found_out:
        _refuse(
            ErrorCode.VALIDATION,
            _("Found out of tolerance at %(points)s: the calibration fails.")
            % {"points": ", ".join(found_out)},
            "result",
        )
    record = CalibrationRecord(
        organization_id=equipment.organization_id,
        site_id=equipment.site_id,
        equipment=equipment,
        number="-",
        performed_on=performed_on,
        performed_by=performed_by,
        external_lab=external_lab,
        reference_standard=reference_standard.strip(),
        reference_certificate=reference_certificate.strip(),
        traceability=traceability.strip(),
        as_found=as_found.strip(),
        as_left=as_left.strip(),
        readings=readings,
        result=result,
        certificate_number=certificate_number.strip(),
        next_due_on=(
            performed_on + timedelta(days=equipment.calibration_interval_days)
            if result == CalibrationResult.PASS
            else None
        ),
        corrects=corrects,
        correction_reason=correction_reason.strip() if corrects else "",
        recorded_by=by,
    )
    validated(record)
    if certificate:
        checked_certificate_file(certificate, field="certificate")
    record.number = next_number(equipment.organization, "CAL")
    if certificate:
        # Saved under MEDIA_ROOT with the row; a failure later rolls the row back (the stray
        # file is never linked).
        record.certificate.save(certificate.name, certificate, save=False)
    record.save()
    audit.record(AuditAction.CREATE, record, by=by, changes=audit.created(record))
    return record


@transaction.atomic
def attach_certificate(record: CalibrationRecord, *, certificate, by) -> CalibrationRecord:
    """The certificate's file, added to (or replaced on) a draft; once verified the record
    keeps the file it was signed with."""
    record = CalibrationRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != CalibrationStatus.DRAFT:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; its certificate no longer changes.")
            % {"number": record.number, "status": record.get_status_display()},
            "certificate",
        )
    checked_certificate_file(certificate, field="certificate")
    before = record.certificate.name or None
    record.certificate.save(certificate.name, certificate, save=False)
    record.save(update_fields=["certificate"])
    audit.record(
        AuditAction.CHANGE,
        record,
        by=by,
        changes={"certificate": [before, record.certificate.name]},
    )
    return record


def _verifiable(record: CalibrationRecord, by):
    def guard(locked: CalibrationRecord) -> None:
        if locked.performed_by_id is not None and locked.performed_by_id == by.pk:
            _refuse(
                ErrorCode.PERMISSION_DENIED,
                _("%(number)s was performed by you; another person verifies it.")
                % {"number": locked.number},
            )
        equipment = Equipment.objects.select_for_update().get(pk=locked.equipment_id)
        _check_equipment(equipment)
        if locked.corrects_id is not None:
            _check_correction(equipment, locked.corrects, locked.correction_reason)

    return guard


def _effects(by):
    def effects(locked: CalibrationRecord) -> dict:
        locked.verified_by, locked.verified_at = by, timezone.now()
        # The new status first: the history that moves the ledger counts this record.
        locked.status = CalibrationStatus.VERIFIED
        locked.save(update_fields=["status", "verified_by", "verified_at"])
        equipment = locked.equipment
        reason = str(
            _("Calibration %(number)s of %(date)s verified: %(result)s")
            % {
                "number": locked.number,
                "date": locked.performed_on,
                "result": locked.get_result_display(),
            }
        )
        ledger.record_last_calibration(equipment=equipment, by=by, reason=reason)
        if not locked.passed:
            equipment.refresh_from_db()
            if equipment.status == EquipmentStatus.IN_SERVICE:
                ledger.change_equipment_status(
                    equipment=equipment, status=EquipmentStatus.OUT_OF_SERVICE, reason=reason,
                    by=by,
                )  # fmt: skip
            impact.open_review(locked, by=by)
        return {"verified_at": [None, locked.verified_at]}

    return effects


def verify(record: CalibrationRecord, *, by, password: str, reason: str = "") -> CalibrationRecord:
    """The verifier's signature (meaning verified), by someone other than the person who
    calibrated; then the record counts: see the module's docstring."""
    return CALIBRATION.take(
        record, "verify", by=by, password=password, reason=reason,
        guard=_verifiable(record, by), effects=_effects(by),
    )  # fmt: skip


def cancel(record: CalibrationRecord, *, by, reason: str) -> CalibrationRecord:
    """Withdraw a draft recorded in error; the reason is required."""
    return CALIBRATION.take(record, "cancel", by=by, reason=reason)
