"""Purchase orders: drafting one with its lines, releasing it (every line's source checked
against the approved supplier list, ISO 13485 7.4.1), cancelling and closing it, and the QA
manager's signed exception that lets a line be bought from a conditionally approved source."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.inventory.services.moves import quantity as checked_quantity
from medtrace.org.models import Site
from medtrace.partners.choices import SupplierStatus, Verdict
from medtrace.partners.models import Supplier
from medtrace.partners.sourcing import SourceVerdict, check_approved_source
from medtrace.purchasing.choices import RECEIVABLE, PurchaseOrderStatus
from medtrace.purchasing.models import PurchaseOrder, PurchaseOrderLine, SourceException
from medtrace.purchasing.services.common import refuse, require_perm
from medtrace.purchasing.workflows import PURCHASE_ORDER
from medtrace.quality.services.numbering import next_number
from medtrace.scan.checks import gs1_check_digit

ADD = "purchasing.add_purchaseorder"
CHANGE = "purchasing.change_purchaseorder"
APPROVE_EXCEPTION = "purchasing.approve_sourceexception"


@transaction.atomic
def create_order(
    *, site: Site, supplier: Supplier, by, note: str = "", lines: list[dict] = ()
) -> PurchaseOrder:
    """A draft order to `supplier`, received at `site`; `lines` as add_line takes them."""
    require_perm(
        by, ADD, site,
        _("Your roles do not allow ordering for site %(site)s.") % {"site": site.code},
    )  # fmt: skip
    if supplier.organization_id != site.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("There is no such supplier."), "supplier")
    if supplier.status == SupplierStatus.DISQUALIFIED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Supplier %(supplier)s is disqualified: nothing may be bought from it.")
            % {"supplier": supplier.code},
            "supplier",
        )
    order = PurchaseOrder(
        organization_id=site.organization_id, site=site, supplier=supplier, number="-",
        note=note.strip(), created_by=by,
    )  # fmt: skip
    validated(order)
    order.number = next_number(site.organization, "PO")
    order.save()
    audit.record(AuditAction.CREATE, order, by=by, changes=audit.created(order))
    for fields in lines:
        add_line(order, by=by, **fields)
    return order


def _gtin(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        refuse(
            ErrorCode.VALIDATION,
            _("%(value)s is not a GTIN (8, 12, 13 or 14 digits).") % {"value": value},
            "supplier_gtin",
        )
    value = value.zfill(14)
    if gs1_check_digit(value[:-1]) != value[-1]:
        refuse(
            ErrorCode.VALIDATION,
            _("GTIN %(value)s has a wrong check digit.") % {"value": value},
            "supplier_gtin",
        )
    return value


@transaction.atomic
def add_line(
    order: PurchaseOrder,
    *,
    item: Item,
    quantity,
    expected_on: datetime.date,
    by,
    supplier_gtin: str = "",
    supplier_item_code: str = "",
    tolerance_percent=None,
    min_remaining_days: int | None = None,
) -> PurchaseOrderLine:
    """Add a line to a draft order; its unit of measure is the item's."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    require_perm(
        by, CHANGE, order,
        _("Your roles do not allow changing %(order)s.") % {"order": order.number},
    )  # fmt: skip
    if order.status != PurchaseOrderStatus.DRAFT:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; only a draft order takes new lines.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    if item.organization_id != order.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("There is no such item."), "item")
    if not item.is_active:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Item %(item)s is inactive; it cannot be ordered.") % {"item": item.code},
            "item",
        )
    if item.tracking == "serial":
        refuse(
            ErrorCode.VALIDATION,
            _("%(item)s is serialized; serialized items are not received against orders yet.")
            % {"item": item.code},
            "item",
        )
    position = (order.lines.order_by("-position").values_list("position", flat=True).first()) or 0
    line = PurchaseOrderLine(
        organization_id=order.organization_id,
        order=order,
        position=position + 1,
        item=item,
        quantity=checked_quantity(quantity),
        uom=item.unit,
        expected_on=expected_on,
        supplier_gtin=_gtin(supplier_gtin),
        supplier_item_code=(supplier_item_code or "").strip(),
        min_remaining_days=min_remaining_days,
    )
    if tolerance_percent is not None:
        line.tolerance_percent = Decimal(str(tolerance_percent))
    validated(line)
    line.save()
    audit.record(
        AuditAction.CHANGE,
        order,
        by=by,
        changes={
            "lines": [
                None,
                [line.position, item.code, str(line.quantity), line.uom, str(expected_on)],
            ]
        },
    )
    return line


def verdict_of(line: PurchaseOrderLine, at=None) -> SourceVerdict:
    return check_approved_source(supplier=line.order.supplier, item=line.item, at=at)


def covering_exception(line: PurchaseOrderLine, verdict: SourceVerdict) -> SourceException | None:
    """The line's signed exception that covers the verdict's conditions as they are now."""
    for exception in line.exceptions.select_related("line__order", "supplier", "item"):
        if (
            exception.conditions == verdict.conditions
            and exception.conditions_due_on == verdict.conditions_due_on
            and any(valid for _sig, valid in signatures.with_validity(exception))
        ):
            return exception
    return None


