"""A lot's or unit's stock status, read from its current disposition (trace-derived), and the
rule that only available stock is issued, picked or shipped. A refusal names the lot, its
status, and the event that set it: who, when and why."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Containment, EventObject, Lot, TraceObject, Unit

from .choices import Operation, StockStatus

CBV_PREFIXES = ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-")

DISPOSITION_STATUS = {
    "available": StockStatus.AVAILABLE,
    "active": StockStatus.AVAILABLE,
    "conformant": StockStatus.AVAILABLE,
    "sellable_accessible": StockStatus.AVAILABLE,
    "sellable_not_accessible": StockStatus.AVAILABLE,
    "in_progress": StockStatus.QUARANTINE,
    "returned": StockStatus.QUARANTINE,
    "unknown": StockStatus.QUARANTINE,
    "non_conformant": StockStatus.ON_HOLD,
    "non_sellable_other": StockStatus.ON_HOLD,
    "unavailable": StockStatus.ON_HOLD,
    "needs_replacement": StockStatus.ON_HOLD,
    "inactive": StockStatus.ON_HOLD,
    "damaged": StockStatus.REJECTED,
    "destroyed": StockStatus.REJECTED,
    "disposed": StockStatus.REJECTED,
    "stolen": StockStatus.REJECTED,
    "expired": StockStatus.EXPIRED,
    "recalled": StockStatus.RECALLED,
    "in_transit": StockStatus.IN_TRANSIT,
}

# Issuing, picking and shipping take available stock only; moving a held lot to the MRB
# cage, counting it or scrapping it is how it is dealt with.
NEEDS_AVAILABLE = frozenset({Operation.ISSUE, Operation.PICK, Operation.SHIP})

REFUSED_VERB = {
    Operation.ISSUE: _("issued"),
    Operation.PICK: _("picked"),
    Operation.SHIP: _("shipped"),
}


def disposition_status(disposition: str) -> StockStatus:
    """The status a disposition means; one we do not know is not available (quarantine)."""
    for prefix in CBV_PREFIXES:
        if disposition.startswith(prefix):
            disposition = disposition[len(prefix) :]
    return DISPOSITION_STATUS.get(disposition, StockStatus.QUARANTINE)


@dataclass(frozen=True)
class StatusInfo:
    status: StockStatus
    disposition: str
    set_at: datetime | None = None
    set_by: str = ""  # a person's name, or the job or partner that recorded it
    reason: str = ""
    expired_on: date | None = None  # past its expiry date, whatever its disposition says

    def describe(self) -> str:
        """ "On hold (set by 王芳 on 2026-03-02 10:14: Held by NCR-2026-0007)"."""
        if self.expired_on is not None:
            when = str(_("expiry date %(date)s") % {"date": formats.date_format(self.expired_on)})
            return f"{self.status.label} ({when})"
        if self.set_at is None:
            return str(self.status.label)
        setter = str(
            _("set by %(who)s on %(when)s")
            % {
                "who": self.set_by or _("the system"),
                "when": formats.date_format(self.set_at, "SHORT_DATETIME_FORMAT"),
            }
        )
        if self.reason:
            setter = f"{setter}: {self.reason}"
        return f"{self.status.label} ({setter})"


def status_of(obj: TraceObject, *, today: date | None = None) -> StatusInfo:
    """`obj`'s status now (a lot or a unit), with the event that set it. A lot past its
    expiry date on `today` (the site's calendar day) is expired even before the nightly job
    records it."""
    # Read afresh: the disposition is derived in the database as events are recorded.
    obj = TraceObject.objects.select_related("site").get(pk=obj.pk)
    lot = _lot_of(obj)
    status = disposition_status(obj.disposition)
    if lot is not None and lot.expires_on is not None:
        day = today or (obj.site.local_date() if obj.site_id else date.today())
        if lot.expires_on < day and status not in (StockStatus.REJECTED, StockStatus.RECALLED):
            return StatusInfo(StockStatus.EXPIRED, obj.disposition, expired_on=lot.expires_on)
    setter = _setting_event(obj, lot)
    if setter is None:
        return StatusInfo(status, obj.disposition)
    who = setter.recorded_by
    # Shown in the site's time, as every time on its pages.
    zone = ZoneInfo(obj.site.time_zone) if obj.site_id else timezone.get_current_timezone()
    return StatusInfo(
        status,
        obj.disposition,
        set_at=timezone.localtime(setter.event_time, zone),
        set_by=who.printed_name if who else "",
        reason=setter.reason,
    )


def _lot_of(obj: TraceObject) -> Lot | None:
    if obj.kind == ObjectKind.LOT:
        return Lot.objects.select_related("item").get(pk=obj.pk)
    if obj.kind == ObjectKind.UNIT:
        return Unit.objects.select_related("lot__item").get(pk=obj.pk).lot
    return None


def _setting_event(obj: TraceObject, lot: Lot | None):
    """The latest event in force that gave `obj` (or, for a unit, its lot) a disposition,
    directly or through a case or pallet holding it at the time (a shipped case)."""
    ids = {obj.pk} | ({lot.pk} if lot is not None else set())
    reached = Q(object_id__in=ids)
    for container, since, until in Containment.objects.filter(content_id__in=ids).values_list(
        "container_id", "valid_from", "valid_to"
    ):
        held = Q(object_id=container, event__event_time__gte=since)
        if until is not None:
            held &= Q(event__event_time__lt=until)
        reached |= held
    row = (
        EventObject.objects.filter(reached, event__declaration__isnull=True)
        .exclude(event__disposition="")
        .exclude(role="input")
        .select_related("event__recorded_by")
        .order_by("-event__event_time", "-event_id")
        .first()
    )
    return row.event if row is not None else None


def require(objects: list[TraceObject], operation: Operation, *, today: date | None = None):
    """Refuse the operation if any of `objects` (lots, units, or cases and pallets, whose
    contents count) is not available for it."""
    if operation not in NEEDS_AVAILABLE:
        return
    for obj in _with_contents(objects):
        info = status_of(obj, today=today)
        if info.status != StockStatus.AVAILABLE:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("%(what)s has status %(status)s; it cannot be %(verb)s.")
                % {
                    "what": _label(obj),
                    "status": info.describe(),
                    "verb": REFUSED_VERB[operation],
                },
                object=obj.identifier,
                status=str(info.status),
                set_by=info.set_by,
            )


def _label(obj: TraceObject) -> str:
    lot = _lot_of(obj)
    if obj.kind == ObjectKind.UNIT:
        return str(_("Unit %(serial)s") % {"serial": Unit.objects.get(pk=obj.pk).serial})
    return str(_("Lot %(lot)s of %(item)s") % {"lot": lot.lot_number, "item": lot.item.code})


def _with_contents(objects: list[TraceObject]) -> list[TraceObject]:
    found, containers = [], []
    for obj in objects:
        (containers if obj.kind == ObjectKind.CONTAINER else found).append(obj)
    while containers:
        inside = list(
            Containment.objects.filter(
                Q(valid_to__isnull=True), container_id__in=[c.pk for c in containers]
            ).select_related("content")
        )
        containers = [row.content for row in inside if row.content.kind == ObjectKind.CONTAINER]
        found += [row.content for row in inside if row.content.kind != ObjectKind.CONTAINER]
    return found


# What an event moving goods out of our locations does, by its CBV step: an imported picking
# or shipping event obeys the same rule as one recorded on the floor.
OUTGOING_STEPS = {"picking": Operation.PICK, "shipping": Operation.SHIP}


def require_for_events(organization, events) -> None:
    """Refuse a batch of EPCIS events (an import, a capture) in which one picks or ships,
    out of one of our locations, stock that is not available; DomainError names the event's
    index. The status is the one before the batch."""
    for index, event in enumerate(events):
        operation = OUTGOING_STEPS.get(_bare(event.biz_step or ""))
        if operation is None or not _leaves_our_location(event):
            continue
        named = [*event.epc_list, *(quantity.epc_class for quantity in event.quantity_list)]
        objects = list(TraceObject.objects.filter(organization=organization, identifier__in=named))
        try:
            require(objects, operation)
        except DomainError as error:
            error.details["event_index"] = index
            error.details["event_id"] = event.event_id
            raise


def _bare(step: str) -> str:
    for prefix in ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"):
        if step.startswith(prefix):
            return step[len(prefix) :]
    return step


def _leaves_our_location(event) -> bool:
    from medtrace.inventory.ledger import LOCATION_TYPES
    from medtrace.trace.identifiers import LOCATION_PREFIX

    return any(
        source.type in LOCATION_TYPES and source.value.startswith(LOCATION_PREFIX)
        for source in event.sources
    )
