"""Change requests: opening one, its scope (the BOM and routing drafts and the document
revisions it releases, other affected items) and its implementation tasks while it is a
draft; submission, approval by one signature per role, return and rejection; release (signed)
and implementation, which makes every new version and revision effective in one transaction
on the planned date; closure once the tasks are done; cancellation. Each step in one
transaction with its audit entries."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.catalog.models import Bom, Item, Routing
from medtrace.catalog.services import versions
from medtrace.changes.choices import APPROVERS, OPEN_STATES, ChangeStatus
from medtrace.changes.models import ChangeApproval, ChangeRequest, ChangeTask
from medtrace.changes.workflows import CHANGE
from medtrace.core.approvals import ApprovalState, signing_role
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.documents.choices import PENDING_STATES, RevisionStatus
from medtrace.documents.models import DocumentRevision
from medtrace.documents.services import revisions as document_revisions
from medtrace.org.models import Site
from medtrace.quality.services.numbering import next_number

EDITABLE = (
    "title",
    "kind",
    "reason",
    "description",
    "risk_level",
    "risk_assessment",
    "registration_change",
    "new_udi_di",
    "regulator_notification",
    "regulatory_assessment",
    "capa",
    "planned_effective_on",
)


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _locked(change: ChangeRequest) -> ChangeRequest:
    return (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=change.pk)
    )


def _require_draft(change: ChangeRequest) -> None:
    if change.status != ChangeStatus.DRAFT:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; only a draft change request changes.")
            % {"number": change.number, "status": change.get_status_display()},
        )


def _require_perm(change: ChangeRequest, by, perm: str = "changes.change_changerequest"):
    if not by.has_perm(perm, change):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(number)s.") % {"number": change.number},
        )


@transaction.atomic
def open_change(*, site: Site, by, title: str, kind: str, reason: str, description: str,
                risk_level: str, **fields) -> ChangeRequest:  # fmt: skip
    """Open a change request as a draft; its scope and tasks are set on the draft."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not settable here: {', '.join(sorted(unknown))}")
    change = ChangeRequest(
        organization_id=site.organization_id,
        site=site,
        number="-",
        title=title.strip(),
        kind=kind,
        reason=reason.strip(),
        description=description.strip(),
        risk_level=risk_level,
        opened_by=by,
        **fields,
    )
    validated(change)
    _check_capa(change)
    change.number = next_number(site.organization, "ECO")
    change.save()
    audit.record(AuditAction.CREATE, change, by=by, changes=audit.created(change))
    return change


def _check_capa(change: ChangeRequest) -> None:
    if change.capa is not None and change.capa.organization_id != change.organization_id:
        _refuse(ErrorCode.VALIDATION, _("The CAPA is of another organization."), "capa")


