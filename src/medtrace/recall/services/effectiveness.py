"""Recovery and effectiveness of a recall, read from its current scope: per consignee (and per
lot) what was shipped, whether the notice was sent and acknowledged, what the consignee
reported on hand / used / to return, what came back (received returns, through the shipping
returns flow, of objects in scope from that consignee's customer since the recall opened) and
whether all of it is accounted for; the totals and percentages the effectiveness check reads
(21 CFR 7.42(b)(3) levels A to E); and the affected stock in our hands with its status.

A lot at a consignee is accounted for when everything shipped came back, or when the consignee
acknowledged the notice reporting quantities (on hand, used, to return: each a part of what it
received, services.acknowledgements) that add up to what was shipped.

Every read is a fixed number of queries, whatever the number of consignees, lots or units
(values grouped in the database)."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import disposition_status
from medtrace.partners.models import Customer
from medtrace.recall.choices import NoticeStatus, Place, RecallEffectiveness
from medtrace.recall.models import Notice, NoticeLine, Recall, ScopeSnapshot
from medtrace.shipping.models import ReturnLine
from medtrace.trace.models import Party
from medtrace.trace.templatetags.trace_tags import party_name, party_url

ZERO = Decimal(0)
# Percent of the consignees each level verifies; B takes the recall's own share (above 10).
LEVEL_SHARE = {
    RecallEffectiveness.A: Decimal(100),
    RecallEffectiveness.C: Decimal(10),
    RecallEffectiveness.D: Decimal(2),
    RecallEffectiveness.E: ZERO,
}
# Stock of ours that is dealt with: on status recalled, or rejected (destroyed, damaged).
SETTLED = (StockStatus.RECALLED, StockStatus.REJECTED)
UNDELIVERED = (NoticeStatus.FAILED, NoticeStatus.BOUNCED)
# A consignee's status, as its colour on the page: (label, badge class).
CONSIGNEE_STATUS = {
    "accounted": (_("Accounted for"), "ok"),
    "responded": (_("Responded"), "ok"),
    "contacted": (_("Contacted, no response"), "warn"),
    "failed": (_("Notice not delivered"), "bad"),
    "waiting": (_("Not contacted"), "bad"),
}


def percent(part, whole) -> float | None:
    if not whole:
        return None
    return round(float(Decimal(part) * 100 / Decimal(whole)), 1)


@dataclass
class LotProgress:
    lot_id: int | None
    lot_number: str
    item: str
    shipped: Decimal
    uom: str
    units: int  # serialized units among what was shipped
    on_hand: Decimal | None = None
    used: Decimal | None = None
    to_return: Decimal | None = None
    returned: Decimal = ZERO
    accounted_at: datetime | None = None
    # (received_at, quantity) of the returns, in time order
    receipts: list = field(default_factory=list, repr=False)

    @property
    def reported(self) -> bool:
        return self.on_hand is not None or self.used is not None or self.to_return is not None

    @property
    def covered(self) -> Decimal:
        """What the consignee's report accounts for: on hand, used and to return."""
        return (self.on_hand or ZERO) + (self.used or ZERO) + (self.to_return or ZERO)

    @property
    def recovered(self) -> Decimal:
        return min(self.returned, self.shipped)

    @property
    def awaited(self) -> Decimal:
        """Reported to return and not received yet."""
        return max((self.to_return or ZERO) - self.returned, ZERO)

    @property
    def accounted(self) -> bool:
        return self.accounted_at is not None


