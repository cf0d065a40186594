"""The demo plant's shipping desk at the Suzhou plant (SZ01): the SSCC series, customers'
shelf-life terms, and shipment orders in every state, from a draft to a delivered order with a
return under investigation. All through the shipping services, as the order desk (qa) and the
warehouse clerk (warehouse) would do it.

The year of history (demo.history) records its events without locations, so it leaves no
stock; until it does, finished goods are put into the finished-goods store here first (a
production put: released lots of the infusion set and serialized catheter kits). When stock of
them is already there, nothing is added.

Wire it into STEPS after the trace history: ("shipments and returns", shipping.build_shipping).
"""

from datetime import timedelta
from decimal import Decimal

from medtrace.catalog.choices import IssuingAgency, PackagingLevel
from medtrace.catalog.services import lot_numbers
from medtrace.demo.catalog import GS1_COMPANY_PREFIX
from medtrace.demo.plant import DemoPlant
from medtrace.inventory.choices import Operation
from medtrace.inventory.selectors import fefo
from medtrace.inventory.services import moves
from medtrace.partners.models import Customer
from medtrace.shipping.choices import DeliveryChannel
from medtrace.shipping.selectors import picking_list
from medtrace.shipping.services import orders, packing, picking, returns, shipment, sscc
from medtrace.trace import services as trace
from medtrace.trace.choices import LotOrigin

SITE = "SZ01"
STORE = "FG"
INFUSION, KIT = "IS-2001", "CVC-3001"
# Extension digits 0 and 1 are the history's cases and pallets; the shipping desk uses 5.
SSCC_EXTENSION = "5"
# (customer, minimum remaining shelf life in days)
TERMS = [("H-SUDA1", 365), ("H-RUIJIN", 180), ("H-ZJU1", 180), ("D-JSMED", 540), ("D-GDMED", 540)]
# Fresh stock put into the store when there is none: (item, months since made, quantity).
INFUSION_LOTS = [(9, 1200), (4, 2400), (1, 2400)]
KIT_UNITS = 24
# What the orders below take (picked in full or in part), with some to spare.
NEEDED = {INFUSION: Decimal(1200), KIT: Decimal(14)}


def build_shipping(demo: DemoPlant) -> None:
    Desk(demo).build()


