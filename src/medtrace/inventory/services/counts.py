"""Cycle counts: the books of a location (and those under it) taken when counting starts, each
lot or unit counted by scan or by hand, and the differences posted as reason-coded adjustment
events (CBV cycle_counting: a gain arrives at the location, a loss leaves it). A difference
above the threshold (settings.INVENTORY_SIGNED_ADJUSTMENT_PERCENT of the books, or any stock
found that the books did not have) is posted only under an approver's signature. A count whose
locations saw a movement after it began is refused: the books changed under it."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org.models import Location
from medtrace.quality.services.numbering import next_number
from medtrace.trace.models import Lot, TraceObject, Unit

from ..choices import AdjustmentReason, CountStatus, Operation
from ..models import CountLine, CycleCount, Stock, StockMove
from ..workflows import COUNT
from . import moves

ADJUSTMENT_STEP = "cycle_counting"


def _refuse(message, field: str | None = None, code=ErrorCode.VALIDATION, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


def _subtree(location: Location):
    return Location.objects.filter(
        Q(path=location.path) | Q(path__startswith=f"{location.path}/"), site=location.site
    )


@transaction.atomic
def start_count(*, location: Location, by, note: str = "") -> CycleCount:
    """Open a count of `location` and the locations under it, with the books as they are now."""
    if CycleCount.objects.filter(location=location, status=CountStatus.OPEN).exists():
        _refuse(
            _("%(location)s is already being counted.") % {"location": location.path},
            "location",
            ErrorCode.INVALID_STATE,
        )
    count = CycleCount.objects.create(
        organization_id=location.organization_id,
        site=location.site,
        number=next_number(location.site.organization, "CC"),
        location=location,
        note=note.strip(),
        started_by=by,
        ledger_mark=StockMove.objects.aggregate(mark=Max("pk"))["mark"] or 0,
    )
    books = Stock.objects.filter(location__in=_subtree(location))
    CountLine.objects.bulk_create(
        CountLine(
            count=count,
            location_id=stock.location_id,
            object_id=stock.object_id,
            item_id=stock.item_id,
            uom=stock.uom,
            expected=stock.quantity,
        )
        for stock in books
    )
    changes = audit.created(count)
    changes["lines"] = [None, books.count()]
    audit.record(AuditAction.CREATE, count, by=by, changes=changes)
    return count


@transaction.atomic
def record_counted(
    count: CycleCount,
    *,
    obj: TraceObject,
    location: Location,
    counted,
    by,
    reason: str = "",
    note: str = "",
) -> CountLine:
    """Record what was found of `obj` at `location`; a lot or unit the books do not have
    there becomes a new line (found stock)."""
    count = CycleCount.objects.select_for_update().get(pk=count.pk)
    if count.status != CountStatus.OPEN:
        _refuse(
            _("Count %(count)s is %(status)s; nothing more can be counted.")
            % {"count": count.number, "status": count.get_status_display()},
            code=ErrorCode.INVALID_STATE,
        )
    if not _subtree(count.location).filter(pk=location.pk).exists():
        _refuse(
            _("%(location)s is not part of count %(count)s.")
            % {"location": location.path, "count": count.number},
            "location",
        )
    counted = _counted(counted, obj)
    if reason and reason not in AdjustmentReason.values:
        _refuse(_("%(reason)s is not an adjustment reason.") % {"reason": reason}, "reason")
    line = CountLine.objects.filter(count=count, location=location, object=obj).first()
    before = None if line is None else line.counted
    if line is None:
        item, uom = _item_of(obj)
        line = CountLine(
            count=count, location=location, object=obj, item=item, uom=uom, expected=Decimal(0)
        )
    line.counted, line.reason, line.note, line.counted_by = counted, reason, note.strip(), by
    line.save()
    audit.record(
        AuditAction.CHANGE,
        count,
        by=by,
        changes={
            f"{location.path} {obj.identifier}": [
                plain(before),
                f"{plain(counted)} ({plain(line.expected)} on the books)",
            ]
        },
    )
    return line


def _counted(value, obj) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or number < 0:
        _refuse(_("A count is a number, zero or more."), "counted")
    if obj.kind == "unit" and number not in (0, 1):
        _refuse(_("A serialized unit is counted as 0 or 1."), "counted")
    if number != 0:
        moves.quantity(number, field="counted")  # the same precision rules as any quantity
    return number


def _item_of(obj: TraceObject):
    if obj.kind == "unit":
        unit = Unit.objects.select_related("item").get(pk=obj.pk)
        return unit.item, unit.item.unit
    if obj.kind == "lot":
        lot = Lot.objects.select_related("item").get(pk=obj.pk)
        return lot.item, lot.item.unit
    _refuse(_("Count the lots or units inside a case, not the case."), "object")


def needs_approval(count: CycleCount) -> bool:
    """Whether a difference is above the threshold, or stock was found that the books lacked."""
    limit = Decimal(settings.INVENTORY_SIGNED_ADJUSTMENT_PERCENT) / 100
    for line in count.lines.exclude(counted__isnull=True):
        difference = abs(line.counted - line.expected)
        if difference and (line.expected == 0 or difference > line.expected * limit):
            return True
    return False


def post(count: CycleCount, *, by, password: str = "", reason: str = "") -> CycleCount:
    """Post the differences as adjustment events: by the counter when all are small (`post`),
    otherwise approved under `by`'s signature (`approve`, which needs the password)."""
    action = "approve" if needs_approval(count) else "post"

    def ready(locked):
        uncounted = locked.lines.filter(counted__isnull=True).count()
        if uncounted:
            _refuse(
                _("%(count)s lines are not counted yet; count them (0 when none was found).")
                % {"count": uncounted},
                code=ErrorCode.INVALID_STATE,
            )
        unexplained = [
            line
            for line in locked.lines.select_related("location")
            if line.counted != line.expected and not line.reason
        ]
        if unexplained:
            _refuse(
                _("Give the reason for each difference (%(where)s).")
                % {"where": ", ".join(line.location.path for line in unexplained[:5])},
                "reason",
                ErrorCode.REASON_REQUIRED,
            )
        locations = locked.lines.values_list("location_id", flat=True)
        if StockMove.objects.filter(pk__gt=locked.ledger_mark, location_id__in=locations).exists():
            _refuse(
                _("Stock moved at %(location)s after count %(count)s began; count again.")
                % {"location": locked.location.path, "count": locked.number},
                code=ErrorCode.CONFLICT,
            )

    def adjust(locked):
        adjusted = 0
        for line in locked.lines.select_related("location", "object"):
            difference = line.counted - line.expected
            if difference == 0:
                continue
            gain = difference > 0
            line.adjustment = moves.move(
                site=locked.site,
                lines=[
                    moves.Line(line.object, None if line.object.kind == "unit" else abs(difference))
                ],
                operation=Operation.ADJUST,
                biz_step=ADJUSTMENT_STEP,
                source=None if gain else line.location,
                destination=line.location if gain else None,
                by=by,
                reason=f"{locked.number}: {line.get_reason_display()} {line.note}".strip(),
            )
            line.save(update_fields=["adjustment"])
            adjusted += 1
        locked.posted_by, locked.posted_at = by, timezone.now()
        locked.save(update_fields=["posted_by", "posted_at"])
        return {"adjusted_lines": [None, adjusted]}

    return COUNT.take(
        count, action, by=by, password=password, reason=reason, guard=ready, effects=adjust
    )


def cancel(count: CycleCount, *, by, reason: str) -> CycleCount:
    return COUNT.take(count, "cancel", by=by, reason=reason)