@dataclass
class ConsigneeProgress:
    party: Party
    customer: Customer | None
    name: str
    url: str | None
    region: str
    notice: Notice | None
    lots: list[LotProgress] = field(default_factory=list)

    @property
    def contacted(self) -> bool:
        """The notice went out (and did not come back undelivered), or was answered."""
        if self.notice is None:
            return False
        if self.responded:
            return True
        return self.notice.sent_at is not None and self.notice.status not in UNDELIVERED

    @property
    def responded(self) -> bool:
        return self.notice is not None and self.notice.acknowledged_at is not None

    @property
    def accounted(self) -> bool:
        return bool(self.lots) and all(lot.accounted for lot in self.lots)

    @property
    def verified(self) -> bool:
        """Counts for the effectiveness check: it answered, or it is accounted for."""
        return self.responded or self.accounted

    @property
    def accounted_at(self) -> datetime | None:
        return max(lot.accounted_at for lot in self.lots) if self.accounted else None

    @property
    def status(self) -> str:
        """accounted / responded / contacted / failed (the notice bounced or was not
        delivered) / waiting (no notice sent yet): the colour the consignee is shown in."""
        if self.accounted:
            return "accounted"
        if self.responded:
            return "responded"
        if self.notice is not None and self.notice.status in UNDELIVERED:
            return "failed"
        return "contacted" if self.contacted else "waiting"

    @property
    def status_label(self) -> str:
        return str(CONSIGNEE_STATUS[self.status][0])

    @property
    def status_class(self) -> str:
        return CONSIGNEE_STATUS[self.status][1]

    def _sum(self, name: str) -> Decimal | None:
        values = [getattr(lot, name) for lot in self.lots if getattr(lot, name) is not None]
        return sum(values, ZERO) if values else None

    @property
    def shipped(self) -> Decimal:
        return sum((lot.shipped for lot in self.lots), ZERO)

    @property
    def uom(self) -> str:
        """The unit of measure when every lot shipped is counted in the same one, else ""."""
        units = {lot.uom for lot in self.lots}
        return units.pop() if len(units) == 1 else ""

    @property
    def on_hand(self) -> Decimal | None:
        return self._sum("on_hand")

    @property
    def used(self) -> Decimal | None:
        return self._sum("used")

    @property
    def to_return(self) -> Decimal | None:
        return self._sum("to_return")

    @property
    def returned(self) -> Decimal:
        return sum((lot.returned for lot in self.lots), ZERO)

    @property
    def awaited(self) -> Decimal:
        return sum((lot.awaited for lot in self.lots), ZERO)


@dataclass
class StockProgress:
    """An affected lot or unit in our hands now (stock or a line), with its status."""

    object_id: int
    identifier: str
    item: str
    lot_number: str
    serial: str
    quantity: Decimal
    uom: str
    status: StockStatus
    decided: bool  # QA decided on it as returned goods

    @property
    def held(self) -> bool:
        return self.status == StockStatus.RECALLED

    @property
    def settled(self) -> bool:
        return self.status in SETTLED or self.decided


@dataclass
class Progress:
    recall: Recall
    scope: ScopeSnapshot | None
    consignees: list[ConsigneeProgress]
    stock: list[StockProgress]

    @property
    def total(self) -> int:
        return len(self.consignees)

    @property
    def contacted(self) -> int:
        return sum(row.contacted for row in self.consignees)

    @property
    def responded(self) -> int:
        return sum(row.responded for row in self.consignees)

    @property
    def accounted(self) -> int:
        return sum(row.accounted for row in self.consignees)

    @property
    def verified(self) -> int:
        return sum(row.verified for row in self.consignees)

    @property
    def contacted_pct(self) -> float | None:
        return percent(self.contacted, self.total)

    @property
    def responded_pct(self) -> float | None:
        return percent(self.responded, self.total)

    @property
    def accounted_pct(self) -> float | None:
        return percent(self.accounted, self.total)

    @property
    def shipped_quantity(self) -> Decimal:
        return sum((row.shipped for row in self.consignees), ZERO)

    @property
    def returned_quantity(self) -> Decimal:
        """What came back, counting no lot at a consignee above what it was shipped."""
        return sum((lot.recovered for row in self.consignees for lot in row.lots), ZERO)

    @property
    def recovered_pct(self) -> float | None:
        return percent(self.returned_quantity, self.shipped_quantity)

    @property
    def uom(self) -> str:
        units = {lot.uom for row in self.consignees for lot in row.lots}
        return units.pop() if len(units) == 1 else ""

    @property
    def level(self) -> str:
        return self.recall.effectiveness

    @property
    def level_share(self) -> Decimal:
        """The percentage of consignees the level verifies."""
        if self.level == RecallEffectiveness.B:
            return Decimal(self.recall.effectiveness_share or 11)
        return LEVEL_SHARE[RecallEffectiveness(self.level)]

    @property
    def required(self) -> int:
        """How many consignees must be verified for the level (rounded up)."""
        return min(math.ceil(self.total * self.level_share / 100), self.total)

    @property
    def level_met(self) -> bool:
        return self.verified >= self.required

    @property
    def unverified(self) -> list[ConsigneeProgress]:
        return [row for row in self.consignees if not row.verified]

    @property
    def awaiting_returns(self) -> list[ConsigneeProgress]:
        return [row for row in self.consignees if row.awaited > 0]

    @property
    def held(self) -> int:
        return sum(row.held for row in self.stock)

    @property
    def unsettled(self) -> list[StockProgress]:
        return [row for row in self.stock if not row.settled]

    @property
    def accounted_at(self) -> datetime | None:
        """When the last consignee became accounted for (None until all are; with no
        consignee at all, when the scope was computed)."""
        if not self.consignees:
            return self.scope.computed_at if self.scope else None
        if self.accounted < self.total:
            return None
        return max(row.accounted_at for row in self.consignees)


