"""Historical genealogy: which lots (or units) went into which, from the system a plant used
before medtrace, so backward and forward traces reach back past the switch. One row per
input; the rows of one output made at one moment make one EPCIS TransformationEvent, recorded
through the trace core (no location is named, so stock is untouched).

Its event ID follows from the site, the output and the moment: importing the sheet again
finds the events already recorded and changes nothing; the same output and moment with
different inputs is refused as a conflict."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.catalog.choices import Tracking
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.exchange.cells import Column, decimal, iso_datetime, text
from medtrace.exchange.choices import ImportKind, RowAction
from medtrace.exchange.kinds.base import NUMBER, Done, Kind, RowError, problem, site_of
from medtrace.exchange.kinds.catalog import find_item
from medtrace.inventory.ledger import epcis_uom
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.trace.choices import LotOrigin, ObjectRole
from medtrace.trace.models import EventObject, Lot, TraceEvent, TraceObject, Unit
from medtrace.trace.services import objects as trace_objects
from medtrace.trace.services.recording import record_events

HISTORY_STEP = "urn:medtrace:bizstep:historical_genealogy"
PERMS = ("trace.add_traceevent",)
MOMENT = gettext_lazy("YYYY-MM-DD HH:MM, the site's local time unless an offset is given")


def _side(role: str, label) -> tuple[Column, ...]:
    return (
        Column(f"{role}_item", label, text(32, upper=True), required=True),
        Column(f"{role}_lot", gettext_lazy("lot number"), text(20), required=True),
        Column(f"{role}_serial", gettext_lazy("serial number"), text(20),
               help=gettext_lazy("for a serialized item")),
        Column(f"{role}_quantity", gettext_lazy("quantity"),
               decimal(max_digits=18, decimal_places=6), help=NUMBER),
    )  # fmt: skip


class Genealogy(Kind):
    kind = ImportKind.GENEALOGY
    model = TraceEvent
    columns = (
        Column("site", gettext_lazy("site"), text(32, upper=True), required=True),
        Column("made_at", gettext_lazy("made at"), iso_datetime, required=True, help=MOMENT),
        *_side("output", gettext_lazy("item made")),
        *_side("input", gettext_lazy("item used")),
        Column("work_order", gettext_lazy("work order"), text(64),
               help=gettext_lazy("the order's number in the former system")),
    )  # fmt: skip

    @property
    def view_perm(self) -> str:
        return "trace.view_traceevent"

    @property
    def import_perms(self) -> tuple[str, ...]:
        return PERMS

    def key(self, row):
        """One input per output and moment: the same input twice would be one line."""
        output, made_at = self._output_key(row), row["made_at"]
        if output is None or made_at is None or not (row["input_item"] and row["input_lot"]):
            return None
        return (*output, made_at.isoformat(), row["input_item"], row["input_lot"],
                row["input_serial"] or "")  # fmt: skip

    def key_columns(self):
        return ("made_at", "output_lot", "input_item", "input_lot", "input_serial")

    @staticmethod
    def _output_key(row) -> tuple | None:
        if not (row["site"] and row["output_item"] and row["output_lot"]):
            return None
        return (row["site"], row["output_item"], row["output_lot"], row["output_serial"] or "")

    def units(self, rows):
        """The rows of one output made at one moment, together (a row lacking them alone)."""
        groups: dict[tuple, list] = {}
        for row in rows:
            output, made_at = self._output_key(row), row["made_at"]
            group = (output, made_at.isoformat()) if output and made_at else ("row", row.number)
            groups.setdefault(group, []).append(row)
        return list(groups.values())

    def apply(self, context, unit):
        first = unit[0]
        site = site_of(context, first, PERMS)
        zone = ZoneInfo(site.time_zone)
        made_at = first["made_at"]
        made_at = made_at if made_at.tzinfo else made_at.replace(tzinfo=zone)
        if made_at > timezone.now():
            raise RowError(
                problem(first, "made_at", "invalid_state", _("This lies in the future."))
            )
        output_item = find_item(context, first, "output_item")
        output = self._object(context, first, "output", output_item, site, made_at)
        inputs = []
        for row in unit:
            item = find_item(context, row, "input_item")
            obj = self._object(context, row, "input", item, site, made_at)
            if obj.pk == output.pk:
                raise RowError(
                    problem(row, "input_lot", "invalid_state",
                            _("A lot or unit cannot go into itself."))
                )  # fmt: skip
            inputs.append((row, item, obj))
        key = f"genealogy:{site.code}:" + ":".join(self._output_key(first)[1:])
        event = Event(
            event_type="TransformationEvent",
            event_id=moves.event_id_for(context.organization, f"{key}:{made_at.isoformat()}"),
            event_time=made_at,
            event_time_zone_offset=moves.event_offset(site, made_at),
            biz_step=HISTORY_STEP,
            input_epc_list=tuple(obj.identifier for _r, _i, obj in inputs if obj.kind == "unit"),
            input_quantity_list=tuple(
                self._quantity(obj, item, row["input_quantity"])
                for row, item, obj in inputs
                if obj.kind == "lot"
            ),
            output_epc_list=(output.identifier,) if output.kind == "unit" else (),
            output_quantity_list=(
                (self._quantity(output, output_item, first["output_quantity"]),)
                if output.kind == "lot"
                else ()
            ),
            biz_transactions=self._order(context, first),
        )
        try:
            [recorded] = record_events(
                [event],
                organization=context.organization,
                site=site,
                by=context.user,
                reason=context.reason,
                audit_each=True,
            )
        except DomainError as error:
            raise RowError(*self.problems_from(error, first)) from None
        action = RowAction.CREATE if recorded.is_new else RowAction.UNCHANGED
        return [Done(row.number, action, key.removeprefix("genealogy:")) for row in unit]

    def _object(self, context, row, role: str, item: Item, site, made_at: datetime):
        """The row's lot (or its unit), made if medtrace does not know it yet."""
        serial, lot_number = row[f"{role}_serial"], row[f"{role}_lot"]
        if item.tracking == Tracking.NONE:
            raise RowError(
                problem(row, f"{role}_item", "invalid_state",
                        _("%(item)s is not tracked by lot or serial number; its genealogy "
                          "cannot be kept.") % {"item": item.code})
            )  # fmt: skip
        if item.tracking == Tracking.SERIAL and not serial:
            raise RowError(
                problem(row, f"{role}_serial", "required",
                        _("%(item)s is serialized: give the unit's serial number.")
                        % {"item": item.code})
            )  # fmt: skip
        if item.tracking == Tracking.LOT and serial:
            raise RowError(
                problem(row, f"{role}_serial", "invalid_state",
                        _("%(item)s is tracked by lot: leave the serial number empty.")
                        % {"item": item.code})
            )  # fmt: skip
        try:
            lot = Lot.objects.filter(item=item, lot_number=lot_number).first()
            if lot is None:
                lot = trace_objects.create_lot(
                    item=item,
                    lot_number=lot_number,
                    site=site,
                    origin=LotOrigin.PRODUCED if role == "output" else LotOrigin.UNKNOWN,
                    manufactured_on=made_at.date() if role == "output" else None,
                    by=context.user,
                )
            if not serial:
                return lot
            unit = Unit.objects.filter(item=item, serial=serial).first()
            if unit is None:
                return trace_objects.create_unit(
                    item=item, serial=serial, lot=lot, site=site, by=context.user
                )
        except DomainError as error:
            raise RowError(*self.problems_from(error, row)) from None
        if unit.lot_id != lot.pk:
            raise RowError(
                problem(row, f"{role}_serial", "conflict",
                        _("Unit %(serial)s belongs to another lot.") % {"serial": serial})
            )  # fmt: skip
        return unit

    @staticmethod
    def _quantity(lot, item, quantity) -> QuantityElement:
        if quantity is None:
            return QuantityElement(lot.identifier)
        return QuantityElement(lot.identifier, moves.quantity(quantity), epcis_uom(item.unit))

    @staticmethod
    def _order(context, row) -> tuple[TypedId, ...]:
        if not row["work_order"]:
            return ()
        reference = row["work_order"].strip().replace(" ", "-")
        return (
            TypedId(
                "prodorder", f"urn:medtrace:{context.organization.slug}:legacy-order:{reference}"
            ),
        )

    def export_rows(self, user):
        """The genealogy imported before, at the sites where the user may see events."""
        events = (
            access.scoped(TraceEvent.objects.all(), user, perm=self.view_perm)
            .filter(biz_step=HISTORY_STEP, declares__isnull=True)
            .select_related("site")
            .order_by("event_time", "pk")
        )
        for event in events:
            touched = list(EventObject.objects.filter(event=event).order_by("pk"))
            described = _described({row.object_id for row in touched})
            outputs = [row for row in touched if row.role == ObjectRole.OUTPUT]
            if not outputs:
                continue
            output = outputs[0]
            made_at = event.event_time.astimezone(ZoneInfo(event.site.time_zone))
            order = next(iter(event.document.get("bizTransactionList", [])), {})
            for row in touched:
                if row.role != ObjectRole.INPUT:
                    continue
                yield {
                    "site": event.site.code,
                    "made_at": made_at.strftime("%Y-%m-%d %H:%M:%S"),
                    **_side_values("output", described[output.object_id], output.quantity),
                    **_side_values("input", described[row.object_id], row.quantity),
                    "work_order": order.get("bizTransaction", "").rsplit(":", 1)[-1]
                    if order
                    else "",
                }


def _described(ids: set[int]) -> dict[int, tuple[str, str, str]]:
    """(item code, lot number, serial) by object id."""
    found = {
        lot.pk: (lot.item.code, lot.lot_number, "")
        for lot in Lot.objects.filter(pk__in=ids).select_related("item")
    }
    for unit in Unit.objects.filter(pk__in=ids).select_related("item", "lot"):
        found[unit.pk] = (unit.item.code, unit.lot.lot_number if unit.lot_id else "", unit.serial)
    missing = ids - set(found)
    for obj in TraceObject.objects.filter(pk__in=missing):
        found[obj.pk] = ("", obj.identifier, "")
    return found


def _side_values(role: str, described: tuple[str, str, str], quantity) -> dict:
    item, lot, serial = described
    return {
        f"{role}_item": item,
        f"{role}_lot": lot,
        f"{role}_serial": serial,
        f"{role}_quantity": quantity,
    }
