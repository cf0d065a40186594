"""What a recall needs before it may close, and linking the CAPA that deals with its cause.

Closure (signed, recalls.close) is refused while any criterion is open, naming them all: the
effectiveness level not met (the consignees not yet verified), quantities reported to return
not yet received, affected stock of ours neither on status recalled nor decided, and for a
real recall no CAPA. A drill holds no stock and takes nothing back: only its effectiveness
level counts."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.quality.models import Capa
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall

from .effectiveness import Progress, progress

NAMED = 10  # consignees or lots named in a criterion; the rest are counted


@dataclass(frozen=True)
class Criterion:
    rule: str  # effectiveness / returns / stock / capa
    message: str


def _named(names: list[str]) -> str:
    shown = ", ".join(names[:NAMED])
    if len(names) > NAMED:
        shown += " " + str(_("and %(count)s more") % {"count": len(names) - NAMED})
    return shown


def open_criteria(recall: Recall, found: Progress | None = None) -> list[Criterion]:
    """The closure criteria `recall` does not meet yet (none: it may close)."""
    found = found or progress(recall)
    missing = []
    if not found.level_met:
        message = _(
            "Effectiveness level %(level)s needs %(required)s of %(total)s consignees verified; "
            "%(verified)s are. No response yet from: %(names)s."
        ) % {
            "level": found.level,
            "required": found.required,
            "total": found.total,
            "verified": found.verified,
            "names": _named([row.name for row in found.unverified]),
        }
        missing.append(Criterion("effectiveness", str(message)))
    if recall.drill:
        return missing
    awaited = [
        f"{row.name}: {plain(row.awaited)} {row.uom}".rstrip() for row in found.awaiting_returns
    ]
    if awaited:
        message = _("Reported to return and not received yet: %(list)s.") % {
            "list": _named(awaited)
        }
        missing.append(Criterion("returns", str(message)))
    unsettled = [
        f"{row.serial or row.lot_number or row.identifier} ({row.status.label})"
        for row in found.unsettled
    ]
    if unsettled:
        message = _(
            "Affected stock of ours is neither on status recalled nor decided: %(list)s."
        ) % {"list": _named(unsettled)}
        missing.append(Criterion("stock", str(message)))
    if recall.capa_id is None:
        message = _("No CAPA is linked: link the CAPA that deals with the cause of the recall.")
        missing.append(Criterion("capa", str(message)))
    return missing


def require_closable(recall: Recall) -> None:
    """Refuse, naming every open criterion, unless the recall may close."""
    missing = open_criteria(recall)
    if missing:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(recall)s cannot close yet. %(missing)s")
            % {"recall": recall.number, "missing": " ".join(item.message for item in missing)},
            criteria=[{"rule": item.rule, "message": item.message} for item in missing],
        )


def _refuse(code, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


@transaction.atomic
def link_capa(recall: Recall, capa: Capa, *, by, reason: str = "") -> Recall:
    """Link the CAPA that deals with the recall's cause (replacing one linked before)."""
    recall = Recall.objects.select_for_update(of=("self",)).select_related("capa").get(pk=recall.pk)
    if not access.permits(by, "recall.change_recall", recall):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(recall)s.") % {"recall": recall.number},
        )
    if recall.status not in (RecallStatus.DRAFT, RecallStatus.APPROVED):
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s; no CAPA is linked to it any more.")
            % {"recall": recall.number, "status": recall.get_status_display()},
        )
    if capa.organization_id != recall.organization_id:
        _refuse(
            ErrorCode.NOT_FOUND, _("%(capa)s is not known here.") % {"capa": capa.number}, "capa"
        )
    if recall.capa_id == capa.pk:
        return recall
    before = recall.capa.number if recall.capa_id else None
    recall.capa = capa
    recall.save(update_fields=["capa"])
    audit.record(
        AuditAction.CHANGE,
        recall,
        by=by,
        changes={"capa": [before, capa.number]},
        reason=reason.strip(),
    )
    return recall
