"""Returns (RMA): authorized against the shipment that sent the goods (only what went to that
customer on it may come back), received into quarantine at the site's returns location
(movement RETURN, disposition returned, from the customer's party), then decided line by line
by QA: restocked (available again, moved to a stock location), scrapped (destroyed, out of
stock) or investigated under an NCR."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.numbers import plain
from medtrace.epcis.model import TypedId
from medtrace.inventory import statuses
from medtrace.inventory.choices import Operation, StockStatus
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.quality.choices import NcrSource, Severity
from medtrace.quality.services.nonconformance import open_nonconformance
from medtrace.quality.services.numbering import next_number
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import TraceObject

from .. import selectors
from ..choices import OrderStatus, ReturnDecision, ReturnStatus
from ..models import ReturnAuthorization, ReturnLine, ShipmentOrder
from .common import customer_party, lots_still_held, refuse, site_location


def _require(by, perm: str, record, message):
    if not access.permits(by, perm, record):
        refuse(ErrorCode.PERMISSION_DENIED, message)


def rma_transaction(rma: ReturnAuthorization) -> TypedId:
    return TypedId("rma", f"urn:medtrace:{rma.organization.slug}:rma:{rma.number}")


@transaction.atomic
def create_return(
    order: ShipmentOrder, *, lines: list[tuple[TraceObject, object]], reason: str, by
) -> ReturnAuthorization:
    """Authorize the return of `lines` ((unit, None) or (lot, quantity)) shipped on `order`."""
    order = (
        ShipmentOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=order.pk)
    )
    _require(
        by,
        "shipping.add_returnauthorization",
        order,
        _("Your roles do not allow authorizing returns of %(order)s.") % {"order": order.number},
    )
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; only what was shipped can come back.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    if not reason.strip():
        refuse(ErrorCode.REASON_REQUIRED, _("Give the reason for the return."), "reason")
    if not lines:
        refuse(ErrorCode.VALIDATION, _("Name what comes back."), "lines")
    shipped = selectors.shipped_contents(order)
    already = selectors.authorized_returns(order)
    wanted: dict[int, Decimal] = {}
    for obj, quantity in lines:
        entry = shipped.get(obj.pk)
        if entry is None:
            refuse(
                ErrorCode.VALIDATION,
                _("%(object)s was not shipped to %(customer)s on %(order)s; it cannot be "
                  "returned against it.")
                % {
                    "object": obj.identifier,
                    "customer": order.customer.code,
                    "order": order.number,
                },
                "lines",
                object=obj.identifier,
            )  # fmt: skip
        if obj.kind == ObjectKind.UNIT:
            amount = Decimal(1)
        elif quantity in (None, ""):
            amount = entry["quantity"]
        else:
            amount = moves.quantity(quantity, field="lines")
        wanted[obj.pk] = wanted.get(obj.pk, Decimal(0)) + amount
        left = entry["quantity"] - already.get(obj.pk, Decimal(0))
        if wanted[obj.pk] > left:
            refuse(
                ErrorCode.VALIDATION,
                _("%(object)s: %(left)s %(uom)s shipped on %(order)s may still come back; "
                  "%(asked)s asked.")
                % {
                    "object": obj.identifier,
                    "left": plain(max(left, Decimal(0))),
                    "uom": entry["uom"],
                    "order": order.number,
                    "asked": plain(wanted[obj.pk]),
                },
                "lines",
            )  # fmt: skip
    rma = ReturnAuthorization.objects.create(
        organization_id=order.organization_id,
        site=order.site,
        number=next_number(order.organization, "RMA"),
        order=order,
        customer=order.customer,
        reason=reason.strip(),
        created_by=by,
    )
    for pk, amount in wanted.items():
        entry = shipped[pk]
        ReturnLine.objects.create(
            organization_id=order.organization_id,
            rma=rma,
            object=entry["object"],
            lot=entry["lot"],
            item=entry["item"],
            quantity=amount,
            uom=entry["uom"],
        )
    changes = audit.created(rma)
    changes["lines"] = [
        None,
        [[shipped[pk]["object"].identifier, plain(q)] for pk, q in wanted.items()],
    ]
    audit.record(AuditAction.CREATE, rma, by=by, changes=changes, reason=rma.reason)
    return rma


def _locked(rma: ReturnAuthorization) -> ReturnAuthorization:
    return (
        ReturnAuthorization.objects.select_for_update(of=("self",))
        .select_related("site", "customer", "order", "organization")
        .get(pk=rma.pk)
    )


@transaction.atomic
def receive_return(
    rma: ReturnAuthorization, *, by, key: str | None = None, at: datetime | None = None
) -> ReturnAuthorization:
    """The goods arrived: into quarantine (disposition returned) at the returns location."""
    rma = _locked(rma)
    _require(
        by,
        "shipping.receive_returnauthorization",
        rma,
        _("Your roles do not allow receiving %(rma)s.") % {"rma": rma.number},
    )
    if (
        rma.status == ReturnStatus.RECEIVED
        and key
        and rma.received_event_id
        and rma.received_event.event_id == moves.event_id_for(rma.organization, key)
    ):
        return rma
    if rma.status != ReturnStatus.AUTHORIZED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(rma)s is %(status)s; only an authorized return is received.")
            % {"rma": rma.number, "status": rma.get_status_display()},
        )
    lines = list(rma.lines.select_related("object").order_by("pk"))
    lots = {line.object_id: Decimal(0) for line in lines if line.object.kind == ObjectKind.LOT}
    event = moves.move(
        site=rma.site,
        lines=[
            moves.Line(line.object, line.quantity if line.object.kind == ObjectKind.LOT else None)
            for line in lines
        ],
        operation=Operation.RETURN,
        biz_step="receiving",
        disposition=None if lots_still_held(lots) else "returned",
        destination=site_location(rma.site, LocationKind.RETURNS),
        parties_from=(customer_party(rma.customer, by=by),),
        biz_transactions=(rma_transaction(rma),),
        reason=rma.reason,
        by=by,
        key=key,
        at=at,
    )
    rma.status = ReturnStatus.RECEIVED
    rma.received_at = event.event_time
    rma.received_event = event
    rma.save()
    audit.record(
        AuditAction.TRANSITION,
        rma,
        by=by,
        changes={
            "status": [ReturnStatus.AUTHORIZED, ReturnStatus.RECEIVED],
            "received_event": [None, event.event_id],
        },
    )
    return rma


@transaction.atomic
def decide_line(
    line: ReturnLine,
    *,
    decision: str,
    by,
    reason: str,
    location: Location | None = None,
    severity: str = Severity.MAJOR,
) -> ReturnLine:
    """QA's decision on a received line: restock to `location` (a stock location of the
    site), scrap, or open an NCR (the goods stay in quarantine at the returns location)."""
    rma = _locked(line.rma)
    line = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("object", "lot", "item")
        .get(pk=line.pk)
    )
    _require(
        by,
        "shipping.decide_returnauthorization",
        rma,
        _("Your roles do not allow deciding on returned goods."),
    )
    if rma.status != ReturnStatus.RECEIVED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(rma)s is %(status)s; returned goods are decided once received.")
            % {"rma": rma.number, "status": rma.get_status_display()},
        )
    if line.decision:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(object)s was already decided: %(decision)s.")
            % {"object": line.object.identifier, "decision": line.get_decision_display()},
        )
    if decision not in ReturnDecision.values:
        refuse(ErrorCode.VALIDATION, _("Choose restock, scrap or NCR."), "decision")
    if not reason.strip():
        refuse(ErrorCode.REASON_REQUIRED, _("Give the reason for the decision."), "reason")
    returns = site_location(rma.site, LocationKind.RETURNS)
    amount = line.quantity if line.object.kind == ObjectKind.LOT else None
    lots = {line.object_id: line.quantity} if line.object.kind == ObjectKind.LOT else {}
    if decision == ReturnDecision.RESTOCK:
        if (
            location is None
            or location.site_id != rma.site_id
            or location.kind != LocationKind.STOCK
        ):
            refuse(
                ErrorCode.VALIDATION,
                _("Choose a stock location of %(site)s to restock to.") % {"site": rma.site.code},
                "location",
            )
        info = statuses.status_of(line.object, today=rma.site.local_date())
        if info.status not in (StockStatus.QUARANTINE, StockStatus.AVAILABLE):
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(object)s has status %(status)s; restocking would release it. Decide it "
                  "through its NCR or scrap it.")
                % {"object": line.object.identifier, "status": info.describe()},
            )  # fmt: skip
        line.decision_event = moves.move(
            site=rma.site,
            lines=[moves.Line(line.object, amount)],
            operation=Operation.TRANSFER,
            biz_step="storing",
            disposition="available" if info.status == StockStatus.QUARANTINE else None,
            source=returns,
            destination=location,
            biz_transactions=(rma_transaction(rma),),
            reason=reason.strip(),
            by=by,
        )
        line.restocked_to = location
    elif decision == ReturnDecision.SCRAP:
        line.decision_event = moves.move(
            site=rma.site,
            lines=[moves.Line(line.object, amount)],
            operation=Operation.SCRAP,
            biz_step="destroying",
            disposition=None if lots_still_held(lots) else "destroyed",
            source=returns,
            biz_transactions=(rma_transaction(rma),),
            reason=reason.strip(),
            by=by,
        )
    else:
        line.ncr = open_nonconformance(
            site=rma.site,
            title=str(
                _("Customer return %(rma)s: %(object)s")
                % {"rma": rma.number, "object": line.lot or line.object.identifier}
            )[:200],
            description=f"{rma.reason}\n\n{reason.strip()}",
            source=NcrSource.CUSTOMER_RETURN,
            severity=severity,
            by=by,
            lot=line.lot if line.lot and line.lot.site_id == rma.site_id else None,
            item=line.item,
            quantity=line.quantity,
            uom=line.uom,
            # The returned goods are already in quarantine at the returns location; holding
            # the whole lot would take the rest of it (in stock, at customers) too: that is
            # the NCR's own decision to take.
            hold=False,
        )
    line.decision = decision
    line.decision_reason = reason.strip()
    line.decided_by = by
    line.decided_at = timezone.now()
    line.save()
    audit.record(
        AuditAction.CHANGE,
        line,
        by=by,
        changes={
            "decision": ["", decision],
            "decision_event": [None, line.decision_event.event_id if line.decision_event else None],
            "ncr": [None, line.ncr.number if line.ncr else None],
        },
        reason=line.decision_reason,
        site_id=rma.site_id,  # a return line has no site of its own: the RMA's
    )
    if not rma.lines.filter(decision="").exists():
        rma.status = ReturnStatus.CLOSED
        rma.closed_at = timezone.now()
        rma.save()
        audit.record(
            AuditAction.TRANSITION,
            rma,
            by=by,
            changes={"status": [ReturnStatus.RECEIVED, ReturnStatus.CLOSED]},
        )
    return line
