"""Deviations, planned and unplanned: their scope (lots, equipment, operation, time window),
the impact and risk assessment, approval and closure by signature. A lot in the scope of a
deviation that is not closed may not be released: `blocking_release` is what a release asks."""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.equipment.models import Equipment
from medtrace.org.models import Site
from medtrace.quality.choices import DeviationStatus
from medtrace.quality.models import Deviation
from medtrace.quality.services.numbering import next_number
from medtrace.quality.workflows import DEVIATION
from medtrace.trace.models import Lot

ASSESSMENT_FIELDS = ("impact_assessment", "risk_level")
EDITABLE = ("title", "description", "operation", "window_start", "window_end", *ASSESSMENT_FIELDS)
NOT_CLOSED = (DeviationStatus.OPEN, DeviationStatus.APPROVED)


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _check_scope(site: Site, lots: list[Lot], equipment: Equipment | None, start, end) -> None:
    for lot in lots:
        if lot.site_id != site.pk:
            _refuse(
                ErrorCode.VALIDATION,
                _("Lot %(lot)s is not at site %(site)s.")
                % {"lot": lot.lot_number, "site": site.code},
                "lots",
            )
    if equipment is not None and equipment.site_id != site.pk:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(equipment)s is not at site %(site)s.")
            % {"equipment": equipment.code, "site": site.code},
            "equipment",
        )
    if start and end and end < start:
        _refuse(ErrorCode.VALIDATION, _("The window ends before it starts."), "window_end")


@transaction.atomic
def open_deviation(
    *,
    site: Site,
    kind: str,
    title: str,
    description: str,
    by,
    lots: list[Lot] = (),
    equipment: Equipment | None = None,
    operation: str = "",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    impact_assessment: str = "",
    risk_level: str = "",
) -> Deviation:
    """Open a deviation with its scope; the lots in it are blocked from release until it is
    closed."""
    lots = list(lots)
    _check_scope(site, lots, equipment, window_start, window_end)
    deviation = Deviation(
        organization_id=site.organization_id,
        site=site,
        number="-",
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        equipment=equipment,
        operation=operation.strip(),
        window_start=window_start,
        window_end=window_end,
        impact_assessment=impact_assessment.strip(),
        risk_level=risk_level,
        opened_by=by,
    )
    validated(deviation)
    deviation.number = next_number(site.organization, "DEV")
    deviation.save()
    deviation.lots.set(lots)
    changes = audit.created(deviation)
    changes["lots"] = [None, [lot.identifier for lot in lots]]
    audit.record(AuditAction.CREATE, deviation, by=by, changes=changes)
    return deviation


@transaction.atomic
def update_deviation(
    deviation: Deviation, *, by, reason: str = "", lots: list[Lot] | None = None, **changes
) -> Deviation:
    """Describe, rescope or assess an open deviation; once approved its content is what was
    signed."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if deviation.status != DeviationStatus.OPEN:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; only an open deviation changes.")
            % {"number": deviation.number, "status": deviation.get_status_display()},
        )
    if not by.has_perm("quality.change_deviation", deviation):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(number)s.") % {"number": deviation.number},
        )
    unknown = set(changes) - set(EDITABLE) - {"equipment"}
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    diff = {}
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(deviation, name) != value:
            diff[name] = [getattr(deviation, name), value]
            setattr(deviation, name, value)
    validated(deviation)
    new_lots = list(lots) if lots is not None else list(deviation.lots.all())
    _check_scope(
        deviation.site, new_lots, deviation.equipment, deviation.window_start, deviation.window_end
    )
    if lots is not None:
        before = sorted(deviation.lots.values_list("identifier", flat=True))
        after = sorted(lot.identifier for lot in new_lots)
        if before != after:
            diff["lots"] = [before, after]
            deviation.lots.set(new_lots)
    if diff:
        deviation.save()
        audit.record(AuditAction.CHANGE, deviation, by=by, changes=diff, reason=reason)
    return deviation


def _assessed(deviation: Deviation) -> None:
    missing = [name for name in ASSESSMENT_FIELDS if not getattr(deviation, name)]
    if missing:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Assess the impact and the risk before approving."),
            fields={name: [str(_("Needed before approval."))] for name in missing},
        )


def approve(deviation: Deviation, *, by, password: str, reason: str = "") -> Deviation:
    """Approval by signature (meaning approved), once impact and risk are assessed."""
    return DEVIATION.take(
        deviation, "approve", by=by, password=password, reason=reason, guard=_assessed
    )


@transaction.atomic
def record_closure_summary(deviation: Deviation, *, summary: str, by) -> Deviation:
    """What was done and found, written once the deviation is approved and before it is
    closed (the closing signature covers it)."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if deviation.status != DeviationStatus.APPROVED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; the closure summary is written once it is approved.")
            % {"number": deviation.number, "status": deviation.get_status_display()},
        )
    if not by.has_perm("quality.change_deviation", deviation):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(number)s.") % {"number": deviation.number},
        )
    summary = summary.strip()
    if summary != deviation.closure_summary:
        audit.record(
            AuditAction.CHANGE, deviation, by=by,
            changes={"closure_summary": [deviation.closure_summary, summary]},
        )  # fmt: skip
        deviation.closure_summary = summary
        deviation.save(update_fields=["closure_summary"])
    return deviation


def _summarized(deviation: Deviation) -> None:
    if not deviation.closure_summary:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Summarize how the deviation ended before closing it."),
            fields={"closure_summary": [str(_("Needed before closing."))]},
        )


def close(deviation: Deviation, *, by, password: str, reason: str = "") -> Deviation:
    """Closure by signature (meaning verified) over the closure summary; the lots in scope
    may be released from then on."""

    def closed(locked):
        locked.closed_at = timezone.now()
        return {"closed_at": [None, locked.closed_at]}

    return DEVIATION.take(
        deviation, "close", by=by, password=password, reason=reason, guard=_summarized,
        effects=closed,
    )  # fmt: skip


def cancel(deviation: Deviation, *, by, reason: str) -> Deviation:
    return DEVIATION.take(deviation, "cancel", by=by, reason=reason)


def blocking_release(lot: Lot) -> QuerySet[Deviation]:
    """The deviations not closed whose scope names the lot: while there is one, the lot may
    not be released."""
    return Deviation.objects.filter(lots=lot, status__in=NOT_CLOSED).order_by("pk")
