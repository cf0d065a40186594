"""From the identifiers a batch of events names to the objects and parties they are: one
lookup for all of them, and with `create_missing` the lots, units, containers and items behind
identifiers met for the first time, created in bulk (items matched by GTIN). Without it an
unknown identifier is refused by name, with the first event that names it."""

from contextlib import contextmanager
from urllib.parse import unquote

from django.utils.translation import gettext_lazy as _

from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind, Tracking
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.identifiers import canonical, keys
from medtrace.epcis.model import Event
from medtrace.trace import identifiers
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, Party, TraceObject, Unit
from medtrace.trace.services import bulk, objects

GS1_KEYED = "https://id.gs1.org/"
INTERNAL = "urn:medtrace:"
# The CBV master-data attribute naming the lot of commissioned units.
LOT_NUMBER = "cbvmda:lotNumber"
LOOKUP_CHUNK = 500


def named(event: Event):
    """(identifier, takes ILMD) for every identifier the event names: the ILMD of an event
    describes what it commissions (its objects when adding, a transformation's outputs)."""
    adds = event.event_type == "ObjectEvent" and event.action == "ADD"
    for identifier in event.epc_list:
        yield identifier, adds
    for quantity in event.quantity_list:
        yield quantity.epc_class, adds
    for identifier in event.input_epc_list:
        yield identifier, False
    for quantity in event.input_quantity_list:
        yield quantity.epc_class, False
    transforms = event.event_type == "TransformationEvent"
    for identifier in event.output_epc_list:
        yield identifier, transforms
    for quantity in event.output_quantity_list:
        yield quantity.epc_class, transforms
    if event.parent_id:
        yield event.parent_id, False


def canonical_keys(identifier: str) -> dict[str, str]:
    """The AIs of a Digital Link. The codec hands over canonical links, already validated
    (and `canonical` remembers them), so those are split rather than parsed again; anything
    else goes through the full parser and its refusals."""
    parts = identifier[len(GS1_KEYED) :].split("/")
    if len(parts) % 2 or canonical(identifier) != identifier:
        return keys(identifier)
    return {parts[i]: unquote(parts[i + 1]) for i in range(0, len(parts), 2)}


@contextmanager
def _blamed_on(index: int, event: Event):
    """A refusal names the event (its index in the batch and its ID) that met the identifier."""
    try:
        yield
    except DomainError as error:
        error.details.setdefault("event_index", index)
        error.details.setdefault("event_id", event.event_id)
        raise


