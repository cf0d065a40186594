"""Releasing a received lot from quarantine: QA signs (meaning released, password entered now)
once the incoming inspection, when the item has a plan, is completed and accepted; the release
is a trace event that makes the lot available (disposition available, biz step accepting), and
when the releaser names a stock location it is the put-away movement itself. A rejected
inspection already opened an NCR and holds the lot: it is not released here."""

import uuid
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import ErrorCode
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.inventory.choices import Operation, StockStatus
from medtrace.inventory.ledger import location_uri
from medtrace.inventory.models import Stock
from medtrace.inventory.services import moves
from medtrace.inventory.statuses import status_of
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.purchasing.models import Receipt
from medtrace.purchasing.services.common import refuse
from medtrace.purchasing.services.receiving import incoming_plan
from medtrace.purchasing.workflows import RECEIPT
from medtrace.quality.choices import InspectionStage, InspectionStatus, InspectionVerdict
from medtrace.quality.models import InspectionRecord
from medtrace.trace.services.recording import record_event

RELEASE_STEP = "accepting"
RELEASED = "available"
ACCEPTED = (InspectionVerdict.ACCEPTED, InspectionVerdict.ACCEPTED_REINSTATE_NORMAL)


def inspection_of(receipt: Receipt) -> InspectionRecord | None:
    """The incoming inspection the release rests on: the one started at receipt, else the
    lot's latest incoming inspection not cancelled (started later by an inspector)."""
    if receipt.inspection_id:
        return receipt.inspection
    return (
        InspectionRecord.objects.filter(lot=receipt.lot, stage=InspectionStage.INCOMING)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("-started_at", "-pk")
        .first()
    )


def blockers(receipt: Receipt) -> list[str]:
    """Why the lot cannot be released now (empty when it can), each naming the record."""
    found = []
    record = inspection_of(receipt)
    names = {"lot": receipt.lot.lot_number, "item": receipt.lot.item.code}
    if record is None:
        plan = incoming_plan(receipt.lot.item)
        if plan is not None:
            names["plan"] = plan.code
            found.append(
                _(
                    "%(item)s is inspected on receipt (plan %(plan)s); no inspection of lot "
                    "%(lot)s was started."
                )
                % names
            )
    elif record.status != InspectionStatus.COMPLETED:
        names |= {"record": record.number, "status": record.get_status_display()}
        found.append(
            _(
                "Inspection %(record)s of lot %(lot)s is %(status)s; the lot is released once it "
                "is completed and accepted."
            )
            % names
        )
    elif record.verdict not in ACCEPTED:
        names["record"] = record.number
        found.append(
            _(
                "Inspection %(record)s rejected lot %(lot)s: its nonconformance decides what "
                "becomes of it."
            )
            % names
        )
    info = status_of(receipt.lot)
    if not found and info.status != StockStatus.QUARANTINE:
        names["status"] = info.describe()
        found.append(_("Lot %(lot)s of %(item)s has status %(status)s; only a lot in "
                       "quarantine is released.") % names)  # fmt: skip
    return [str(each) for each in found]


def _where(receipt: Receipt) -> Location | None:
    rows = list(
        Stock.objects.filter(object_id=receipt.lot_id, quantity__gt=0).select_related("location")
    )
    if len(rows) > 1:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Lot %(lot)s lies at %(count)s locations; release it without put-away, then move it.")
            % {"lot": receipt.lot.lot_number, "count": len(rows)},
            "location",
        )
    return rows[0].location if rows else None


def _status_event(receipt: Receipt, where: Location | None, reason: str, by):
    site = receipt.site
    now = timezone.localtime(timezone=ZoneInfo(site.time_zone))
    offset = now.strftime("%z")
    name = f"urn:medtrace:{site.organization.slug}:receipt:{receipt.number}:release"
    event = Event(
        event_type="ObjectEvent",
        event_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        event_time=now,
        event_time_zone_offset=f"{offset[:3]}:{offset[3:]}",
        action="OBSERVE",
        biz_step=RELEASE_STEP,
        disposition=RELEASED,
        read_point=location_uri(where) if where is not None else None,
        biz_location=location_uri(where) if where is not None else None,
        quantity_list=(QuantityElement(receipt.lot.identifier),),
        biz_transactions=(TypedId("po", receipt.order.urn),),
    )
    return record_event(event, organization=site.organization, site=site, by=by, reason=reason)


def release(
    receipt: Receipt, *, by, password: str, reason: str = "", location: Location | None = None
) -> Receipt:
    """QA's signed release of the received lot; with `location` (a stock location of the
    site) the lot is put away there by the same event."""

    def releasable(locked: Receipt):
        found = blockers(locked)
        if found:
            refuse(ErrorCode.INVALID_STATE, " ".join(found))
        if location is not None and (
            location.site_id != locked.site_id or location.kind != LocationKind.STOCK
        ):
            refuse(
                ErrorCode.VALIDATION,
                _("%(location)s is not a stock location of site %(site)s.")
                % {"location": location.path, "site": locked.site.code},
                "location",
            )

    def released(locked: Receipt) -> dict:
        record = inspection_of(locked)
        text = (
            _("Released from quarantine by %(receipt)s (inspection %(record)s accepted)")
            % {"receipt": locked.number, "record": record.number}
            if record is not None
            else _("Released from quarantine by %(receipt)s") % {"receipt": locked.number}
        )
        text = f"{text}. {reason}".strip() if reason.strip() else str(text)
        where = _where(locked)
        if location is not None and where is not None and where.pk != location.pk:
            event = moves.move(
                site=locked.site,
                lines=[moves.Line(locked.lot, None)],
                operation=Operation.TRANSFER,
                biz_step=RELEASE_STEP,
                disposition=RELEASED,
                source=where,
                destination=location,
                biz_transactions=(TypedId("po", locked.order.urn),),
                by=by,
                reason=text,
                key=f"receipt-{locked.pk}-release",
            )
        else:
            event = _status_event(locked, where, text, by)
        locked.release_event = event
        locked.released_at = timezone.now()
        return {
            "release_event": [None, event.event_id],
            "location": [None, location.path if location is not None else None],
        }

    return RECEIPT.take(
        receipt, "release", by=by, password=password, reason=reason, guard=releasable,
        effects=released,
    )  # fmt: skip
