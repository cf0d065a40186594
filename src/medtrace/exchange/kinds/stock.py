"""Opening balances: the stock a plant has when it switches to medtrace, one row per lot (or
serialized unit) at a location, taken on as one trace event each through the movement service,
so the ledger, statuses and trace see it as any other stock.

A row taken on before is recognised by its site, location, item, lot and serial: importing
the same sheet again changes nothing, and a different quantity for it is refused (a count
corrects stock once it is on the books)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.catalog.choices import Tracking
from medtrace.core.errors import DomainError
from medtrace.epcis.model import TypedId
from medtrace.exchange.cells import Column, choice, decimal, iso_date, text
from medtrace.exchange.choices import ImportKind, RowAction
from medtrace.exchange.kinds.base import (
    ISO_DATE,
    NUMBER,
    Done,
    Kind,
    RowError,
    label,
    problem,
    site_of,
    unknown,
)
from medtrace.exchange.kinds.catalog import find_item
from medtrace.inventory.choices import Operation, StockStatus
from medtrace.inventory.models import Stock, StockMove
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.org.models import Location, Site
from medtrace.partners.models import Supplier
from medtrace.trace.choices import OPENING_BALANCE_STEP, LotOrigin
from medtrace.trace.models import Lot, TraceEvent, Unit
from medtrace.trace.services import objects as trace_objects

PERMS = ("inventory.add_stockmove", "inventory.approve_cyclecount")


class OpeningStatus(TextChoices):
    AVAILABLE = StockStatus.AVAILABLE.value, StockStatus.AVAILABLE.label
    QUARANTINE = StockStatus.QUARANTINE.value, StockStatus.QUARANTINE.label
    ON_HOLD = StockStatus.ON_HOLD.value, StockStatus.ON_HOLD.label


# The disposition each status is taken on with (inventory.statuses reads it back).
DISPOSITIONS = {
    OpeningStatus.AVAILABLE: "available",
    OpeningStatus.QUARANTINE: "in_progress",
    OpeningStatus.ON_HOLD: "non_conformant",
}
STATUS_OF_DISPOSITION = {disposition: status for status, disposition in DISPOSITIONS.items()}


def site_midnight(site: Site, day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(site.time_zone))


class OpeningBalances(Kind):
    kind = ImportKind.OPENING_BALANCES
    model = StockMove
    columns = (
        Column("site", label(Stock, "site"), text(32, upper=True), required=True),
        Column("location", label(Stock, "location"), text(32, upper=True), required=True,
               help=gettext_lazy("location code at the site")),
        Column("item", label(Stock, "item"), text(32, upper=True), required=True),
        Column("lot_number", label(Lot, "lot_number"), text(20), required=True),
        Column("serial", label(Unit, "serial"), text(20),
               help=gettext_lazy("one row per unit of a serialized item")),
        Column("quantity", label(Stock, "quantity"),
               decimal(max_digits=18, decimal_places=6), help=NUMBER),
        Column("status", gettext_lazy("status"), choice(OpeningStatus), required=True,
               choices=OpeningStatus),
        Column("expires_on", label(Lot, "expires_on"), iso_date, help=ISO_DATE),
        Column("manufactured_on", label(Lot, "manufactured_on"), iso_date, help=ISO_DATE),
        Column("supplier", label(Lot, "supplier"), text(32, upper=True),
               help=gettext_lazy("supplier code, for a purchased lot")),
        Column("supplier_lot_number", label(Lot, "supplier_lot_number"), text(100)),
        Column("as_of", gettext_lazy("taken on as of"), iso_date,
               help=gettext_lazy("date, YYYY-MM-DD; empty: now")),
    )  # fmt: skip

    @property
    def view_perm(self) -> str:
        return "inventory.view_stockmove"

    @property
    def import_perms(self) -> tuple[str, ...]:
        return PERMS

    def key(self, row):
        if not all(row[name] for name in ("site", "location", "item", "lot_number")):
            return None
        return (row["site"], row["location"], row["item"], row["lot_number"], row["serial"] or "")

    def key_columns(self):
        return ("site", "location", "item", "lot_number", "serial")

    def apply(self, context, unit):
        [row] = unit
        site = site_of(context, row, PERMS)
        location = Location.objects.filter(site=site, code=row["location"]).first()
        if location is None:
            raise unknown(
                row,
                "location",
                _("Site %(site)s has no location %(code)s.")
                % {"site": site.code, "code": row["location"]},
            )
        item = find_item(context, row, "item")
        self._check_tracking(row, item)
        key = "opening:" + ":".join(self.key(row))
        lot = self._lot(context, row, item, site)
        obj = self._unit(context, row, item, lot, site) if row["serial"] else lot
        earlier = moves.already_recorded(context.organization, key)
        if earlier is not None:
            return [self._unchanged(row, earlier, obj)]
        ilmd = {"cbvmda:lotNumber": lot.lot_number}
        if lot.expires_on:
            ilmd["cbvmda:itemExpirationDate"] = lot.expires_on.isoformat()
        if lot.manufactured_on:
            ilmd["cbvmda:productionDate"] = lot.manufactured_on.isoformat()
        # A purchased lot's backward trace reaches its supplier, as after a receipt.
        parties = ()
        if lot.supplier_id:
            party = trace_objects.ensure_party(
                organization=context.organization, supplier=lot.supplier, by=context.user
            )
            parties = (TypedId("owning_party", party.identifier),)
        try:
            moves.move(
                site=site,
                parties_from=parties,
                lines=[moves.Line(obj, None if row["serial"] else row["quantity"])],
                operation=Operation.RECEIVE,
                biz_step=OPENING_BALANCE_STEP,
                disposition=DISPOSITIONS[OpeningStatus(row["status"])],
                action="ADD",
                destination=location,
                ilmd=ilmd,
                by=context.user,
                reason=context.reason,
                key=key,
                at=site_midnight(site, row["as_of"]) if row["as_of"] else None,
            )
        except DomainError as error:
            raise RowError(*self.problems_from(error, row)) from None
        return [Done(row.number, RowAction.CREATE, key.removeprefix("opening:"))]

    def _check_tracking(self, row, item) -> None:
        if item.tracking == Tracking.NONE:
            raise RowError(
                problem(row, "item", "invalid_state",
                        _("%(item)s is not tracked by lot or serial number; medtrace keeps "
                          "stock by lot or unit.") % {"item": item.code})
            )  # fmt: skip
        if item.tracking == Tracking.SERIAL and not row["serial"]:
            raise RowError(
                problem(row, "serial", "required",
                        _("%(item)s is serialized: one row per unit, with its serial number.")
                        % {"item": item.code})
            )  # fmt: skip
        if item.tracking == Tracking.LOT and row["serial"]:
            raise RowError(
                problem(row, "serial", "invalid_state",
                        _("%(item)s is tracked by lot: leave the serial number empty.")
                        % {"item": item.code})
            )  # fmt: skip
        if item.tracking == Tracking.LOT and row["quantity"] is None:
            raise RowError(problem(row, "quantity", "required", _("Give the quantity.")))
        if row["serial"] and row["quantity"] not in (None, 1):
            raise RowError(
                problem(row, "quantity", "invalid_state", _("A unit is one; leave it empty."))
            )

    def _lot(self, context, row, item, site) -> Lot:
        lot = Lot.objects.filter(item=item, lot_number=row["lot_number"]).first()
        if lot is not None:
            if row["expires_on"] and lot.expires_on != row["expires_on"]:
                raise RowError(
                    problem(row, "expires_on", "conflict",
                            _("Lot %(lot)s is known with expiry date %(date)s.")
                            % {"lot": lot.lot_number, "date": lot.expires_on or "—"})
                )  # fmt: skip
            return lot
        supplier = None
        if row["supplier"]:
            supplier = Supplier.objects.filter(
                organization=context.organization, code=row["supplier"]
            ).first()
            if supplier is None:
                raise unknown(
                    row, "supplier", _("There is no supplier %(code)s.") % {"code": row["supplier"]}
                )
        try:
            return trace_objects.create_lot(
                item=item,
                lot_number=row["lot_number"],
                site=site,
                origin=LotOrigin.RECEIVED if supplier else LotOrigin.UNKNOWN,
                supplier=supplier,
                supplier_lot_number=row["supplier_lot_number"] or "",
                manufactured_on=row["manufactured_on"],
                expires_on=row["expires_on"],
                by=context.user,
            )
        except DomainError as error:
            raise RowError(*self.problems_from(error, row)) from None

    def _unit(self, context, row, item, lot, site) -> Unit:
        unit = Unit.objects.filter(item=item, serial=row["serial"]).first()
        if unit is None:
            return trace_objects.create_unit(
                item=item, serial=row["serial"], lot=lot, site=site, by=context.user
            )
        if unit.lot_id != lot.pk:
            raise RowError(
                problem(row, "serial", "conflict",
                        _("Unit %(serial)s belongs to another lot.") % {"serial": unit.serial})
            )  # fmt: skip
        return unit

    def _unchanged(self, row, earlier: TraceEvent, obj) -> Done:
        taken_on = StockMove.objects.filter(event=earlier, object=obj).first()
        wanted = 1 if row["serial"] else row["quantity"]
        if taken_on is None or taken_on.quantity != wanted:
            raise RowError(
                problem(row, "quantity", "conflict",
                        _("This stock was already taken on (%(date)s, quantity %(quantity)s); "
                          "correct it with a stock count.")
                        % {"date": f"{earlier.event_time:%Y-%m-%d}",
                           "quantity": f"{taken_on.quantity.normalize():f}" if taken_on else "—"})
            )  # fmt: skip
        return Done(row.number, RowAction.UNCHANGED, ":".join(self.key(row)))

    def export_rows(self, user):
        """The opening balances taken on at the sites where the user may see stock."""
        lines = (
            access.scoped(StockMove.objects.all(), user, perm="inventory.view_stockmove")
            .filter(
                event__biz_step=OPENING_BALANCE_STEP, event__declares__isnull=True, quantity__gt=0
            )
            .select_related("site", "location", "item", "lot", "lot__supplier", "object", "event")
            .order_by("site__code", "location__code", "item__code", "pk")
        )
        units = {}
        for line in lines:
            if line.object.kind == "unit" and line.object_id not in units:
                units[line.object_id] = Unit.objects.get(pk=line.object_id).serial
            lot = line.lot
            yield {
                "site": line.site.code,
                "location": line.location.code,
                "item": line.item.code,
                "lot_number": lot.lot_number,
                "serial": units.get(line.object_id, ""),
                "quantity": None if line.object_id in units else line.quantity,
                "status": STATUS_OF_DISPOSITION.get(line.event.disposition, ""),
                "expires_on": lot.expires_on,
                "manufactured_on": lot.manufactured_on,
                "supplier": lot.supplier.code if lot.supplier_id else "",
                "supplier_lot_number": lot.supplier_lot_number,
                "as_of": line.event.event_time.astimezone(ZoneInfo(line.site.time_zone)).date(),
            }