def _lot_key(lot_id, item_id):
    return lot_id if lot_id is not None else f"item-{item_id}"


def _consignee_lots(scope: ScopeSnapshot) -> dict[int, dict]:
    """{party id: {lot key: LotProgress}} of what the scope has at consignees, summed in the
    database per party and lot."""
    rows = (
        scope.entries.filter(place=Place.CONSIGNEE, party__isnull=False)
        .values("party_id", "lot_id", "item_id", "lot__lot_number", "item__code", "uom")
        .annotate(shipped=Sum("quantity"), units=Count("pk", filter=~Q(serial="")))
        .order_by("party_id", "lot__lot_number", "item__code")
    )
    found: dict[int, dict] = defaultdict(dict)
    for row in rows:
        key = _lot_key(row["lot_id"], row["item_id"])
        lots = found[row["party_id"]]
        if key in lots:  # the same lot counted in two units of measure: keep the first's
            lots[key].shipped += row["shipped"] or ZERO
            lots[key].units += row["units"]
            continue
        lots[key] = LotProgress(
            lot_id=row["lot_id"],
            lot_number=row["lot__lot_number"] or "",
            item=row["item__code"],
            shipped=row["shipped"] or ZERO,
            uom=row["uom"],
            units=row["units"],
        )
    return found


def _add_reports(recall: Recall, found: dict[int, dict]) -> None:
    rows = (
        NoticeLine.objects.filter(notice__recall=recall, notice__party__isnull=False)
        .values("notice__party_id", "lot_id", "item_id")
        .annotate(on_hand=Sum("on_hand"), used=Sum("used"), to_return=Sum("to_return"))
    )
    for row in rows:
        lot = found.get(row["notice__party_id"], {}).get(_lot_key(row["lot_id"], row["item_id"]))
        if lot is not None:
            lot.on_hand, lot.used, lot.to_return = row["on_hand"], row["used"], row["to_return"]


def _add_returns(recall: Recall, scope: ScopeSnapshot, found: dict, customers: dict) -> None:
    """Received returns from each consignee's customer, since the recall opened, of objects
    the scope has at consignees; each goes to that customer's consignee holding the lot."""
    if not customers:
        return
    holders = defaultdict(list)  # (customer id, lot key) -> [party id]
    for party_id, customer_id in sorted(customers.items()):
        for key in found.get(party_id, {}):
            holders[customer_id, key].append(party_id)
    rows = (
        ReturnLine.objects.filter(
            organization_id=recall.organization_id,
            rma__customer_id__in=set(customers.values()),
            rma__received_at__isnull=False,
            rma__received_at__gte=recall.opened_at,
            object_id__in=scope.entries.filter(place=Place.CONSIGNEE).values("object_id"),
        )
        .values_list(
            "rma__customer_id", "lot_id", "object__as_unit__lot_id", "item_id", "quantity",
            "rma__received_at",
        )
        .order_by("rma__received_at", "pk")
    )  # fmt: skip
    for customer_id, lot_id, unit_lot_id, item_id, quantity, received_at in rows:
        key = _lot_key(lot_id or unit_lot_id, item_id)
        parties = holders.get((customer_id, key))
        if not parties:
            continue
        lot = found[parties[0]][key]
        lot.returned += quantity
        lot.receipts.append((received_at, quantity))


