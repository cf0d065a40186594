"""The version lifecycle BOMs and routings share: draft the next version (optionally copying
an earlier one), release a draft under an approved change request (the approved version
before it becomes obsolete), make a version obsolete with a reason. Each in one transaction with its
audit entries; the content of a version is the concern of its own service module."""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item, ProductVersion, VersionStatus
from medtrace.catalog.services.common import refuse
from medtrace.core.errors import DomainError, ErrorCode

V = TypeVar("V", bound=ProductVersion)


def locked(record: V) -> V:
    return type(record).objects.select_for_update().select_related("item").get(pk=record.pk)


def require_draft(record: ProductVersion) -> None:
    if record.status != VersionStatus.DRAFT:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(record)s is %(status)s; only a draft can be changed. Draft a new version instead.")
            % {"record": record, "status": record.get_status_display()},
        )


def create_draft(
    model: type[V],
    *,
    item: Item,
    by,
    copy_from: V | None,
    copy_content: Callable[[V, V], None],
    note: str = "",
) -> V:
    """A new draft of `model` for `item` (the highest version + 1); `copy_content(source,
    draft)` copies the content of `copy_from`, an earlier version of the same item."""
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if copy_from is not None and copy_from.item_id != item.pk:
            refuse(
                ErrorCode.VALIDATION,
                _("Only a version of %(code)s can be copied into its new version.")
                % {"code": item.code},
                "copy_from",
            )
        last = model.objects.filter(item=item).aggregate(last=Max("version"))["last"] or 0
        draft = model.objects.create(
            organization_id=item.organization_id,
            item=item,
            version=last + 1,
            note=note.strip(),
            created_by=by,
        )
        changes = audit.created(draft)
        if copy_from is not None:
            copy_content(copy_from, draft)
            changes["copied_from"] = [None, copy_from.version]
            changes["content"] = [None, draft.content()]
        audit.record(AuditAction.CREATE, draft, by=by, changes=changes)
        return draft


def require_releasable(record: ProductVersion) -> None:
    """What a change request checks of a version before its approval is asked: a draft with
    content."""
    require_draft(record)
    if not record.content():
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(record)s is empty; an empty version cannot be released.") % {"record": record},
        )


def release(record: V, *, by, change_number: str, at: datetime, reason: str = "") -> V:
    """Make the draft the effective version under the approved change request
    `change_number` (its signatures approve the content; services.changes checks them): the
    version effective before it becomes obsolete. Runs inside the change's implementation
    transaction; `at` is the instant all of the change's versions take effect."""
    record = locked(record)
    require_releasable(record)
    now = at
    _supersede(record, by=by, now=now, change_number=change_number)
    record.status = VersionStatus.APPROVED
    record.effective_from = now
    record.released_under = change_number
    record.save(update_fields=["status", "effective_from", "released_under"])
    audit.record(
        AuditAction.TRANSITION,
        record,
        by=by,
        changes={
            "status": [VersionStatus.DRAFT, VersionStatus.APPROVED],
            "effective_from": [None, now],
            "released_under": [None, change_number],
        },
        reason=reason or change_number,
    )
    return record


def _supersede(record: ProductVersion, *, by, now, change_number: str) -> None:
    previous = (
        type(record)
        .objects.select_for_update()
        .filter(item_id=record.item_id, status=VersionStatus.APPROVED)
    )
    for old in previous:
        old.status, old.effective_until = VersionStatus.OBSOLETE, now
        old.save(update_fields=["status", "effective_until"])
        audit.record(
            AuditAction.TRANSITION,
            old,
            by=by,
            changes={"status": [VersionStatus.APPROVED, VersionStatus.OBSOLETE]},
            reason=str(
                _("Superseded by version %(version)s under %(change)s.")
                % {"version": record.version, "change": change_number}
            ),
        )


@transaction.atomic
def make_obsolete(record: V, *, by, reason: str) -> V:
    """Withdraw a draft or the approved version; the reason is required."""
    record = locked(record)
    if not reason.strip():
        raise DomainError(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for making %(record)s obsolete.") % {"record": record},
            fields={"reason": [str(_("Required."))]},
        )
    if record.status == VersionStatus.OBSOLETE:
        refuse(ErrorCode.INVALID_STATE, _("%(record)s is already obsolete.") % {"record": record})
    audit.record(
        AuditAction.TRANSITION,
        record,
        by=by,
        changes={"status": [record.status, VersionStatus.OBSOLETE]},
        reason=reason,
    )
    if record.status == VersionStatus.APPROVED:
        record.effective_until = timezone.now()
    record.status = VersionStatus.OBSOLETE
    record.save(update_fields=["status", "effective_until"])
    return record