class Resolver:
    """Resolves the identifiers of one batch of events, caching what it has seen."""

    def __init__(self, *, organization, site=None, create_missing: bool = False, by=None):
        self.organization = organization
        self.site = site
        self.create_missing = create_missing
        self.by = by
        self.created: list[TraceObject] = []
        self.joined: set[int] = set()  # units that joined a lot
        self._objects: dict[str, TraceObject | None] = {}
        self._parties: dict[str, Party] = {}
        self._items: dict[str, Item] = {}

    def prepare(self, events: list[tuple[int, Event]]) -> None:
        """Look up every object the events (given as (index, event), in event-time order)
        name, and create the missing ones; a refusal names the index and ID of the first event
        naming the identifier."""
        first: dict[str, tuple[int, Event]] = {}
        lot_numbers: dict[str, str] = {}
        for index, event in events:
            lot_number = (event.ilmd or {}).get(LOT_NUMBER)
            for identifier, takes_ilmd in named(event):
                first.setdefault(identifier, (index, event))
                if takes_ilmd and lot_number and identifier not in lot_numbers:
                    lot_numbers[identifier] = lot_number
        self._load(first)
        new = bulk.NewObjects()
        joining = []  # units met before, joining the lot their commissioning names
        for identifier, (index, event) in first.items():
            with _blamed_on(index, event):
                if identifier not in self._objects:
                    self._plan(new, identifier, lot_numbers.get(identifier))
                elif identifier in lot_numbers:
                    joining.append((identifier, index, event))
        if new:
            self._lots_of_units(new)
            self.created += bulk.create(new, organization=self.organization, known=self._objects)
        # After the bulk creation: the lot a unit joins may be one of the new objects.
        for identifier, index, event in joining:
            with _blamed_on(index, event):
                self._join_lot(identifier, lot_numbers[identifier])

    def _load(self, wanted) -> None:
        pending = [identifier for identifier in wanted if identifier not in self._objects]
        for start in range(0, len(pending), LOOKUP_CHUNK):
            found = TraceObject.objects.filter(
                organization=self.organization,
                identifier__in=pending[start : start + LOOKUP_CHUNK],
            )
            self._objects.update((obj.identifier, obj) for obj in found)

    def object(self, identifier: str) -> TraceObject | None:
        """The object behind a prepared identifier; None for what names no single traceable
        object (a GTIN without lot, an EPC pattern, a location)."""
        return self._objects.get(identifier)

    def _plan(self, new: bulk.NewObjects, identifier: str, lot_number: str | None) -> None:
        ais = canonical_keys(identifier) if identifier.startswith(GS1_KEYED) else {}
        internal = identifier.startswith(INTERNAL)
        if not internal and not ({"00", "21", "10"} & set(ais)):
            self._objects[identifier] = None  # a class without lot, a location: not traced
            return
        if not self.create_missing:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("%(identifier)s is not known here; import with “create missing” to add it.")
                % {"identifier": identifier},
                identifier=identifier,
            )
        if internal:
            self._plan_internal(new, identifier)
        elif "00" in ais:
            new.container(
                identifier, organization=self.organization, site=self.site, sscc=ais["00"]
            )
        elif "21" in ais:
            item = self.item_for_gtin(ais["01"], serial=True)
            lot = ""
            if lot_number:
                lot = identifiers.lot_identifier(
                    item_code=item.code, lot_number=lot_number, gtin=ais["01"]
                )
            new.unit(
                identifier,
                item=item,
                serial=ais["21"],
                gtin=ais["01"],
                site=self.site,
                lot=lot,
                lot_number=lot_number or "",
            )
        else:
            item = self.item_for_gtin(ais["01"], serial=False)
            new.lot(identifier, item=item, lot_number=ais["10"], gtin=ais["01"], site=self.site)

    def _plan_internal(self, new: bulk.NewObjects, identifier: str) -> None:
        kind, *parts = identifier[len(INTERNAL) :].split(":")
        parts = [unquote(part) for part in parts]
        if kind == "container" and len(parts) == 1:
            new.container(identifier, organization=self.organization, site=self.site, code=parts[0])
            return
        if kind in ("lot", "unit") and len(parts) == 2:
            item = self._item(parts[0], identifier)
            if kind == "lot":
                new.lot(identifier, item=item, lot_number=parts[1], gtin="", site=self.site)
            else:
                new.unit(identifier, item=item, serial=parts[1], gtin="", site=self.site)
            return
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(identifier)s is not a medtrace identifier.") % {"identifier": identifier},
            identifier=identifier,
        )

    def _lots_of_units(self, new: bulk.NewObjects) -> None:
        """A unit commissioned into a lot never met before: the lot is created with it."""
        wanted = set(new.lot_of.values()) - set(new.lots)
        self._load(wanted)
        first_unit = {}
        for key, lot in new.lot_of.items():
            first_unit.setdefault(lot, new.units[key])
        for identifier in wanted - set(self._objects):
            unit = first_unit[identifier]
            new.lot(
                identifier,
                item=unit.item,
                lot_number=new.lot_numbers[identifier],
                gtin=unit.gtin,
                site=self.site,
            )
        for identifier in wanted & set(self._objects):
            found = self._objects[identifier]
            if found is not None and not isinstance(found, Lot):
                self._objects[identifier] = Lot.objects.get(pk=found.pk)

    def _join_lot(self, identifier: str, lot_number: str) -> None:
        """A unit met before its commissioning (packed or shipped first, uploaded late) joins
        the lot its commissioning names."""
        found = self._objects[identifier]
        if found is None or found.kind != ObjectKind.UNIT:
            return
        unit = (
            found
            if isinstance(found, Unit)
            else Unit.objects.select_related("item").get(pk=found.pk)
        )
        self._objects[identifier] = unit
        if unit.lot_id is not None and unit.lot.lot_number == lot_number:
            return
        lot_identifier = identifiers.lot_identifier(
            item_code=unit.item.code, lot_number=lot_number, gtin=unit.gtin
        )
        self._load([lot_identifier])
        lot = self._objects.get(lot_identifier)
        if lot is None:
            if not self.create_missing:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    _("%(identifier)s is not known here; import with “create missing” to add it.")
                    % {"identifier": lot_identifier},
                    identifier=lot_identifier,
                )
            lot = objects.create_lot(
                item=unit.item, lot_number=lot_number, gtin=unit.gtin, site=self.site, by=self.by
            )
            self._objects[lot_identifier] = lot
        elif not isinstance(lot, Lot):
            lot = Lot.objects.get(pk=lot.pk)
        objects.assign_lot(unit, lot, by=self.by)
        self.joined.add(unit.pk)

    def _item(self, code: str, identifier: str) -> Item:
        key = f"code:{code}"
        if key not in self._items:
            item = Item.objects.filter(organization=self.organization, code=code).first()
            if item is None:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    _("There is no item %(code)s for %(identifier)s.")
                    % {"code": code, "identifier": identifier},
                    identifier=identifier,
                )
            self._items[key] = item
        return self._items[key]

    def item_for_gtin(self, gtin: str, *, serial: bool) -> Item:
        """The item carrying `gtin`: by its device identifier, by the GTIN-<gtin> item made
        when it was first met, by a lot or unit already traced with it (the slow lookup,
        last), or a new item coded GTIN-<gtin>."""
        if gtin in self._items:
            return self._items[gtin]
        code = f"GTIN-{gtin}"
        identifier = (
            DeviceIdentifier.objects.filter(organization=self.organization, value=gtin)
            .select_related("item")
            .first()
        )
        item = (
            identifier.item
            if identifier
            else Item.objects.filter(organization=self.organization, code=code).first()
        )
        if item is None:
            known = (
                Lot.objects.filter(organization=self.organization, gtin=gtin).first()
                or Unit.objects.filter(organization=self.organization, gtin=gtin).first()
            )
            item = known.item if known else None
        if item is None:
            item = catalog.create_item(
                organization=self.organization,
                code=code,
                name=f"GTIN {gtin}",
                kind=ItemKind.COMPONENT,
                tracking=Tracking.SERIAL if serial else Tracking.LOT,
                by=self.by,
            )
        self._items[gtin] = item
        return item

    def party(self, identifier: str) -> Party:
        if identifier not in self._parties:
            self._parties[identifier] = objects.ensure_party(
                organization=self.organization, identifier=identifier, by=self.by
            )
        return self._parties[identifier]
