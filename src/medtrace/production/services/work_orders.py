"""Work orders: planned, released to the BOM and routing in force (snapshotted) with the lot
they make and the operations to perform, cancelled with a reason. One transaction each,
audited in it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog import selectors as catalog
from medtrace.catalog.choices import DEVICE_KINDS, IssuingAgency, PackagingLevel
from medtrace.catalog.services.lot_numbers import next_lot_number
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.production.models import WorkOrder, WorkOrderOperation
from medtrace.production.workflows import WORK_ORDER
from medtrace.quality.services.numbering import next_number
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects as trace_objects

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


def production_lines(site):
    return Location.objects.filter(
        site=site, kind=LocationKind.PRODUCTION, is_active=True
    ).order_by("path")


def _check_line(site, line):
    if line is not None and (line.site_id != site.pk or line.kind != LocationKind.PRODUCTION):
        _refuse(
            _("%(location)s is not a production location of site %(site)s.")
            % {"location": line.path, "site": site.code},
            "line",
        )
    if line is not None and not line.is_active:
        _refuse(_("Location %(location)s is closed.") % {"location": line.path}, "line")


@transaction.atomic
def create_work_order(
    *,
    site,
    item,
    quantity,
    by,
    planned_start=None,
    planned_end=None,
    note: str = "",
    line=None,
) -> WorkOrder:
    """A planned work order for `quantity` of `item` at `site`, made on `line` (a production
    location; chosen at release when the site has only one)."""
    if not access.permits(by, "production.add_workorder", site):
        _refuse(
            _("Your roles do not allow planning work orders at %(site)s.") % {"site": site.code},
            code=ErrorCode.PERMISSION_DENIED,
        )
    _check_item(site, item)
    number = moves.quantity(quantity)
    _check_dates(planned_start, planned_end)
    _check_line(site, line)
    order = WorkOrder.objects.create(
        organization_id=site.organization_id,
        site=site,
        number=next_number(site.organization, "WO"),
        item=item,
        quantity=number,
        unit=item.unit,
        planned_start=planned_start,
        planned_end=planned_end,
        line=line,
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


def _gtin(item) -> str:
    """The GTIN of the item's base unit, which its lots and units are identified by."""
    identifier = item.device_identifiers.filter(
        issuing_agency=IssuingAgency.GS1, packaging_level=PackagingLevel.BASE_UNIT,
        is_active=True,
    ).first()  # fmt: skip
    return identifier.value if identifier is not None else ""


def _line_for(record):
    if record.line_id is not None:
        _check_line(record.site, record.line)
        return record.line
    lines = list(production_lines(record.site)[:2])
    if len(lines) != 1:
        _refuse(
            _("Choose the production line %(order)s is made on.") % {"order": record.number}
            if lines
            else _("Site %(site)s has no production location to make %(order)s on.")
            % {"site": record.site.code, "order": record.number},
            "line",
            ErrorCode.INVALID_STATE,
        )
    return lines[0]


def release(order: WorkOrder, *, by) -> WorkOrder:
    """Release the order to the floor with the BOM and routing in force now, snapshotted; the
    lot it makes is numbered by the item's lot-number rule, and the routing's operations
    wait to be performed."""

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
        _line_for(record)

    def effects(record):
        bom = catalog.effective_bom(record.item)
        routing = catalog.effective_routing(record.item)
        record.bom, record.routing = bom, routing
        record.snapshot = _snapshot(bom, routing)
        record.line = _line_for(record)
        record.released_at, record.released_by = timezone.now(), by
        record.lot = trace_objects.create_lot(
            item=record.item,
            lot_number=next_lot_number(item=record.item, site=record.site),
            site=record.site,
            gtin=_gtin(record.item),
            origin=LotOrigin.PRODUCED,
            by=by,
        )
        WorkOrderOperation.objects.bulk_create(
            WorkOrderOperation(
                work_order=record,
                position=operation["position"],
                name=operation["name"],
                equipment_type=operation["equipment_type"],
                inspection_plan=operation["inspection_plan"],
                documents=operation["documents"],
                per_unit=operation.get("per_unit", False),
            )
            for operation in record.snapshot["routing"]["operations"]
        )
        return {
            "bom": [None, str(bom)],
            "routing": [None, str(routing)],
            "quantity": [None, plain(record.quantity)],
            "line": [None, record.line.path],
            "lot": [None, record.lot.lot_number],
        }

    return WORK_ORDER.take(order, "release", by=by, guard=guard, effects=effects)


def cancel(order: WorkOrder, *, by, reason: str) -> WorkOrder:
    def effects(record):
        record.cancel_reason = reason.strip()
        return None

    return WORK_ORDER.take(order, "cancel", by=by, reason=reason, effects=effects)
