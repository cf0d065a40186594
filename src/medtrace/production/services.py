"""Work orders: planned, released to the BOM and routing in force (snapshotted), cancelled
with a reason. One transaction each, audited in it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog import selectors as catalog
from medtrace.catalog.choices import DEVICE_KINDS
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.quality.services.numbering import next_number

from .models import WorkOrder
from .workflows import WORK_ORDER

MADE_KINDS = DEVICE_KINDS  # finished device, sub-assembly, component


def _refuse(message, field: str | None = None, code=ErrorCode.VALIDATION):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _check_item(site, item):
    if item.organization_id != site.organization_id:
        _refuse(_("%(item)s is not an item of this organization.") % {"item": item.code}, "item")
    if item.kind not in MADE_KINDS:
        _refuse(
            _("%(item)s is a %(kind)s; only devices, sub-assemblies and components are made.")
            % {"item": item.code, "kind": item.get_kind_display()},
            "item",
        )
    if not item.is_active:
        _refuse(_("%(item)s is inactive.") % {"item": item.code}, "item")


def _check_dates(planned_start, planned_end):
    if planned_start and planned_end and planned_end < planned_start:
        _refuse(_("The planned end is before the planned start."), "planned_end")


@transaction.atomic
def create_work_order(
    *, site, item, quantity, by, planned_start=None, planned_end=None, note: str = ""
) -> WorkOrder:
    """A planned work order for `quantity` of `item` at `site`."""
    if not access.permits(by, "production.add_workorder", site):
        _refuse(
            _("Your roles do not allow planning work orders at %(site)s.") % {"site": site.code},
            code=ErrorCode.PERMISSION_DENIED,
        )
    _check_item(site, item)
    number = moves.quantity(quantity)
    _check_dates(planned_start, planned_end)
    order = WorkOrder.objects.create(
        organization_id=site.organization_id,
        site=site,
        number=next_number(site.organization, "WO"),
        item=item,
        quantity=number,
        unit=item.unit,
        planned_start=planned_start,
        planned_end=planned_end,
        note=note.strip(),
        created_by=by,
    )
    audit.record(AuditAction.CREATE, order, by=by, changes=audit.created(order))
    return order


def _snapshot(bom, routing) -> dict:
    return {
        "bom": {"id": bom.pk, "version": bom.version, "lines": bom.content()},
        "routing": {"id": routing.pk, "version": routing.version, "operations": routing.content()},
    }


def release(order: WorkOrder, *, by) -> WorkOrder:
    """Release the order to the floor with the BOM and routing in force now, snapshotted."""

    def guard(record):
        moves.quantity(record.quantity)
        if record.site.organization_id != record.item.organization_id:
            _refuse(_("%(item)s is not an item of this site's organization.")
                    % {"item": record.item.code}, "item")  # fmt: skip
        if catalog.effective_bom(record.item) is None:
            _refuse(
                _("%(item)s has no approved BOM in force; %(order)s cannot be released.")
                % {"item": record.item.code, "order": record.number},
                "bom",
                ErrorCode.INVALID_STATE,
            )
        if catalog.effective_routing(record.item) is None:
            _refuse(
                _("%(item)s has no approved routing in force; %(order)s cannot be released.")
                % {"item": record.item.code, "order": record.number},
                "routing",
                ErrorCode.INVALID_STATE,
            )

    def effects(record):
        bom = catalog.effective_bom(record.item)
        routing = catalog.effective_routing(record.item)
        record.bom, record.routing = bom, routing
        record.snapshot = _snapshot(bom, routing)
        record.released_at, record.released_by = timezone.now(), by
        return {
            "bom": [None, str(bom)],
            "routing": [None, str(routing)],
            "quantity": [None, plain(record.quantity)],
        }

    return WORK_ORDER.take(order, "release", by=by, guard=guard, effects=effects)


def cancel(order: WorkOrder, *, by, reason: str) -> WorkOrder:
    def effects(record):
        record.cancel_reason = reason.strip()
        return None

    return WORK_ORDER.take(order, "cancel", by=by, reason=reason, effects=effects)
