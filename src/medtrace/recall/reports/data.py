"""What a recall's regulator reports are filled from, read in a fixed number of queries whatever
the size of the scope: the recall and its organization and responsible site, the current scope
summed per lot and place and per consignee (our customer's name, address, region, contact and
e-mail), the devices (catalog item with its base-unit UDI-DI, model and registration
certificate), the quantity each lot was made in, the notices (how many prepared, sent and
acknowledged, what the consignees reported, and one notice per audience as the copy of the
communication), the regulators' deadlines and the complaint that raised the recall.

Nothing is made up: a value medtrace does not hold stays empty, and the reports print it as
not recorded."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from medtrace.catalog.choices import ItemKind, PackagingLevel
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.partners.models import Customer
from medtrace.production.models import Output
from medtrace.recall.choices import Audience, NoticeStatus, Place
from medtrace.recall.models import Notice, NoticeLine, Recall, ScopeSnapshot
from medtrace.recall.services.deadlines import Deadline, deadlines
from medtrace.trace.models import Lot, Party

# Serial numbers printed per lot (or per consignee's lot) before "and N more": a report stays
# readable for a recall of thousands of units; the full list is the scope itself.
SERIALS_SHOWN = 40
ZERO = Decimal(0)


@dataclass
class Device:
    """An affected item and its base-unit UDI-DI (None when the catalog has none)."""

    item: Item
    di: DeviceIdentifier | None

    @property
    def is_device(self) -> bool:
        return self.di is not None or self.item.kind == ItemKind.FINISHED_DEVICE


@dataclass
class Serials:
    shown: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, serial: str) -> None:
        self.total += 1
        if len(self.shown) < SERIALS_SHOWN:
            self.shown.append(serial)

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass
class LotRow:
    """An affected lot (or the units of one) and how much of it is where."""

    item: Item
    lot: Lot | None
    uom: str = ""
    stock: Decimal = ZERO
    wip: Decimal = ZERO
    distributed: Decimal = ZERO
    manufactured: Decimal | None = None  # what production recorded as made; None if not ours
    first_shipped: datetime | None = None
    last_shipped: datetime | None = None
    serials: Serials = field(default_factory=Serials)

    @property
    def lot_number(self) -> str:
        return self.lot.lot_number if self.lot else ""

    @property
    def in_scope(self) -> Decimal:
        return self.stock + self.wip + self.distributed


@dataclass
class ShippedLot:
    """What one consignee received of one lot."""

    item: Item
    lot: Lot | None
    quantity: Decimal
    uom: str
    first_shipped: datetime | None
    last_shipped: datetime | None
    serials: Serials = field(default_factory=Serials)

    @property
    def lot_number(self) -> str:
        return self.lot.lot_number if self.lot else ""


@dataclass
class Consignee:
    party: Party
    customer: Customer | None
    lots: list[ShippedLot] = field(default_factory=list)
    # What the consignee reported on its acknowledgement (None until it answered).
    on_hand: Decimal | None = None
    used: Decimal | None = None
    to_return: Decimal | None = None
    contacted: bool = False
    responded: bool = False

    @property
    def name(self) -> str:
        if self.customer is not None:
            return self.customer.display_name
        return self.party.name or self.party.identifier

    def _customer(self, name: str) -> str:
        return getattr(self.customer, name, "") if self.customer is not None else ""

    @property
    def address(self) -> str:
        return self._customer("address")

    @property
    def region(self) -> str:
        return self._customer("region")

    @property
    def contact(self) -> str:
        return self._customer("contact")

    @property
    def email(self) -> str:
        return self._customer("email")

    @property
    def code(self) -> str:
        return self._customer("code")

    @property
    def quantity(self) -> Decimal:
        return sum((row.quantity for row in self.lots), ZERO)

    @property
    def uoms(self) -> str:
        return "/".join(sorted({row.uom for row in self.lots if row.uom}))

    @property
    def first_shipped(self) -> datetime | None:
        return min((row.first_shipped for row in self.lots if row.first_shipped), default=None)

    @property
    def last_shipped(self) -> datetime | None:
        return max((row.last_shipped for row in self.lots if row.last_shipped), default=None)


@dataclass
class Notices:
    counts: dict[str, int] = field(default_factory=dict)  # by NoticeStatus
    # The first notice (by number) for each audience: the copy of the communication.
    copies: list[Notice] = field(default_factory=list)
    # Regulators or end users written to: recipients that are not consignees.
    others: list[Notice] = field(default_factory=list)
    sent: int = 0  # ever sent (sent, bounced later, acknowledged)
    acknowledged: int = 0
    on_hand: Decimal | None = None
    used: Decimal | None = None
    to_return: Decimal | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def prepared(self) -> int:
        return self.counts.get(NoticeStatus.PREPARED, 0)

    @property
    def failed(self) -> int:
        return self.counts.get(NoticeStatus.FAILED, 0) + self.counts.get(NoticeStatus.BOUNCED, 0)


@dataclass
class ReportData:
    recall: Recall
    scope: ScopeSnapshot | None
    devices: list[Device]
    lots: list[LotRow]
    consignees: list[Consignee]
    notices: Notices
    deadlines: list[Deadline]
    roots: list[str]
    today: date
    printed_at: datetime
    complaint_reports: list[str] = field(default_factory=list)  # MDR / report draft numbers

    @property
    def organization(self):
        return self.recall.organization

    @property
    def site(self):
        return self.recall.site

    @property
    def products(self) -> list[Device]:
        """The affected devices placed on the market (finished devices or items with a UDI-DI);
        every affected item when none is one."""
        return [device for device in self.devices if device.is_device] or self.devices

    @property
    def regions(self) -> list[str]:
        return sorted({row.region for row in self.consignees if row.region})

    @property
    def distributed(self) -> Decimal:
        return sum((row.distributed for row in self.lots), ZERO)

    def deadlines_of(self, regime: str) -> list[Deadline]:
        return [deadline for deadline in self.deadlines if deadline.regime == regime]


def _devices(item_ids: set[int]) -> dict[int, Device]:
    items = Item.objects.in_bulk(item_ids)
    identifiers = {}
    for di in DeviceIdentifier.objects.filter(
        item_id__in=item_ids, packaging_level=PackagingLevel.BASE_UNIT
    ).order_by("-is_active", "pk"):
        identifiers.setdefault(di.item_id, di)
    return {pk: Device(item, identifiers.get(pk)) for pk, item in items.items()}


def _manufactured(lot_ids: set[int]) -> dict[int, Decimal]:
    rows = (
        Output.objects.filter(work_order__lot_id__in=lot_ids)
        .values("work_order__lot_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["work_order__lot_id"]: row["total"] for row in rows}


def _scope_rows(scope: ScopeSnapshot):
    """The scope summed per place, consignee, item, lot and unit of measure."""
    return (
        scope.entries.values("place", "party_id", "item_id", "lot_id", "uom")
        .annotate(
            quantity=Sum("quantity"),
            first=Min("shipment__event_time"),
            last=Max("shipment__event_time"),
        )
        .order_by("place", "party_id", "item_id", "lot_id", "uom")
    )


def _lots_and_consignees(scope: ScopeSnapshot | None, devices_out: dict):
    if scope is None:
        return [], []
    rows = list(_scope_rows(scope))
    item_ids = {row["item_id"] for row in rows}
    lot_ids = {row["lot_id"] for row in rows if row["lot_id"]}
    party_ids = {row["party_id"] for row in rows if row["party_id"]}
    devices_out.update(_devices(item_ids))
    lots = Lot.objects.only(
        "pk", "item_id", "lot_number", "manufactured_on", "expires_on", "identifier"
    ).in_bulk(lot_ids)
    parties = Party.objects.select_related("customer").in_bulk(party_ids)
    made = _manufactured(lot_ids)

    by_lot: dict[tuple, LotRow] = {}
    by_party: dict[int, Consignee] = {}
    shipped: dict[tuple, ShippedLot] = {}
    for row in rows:
        item = devices_out[row["item_id"]].item
        lot = lots.get(row["lot_id"])
        key = (row["item_id"], row["lot_id"])
        lot_row = by_lot.get(key)
        if lot_row is None:
            lot_row = by_lot[key] = LotRow(
                item=item, lot=lot, uom=row["uom"], manufactured=made.get(row["lot_id"])
            )
        quantity = row["quantity"] or ZERO
        place = row["place"]
        if place == Place.STOCK:
            lot_row.stock += quantity
        elif place == Place.WIP:
            lot_row.wip += quantity
        else:
            lot_row.distributed += quantity
            lot_row.first_shipped = _earliest(lot_row.first_shipped, row["first"])
            lot_row.last_shipped = _latest(lot_row.last_shipped, row["last"])
            party = parties[row["party_id"]]
            consignee = by_party.get(party.pk)
            if consignee is None:
                consignee = by_party[party.pk] = Consignee(party=party, customer=party.customer)
            line = ShippedLot(item, lot, quantity, row["uom"], row["first"], row["last"])
            consignee.lots.append(line)
            shipped[party.pk, *key] = line
    serial_rows = (
        scope.entries.exclude(serial="")
        .values_list("place", "party_id", "item_id", "lot_id", "serial")
        .order_by("item_id", "lot_id", "serial", "party_id")
    )
    seen = set()
    for place, party_id, item_id, lot_id, serial in serial_rows:
        if (item_id, serial) not in seen:  # a unit both in stock and at a consignee: once
            seen.add((item_id, serial))
            by_lot[item_id, lot_id].serials.add(serial)
        if place == Place.CONSIGNEE:
            shipped[party_id, item_id, lot_id].serials.add(serial)
    lot_rows = sorted(by_lot.values(), key=lambda r: (r.item.code, r.lot_number))
    consignees = sorted(by_party.values(), key=lambda c: (c.name, c.party.pk))
    for consignee in consignees:
        consignee.lots.sort(key=lambda r: (r.item.code, r.lot_number))
    return lot_rows, consignees


def _earliest(a, b):
    return min(filter(None, (a, b)), default=None)


def _latest(a, b):
    return max(filter(None, (a, b)), default=None)


def _notices(recall: Recall, consignees: list[Consignee]) -> Notices:
    found = Notices()
    by_party = {consignee.party.pk: consignee for consignee in consignees}
    first: dict[str, int] = {}  # audience -> its first notice's number
    rows = recall.notices.values(
        "party_id", "status", "sent_at", "acknowledged_at", "audience", "sequence"
    )
    for row in rows:
        first[row["audience"]] = min(first.get(row["audience"], row["sequence"]), row["sequence"])
        found.counts[row["status"]] = found.counts.get(row["status"], 0) + 1
        found.sent += row["sent_at"] is not None
        found.acknowledged += row["acknowledged_at"] is not None
        consignee = by_party.get(row["party_id"])
        if consignee is not None:
            consignee.contacted = row["sent_at"] is not None
            consignee.responded = row["acknowledged_at"] is not None
    wanted = Q(sequence__in=first.values()) | Q(party__isnull=True)
    picked = list(recall.notices.filter(wanted).order_by("sequence")) if first else []
    order = list(Audience.values)
    found.copies = sorted(
        (notice for notice in picked if first.get(notice.audience) == notice.sequence),
        key=lambda notice: order.index(notice.audience),
    )
    found.others = [notice for notice in picked if notice.party_id is None]

    reported = (
        NoticeLine.objects.filter(notice__recall=recall, notice__party__isnull=False)
        .filter(on_hand__isnull=False)
        .values("notice__party_id")
        .annotate(on_hand=Sum("on_hand"), used=Sum("used"), to_return=Sum("to_return"))
    )
    for row in reported:
        consignee = by_party.get(row["notice__party_id"])
        if consignee is not None:
            consignee.on_hand, consignee.used = row["on_hand"], row["used"]
            consignee.to_return = row["to_return"]
        for name in ("on_hand", "used", "to_return"):
            setattr(found, name, (getattr(found, name) or ZERO) + (row[name] or ZERO))
    return found


def _complaint_reports(recall: Recall) -> list[str]:
    if recall.complaint_id is None:
        return []
    drafts = recall.complaint.reports.order_by("region", "sequence").values_list(
        "region", "sequence"
    )
    return [f"{recall.complaint.number}-{region.upper()}-{sequence}" for region, sequence in drafts]


def gather(recall: Recall, *, now: datetime | None = None) -> ReportData:
    """Everything the reports print about `recall`, as it is now."""
    now = now or timezone.now()
    scope = recall.current_scope()
    devices: dict[int, Device] = {}
    lots, consignees = _lots_and_consignees(scope, devices)
    return ReportData(
        recall=recall,
        scope=scope,
        devices=sorted(devices.values(), key=lambda d: d.item.code),
        lots=lots,
        consignees=consignees,
        notices=_notices(recall, consignees),
        deadlines=deadlines(recall),
        roots=list(recall.roots.order_by("pk").values_list("identifier", flat=True)),
        today=recall.site.local_date(now),
        printed_at=now,
        complaint_reports=_complaint_reports(recall),
    )