@transaction.atomic
def update_change(change: ChangeRequest, *, by, edit_reason: str = "", **changes) -> ChangeRequest:
    """Edit the draft; `edit_reason` is the audit entry's (`reason` is the change's field)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    change = _locked(change)
    _require_draft(change)
    _require_perm(change, by)
    before = audit.snapshot(change)
    for field, value in changes.items():
        setattr(change, field, value.strip() if isinstance(value, str) else value)
    validated(change)
    _check_capa(change)
    change.save()
    diff = audit.diff(before, change)
    if diff:
        audit.record(AuditAction.CHANGE, change, by=by, changes=diff, reason=edit_reason)
    return change


def _scope(change: ChangeRequest) -> dict:
    return {
        "boms": sorted(str(b) for b in change.boms.select_related("item")),
        "routings": sorted(str(r) for r in change.routings.select_related("item")),
        "revisions": sorted(str(r) for r in change.revisions.select_related("document")),
        "items": sorted(change.items.values_list("code", flat=True)),
    }


def _check_version(change: ChangeRequest, record) -> None:
    record = versions.locked(record)  # as stored, not as the caller last read it
    if record.organization_id != change.organization_id:
        _refuse(
            ErrorCode.VALIDATION, _("%(record)s is of another organization.") % {"record": record}
        )
    versions.require_draft(record)
    other = record.change_requests.filter(status__in=OPEN_STATES).exclude(pk=change.pk).first()
    if other is not None:
        _refuse(
            ErrorCode.CONFLICT,
            _("%(record)s is already part of change %(number)s.")
            % {"record": record, "number": other.number},
        )


@transaction.atomic
def set_scope(
    change: ChangeRequest,
    *,
    by,
    boms: list[Bom] = (),
    routings: list[Routing] = (),
    revisions: list[DocumentRevision] = (),
    items: list[Item] = (),
) -> ChangeRequest:
    """What the draft releases (BOM and routing drafts, document revisions on their way) and
    which further items it affects; the revisions it takes in wait for it to take effect."""
    change = _locked(change)
    _require_draft(change)
    _require_perm(change, by)
    before = _scope(change)
    for record in [*boms, *routings]:
        _check_version(change, record)
    for item in items:
        if item.organization_id != change.organization_id:
            _refuse(
                ErrorCode.VALIDATION, _("%(item)s is of another organization.") % {"item": item}
            )
    revisions = list(revisions)
    for revision in revisions:
        if revision.document.organization_id != change.organization_id:
            _refuse(ErrorCode.VALIDATION, _("%(r)s is of another organization.") % {"r": revision})
        document_revisions.hold_for_change(revision, change_number=change.number, by=by)
    for dropped in change.revisions.exclude(pk__in=[r.pk for r in revisions]):
        document_revisions.release_hold(dropped, by=by)
    change.boms.set(boms)
    change.routings.set(routings)
    change.revisions.set(revisions)
    change.items.set(items)
    after = _scope(change)
    diff = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if diff:
        audit.record(AuditAction.CHANGE, change, by=by, changes=diff)
    return change


@transaction.atomic
def add_task(change: ChangeRequest, *, by, description: str, owner, due_on: date,
             before_release: bool = True) -> ChangeTask:  # fmt: skip
    """Plan an implementation task while the change is open (not yet implemented)."""
    change = _locked(change)
    if change.status not in OPEN_STATES:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; tasks are planned while it is open.")
            % {"number": change.number, "status": change.get_status_display()},
        )
    _require_perm(change, by)
    if owner.organization_id != change.organization_id:
        _refuse(ErrorCode.VALIDATION, _("The owner is not of this organization."), "owner")
    if not description.strip():
        _refuse(ErrorCode.VALIDATION, _("Describe the task."), "description")
    task = ChangeTask.objects.create(
        change=change, description=description.strip()[:300], owner=owner, due_on=due_on,
        before_release=before_release,
    )  # fmt: skip
    audit.record(AuditAction.CREATE, task, by=by, changes=audit.created(task))
    return task


@transaction.atomic
def complete_task(task: ChangeTask, *, by, evidence: str) -> ChangeTask:
    """The owner (or whoever may approve changes) records the task done, with its evidence."""
    task = ChangeTask.objects.select_for_update().select_related("change").get(pk=task.pk)
    if task.done_at is not None:
        _refuse(ErrorCode.INVALID_STATE, _("This task is already done."))
    if by.pk != task.owner_id and not by.has_perm("changes.approve_changerequest", task.change):
        _refuse(ErrorCode.PERMISSION_DENIED, _("Only its owner or QA records a task done."))
    if not evidence.strip():
        _refuse(ErrorCode.VALIDATION, _("Record the evidence that it was done."), "evidence")
    task.evidence, task.done_at, task.done_by = evidence.strip(), timezone.now(), by
    task.save(update_fields=["evidence", "done_at", "done_by"])
    audit.record(
        AuditAction.CHANGE,
        task,
        by=by,
        changes={"done_at": [None, task.done_at], "evidence": [None, task.evidence]},
    )
    return task


def _require_scope(change: ChangeRequest) -> None:
    if not (
        change.boms.exists()
        or change.routings.exists()
        or change.revisions.exists()
        or change.items.exists()
    ):
        _refuse(
            ErrorCode.VALIDATION,
            _("%(number)s changes nothing yet: name the versions, documents or items it changes.")
            % {"number": change.number},
        )
    for record in [*change.boms.select_related("item"), *change.routings.select_related("item")]:
        versions.require_releasable(record)
    for revision in change.revisions.select_related("document"):
        if revision.status not in PENDING_STATES:
            _refuse(
                ErrorCode.INVALID_STATE,
                _("%(revision)s is %(status)s; it can no longer be released by this change.")
                % {"revision": revision, "status": revision.get_status_display()},
            )


def submit(change: ChangeRequest, *, by, password: str, reason: str = ""):
    """The author signs the draft (meaning “authored”) and sends it for approval."""

    def effects(locked):
        locked.review_round += 1
        locked.submitted_by = by
        return {"review_round": [locked.review_round - 1, locked.review_round]}

    return CHANGE.take(
        change, "submit", by=by, password=password, reason=reason, guard=_require_scope,
        effects=effects,
    )  # fmt: skip


def approval_state(change: ChangeRequest) -> ApprovalState:
    given = {
        approval.role: approval
        for approval in change.approvals.filter(review_round=change.review_round).select_related(
            "signature"
        )
    }
    return ApprovalState([str(role) for role in APPROVERS[change.kind]], given)


def approve(change: ChangeRequest, *, by, password: str, reason: str = ""):
    """`by` signs the change in review (meaning “approved”) for a role its kind still needs;
    with the last one it is approved. A refused signature leaves its SIGN_FAILED entry
    committed and changes nothing else."""
    refusal = None
    with transaction.atomic():
        change = _locked(change)
        CHANGE.check(change, "approve", by=by, reason=reason)
        state = approval_state(change)
        role = signing_role(change, state, by=by, submitted_by_id=change.submitted_by_id)
        try:
            signature = signatures.sign(
                change, SignatureMeaning.APPROVED, by=by, password=password, reason=reason
            )
        except DomainError as error:
            refusal = error
        else:
            ChangeApproval.objects.create(
                change=change, review_round=change.review_round, role=role, signature=signature
            )
            if len(state.outstanding) == 1:
                change.status = ChangeStatus.APPROVED
                change.save(update_fields=["status"])
                audit.record(
                    AuditAction.TRANSITION,
                    change,
                    by=by,
                    changes={"status": [ChangeStatus.IN_REVIEW, ChangeStatus.APPROVED]},
                    reason=reason,
                )
    if refusal is not None:
        raise refusal
    return change


def return_to_draft(change: ChangeRequest, *, by, reason: str):
    return CHANGE.take(change, "return_to_draft", by=by, reason=reason)


def reject(change: ChangeRequest, *, by, password: str, reason: str):
    """Reject the change (signed): the revisions it held go back to their own lifecycle."""
    return CHANGE.take(
        change, "reject", by=by, password=password, reason=reason,
        effects=lambda locked: _release_holds(locked, by=by),
    )  # fmt: skip


def _release_holds(change: ChangeRequest, *, by) -> None:
    for revision in change.revisions.all():
        document_revisions.release_hold(revision, by=by)


def _check_releasable(change: ChangeRequest) -> None:
    """Before release: the approvals still cover what will take effect (nothing changed since
    they were signed), the document revisions are approved on their own route, and the tasks
    needed before release are done."""
    state = approval_state(change)
    for approval in state.given.values():
        if not signatures.is_valid(approval.signature, change):
            _refuse(
                ErrorCode.INVALID_STATE,
                _("%(number)s changed after %(signer)s approved it; return it for a new review.")
                % {"number": change.number, "signer": approval.signature.signer_name},
            )
    for record in [*change.boms.select_related("item"), *change.routings.select_related("item")]:
        versions.require_releasable(record)
    for revision in change.revisions.select_related("document"):
        if revision.status != RevisionStatus.APPROVED:
            _refuse(
                ErrorCode.INVALID_STATE,
                _("%(revision)s is %(status)s; it must be approved on its own route first.")
                % {"revision": revision, "status": revision.get_status_display()},
            )
    pending = change.tasks.filter(before_release=True, done_at__isnull=True).first()
    if pending is not None:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Task “%(task)s” must be done before %(number)s is released.")
            % {"task": pending.description, "number": change.number},
        )


def release(change: ChangeRequest, *, by, password: str, reason: str = ""):
    """Release the approved change (signed, meaning “released”): implemented now when its
    planned date has come at its site, else by the daily job on that date. What would stop
    the implementation is checked before signing; should it still fail (a version withdrawn
    meanwhile), the change stays released and the job tries again."""
    change = CHANGE.take(
        change, "release", by=by, password=password, reason=reason, guard=_check_releasable
    )
    if _date_come(change):
        implement(change, by=by)
    return ChangeRequest.objects.get(pk=change.pk)


def _date_come(change: ChangeRequest, today: date | None = None) -> bool:
    today = today or change.site.local_date()
    return change.planned_effective_on is None or change.planned_effective_on <= today


@transaction.atomic
def implement(change: ChangeRequest, *, by) -> ChangeRequest:
    """Every BOM and routing version and document revision of the released change takes
    effect now, together (the versions before them superseded), or none does."""
    change = _locked(change)
    if change.status != ChangeStatus.SCHEDULED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; only a released change is implemented.")
            % {"number": change.number, "status": change.get_status_display()},
        )
    now = timezone.now()
    for record in [*change.boms.all(), *change.routings.all()]:
        versions.release(record, by=by, change_number=change.number, at=now)
    for revision in change.revisions.all():
        document_revisions.make_effective_under_change(
            revision, by=by, change_number=change.number, at=now
        )
    change.status, change.implemented_at = ChangeStatus.IMPLEMENTED, now
    change.save(update_fields=["status", "implemented_at"])
    audit.record(
        AuditAction.TRANSITION,
        change,
        by=by,
        changes={
            "status": [ChangeStatus.SCHEDULED, ChangeStatus.IMPLEMENTED],
            "implemented_at": [None, change.implemented_at],
        },
    )
    return change


def implement_due(*, today_for=None, failures: list | None = None) -> list[ChangeRequest]:
    """Implement every released change whose date has come at its site (the daily job, as
    the system); each in its own transaction. With `failures` given, a change that cannot be
    implemented (a version withdrawn meanwhile) is appended to it as (change, error) and the
    others go on; it stays released and is tried again next time."""
    done = []
    for change in ChangeRequest.objects.filter(status=ChangeStatus.SCHEDULED).select_related(
        "site"
    ):
        today = today_for(change.site) if today_for else None
        if _date_come(change, today):
            try:
                done.append(implement(change, by=None))
            except DomainError as error:
                if failures is None:
                    raise
                failures.append((change, error))
    return done


def _check_closable(change: ChangeRequest) -> None:
    pending = change.tasks.filter(done_at__isnull=True).first()
    if pending is not None:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Task “%(task)s” is not done; %(number)s cannot be closed.")
            % {"task": pending.description, "number": change.number},
        )


def close(change: ChangeRequest, *, by, password: str, reason: str = ""):
    """Close the implemented change once every task is done (signed, meaning “verified”)."""

    def effects(locked):
        locked.closed_at = timezone.now()
        return {"closed_at": [None, locked.closed_at]}

    return CHANGE.take(
        change, "close", by=by, password=password, reason=reason, guard=_check_closable,
        effects=effects,
    )  # fmt: skip


def cancel(change: ChangeRequest, *, by, reason: str):
    """Abandon a change that has not taken effect; the drafts stay drafts."""
    return CHANGE.take(
        change, "cancel", by=by, reason=reason,
        effects=lambda locked: _release_holds(locked, by=by),
    )  # fmt: skip
