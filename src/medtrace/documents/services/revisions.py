"""A revision's life: drafted (authored text or a file), submitted by its author's signature,
approved by one signature for each role of its type's route (never by the author who
submitted it), effective on its date (the revision before it superseded, training assigned),
withdrawn or made obsolete. Each step in one transaction with its audit entries."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.core.approvals import ApprovalState, signing_role
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.months import add_months
from medtrace.documents.choices import PENDING_STATES, ReviewOutcome, RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentRevision, RevisionApproval
from medtrace.documents.services.common import refuse
from medtrace.documents.services.documents import approver_roles, attach_file
from medtrace.documents.workflows import REVISION

CONTENT_FIELDS = ("change_summary", "body", "effective_on", "training_required")


def _locked(revision: DocumentRevision) -> DocumentRevision:
    return (
        DocumentRevision.objects.select_for_update()
        .select_related("document", "document__site")
        .get(pk=revision.pk)
    )


def _require_content(revision: DocumentRevision) -> None:
    if not revision.body.strip() and not revision.is_file:
        refuse(
            ErrorCode.VALIDATION,
            _("%(revision)s has no content: write it or upload its file.") % {"revision": revision},
            "body",
        )


@transaction.atomic
def new_draft(
    document: ControlledDocument,
    *,
    by,
    change_summary: str,
    body: str | None = None,
    file=None,
    effective_on: date | None = None,
    training_required: bool = True,
) -> DocumentRevision:
    """The next revision of `document` as a draft, its content copied from the effective
    revision unless given. A document has one revision on its way at a time."""
    document = ControlledDocument.objects.select_for_update().get(pk=document.pk)
    pending = document.revisions.filter(status__in=PENDING_STATES).first()
    if pending is not None:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s is already on its way (%(status)s); finish or withdraw it first.")
            % {"revision": pending, "status": pending.get_status_display()},
        )
    if not change_summary.strip():
        refuse(ErrorCode.VALIDATION, _("Say what changes and why."), "change_summary")
    effective = document.revisions.filter(status=RevisionStatus.EFFECTIVE).first()
    last = document.revisions.aggregate(last=Max("revision"))["last"] or 0
    revision = DocumentRevision(
        document=document,
        revision=last + 1,
        change_summary=change_summary.strip(),
        effective_on=effective_on,
        training_required=training_required,
        created_by=by,
    )
    if file is not None:
        attach_file(revision, file)
    elif body is not None:
        revision.body = body
    elif effective is not None:
        revision.body = effective.body
        revision.file, revision.file_name = effective.file.name, effective.file_name
        revision.file_sha256 = effective.file_sha256
    revision.save()
    audit.record(AuditAction.CREATE, revision, by=by, changes=audit.created(revision))
    return revision


@transaction.atomic
def update_draft(revision: DocumentRevision, *, by, file=None, **changes) -> DocumentRevision:
    """Change a draft's text, file, planned date or training flag."""
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    revision = _locked(revision)
    if revision.status != RevisionStatus.DRAFT:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s is %(status)s; only a draft changes. Start a new revision instead.")
            % {"revision": revision, "status": revision.get_status_display()},
        )
    if not by.has_perm(REVISION.transition("submit").permission, revision):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(revision)s.") % {"revision": revision},
        )
    before = audit.snapshot(revision)
    for field, value in changes.items():
        setattr(revision, field, value.strip() if field == "change_summary" else value)
    if file is not None:
        attach_file(revision, file)
    elif changes.get("body", "").strip():
        revision.file, revision.file_name, revision.file_sha256 = "", "", ""
    if not revision.change_summary:
        refuse(ErrorCode.VALIDATION, _("Say what changes and why."), "change_summary")
    revision.save()
    diff = audit.diff(before, revision)
    if diff:
        audit.record(AuditAction.CHANGE, revision, by=by, changes=diff)
    return revision


def submit(revision: DocumentRevision, *, by, password: str, reason: str = ""):
    """The author signs the draft (meaning “authored”) and sends it for approval."""

    def effects(locked):
        locked.review_round += 1
        locked.submitted_by = by
        return {"review_round": [locked.review_round - 1, locked.review_round]}

    return REVISION.take(
        revision, "submit", by=by, password=password, reason=reason,
        guard=_require_content, effects=effects,
    )  # fmt: skip


def approval_state(revision: DocumentRevision) -> ApprovalState:
    required = approver_roles(revision.document.organization_id, revision.document.document_type)
    given = {
        approval.role: approval
        for approval in revision.approvals.filter(
            review_round=revision.review_round
        ).select_related("signature")
    }
    return ApprovalState(required, given)


