"""The warehouse floor's tasks by scan: put away, transfer, issue to production. Each is one
movement through `moves.move` (which checks locations, statuses and quantities and records
the event); this module adds what the task itself requires and the scan screens and the API
ask before moving: which location the goods leave (where the stock is), and whether the
destination suits the task.

- Put away: into a stock location (kind `stock`), available stock only: quarantined, held,
  rejected, expired or recalled goods stay segregated (ISO 13485 8.3).
- Transfer: any of our locations to any other, whatever the status (taking a held lot to the
  MRB cage is a transfer).
- Issue to production: available stock only (statuses.require), into a production location.
  CBV bizStep `picking`: the goods are selected from storage to fill the work order's demand
  and taken to the line; they are consumed later by the production's TransformationEvent."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location, Site
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import TraceEvent, TraceObject

from .. import statuses
from ..choices import Operation, StockStatus
from ..models import Stock
from . import moves


class Task(models.TextChoices):
    PUTAWAY = "putaway", _("Put away")
    TRANSFER = "transfer", _("Transfer")
    ISSUE = "issue", _("Issue to production")


@dataclass(frozen=True)
class Plan:
    operation: Operation
    biz_step: str
    destinations: frozenset[str] | None  # location kinds the goods may reach (None: any)


PLANS = {
    Task.PUTAWAY: Plan(Operation.TRANSFER, "storing", frozenset({LocationKind.STOCK})),
    Task.TRANSFER: Plan(Operation.TRANSFER, "storing", None),
    Task.ISSUE: Plan(Operation.ISSUE, "picking", frozenset({LocationKind.PRODUCTION})),
}

MOVABLE = (ObjectKind.LOT, ObjectKind.UNIT, ObjectKind.CONTAINER)


@dataclass(frozen=True)
class Holding:
    """How much of an object (a lot with its units, a unit, a case's contents) one location
    holds."""

    location: Location
    quantity: Decimal
    uom: str

    def __str__(self):
        return f"{self.location.path} ({plain(self.quantity)} {self.uom})"


def name_of(obj: TraceObject) -> str:
    """ "Lot R1 of PVC-100", "Unit S1", "Case 0…"."""
    if obj.kind == ObjectKind.CONTAINER:
        return str(_("Case %(code)s") % {"code": obj.as_container.sscc or obj.identifier})
    return statuses._label(obj)


def holdings(obj: TraceObject, site: Site) -> list[Holding]:
    """Where at `site` the object's stock is, by location path."""
    if obj.kind == ObjectKind.CONTAINER:
        ids = [content.pk for content in statuses._with_contents([obj])]
        rows = Stock.objects.filter(object_id__in=ids)
    elif obj.kind == ObjectKind.LOT:
        rows = Stock.objects.filter(Q(object=obj) | Q(lot=obj))
    else:
        rows = Stock.objects.filter(object=obj)
    totals = (
        rows.filter(site=site)
        .values("location", "uom")
        .annotate(total=Sum("quantity"))
        .order_by("location__path")
    )
    places = Location.objects.select_related("site").in_bulk(row["location"] for row in totals)
    return [Holding(places[row["location"]], row["total"], row["uom"]) for row in totals]


def check_object(task: Task, obj: TraceObject, site: Site, *, at: datetime | None = None):
    """Refuse, before anything is asked of the clerk, what the task can never move."""
    if obj.kind not in MOVABLE:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(code)s is not a lot, unit or case; scan what is to be moved.")
            % {"code": obj.identifier},
        )
    if obj.organization_id != site.organization_id:
        raise DomainError(ErrorCode.NOT_FOUND, _("%(object)s is not known here.") % {"object": obj})
    plan = PLANS[Task(task)]
    today = site.local_date(at)
    statuses.require([obj], plan.operation, today=today)
    if task == Task.PUTAWAY:
        for each in statuses._with_contents([obj]):
            info = statuses.status_of(each, today=today)
            if info.status != StockStatus.AVAILABLE:
                raise DomainError(
                    ErrorCode.INVALID_STATE,
                    _(
                        "%(what)s has status %(status)s; it cannot be put away into stock: "
                        "move it to a quarantine location."
                    )
                    % {"what": statuses._label(each), "status": info.describe()},
                    object=each.identifier,
                    status=str(info.status),
                )


def check_destination(task: Task, location: Location, site: Site) -> None:
    if location.site_id != site.pk:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(location)s is not at site %(site)s.")
            % {"location": location.path, "site": site.code},
            fields={"destination": [str(_("Another site's location."))]},
        )
    kinds = PLANS[Task(task)].destinations
    if kinds is not None and location.kind not in kinds:
        wanted = ", ".join(str(LocationKind(kind).label) for kind in sorted(kinds))
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(location)s is a %(kind)s location; %(task)s goes to a %(wanted)s location.")
            % {
                "location": location.path,
                "kind": LocationKind(location.kind).label,
                "task": Task(task).label,
                "wanted": wanted,
            },
            fields={"destination": [str(_("Not a %(wanted)s location.") % {"wanted": wanted})]},
        )


def source_for(obj: TraceObject, site: Site, source: Location | None = None) -> Location:
    """The location the goods leave: the one given (it must hold them), or the only one that
    does; refused when none does, or several do and none was given."""
    held = holdings(obj, site)
    if source is not None:
        if source.pk not in {holding.location.pk for holding in held}:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("%(location)s holds none of %(object)s.")
                % {"location": source.path, "object": name_of(obj)},
                fields={"source": [str(_("Nothing of it here."))]},
            )
        return source
    if not held:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(object)s has no stock at site %(site)s.")
            % {"object": name_of(obj), "site": site.code},
        )
    if len(held) > 1:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("%(object)s is at %(places)s; say which location it leaves.")
            % {"object": name_of(obj), "places": ", ".join(str(each) for each in held)},
            fields={"source": [str(_("Several locations hold it."))]},
            locations=[each.location.path for each in held],
        )
    return held[0].location


def check_quantity(obj: TraceObject, value) -> Decimal | None:
    """A lot's quantity (None or empty: all of it at the source); a unit or case moves whole."""
    if value is None or str(value).strip() == "":
        return None
    if obj.kind != ObjectKind.LOT:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(object)s moves whole; leave the quantity empty.") % {"object": name_of(obj)},
            fields={"quantity": [str(_("Only a lot takes a quantity."))]},
        )
    return moves.quantity(value)


@transaction.atomic
def execute(
    task: Task,
    *,
    site: Site,
    obj: TraceObject,
    destination: Location,
    by,
    quantity=None,
    source: Location | None = None,
    key: str | None = None,
    at: datetime | None = None,
) -> TraceEvent:
    """Move `obj` (all of it at the source, or `quantity` of a lot) to `destination` for the
    task. A key already recorded answers its event again, whatever has moved since."""
    earlier = moves.already_recorded(site.organization, key)
    if earlier is not None:
        return earlier
    task = Task(task)
    check_object(task, obj, site, at=at)
    check_destination(task, destination, site)
    amount = check_quantity(obj, quantity)
    leaves = source_for(obj, site, source)
    plan = PLANS[task]
    return moves.move(
        site=site,
        lines=[moves.Line(obj, amount)],
        operation=plan.operation,
        biz_step=plan.biz_step,
        source=leaves,
        destination=destination,
        by=by,
        key=key,
        at=at,
    )


def moved_to(event: TraceEvent) -> Location | None:
    """The location an event put stock at (its positive ledger lines)."""
    line = event.stock_moves.filter(quantity__gt=0).select_related("location__site").first()
    return line.location if line is not None else None