class Desk:
    def __init__(self, demo: DemoPlant):
        self.demo = demo
        self.organization = demo.organization
        self.site = demo.sites[SITE]
        self.qa = demo.users["qa"]
        self.clerk = demo.users["warehouse"]
        self.store = demo.locations[(SITE, STORE)]
        self.items = demo.items
        self.customers = {
            c.code: c for c in Customer.objects.filter(organization=self.organization)
        }
        self.today = self.site.local_date()

    def build(self) -> None:
        sscc.create_series(
            organization=self.organization,
            gs1_company_prefix=GS1_COMPANY_PREFIX,
            extension_digit=SSCC_EXTENSION,
            by=self.qa,
        )
        for code, days in TERMS:
            if code in self.customers:
                orders.set_terms(
                    customer=self.customers[code],
                    min_remaining_shelf_life_days=days,
                    by=self.qa,
                    reason="质量协议 / quality agreement",
                )
        self._stock()
        self._orders()

    # Stock to ship from.

    def _gtin(self, code: str) -> str:
        di = (
            self.items[code]
            .device_identifiers.filter(
                issuing_agency=IssuingAgency.GS1, packaging_level=PackagingLevel.BASE_UNIT
            )
            .first()
        )
        return di.value if di else ""

    def new_lot(self, code: str, months_ago: int):
        item = self.items[code]
        made = self.today - timedelta(days=30 * months_ago)
        return trace.create_lot(
            item=item,
            lot_number=lot_numbers.next_lot_number(item=item, site=self.site, today=made),
            gtin=self._gtin(code),
            site=self.site,
            origin=LotOrigin.PRODUCED,
            manufactured_on=made,
            expires_on=made + timedelta(days=item.shelf_life_days or 1095),
            by=self.demo.users["supervisor"],
        )

    def put_away(self, obj, quantity=None) -> None:
        moves.move(
            site=self.site,
            lines=[moves.Line(obj, Decimal(quantity) if quantity is not None else None)],
            operation=Operation.RECEIVE,
            biz_step="storing",
            disposition="available",
            destination=self.store,
            reason="成品入库 / finished goods put away after release",
            by=self.clerk,
        )

    def _available(self, code: str) -> Decimal:
        """What the strictest customer may be sent of `code` from the store's FEFO rows."""
        strictest = self.today + timedelta(days=max(days for _code, days in TERMS))
        rows = fefo(self.site, self.items[code], today=self.today, min_expires_on=strictest)
        return sum((row.quantity for row in rows), Decimal(0))

    def _stock(self) -> None:
        if self._available(INFUSION) < NEEDED[INFUSION]:
            for months, quantity in INFUSION_LOTS:
                self.put_away(self.new_lot(INFUSION, months), quantity)
        if self._available(KIT) < NEEDED[KIT]:
            lot = self.new_lot(KIT, 2)
            for number in range(1, KIT_UNITS + 1):
                unit = trace.create_unit(
                    item=lot.item,
                    serial=f"KD{self.today:%y}{number:05d}",
                    gtin=lot.gtin,
                    lot=lot,
                    site=self.site,
                    by=self.demo.users["supervisor"],
                )
                self.put_away(unit)

    # Orders in every state.

    def order(self, customer: str, lines, reference: str, *, release=True):
        order = orders.create_order(
            site=self.site,
            customer=self.customers[customer],
            lines=[(self.items[code], quantity) for code, quantity in lines],
            by=self.qa,
            customer_reference=reference,
            requested_on=self.today + timedelta(days=5),
        )
        return orders.release_order(order, by=self.qa) if release else order

    def pick_all(self, order, *, limit=None) -> None:
        """Pick each line from the FEFO suggestions, as the clerk would."""
        for entry in picking_list(order):
            left = entry.remaining if limit is None else min(entry.remaining, limit)
            for suggestion in entry.suggestions:
                if left <= 0:
                    break
                if suggestion.units:
                    for unit in suggestion.units[: int(left)]:
                        picking.pick(order, obj=unit, by=self.clerk)
                        left -= 1
                else:
                    take = min(left, suggestion.quantity)
                    picking.pick(
                        order,
                        obj=suggestion.lot,
                        quantity=take,
                        source=suggestion.location,
                        by=self.clerk,
                    )
                    left -= take

    def pack_and_ship(self, order, *, pallet=False):
        packing.pack_case(order, by=self.clerk)
        if pallet:
            packing.pack_pallet(order, by=self.clerk)
        packing.finish_packing(order, by=self.clerk)
        return shipment.ship(order, by=self.clerk)

    def _orders(self) -> None:
        delivered = self.order("H-SUDA1", [(INFUSION, 400), (KIT, 6)], "SUDA-2026-118")
        self.pick_all(delivered)
        delivered = self.pack_and_ship(delivered, pallet=True)
        delivered = shipment.confirm_delivery(
            delivered,
            channel=DeliveryChannel.LINK,
            received_by="张丽 (设备科 / equipment dept.)",
            scanned=[delivered.packages.get(parent__isnull=True).sscc],
        )
        in_transit = self.order("H-RUIJIN", [(INFUSION, 200)], "RJ-PO-55731")
        self.pick_all(in_transit)
        self.pack_and_ship(in_transit)
        picking_now = self.order("D-JSMED", [(INFUSION, 600), (KIT, 4)], "HK-2026-0412")
        self.pick_all(picking_now, limit=100)
        self.order("H-ZJU1", [(KIT, 4)], "ZJU1-2026-77")
        self.order("C-SIP", [(INFUSION, 50)], "", release=False)
        # One catheter kit of the delivered order comes back with a damaged pouch.
        kit = delivered.packages.filter(contents__object__kind="unit").first()
        unit = kit.contents.filter(object__kind="unit").first().object
        rma = returns.create_return(
            delivered,
            lines=[(unit, None)],
            reason="外包装破损, 客户退回 / outer pouch damaged, returned by the customer",
            by=self.qa,
        )
        returns.receive_return(rma, by=self.clerk)
        line = rma.lines.get()
        returns.decide_line(
            line,
            decision="ncr",
            reason="包装完整性调查 / investigate the seal integrity",
            by=self.qa,
        )
