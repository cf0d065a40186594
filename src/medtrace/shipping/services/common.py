"""Pieces the shipping services share: refusals, the site's shipping and returns locations,
the customer's party and shelf-life terms, and the disposition a shipping event may set."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import TypedId
from medtrace.inventory.models import Stock
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location, Site
from medtrace.partners.models import Customer
from medtrace.scan.result import digital_link
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, TraceObject, Unit
from medtrace.trace.services.objects import ensure_party

from ..models import CustomerShippingTerms

# The place a kind of location has by default at every site (org.services.DEFAULT_LOCATIONS).
DEFAULT_CODES = {LocationKind.SHIPPING: "SHP", LocationKind.RETURNS: "RET"}


def refuse(code: ErrorCode, message, field: str | None = None, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


def site_location(site: Site, kind: str) -> Location:
    """The site's shipping (or returns) location: the default code, else the only active one."""
    found = list(
        Location.objects.select_related("site").filter(site=site, kind=kind, is_active=True)
    )
    for location in found:
        if location.code == DEFAULT_CODES.get(kind):
            return location
    if len(found) == 1:
        return found[0]
    refuse(
        ErrorCode.INVALID_STATE,
        _("Site %(site)s has no %(kind)s location to use; set one up first.")
        % {"site": site.code, "kind": LocationKind(kind).label},
    )


def customer_party(customer: Customer, *, by=None) -> TypedId:
    party = ensure_party(organization=customer.organization, customer=customer, by=by)
    return TypedId("owning_party", party.identifier)


def order_transaction(order) -> TypedId:
    """The order as an EPCIS business transaction: the despatch advice it is shipped under."""
    return TypedId("desadv", f"urn:medtrace:{order.organization.slug}:so:{order.number}")


def order_transactions(order) -> tuple[TypedId, ...]:
    """The despatch advice, and the customer's purchase order when they gave its number."""
    found = [order_transaction(order)]
    if order.customer_reference:
        reference = quote(order.customer_reference, safe="")
        found.append(
            TypedId(
                "po",
                f"urn:medtrace:{order.organization.slug}:customer-po:"
                f"{order.customer.code}:{reference}",
            )
        )
    return tuple(found)


def customer_place(customer: Customer) -> str | None:
    """The customer's place as a GS1 location (GLN), when it is known."""
    return digital_link({"414": customer.gln}) if customer.gln else None


def min_shelf_life_days(customer: Customer) -> int:
    terms = CustomerShippingTerms.objects.filter(customer=customer).first()
    return terms.min_remaining_shelf_life_days if terms else 0


def lot_of(obj: TraceObject) -> Lot | None:
    if obj.kind == ObjectKind.LOT:
        return obj if isinstance(obj, Lot) else Lot.objects.select_related("item").get(pk=obj.pk)
    if obj.kind == ObjectKind.UNIT:
        unit = obj if isinstance(obj, Unit) else Unit.objects.get(pk=obj.pk)
        return unit.lot
    return None


def check_shelf_life(lot: Lot | None, customer: Customer, today: date, *, step) -> None:
    """Refuse a lot with less shelf life left than the customer accepts."""
    days = min_shelf_life_days(customer)
    if lot is None or lot.expires_on is None or not days:
        return
    left = (lot.expires_on - today).days
    if left < days:
        refuse(
            ErrorCode.INVALID_STATE,
            _(
                "Lot %(lot)s expires on %(expiry)s: %(left)s days of shelf life left, but "
                "%(customer)s accepts at least %(days)s; it cannot be %(step)s for them."
            )
            % {
                "lot": lot.lot_number,
                "expiry": lot.expires_on.isoformat(),
                "left": left,
                "customer": customer.code,
                "days": days,
                "step": step,
            },
            "code",
            lot=lot.identifier,
            days_left=left,
            required=days,
        )


def check_licence(customer: Customer, today: date) -> None:
    """GSP: no sale to a customer whose licence has lapsed."""
    until = customer.licence_valid_until
    if until is not None and until < today:
        refuse(
            ErrorCode.INVALID_STATE,
            _("The licence of %(customer)s ended on %(date)s; nothing may be shipped to them.")
            % {"customer": customer, "date": until.isoformat()},
            "customer",
        )


def lots_still_held(lots: dict[int, Decimal]) -> bool:
    """Whether the plant holds more of any of these lots than the quantity given for it (what
    the event itself moves out of our stock; 0 for goods already gone). A disposition is the
    lot's, not a quantity's: marking a lot in transit, received or returned while part of it
    is still in our stock would take that stock out of use too, so an event on part of a lot
    sets no disposition (see the report on the inventory core)."""
    for lot_id, quantity in lots.items():
        held = Stock.objects.filter(object_id=lot_id).aggregate(total=Sum("quantity"))["total"]
        if (held or Decimal(0)) > quantity:
            return True
    return False


def new_event_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def zone_offset(site: Site, when: datetime) -> str:
    text = when.astimezone(ZoneInfo(site.time_zone)).strftime("%z")
    return f"{text[:3]}:{text[3:]}"
