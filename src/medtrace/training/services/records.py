"""Training records: a trainee's read-and-understood signature, or an instructor-led session
signed by the trainer with the assessment's result. A passing record completes the assignment
and qualifies until the shortest requalification interval of the document's curricula; a
failed assessment fails it and assigns a retake."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.months import add_months
from medtrace.documents.choices import RevisionStatus
from medtrace.training.choices import DUE_DAYS, Assessment, AssignmentStatus, TrainingMethod
from medtrace.training.models import Curriculum, TrainingAssignment, TrainingRecord

# Revisions one may train on: in force, or approved and about to be.
TRAINABLE = (RevisionStatus.APPROVED, RevisionStatus.EFFECTIVE)


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _locked_open(assignment: TrainingAssignment) -> TrainingAssignment:
    assignment = (
        TrainingAssignment.objects.select_for_update()
        .select_related("revision__document", "trainee")
        .get(pk=assignment.pk)
    )
    if assignment.status != AssignmentStatus.OPEN:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("This training assignment is %(status)s.")
            % {"status": assignment.get_status_display()},
        )
    if assignment.revision.status not in TRAINABLE:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s is %(status)s; train on the revision in force instead.")
            % {
                "revision": assignment.revision,
                "status": assignment.revision.get_status_display(),
            },
        )
    return assignment


def _valid_until(assignment: TrainingAssignment, completed_at):
    months = Curriculum.objects.filter(
        documents=assignment.revision.document_id, is_active=True, requalify_months__isnull=False
    ).aggregate(months=Min("requalify_months"))["months"]
    if months is None:
        return None
    return add_months(timezone.localdate(completed_at), months)


def _record(assignment, *, method, signature, trainer=None, assessment="", score=None, note=""):
    now = timezone.now()
    record = TrainingRecord.objects.create(
        organization_id=assignment.organization_id,
        site_id=assignment.site_id,
        assignment=assignment,
        trainee=assignment.trainee,
        revision=assignment.revision,
        method=method,
        trainer=trainer,
        assessment=assessment,
        score=score,
        note=note,
        completed_at=now,
        valid_until=None if assessment == Assessment.FAILED else _valid_until(assignment, now),
        signature=signature,
    )
    audit.record(AuditAction.CREATE, record, by=signature.signer, changes=audit.created(record))
    status = AssignmentStatus.COMPLETED if record.qualifies else AssignmentStatus.FAILED
    assignment.status, assignment.closed_at = status, now
    assignment.save(update_fields=["status", "closed_at"])
    audit.record(
        AuditAction.TRANSITION,
        assignment,
        by=signature.signer,
        changes={"status": [AssignmentStatus.OPEN, status]},
    )
    if not record.qualifies:
        retake = TrainingAssignment.objects.create(
            organization_id=assignment.organization_id,
            site_id=assignment.site_id,
            trainee_id=assignment.trainee_id,
            revision=assignment.revision,
            curriculum=assignment.curriculum,
            reason=str(_("Retake after a failed assessment")),
            due_on=timezone.localdate() + timedelta(days=DUE_DAYS),
        )
        audit.record(AuditAction.CREATE, retake, by=signature.signer, changes=audit.created(retake))
    return record


def _signed(assignment, meaning, *, by, password, reason, check, write) -> TrainingRecord:
    """Check the open assignment, sign it and write the record in one transaction; a refused
    signature leaves its SIGN_FAILED entry committed and nothing else."""
    refusal = None
    with transaction.atomic():
        assignment = _locked_open(assignment)
        check(assignment)
        try:
            signature = signatures.sign(
                assignment, meaning, by=by, password=password, reason=reason
            )
        except DomainError as error:
            refusal = error
        else:
            record = write(assignment, signature)
    if refusal is not None:
        raise refusal
    return record


def read_and_understood(
    assignment: TrainingAssignment, *, by, password: str, note: str = ""
) -> TrainingRecord:
    """The trainee declares, by signature, that they read the revision and understood it."""

    def check(locked):
        if locked.trainee_id != by.pk:
            _refuse(
                ErrorCode.PERMISSION_DENIED,
                _("Only %(trainee)s can sign that they read and understood %(revision)s.")
                % {"trainee": locked.trainee.printed_name, "revision": locked.revision},
            )

    def write(locked, signature):
        return _record(
            locked, method=TrainingMethod.READ_AND_UNDERSTOOD, signature=signature, note=note
        )

    return _signed(
        assignment, SignatureMeaning.READ_AND_UNDERSTOOD, by=by, password=password,
        reason=note, check=check, write=write,
    )  # fmt: skip


def instructor_led(
    assignment: TrainingAssignment,
    *,
    by,
    password: str,
    assessment: str,
    score: Decimal | None = None,
    note: str = "",
) -> TrainingRecord:
    """The trainer records a session and its assessment by their signature (meaning
    “verified”); a failed assessment assigns a retake."""
    Assessment(assessment)

    def check(locked):
        if not by.has_perm("training.add_trainingrecord", locked):
            _refuse(
                ErrorCode.PERMISSION_DENIED,
                _("Your roles do not allow recording training at %(site)s.")
                % {"site": locked.site.code},
            )
        if locked.trainee_id == by.pk:
            _refuse(ErrorCode.PERMISSION_DENIED, _("A trainer cannot assess their own training."))
        if score is not None and not (0 <= score <= 100):
            _refuse(ErrorCode.VALIDATION, _("A score is between 0 and 100."), "score")

    def write(locked, signature):
        return _record(
            locked, method=TrainingMethod.INSTRUCTOR_LED, signature=signature, trainer=by,
            assessment=assessment, score=score, note=note,
        )  # fmt: skip

    return _signed(
        assignment, SignatureMeaning.VERIFIED, by=by, password=password, reason=note,
        check=check, write=write,
    )  # fmt: skip
