"""Preparing a UDI database submission, recording what the database answered, and keeping the
registrant's details. Every write is audited in its own transaction."""

import hashlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Organization
from medtrace.udi import selectors
from medtrace.udi.choices import Database, RecordState, SubmissionStatus
from medtrace.udi.formats import FORMATS
from medtrace.udi.models import Registrant, Submission, SubmissionRecord

REGISTRANT_FIELDS = (
    "legal_name",
    "legal_name_en",
    "address",
    "country",
    "uscc",
    "duns_number",
    "eu_srn",
    "eu_representative",
    "eu_representative_srn",
    "contact_phone",
    "contact_email",
)


def _refuse(code: ErrorCode, message, field: str):
    raise DomainError(code, message, fields={field: [str(message)]})


@transaction.atomic
def save_registrant(*, organization: Organization, by, reason: str = "", **values) -> Registrant:
    """Create or correct the organization's registrant; a correction needs a reason."""
    unknown = set(values) - set(REGISTRANT_FIELDS)
    if unknown:
        raise TypeError(f"Not registrant fields: {sorted(unknown)}")
    registrant = Registrant.objects.select_for_update().filter(organization=organization).first()
    if registrant is None:
        registrant = Registrant(organization=organization)
        before = None
    else:
        before = audit.snapshot(registrant)
        if not reason.strip():
            _refuse(
                ErrorCode.REASON_REQUIRED,
                _("Give the reason for changing the registrant's details."),
                "reason",
            )
    for name, value in values.items():
        setattr(registrant, name, value.strip() if isinstance(value, str) else value)
    validated(registrant).save()
    if before is None:
        audit.record(AuditAction.CREATE, registrant, by=by, organization_id=organization.pk)
    else:
        changes = audit.diff(before, registrant)
        changes.pop("updated_at", None)
        if changes:
            audit.record(
                AuditAction.CHANGE,
                registrant,
                by=by,
                changes=changes,
                reason=reason.strip(),
                organization_id=organization.pk,
            )
    return registrant


def _chosen(statuses, device_identifier_ids, database_name):
    """The statuses to submit: those named, or every device new or changed since."""
    if device_identifier_ids is None:
        chosen = [s for s in statuses if s.state != RecordState.CURRENT]
    elif not device_identifier_ids:
        _refuse(ErrorCode.VALIDATION, _("Tick at least one device."), "device_identifiers")
    else:
        by_id = {s.record.device.pk: s for s in statuses}
        outside = [pk for pk in device_identifier_ids if pk not in by_id]
        if outside:
            _refuse(
                ErrorCode.VALIDATION,
                _(
                    "%(database)s does not hold the device identifiers %(ids)s: only base units "
                    "with a class in its jurisdiction, active or submitted before."
                )
                % {"database": database_name, "ids": ", ".join(map(str, outside))},
                "device_identifiers",
            )
        chosen = [by_id[pk] for pk in dict.fromkeys(device_identifier_ids)]
    if not chosen:
        _refuse(
            ErrorCode.VALIDATION,
            _("Nothing to submit to %(database)s: every device is up to date.")
            % {"database": database_name},
            "device_identifiers",
        )
    return chosen


@transaction.atomic
def prepare_submission(
    *, organization: Organization, database: str, by, device_identifier_ids=None
) -> Submission:
    """Write the database's bulk file for the chosen devices (default: all new or changed
    since the last accepted submission) and keep it with each device's fingerprint. Refused,
    naming every device and what it lacks, if any chosen device is incomplete."""
    database = Database(database)
    name = database.label
    # One submission numbered at a time per organization.
    Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
    chosen = _chosen(
        selectors.device_statuses(organization.pk, database), device_identifier_ids, name
    )
    incomplete = [
        f"{status.record.label}: {problem}" for status in chosen for problem in status.problems
    ]
    if incomplete:
        blocked = len({s.record.device.pk for s in chosen if s.problems})
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(count)s device(s) cannot be submitted to %(database)s yet: %(first)s")
            % {"count": blocked, "database": name, "first": incomplete[0]},
            fields={"device_identifiers": incomplete},
        )
    number = (
        Submission.objects.filter(organization=organization, database=database).aggregate(
            last=Max("number")
        )["last"]
        or 0
    ) + 1
    now = timezone.now()
    written = FORMATS[database].write([s.record for s in chosen], number=number, at=now)
    submission = Submission.objects.create(
        organization=organization,
        database=database,
        number=number,
        file_name=written.file_name,
        content_type=written.content_type,
        content=written.content,
        sha256=hashlib.sha256(written.content).hexdigest(),
        prepared_at=now,
        prepared_by=by,
    )
    SubmissionRecord.objects.bulk_create(
        SubmissionRecord(
            submission=submission,
            device_identifier=status.record.device,
            fingerprint=status.fingerprint,
            versions={
                identifier.value: identifier.version
                for identifier in [status.record.device, *status.record.packages]
            },
            first_submission=status.state == RecordState.NEW,
        )
        for status in chosen
    )
    audit.record(
        AuditAction.CREATE,
        submission,
        by=by,
        changes={
            "database": [None, database.value],
            "devices": [None, [s.record.device.value for s in chosen]],
            "file_name": [None, written.file_name],
            "sha256": [None, submission.sha256],
        },
        organization_id=organization.pk,
    )
    return submission


def _decide(submission: Submission, status: SubmissionStatus, by, **fields) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.PREPARED:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(submission)s is already %(status)s; its outcome cannot change.")
            % {"submission": submission, "status": submission.get_status_display().lower()},
        )
    submission.status = status
    submission.outcome_at = timezone.now()
    submission.outcome_by = by
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.save()
    audit.record(
        AuditAction.TRANSITION,
        submission,
        by=by,
        changes={
            "status": [SubmissionStatus.PREPARED.value, status.value],
            **{name: [None, value] for name, value in fields.items()},
        },
        organization_id=submission.organization_id,
    )
    return submission


@transaction.atomic
def record_submitted(*, submission: Submission, reference: str, by) -> Submission:
    """The database accepted the file: its devices are now submitted as they were in it."""
    reference = (reference or "").strip()
    if not reference:
        _refuse(
            ErrorCode.VALIDATION,
            _("Give the acknowledgement the database returned (submission or batch ID)."),
            "reference",
        )
    if len(reference) > Submission._meta.get_field("reference").max_length:
        _refuse(
            ErrorCode.VALIDATION,
            _("The acknowledgement is longer than 200 characters."),
            "reference",
        )
    return _decide(submission, SubmissionStatus.SUBMITTED, by, reference=reference)


@transaction.atomic
def record_rejected(*, submission: Submission, reason: str, by) -> Submission:
    """The database refused the file: its devices stay as they were before it."""
    reason = (reason or "").strip()
    if not reason:
        _refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason the database gave for rejecting the file."),
            "reason",
        )
    return _decide(submission, SubmissionStatus.REJECTED, by, rejection_reason=reason)
