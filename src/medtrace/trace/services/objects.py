"""Lots, units, containers and parties: created by the flows that make or receive them, or
from identifiers met in captured EPCIS events (`create_missing`)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Organization, Site
from medtrace.partners.models import Customer, Supplier
from medtrace.trace import identifiers
from medtrace.trace.choices import ContainerKind, LinkKind, LotOrigin, ObjectKind
from medtrace.trace.models import Container, GenealogyLink, Lot, Party, TraceObject, Unit


def _duplicate(identifier: str):
    raise DomainError(
        ErrorCode.DUPLICATE,
        _("%(identifier)s is already recorded.") % {"identifier": identifier},
        fields={"identifier": [str(_("Already recorded."))]},
    )


def _saved(obj: TraceObject, *, by) -> TraceObject:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        _duplicate(obj.identifier)
    audit.record(AuditAction.CREATE, obj, by=by, changes=audit.created(obj))
    return obj


def _check_text(value: str, label, limit: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(label)s needs 1 to %(limit)s characters.") % {"label": label, "limit": limit},
        )
    return value


@transaction.atomic
def create_lot(
    *,
    item: Item,
    lot_number: str,
    site: Site | None = None,
    gtin: str = "",
    origin: str = LotOrigin.UNKNOWN,
    supplier: Supplier | None = None,
    supplier_lot_number: str = "",
    manufactured_on: date | None = None,
    expires_on: date | None = None,
    by=None,
) -> Lot:
    lot_number = _check_text(lot_number, _("A lot number"), 20)
    if expires_on and manufactured_on and expires_on < manufactured_on:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Lot %(lot)s would expire before it was made.") % {"lot": lot_number},
            fields={"expires_on": [str(_("Before the manufacturing date."))]},
        )
    lot = Lot(
        organization_id=item.organization_id,
        kind=ObjectKind.LOT,
        identifier=identifiers.lot_identifier(
            item_code=item.code, lot_number=lot_number, gtin=gtin
        ),
        site=site,
        item=item,
        lot_number=lot_number,
        gtin=gtin,
        origin=origin,
        supplier=supplier,
        supplier_lot_number=supplier_lot_number.strip(),
        manufactured_on=manufactured_on,
        expires_on=expires_on,
    )
    if Lot.objects.filter(item=item, lot_number=lot_number).exists():
        _duplicate(lot.identifier)
    return _saved(lot, by=by)


@transaction.atomic
def create_unit(
    *,
    item: Item,
    serial: str,
    site: Site | None = None,
    gtin: str = "",
    lot: Lot | None = None,
    by=None,
) -> Unit:
    serial = _check_text(serial, _("A serial number"), 20)
    if lot is not None and lot.item_id != item.pk:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Unit %(serial)s of %(item)s cannot belong to lot %(lot)s of another item.")
            % {"serial": serial, "item": item.code, "lot": lot},
        )
    unit = Unit(
        organization_id=item.organization_id,
        kind=ObjectKind.UNIT,
        identifier=identifiers.unit_identifier(item_code=item.code, serial=serial, gtin=gtin),
        site=site,
        item=item,
        serial=serial,
        gtin=gtin,
        lot=lot,
    )
    if Unit.objects.filter(item=item, serial=serial).exists():
        _duplicate(unit.identifier)
    _saved(unit, by=by)
    if lot is not None:
        _link_to_lot(unit, lot)
    return unit


@transaction.atomic
def assign_lot(unit: Unit, lot: Lot, *, by=None) -> Unit:
    """Put a unit met before its commissioning (packed or shipped first, uploaded late) into
    the lot its commissioning names. A unit already in another lot is refused."""
    if unit.lot_id == lot.pk:
        return unit
    if unit.lot_id is not None or lot.item_id != unit.item_id:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("Unit %(unit)s cannot join lot %(lot)s: it belongs to %(current)s.")
            % {"unit": unit.identifier, "lot": lot.identifier, "current": unit.lot or unit.item},
        )
    unit.lot = lot
    unit.save(update_fields=["lot"])
    audit.record(AuditAction.CHANGE, unit, by=by, changes={"lot": [None, lot.identifier]})
    _link_to_lot(unit, lot)
    return unit


def _link_to_lot(unit: Unit, lot: Lot) -> None:
    # A unit of a lot is made of what the lot is made of, whatever the event order.
    GenealogyLink.objects.create(
        organization_id=unit.organization_id,
        kind=LinkKind.MEMBERSHIP,
        source=lot,
        target=unit,
        event_time=timezone.now(),
    )


@transaction.atomic
def create_container(
    *,
    organization: Organization,
    sscc: str = "",
    code: str = "",
    container_kind: str = ContainerKind.CASE,
    site: Site | None = None,
    by=None,
) -> Container:
    if not sscc and not code:
        raise DomainError(ErrorCode.VALIDATION, _("A container needs an SSCC or a code."))
    container = Container(
        organization=organization,
        kind=ObjectKind.CONTAINER,
        identifier=identifiers.container_identifier(sscc=sscc, code=code),
        site=site,
        sscc=sscc,
        container_kind=container_kind,
    )
    return _saved(container, by=by)


@transaction.atomic
def ensure_party(
    *,
    organization: Organization,
    identifier: str = "",
    customer: Customer | None = None,
    supplier: Supplier | None = None,
    by=None,
) -> Party:
    """The party for a customer, a supplier, or an identifier met in an event; a party first
    met by its GLN in an event is tied to the customer or supplier with that GLN when it
    comes."""
    partner = customer or supplier
    if partner is not None:
        kind = "customer" if customer else "supplier"
        gln = getattr(partner, "gln", "") or ""
        identifier = identifiers.party_identifier(gln=gln, kind=kind, code=partner.code)
        defaults = {
            "gln": gln,
            "name": partner.display_name,
            "customer": customer,
            "supplier": supplier,
        }
    else:
        gln = identifier.rsplit("/", 1)[-1] if identifier.startswith(GLN_PARTY) else ""
        defaults = {"gln": gln}
    party, created = Party.objects.get_or_create(
        organization=organization, identifier=identifier, defaults=defaults
    )
    if created:
        audit.record(AuditAction.CREATE, party, by=by, changes=audit.created(party))
    elif partner is not None and (party.customer_id, party.supplier_id) == (None, None):
        party.customer, party.supplier, party.name = customer, supplier, partner.display_name
        party.save(update_fields=["customer", "supplier", "name"])
        audit.record(AuditAction.CHANGE, party, by=by, changes={kind: [None, partner.code]})
    return party


GLN_PARTY = "https://id.gs1.org/417/"