def approve(revision: DocumentRevision, *, by, password: str, reason: str = ""):
    """`by` signs the revision in review (meaning “approved”) for a role of its route still
    outstanding; with the last one it is approved, and effective at once if its date has
    come. A refused signature leaves its SIGN_FAILED entry committed and changes nothing
    else."""
    refusal = None
    with transaction.atomic():
        revision = _locked(revision)
        REVISION.check(revision, "approve", by=by, reason=reason)
        state = approval_state(revision)
        role = signing_role(revision, state, by=by, submitted_by_id=revision.submitted_by_id)
        try:
            signature = signatures.sign(
                revision, SignatureMeaning.APPROVED, by=by, password=password, reason=reason
            )
        except DomainError as error:
            refusal = error  # the SIGN_FAILED entry commits with this block
        else:
            RevisionApproval.objects.create(
                revision=revision,
                review_round=revision.review_round,
                role=role,
                signature=signature,
            )
            if len(state.outstanding) == 1:
                _approved(revision, by=by, reason=reason)
    if refusal is not None:
        raise refusal
    return revision


def _approved(revision: DocumentRevision, *, by, reason: str) -> None:
    revision.status = RevisionStatus.APPROVED
    revision.save(update_fields=["status"])
    audit.record(
        AuditAction.TRANSITION,
        revision,
        by=by,
        changes={"status": [RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED]},
        reason=reason,
    )
    today = revision.document.site.local_date()
    if revision.held_by_change:
        return  # the change request makes it effective
    if revision.effective_on is None or revision.effective_on <= today:
        _make_effective(revision, by=by)


def return_to_draft(revision: DocumentRevision, *, by, reason: str):
    """Send the revision back to its author; approvals given in this round no longer count."""
    return REVISION.take(revision, "return_to_draft", by=by, reason=reason)


def _check_date_come(revision: DocumentRevision) -> None:
    if revision.held_by_change:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s takes effect when change %(change)s is implemented.")
            % {"revision": revision, "change": revision.held_by_change},
        )
    today = revision.document.site.local_date()
    if revision.effective_on is not None and revision.effective_on > today:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s takes effect on %(date)s, not before.")
            % {"revision": revision, "date": revision.effective_on.isoformat()},
        )


def make_effective(revision: DocumentRevision, *, by):
    """Make an approved revision effective now that its date has come."""
    return REVISION.take(
        revision,
        "make_effective",
        by=by,
        guard=_check_date_come,
        effects=lambda locked: _supersede_and_train(locked, by=by),
    )


def _make_effective(revision: DocumentRevision, *, by, at: datetime | None = None) -> None:
    """The transition to effective for a revision already locked and approved, as its last
    approval, the daily job or a change's implementation does it (they check its date)."""
    changes = _supersede_and_train(revision, by=by, at=at)
    revision.status = RevisionStatus.EFFECTIVE
    revision.save()
    audit.record(
        AuditAction.TRANSITION,
        revision,
        by=by,
        changes={"status": [RevisionStatus.APPROVED, RevisionStatus.EFFECTIVE], **changes},
    )


def _supersede_and_train(revision: DocumentRevision, *, by, at: datetime | None = None) -> dict:
    """The effects of a revision becoming effective: the one before it superseded, the next
    periodic review scheduled, and training assigned to whoever must know it."""
    from medtrace.training.services import assignments  # training builds on documents

    now = at or timezone.now()
    document = ControlledDocument.objects.select_for_update().get(pk=revision.document_id)
    for old in document.revisions.select_for_update().filter(status=RevisionStatus.EFFECTIVE):
        old.status, old.ended_at = RevisionStatus.SUPERSEDED, now
        old.save(update_fields=["status", "ended_at"])
        audit.record(
            AuditAction.TRANSITION,
            old,
            by=by,
            changes={"status": [RevisionStatus.EFFECTIVE, RevisionStatus.SUPERSEDED]},
            reason=str(_("Superseded by revision %(n)s.") % {"n": revision.revision}),
        )
    revision.effective_at = now
    _schedule_review(document, start=document.site.local_date(now), by=by)
    assignments.assign_for_revision(revision, by=by)
    return {"effective_at": [None, now]}


def _schedule_review(document: ControlledDocument, *, start: date, by) -> None:
    due = add_months(start, document.review_interval_months)
    if document.next_review_on != due:
        audit.record(
            AuditAction.CHANGE,
            document,
            by=by,
            changes={"next_review_on": [document.next_review_on, due]},
        )
        document.next_review_on = due
        document.save(update_fields=["next_review_on"])


