"""Lots, units and containers created many at a time, for captured documents that name
thousands of objects met for the first time (`create_missing`). The rules are those of
services.objects (text lengths, one lot number and one serial per item, a unit in a lot of its
own item); the rows are inserted in a few statements instead of one save and one audit entry
per object: the capture audits what it created as one entry."""

from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Organization
from medtrace.trace.choices import ContainerKind, LinkKind, ObjectKind
from medtrace.trace.models import Container, GenealogyLink, Lot, TraceObject, Unit
from medtrace.trace.services.rows import insert_rows

BATCH = 500
# The TraceObject columns a new object sets; its state (disposition, place) comes later.
PARENT_COLUMNS = (
    "organization_id", "kind", "identifier", "site_id", "disposition", "biz_location",
    "created_at",
)  # fmt: skip
TEXT_LIMIT = 20  # lot numbers and serials, as GS1 AIs (10) and (21) allow


@dataclass
class NewObjects:
    """What to create: identifier → the object, unsaved (units name their lot's identifier
    in `lot_of`, and its number in `lot_numbers`)."""

    lots: dict[str, Lot] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    lot_of: dict[str, str] = field(default_factory=dict)
    lot_numbers: dict[str, str] = field(default_factory=dict)  # of the lots in lot_of
    containers: dict[str, Container] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lots) + len(self.units) + len(self.containers)

    def lot(self, identifier, *, item: Item, lot_number: str, gtin: str, site) -> None:
        _check(lot_number, _("A lot number"), identifier)
        self.lots[identifier] = Lot(
            organization_id=item.organization_id,
            kind=ObjectKind.LOT,
            identifier=identifier,
            site=site,
            item=item,
            lot_number=lot_number,
            gtin=gtin,
        )

    def unit(
        self, identifier, *, item: Item, serial: str, gtin: str, site, lot: str = "", lot_number=""
    ):
        _check(serial, _("A serial number"), identifier)
        self.units[identifier] = Unit(
            organization_id=item.organization_id,
            kind=ObjectKind.UNIT,
            identifier=identifier,
            site=site,
            item=item,
            serial=serial,
            gtin=gtin,
        )
        if lot:
            self.lot_of[identifier] = lot
            self.lot_numbers[lot] = lot_number

    def container(self, identifier, *, organization, site, sscc: str = "", code: str = ""):
        if not sscc:
            _check(code, _("A container code"), identifier, limit=100)
        self.containers[identifier] = Container(
            organization_id=organization.pk,
            kind=ObjectKind.CONTAINER,
            identifier=identifier,
            site=site,
            sscc=sscc,
            container_kind=ContainerKind.CASE if sscc else ContainerKind.OTHER,
        )


def _check(value: str, label, identifier: str, limit: int = TEXT_LIMIT) -> None:
    if not value or len(value) > limit:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(label)s needs 1 to %(limit)s characters (%(identifier)s).")
            % {"label": label, "limit": limit, "identifier": identifier},
            identifier=identifier,
        )


def create(new: NewObjects, *, organization: Organization, known: dict) -> list[TraceObject]:
    """Insert the new objects (lots first, so units can point at them); `known` maps
    identifiers to objects already there (a unit's lot may be one) and receives the new ones.
    Returns the created objects."""
    _refuse_duplicates(Lot, new.lots.values(), "lot_number")
    _refuse_duplicates(Unit, new.units.values(), "serial")
    created = _insert(Lot, list(new.lots.values()))
    known.update((lot.identifier, lot) for lot in created)
    memberships = []
    for identifier, unit in new.units.items():
        lot = known.get(new.lot_of.get(identifier))
        if lot is None:
            continue
        if not isinstance(lot, Lot) or lot.item_id != unit.item_id:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("Unit %(serial)s of %(item)s cannot belong to lot %(lot)s of another item.")
                % {"serial": unit.serial, "item": unit.item.code, "lot": lot.identifier},
                identifier=identifier,
            )
        unit.lot = lot
        memberships.append(unit)
    units = _insert(Unit, list(new.units.values()))
    containers = _insert(Container, list(new.containers.values()))
    for obj in (*units, *containers):
        known[obj.identifier] = obj
    now = timezone.now()
    insert_rows(
        GenealogyLink,
        ("organization_id", "kind", "source_id", "target_id", "event_time", "uom"),
        (
            (organization.pk, LinkKind.MEMBERSHIP, unit.lot_id, unit.pk, now, "")
            for unit in memberships
        ),
    )
    return [*created, *units, *containers]


def _refuse_duplicates(model, objects, number_field: str) -> None:
    """One lot number (serial) per item, whatever identifier form names it."""
    by_item: dict[int, dict[str, str]] = {}
    for obj in objects:
        by_item.setdefault(obj.item_id, {})[getattr(obj, number_field)] = obj.identifier
    for item_id, numbers in by_item.items():
        taken = model.objects.filter(
            item_id=item_id, **{f"{number_field}__in": list(numbers)}
        ).values_list(number_field, "identifier")
        for number, existing in taken[:1]:
            raise DomainError(
                ErrorCode.DUPLICATE,
                _("%(identifier)s names %(number)s, already recorded as %(existing)s.")
                % {"identifier": numbers[number], "number": number, "existing": existing},
                identifier=numbers[number],
            )


def _insert(model, objects: list) -> list:
    """Multi-table rows in bulk: the TraceObject rows in one INSERT … RETURNING per batch
    (matched back by identifier: the order of RETURNING rows is not promised), then the child
    rows. Django's bulk_create refuses multi-table models; this keeps one path for all three."""
    if not objects:
        return []
    quote = connection.ops.quote_name
    now = timezone.now()
    for start in range(0, len(objects), BATCH):
        chunk = objects[start : start + BATCH]
        by_identifier = {obj.identifier: obj for obj in chunk}
        sql = "INSERT INTO {} ({}) VALUES {} RETURNING {}, {}".format(  # nosec B608 # _meta names
            quote(TraceObject._meta.db_table),
            ", ".join(quote(name) for name in PARENT_COLUMNS),
            ", ".join([f"({', '.join(['%s'] * len(PARENT_COLUMNS))})"] * len(chunk)),
            quote("id"),
            quote("identifier"),
        )
        created_at = TraceObject._meta.get_field("created_at").get_db_prep_save(now, connection)
        values = [
            value
            for obj in chunk
            for value in (
                obj.organization_id, obj.kind, obj.identifier, obj.site_id, "", "", created_at,
            )
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            for pk, identifier in cursor.fetchall():
                obj = by_identifier[identifier]
                obj.pk = obj.id = obj.traceobject_ptr_id = pk
                obj.created_at = now
                obj._state.adding = False
        fields = model._meta.local_concrete_fields
        insert_rows(
            model,
            [field.attname for field in fields],
            ([getattr(obj, field.attname) for field in fields] for obj in chunk),
        )
    return objects