def require_source(line: PurchaseOrderLine, *, at=None) -> SourceVerdict:
    """The line's source verdict when it allows buying (a conditional one only with the QA
    manager's signed exception); DomainError naming supplier, item and reason otherwise."""
    verdict = verdict_of(line, at)
    names = {"line": line.position, "reason": verdict.reason}
    if verdict.verdict == Verdict.REFUSED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Line %(line)s: %(reason)s") % names,
            supplier=line.order.supplier.code,
            item=line.item.code,
            verdict=str(verdict.verdict),
        )
    if verdict.verdict == Verdict.CONDITIONAL and covering_exception(line, verdict) is None:
        names["conditions"] = verdict.conditions.replace("\n", "; ")
        refuse(
            ErrorCode.INVALID_STATE,
            _(
                "Line %(line)s: %(reason)s (%(conditions)s) A QA manager's signed exception "
                "for this line is needed first."
            )
            % names,
            supplier=line.order.supplier.code,
            item=line.item.code,
            verdict=str(verdict.verdict),
        )
    return verdict


def release(order: PurchaseOrder, *, by, reason: str = "") -> PurchaseOrder:
    """Release a draft order to its supplier once every line's source allows it."""

    def every_source_allowed(locked: PurchaseOrder):
        lines = list(locked.lines.select_related("item", "order__supplier"))
        if not lines:
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(order)s has no lines; add what to order first.") % {"order": locked.number},
            )
        for line in lines:
            require_source(line)

    return PURCHASE_ORDER.take(order, "release", by=by, reason=reason, guard=every_source_allowed)


def cancel(order: PurchaseOrder, *, by, reason: str) -> PurchaseOrder:
    def nothing_received(locked):
        if locked.receipts.exists():
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(order)s has receipts; close it instead of cancelling it.")
                % {"order": locked.number},
            )

    return PURCHASE_ORDER.take(order, "cancel", by=by, reason=reason, guard=nothing_received)


def close(order: PurchaseOrder, *, by, reason: str) -> PurchaseOrder:
    return PURCHASE_ORDER.take(order, "close", by=by, reason=reason)


ACTIONS = {
    "release": lambda order, by, reason: release(order, by=by, reason=reason),
    "cancel": lambda order, by, reason: cancel(order, by=by, reason=reason),
    "close": lambda order, by, reason: close(order, by=by, reason=reason),
}


def grant_exception(line: PurchaseOrderLine, *, by, password: str, reason: str) -> SourceException:
    """The QA manager signs (meaning approved, password entered now) that `line` may be
    bought from its conditionally approved source under the verdict's conditions. A refused
    signature leaves its SIGN_FAILED entry (on the order) and writes nothing else."""
    refusal = None
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=line.order_id)
        line = PurchaseOrderLine.objects.select_related("item").get(pk=line.pk)
        require_perm(
            by, APPROVE_EXCEPTION, order,
            _("Your roles do not allow signing a source exception for %(order)s.")
            % {"order": order.number},
        )  # fmt: skip
        if order.status not in (PurchaseOrderStatus.DRAFT, *RECEIVABLE):
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(order)s is %(status)s; it needs no exception any more.")
                % {"order": order.number, "status": order.get_status_display()},
            )
        if not (reason or "").strip():
            refuse(
                ErrorCode.REASON_REQUIRED,
                _("Give the reason for buying from a conditional source."),
                "reason",
            )
        verdict = check_approved_source(supplier=order.supplier, item=line.item)
        if verdict.verdict != Verdict.CONDITIONAL:
            refuse(
                ErrorCode.INVALID_STATE,
                _("Line %(line)s needs no exception: %(reason)s")
                % {"line": line.position, "reason": verdict.reason},
            )
        if covering_exception(line, verdict) is not None:
            refuse(
                ErrorCode.DUPLICATE,
                _("Line %(line)s already has a signed exception for these conditions.")
                % {"line": line.position},
            )
        point = transaction.savepoint()
        exception = SourceException.objects.create(
            organization_id=order.organization_id, site_id=order.site_id, line=line,
            supplier=order.supplier, item=line.item, conditions=verdict.conditions,
            conditions_due_on=verdict.conditions_due_on, reason=reason.strip(), decided_by=by,
        )  # fmt: skip
        audit.record(
            AuditAction.CREATE, exception, by=by, changes=audit.created(exception), reason=reason
        )
        try:
            signatures.sign(
                exception, SignatureMeaning.APPROVED, by=by, password=password, reason=reason
            )
        except DomainError as error:
            transaction.savepoint_rollback(point)
            refusal = signatures.record_refusal(
                order, SignatureMeaning.APPROVED, by=by, refusal=error, reason=reason
            )
        else:
            transaction.savepoint_commit(point)
    if refusal is not None:
        raise refusal
    return exception
