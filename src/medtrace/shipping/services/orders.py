"""Shipment orders: created with their lines by the order desk, released to the warehouse,
cancelled before anything is picked; and the customer's shipping terms."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import ErrorCode
from medtrace.inventory.services.moves import quantity as parse_quantity
from medtrace.org.models import Site
from medtrace.partners.models import Customer
from medtrace.quality.services.numbering import next_number

from ..choices import OrderStatus
from ..models import CustomerShippingTerms, ShipmentLine, ShipmentOrder
from ..workflows import ORDER
from .common import check_licence, refuse


@transaction.atomic
def create_order(
    *,
    site: Site,
    customer: Customer,
    lines: list[tuple[Item, object]],
    by,
    customer_reference: str = "",
    ship_to: str = "",
    requested_on: date | None = None,
    notes: str = "",
) -> ShipmentOrder:
    """A draft order: `lines` are (item, quantity), one line per item."""
    if customer.organization_id != site.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("%(customer)s is not known here.") % {"customer": customer})
    if not lines:
        refuse(ErrorCode.VALIDATION, _("An order needs at least one line."), "lines")
    seen = set()
    for item, _quantity in lines:
        if item.organization_id != site.organization_id:
            refuse(ErrorCode.NOT_FOUND, _("%(item)s is not known here.") % {"item": item}, "lines")
        if item.pk in seen:
            refuse(
                ErrorCode.VALIDATION,
                _("%(item)s is on the order twice; give its total on one line.")
                % {"item": item.code},
                "lines",
            )
        seen.add(item.pk)
    check_licence(customer, site.local_date())
    order = ShipmentOrder.objects.create(
        organization_id=site.organization_id,
        site=site,
        number=next_number(site.organization, "SO"),
        customer=customer,
        customer_reference=customer_reference.strip(),
        ship_to=(ship_to or customer.address).strip(),
        requested_on=requested_on,
        notes=notes.strip(),
        created_by=by,
    )
    for position, (item, quantity) in enumerate(lines, start=1):
        amount = parse_quantity(quantity, field="lines")
        if item.tracking == "serial" and amount != amount.to_integral_value():
            refuse(
                ErrorCode.VALIDATION,
                _("%(item)s is serialized: order whole units.") % {"item": item.code},
                "lines",
            )
        ShipmentLine.objects.create(
            organization_id=order.organization_id,
            order=order,
            position=position,
            item=item,
            quantity=amount,
            uom=item.unit,
        )
    changes = audit.created(order)
    changes["lines"] = [None, [[line.item.code, str(line.quantity)] for line in order.lines.all()]]
    audit.record(AuditAction.CREATE, order, by=by, changes=changes)
    return order


def release_order(order: ShipmentOrder, *, by) -> ShipmentOrder:
    def guard(record):
        check_licence(record.customer, record.site.local_date())

    def effects(record):
        record.released_at = timezone.now()
        return {}

    return ORDER.take(order, "release", by=by, guard=guard, effects=effects)


def cancel_order(order: ShipmentOrder, *, by, reason: str) -> ShipmentOrder:
    """Cancel an order not yet packed; what was picked must be put back first."""

    def guard(record):
        if record.picks.filter(put_back_event__isnull=True).exists():
            refuse(
                ErrorCode.INVALID_STATE,
                _("Goods are picked for %(order)s; put them back before cancelling.")
                % {"order": record.number},
            )

    return ORDER.take(order, "cancel", by=by, reason=reason, guard=guard)


@transaction.atomic
def set_terms(*, customer: Customer, min_remaining_shelf_life_days: int, by, reason: str = ""):
    days = int(min_remaining_shelf_life_days)
    if days < 0 or days > 3650:
        refuse(
            ErrorCode.VALIDATION,
            _("Give the minimum remaining shelf life in days, from 0 to 3650."),
            "min_remaining_shelf_life_days",
        )
    terms, created = CustomerShippingTerms.objects.select_for_update().get_or_create(
        customer=customer,
        defaults={
            "organization_id": customer.organization_id,
            "min_remaining_shelf_life_days": days,
            "updated_by": by,
        },
    )
    if created:
        audit.record(AuditAction.CREATE, terms, by=by, changes=audit.created(terms), reason=reason)
    elif terms.min_remaining_shelf_life_days != days:
        before = terms.min_remaining_shelf_life_days
        terms.min_remaining_shelf_life_days, terms.updated_by = days, by
        terms.save()
        audit.record(
            AuditAction.CHANGE,
            terms,
            by=by,
            changes={"min_remaining_shelf_life_days": [before, days]},
            reason=reason,
        )
    return terms


def is_pickable(order: ShipmentOrder) -> bool:
    return order.status in (OrderStatus.RELEASED, OrderStatus.PICKING)