def make_due_effective(*, today_for=None) -> list[DocumentRevision]:
    """Every approved revision whose date has come at its owning site becomes effective (the
    daily job, as the system); each in its own transaction."""
    done = []
    candidates = DocumentRevision.objects.filter(
        status=RevisionStatus.APPROVED, effective_on__isnull=False, held_by_change=""
    ).select_related("document__site")
    for revision in candidates:
        today = today_for(revision.document.site) if today_for else None
        with transaction.atomic():
            revision = _locked(revision)
            site_today = today or revision.document.site.local_date()
            if revision.status != RevisionStatus.APPROVED or revision.effective_on > site_today:
                continue
            _make_effective(revision, by=None)
            done.append(revision)
    return done


def hold_for_change(revision: DocumentRevision, *, change_number: str, by) -> None:
    """A change request takes the pending revision in: it becomes effective when the change
    is implemented, not on its own approval. Inside the change's transaction."""
    revision = _locked(revision)
    if revision.status not in PENDING_STATES:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s is %(status)s; a change request takes in a revision on its way.")
            % {"revision": revision, "status": revision.get_status_display()},
        )
    if revision.held_by_change and revision.held_by_change != change_number:
        refuse(
            ErrorCode.CONFLICT,
            _("%(revision)s is already part of change %(change)s.")
            % {"revision": revision, "change": revision.held_by_change},
        )
    _set_hold(revision, change_number, by=by)


def release_hold(revision: DocumentRevision, *, by) -> None:
    """The change request let the revision go (cancelled, or the revision taken out)."""
    _set_hold(_locked(revision), "", by=by)


def _set_hold(revision: DocumentRevision, change_number: str, *, by) -> None:
    if revision.held_by_change != change_number:
        audit.record(
            AuditAction.CHANGE,
            revision,
            by=by,
            changes={"held_by_change": [revision.held_by_change or None, change_number or None]},
        )
        revision.held_by_change = change_number
        revision.save(update_fields=["held_by_change"])


def make_effective_under_change(
    revision: DocumentRevision, *, by, change_number: str, at: datetime
) -> None:
    """The implementation of change `change_number` makes its approved revision effective
    at `at`, the instant of all the change's versions."""
    revision = _locked(revision)
    if revision.status != RevisionStatus.APPROVED or revision.held_by_change != change_number:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(revision)s is %(status)s; change %(change)s needs it approved.")
            % {
                "revision": revision,
                "status": revision.get_status_display(),
                "change": change_number,
            },
        )
    _make_effective(revision, by=by, at=at)


def withdraw(revision: DocumentRevision, *, by, reason: str):
    """Abandon a revision that has not taken effect; the effective one stays in force."""

    def effects(locked):
        locked.ended_at = timezone.now()
        return None

    return REVISION.take(revision, "withdraw", by=by, reason=reason, effects=effects)


def make_obsolete(revision: DocumentRevision, *, by, password: str, reason: str):
    """Withdraw the effective revision from use (signed): the document is then in force
    nowhere, and no longer due for periodic review."""

    def effects(locked):
        locked.ended_at = timezone.now()
        document = locked.document
        if document.next_review_on is not None:
            changes = {"next_review_on": [document.next_review_on, None]}
            document.next_review_on = None
            document.save(update_fields=["next_review_on"])
            audit.record(AuditAction.CHANGE, document, by=by, changes=changes, reason=reason)
        return None

    return REVISION.take(
        revision, "make_obsolete", by=by, password=password, reason=reason, effects=effects
    )


def complete_periodic_review(
    document: ControlledDocument, *, by, password: str, outcome: str, note: str
) -> ControlledDocument:
    """The owner or QA confirms the effective revision is still right (signed, meaning
    “reviewed”; the next review is scheduled) or finds it needs a revision (a draft is
    started with the note as its change summary)."""
    ReviewOutcome(outcome)
    refusal = None
    with transaction.atomic():
        document = (
            ControlledDocument.objects.select_for_update()
            .select_related("site")
            .get(pk=document.pk)
        )
        if not by.has_perm("documents.approve_document", document) and by.pk != document.owner_id:
            refuse(
                ErrorCode.PERMISSION_DENIED,
                _("Only the owner of %(number)s or QA may review it.")
                % {"number": document.number},
            )
        if not document.revisions.filter(status=RevisionStatus.EFFECTIVE).exists():
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(number)s has no effective revision to review.") % {"number": document.number},
            )
        if not note.strip():
            refuse(ErrorCode.REASON_REQUIRED, _("Record what the review found."), "note")
        try:
            signatures.sign(
                document, SignatureMeaning.REVIEWED, by=by, password=password, reason=note
            )
        except DomainError as error:
            refusal = error
        else:
            audit.record(
                AuditAction.CHANGE,
                document,
                by=by,
                changes={"periodic_review": [None, outcome]},
                reason=note,
            )
            _schedule_review(document, start=document.site.local_date(), by=by)
            if outcome == ReviewOutcome.REVISE:
                new_draft(document, by=by, change_summary=note)
    if refusal is not None:
        raise refusal
    return document