def _accounted_at(lot: LotProgress, notice: Notice | None) -> datetime | None:
    moments = []
    answered = notice is not None and notice.acknowledged_at is not None and lot.reported
    if answered and lot.covered >= lot.shipped:
        moments.append(notice.acknowledged_at)
    back = ZERO
    for received_at, quantity in lot.receipts:
        back += quantity
        if back >= lot.shipped:
            moments.append(received_at)
            break
    return min(moments) if moments else None


def _our_stock(recall: Recall, scope: ScopeSnapshot) -> list[StockProgress]:
    rows = (
        Stock.objects.filter(object_id__in=scope.entries.values("object_id"), quantity__gt=0)
        .values(
            "object_id", "object__identifier", "object__disposition", "item__code",
            "lot__lot_number", "object__as_unit__serial", "uom",
        )
        .annotate(total=Sum("quantity"))
        .order_by("item__code", "lot__lot_number", "object__as_unit__serial", "object_id")
    )  # fmt: skip
    rows = list(rows)
    decided = set(
        ReturnLine.objects.filter(
            organization_id=recall.organization_id,
            object_id__in={row["object_id"] for row in rows},
            rma__received_at__gte=recall.opened_at,
        )
        .exclude(decision="")
        .values_list("object_id", flat=True)
    )
    return [
        StockProgress(
            object_id=row["object_id"],
            identifier=row["object__identifier"],
            item=row["item__code"],
            lot_number=row["lot__lot_number"] or "",
            serial=row["object__as_unit__serial"] or "",
            quantity=row["total"],
            uom=row["uom"],
            status=disposition_status(row["object__disposition"] or ""),
            decided=row["object_id"] in decided,
        )
        for row in rows
    ]


def progress(recall: Recall) -> Progress:
    """Where the recall's current scope stands: one row per consignee (with its lots), the
    affected stock in our hands, and the totals the effectiveness check reads."""
    scope = recall.current_scope()
    if scope is None:
        return Progress(recall=recall, scope=None, consignees=[], stock=[])
    found = _consignee_lots(scope)
    notices = {
        notice.party_id: notice
        for notice in Notice.objects.filter(recall=recall, party_id__in=list(found)).select_related(
            "customer"
        )
    }
    parties = Party.objects.select_related("customer", "supplier").in_bulk(list(found))
    customers = {}
    for party_id in found:
        notice = notices.get(party_id)
        customer_id = parties[party_id].customer_id or (notice.customer_id if notice else None)
        if customer_id is not None:
            customers[party_id] = customer_id
    _add_reports(recall, found)
    _add_returns(recall, scope, found, customers)
    rows = []
    for party_id, lots in found.items():
        party, notice = parties[party_id], notices.get(party_id)
        if notice is not None:
            notice.recall = recall  # its number reads the recall's
        for lot in lots.values():
            lot.accounted_at = _accounted_at(lot, notice)
        customer = party.customer or (notice.customer if notice else None)
        region = (notice.region if notice else "") or (customer.region if customer else "")
        rows.append(
            ConsigneeProgress(
                party=party,
                customer=customer,
                name=party_name(party),
                url=party_url(party),
                region=region,
                notice=notice,
                lots=list(lots.values()),
            )
        )
    rows.sort(key=lambda row: (row.region, row.name, row.party.pk))
    return Progress(recall=recall, scope=scope, consignees=rows, stock=_our_stock(recall, scope))
