"""Receiving a supplier lot against a purchase order line: the label scanned (GS1 element
string or Digital Link, HIBC, MA) or typed, checked against the order, the lot created and
received into quarantine at the site's receiving location through the stock ledger
(inventory.services.moves), the certificate of analysis kept with its SHA-256, and the incoming
inspection started when the item has a plan. All in one transaction: a refusal writes nothing.

Our lot number: the catalog's lot-number rule for the item (or the organization's default)
when there is one, so received and made lots are numbered alike and never collide between two
suppliers using the same lot number; the supplier's lot number stays on the lot
(supplier_lot_number) and in the ILMD. Without any rule, the supplier's lot number is ours."""

import datetime
import math
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import IssuingAgency
from medtrace.catalog.models import DeviceIdentifier, LotNumberRule
from medtrace.catalog.services.lot_numbers import next_lot_number
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.uploads import checked_certificate_file
from medtrace.epcis.model import TypedId
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.purchasing.choices import NEEDS_REASON, RECEIVABLE, Mismatch, PurchaseOrderStatus
from medtrace.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from medtrace.purchasing.services.common import refuse, require_perm
from medtrace.purchasing.services.orders import require_source
from medtrace.quality.choices import InspectionStage
from medtrace.quality.models import InspectionPlan
from medtrace.quality.sampling import MIN_LOT_SIZE
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services.numbering import next_number
from medtrace.scan import ScanError, ScanResult, parse
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot
from medtrace.trace.services import objects as trace_objects

ADD = "purchasing.add_receipt"
LOT_NUMBER_LENGTH = 20


def read_label(code: str) -> ScanResult | None:
    """The supplier's label read, or a refusal naming the rule it breaks."""
    code = (code or "").strip()
    if not code:
        return None
    try:
        return parse(code)
    except ScanError as error:
        refuse(ErrorCode.VALIDATION, error.message, "code", scan_error=str(error.code))


def _agree(scanned, typed, field: str, label):
    """The value the label gives, or the typed one; both must say the same."""
    if scanned is not None and typed not in (None, "") and scanned != typed:
        refuse(
            ErrorCode.VALIDATION,
            _("The label says %(label)s %(scanned)s; %(typed)s was typed.")
            % {"label": label, "scanned": scanned, "typed": typed},
            field,
        )
    return scanned if scanned is not None else typed


def _expected_codes(line: PurchaseOrderLine) -> tuple[set[str], set[str]]:
    """(GTINs, other product codes) a label of the line's item may carry: the item's own
    device identifiers and the supplier's codes on the line."""
    gtins, others = set(), set()
    for agency, value in DeviceIdentifier.objects.filter(item=line.item).values_list(
        "issuing_agency", "value"
    ):
        if agency == IssuingAgency.GS1 and value.isdigit():
            gtins.add(value.zfill(14))
        else:
            others.add(value.upper())
    if line.supplier_gtin:
        gtins.add(line.supplier_gtin)
    if line.supplier_item_code:
        others.add(line.supplier_item_code.upper())
    return gtins, others


def _check_product(line: PurchaseOrderLine, scan: ScanResult | None, mismatches: list) -> str:
    """The label's GTIN (or product code) against the line's item; a code naming another
    product is refused, one we have no record of is noted."""
    if scan is None or scan.scheme == "internal":
        return ""
    gtins, others = _expected_codes(line)
    names = {"item": line.item.code, "order": line.order.number, "line": line.position}
    if scan.gtin:
        names["code"] = scan.gtin
        if gtins and scan.gtin not in gtins:
            refuse(
                ErrorCode.VALIDATION,
                _("GTIN %(code)s is not %(item)s, the item of %(order)s line %(line)s.") % names,
                "code",
            )
        if not gtins:
            mismatches.append(_mismatch(Mismatch.GTIN_NOT_ON_RECORD, names))
        return scan.gtin
    given = {c.upper() for c in (scan.device_identifier, scan.pcn) if c}
    if given:
        names["code"] = scan.device_identifier or scan.pcn
        if others and not given & others:
            refuse(
                ErrorCode.VALIDATION,
                _("Product code %(code)s is not %(item)s, the item of %(order)s line %(line)s.")
                % names,
                "code",
            )
        if not others:
            mismatches.append(_mismatch(Mismatch.GTIN_NOT_ON_RECORD, names))
    return ""


MISMATCH_MESSAGES = {
    Mismatch.GTIN_NOT_ON_RECORD: _(
        "%(code)s is not on record for %(item)s; add it to the order line or the catalog."
    ),
    Mismatch.OVER_RECEIPT: _(
        "%(quantity)s %(uom)s is more than the %(open)s %(uom)s still open on %(order)s line "
        "%(line)s (tolerance %(tolerance)s %%)."
    ),
    Mismatch.EXPIRY_MISSING: _("%(item)s has a shelf life, and no expiry date was given."),
    Mismatch.SHORT_SHELF_LIFE: _(
        "Lot expires on %(expires)s: %(left)s days left, %(minimum)s required by %(order)s line "
        "%(line)s."
    ),
}


def _mismatch(kind: Mismatch, names: dict) -> dict:
    return {"kind": str(kind), "message": str(MISMATCH_MESSAGES[kind] % names)}


def _check_dates(line, expires_on, manufactured_on, today, mismatches) -> None:
    names = {"item": line.item.code, "order": line.order.number, "line": line.position}
    if manufactured_on is not None and manufactured_on > today:
        refuse(
            ErrorCode.VALIDATION,
            _("The production date %(date)s lies in the future.") % {"date": manufactured_on},
            "manufactured_on",
        )
    if expires_on is None:
        if line.item.shelf_life_days:
            mismatches.append(_mismatch(Mismatch.EXPIRY_MISSING, names))
        return
    if expires_on < today:
        refuse(
            ErrorCode.VALIDATION,
            _("The lot expired on %(date)s; expired material is not received.")
            % {"date": expires_on},
            "expires_on",
        )
    if line.min_remaining_days is not None:
        left = (expires_on - today).days
        if left < line.min_remaining_days:
            names |= {"expires": expires_on, "left": left, "minimum": line.min_remaining_days}
            mismatches.append(_mismatch(Mismatch.SHORT_SHELF_LIFE, names))


def _check_quantity(line: PurchaseOrderLine, quantity: Decimal, mismatches: list) -> None:
    allowed = line.open_quantity + line.quantity * line.tolerance_percent / 100
    if quantity > allowed:
        mismatches.append(
            _mismatch(
                Mismatch.OVER_RECEIPT,
                {
                    "quantity": _plain(quantity),
                    "uom": line.uom,
                    "open": _plain(line.open_quantity),
                    "order": line.order.number,
                    "line": line.position,
                    "tolerance": _plain(line.tolerance_percent),
                },
            )
        )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _lot_number(line: PurchaseOrderLine, site, supplier_lot: str) -> str:
    item = line.item
    has_rule = LotNumberRule.objects.filter(
        Q(item=item) | Q(item__isnull=True), organization_id=item.organization_id
    ).exists()
    if has_rule:
        return next_lot_number(item=item, site=site)
    if len(supplier_lot) > LOT_NUMBER_LENGTH:
        refuse(
            ErrorCode.INVALID_STATE,
            _(
                "Supplier lot %(lot)s is longer than our lot numbers (%(max)s characters) and "
                "%(item)s has no lot-number rule: set up a rule in the catalog."
            )
            % {"lot": supplier_lot, "max": LOT_NUMBER_LENGTH, "item": item.code},
            "supplier_lot",
        )
    if Lot.objects.filter(item=item, lot_number=supplier_lot).exists():
        refuse(
            ErrorCode.DUPLICATE,
            _("Lot %(lot)s of %(item)s was already received.")
            % {"lot": supplier_lot, "item": item.code},
            "supplier_lot",
        )
    return supplier_lot


def receiving_location(site, location: Location | None = None) -> Location:
    """Where received goods wait: the location given (receiving or quarantine, at the
    site), else the site's receiving location (RCV first)."""
    if location is not None:
        if location.site_id != site.pk or location.kind not in (
            LocationKind.RECEIVING,
            LocationKind.QUARANTINE,
        ):
            refuse(
                ErrorCode.VALIDATION,
                _("%(location)s is not a receiving or quarantine location of site %(site)s.")
                % {"location": location.path, "site": site.code},
                "location",
            )
        return location
    found = list(
        Location.objects.filter(site=site, kind=LocationKind.RECEIVING, is_active=True).order_by(
            "path"
        )
    )
    found.sort(key=lambda each: each.code != "RCV")
    if not found:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Site %(site)s has no receiving location; create one first.") % {"site": site.code},
        )
    return found[0]


def checked_certificate(upload) -> tuple[str, str]:
    """(file name, SHA-256) of a certificate of analysis, or a refusal naming the rule."""
    return checked_certificate_file(upload, field="certificate")


def incoming_plan(item) -> InspectionPlan | None:
    return (
        InspectionPlan.objects.filter(
            organization_id=item.organization_id,
            item=item,
            stage=InspectionStage.INCOMING,
            active=True,
        )
        .order_by("pk")
        .first()
    )


def _start_inspection(receipt: Receipt, plan: InspectionPlan, by):
    """Start the incoming inspection now; a plan whose characteristics need instruments waits
    for the inspector to start it with the ones they use (the receipt page offers it)."""
    point = transaction.savepoint()
    try:
        record = inspections.start_inspection(
            site=receipt.site,
            plan=plan,
            lot=receipt.lot,
            lot_size=max(math.ceil(receipt.quantity), MIN_LOT_SIZE),
            by=by,
        )
    except DomainError as error:
        transaction.savepoint_rollback(point)
        if "equipment" in (error.details.get("fields") or {}):
            return None
        raise
    transaction.savepoint_commit(point)
    return record


def already_received(organization, key: str | None) -> Receipt | None:
    if not key:
        return None
    return Receipt.objects.filter(organization=organization, key=key).first()


@transaction.atomic
def receive(
    line: PurchaseOrderLine,
    *,
    by,
    quantity=None,
    code: str = "",
    supplier_lot: str = "",
    expires_on: datetime.date | None = None,
    manufactured_on: datetime.date | None = None,
    reason: str = "",
    certificate=None,
    location: Location | None = None,
    key: str | None = None,
    at: datetime.datetime | None = None,
) -> Receipt:
    """Receive one supplier lot against `line`: from the scanned `code`, the typed fields, or
    both (they must agree). Mismatches that need a reason (NEEDS_REASON) are refused without
    one. With `key` (a scan's or an API call's client key) a second call answers the first
    receipt again."""
    earlier = already_received(line.organization, key)
    if earlier is not None:
        return earlier
    # Only the order and the line are locked: FOR UPDATE of the joined site, supplier and item
    # rows would block every writer's foreign-key check on them (PostgreSQL takes those at
    # commit, after the audit chain), a deadlock with any audited write at the site.
    order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("supplier", "site")
        .get(pk=line.order_id)
    )
    line = (
        PurchaseOrderLine.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=line.pk)
    )
    line.order = order
    site = order.site
    require_perm(
        by, ADD, order,
        _("Your roles do not allow receiving at site %(site)s.") % {"site": site.code},
    )  # fmt: skip
    if order.status not in RECEIVABLE:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; only a released order is received against.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    require_source(line, at=at)
    when = at or timezone.now()
    today = site.local_date(when)
    scan = read_label(code)
    mismatches: list[dict] = []
    gtin = _check_product(line, scan, mismatches)
    scanned_lot = None
    if scan is not None:
        scanned_lot = scan.lot if scan.scheme != "internal" else scan.text
    supplier_lot = _agree(scanned_lot, (supplier_lot or "").strip(), "supplier_lot", _("lot"))
    if not supplier_lot:
        refuse(
            ErrorCode.VALIDATION,
            _("Scan the supplier's label or type its lot number."),
            "supplier_lot",
        )
    if len(supplier_lot) > 40:
        refuse(ErrorCode.VALIDATION, _("A supplier lot number has at most 40 characters."),
               "supplier_lot")  # fmt: skip
    expires_on = _agree(scan.expiry if scan else None, expires_on, "expires_on", _("expiry"))
    manufactured_on = _agree(
        scan.production_date if scan else None, manufactured_on, "manufactured_on",
        _("production date"),
    )  # fmt: skip
    if quantity in (None, "") and scan is not None and scan.count:
        quantity = scan.count
    if quantity in (None, ""):
        refuse(ErrorCode.VALIDATION, _("Give the quantity received."), "quantity")
    quantity = moves.quantity(quantity)
    _check_dates(line, expires_on, manufactured_on, today, mismatches)
    _check_quantity(line, quantity, mismatches)
    reason = (reason or "").strip()
    unexplained = [m for m in mismatches if m["kind"] in NEEDS_REASON]
    if unexplained and not reason:
        refuse(
            ErrorCode.REASON_REQUIRED,
            " ".join(m["message"] for m in unexplained)
            + " "
            + str(_("Give the reason to receive it anyway.")),
            "reason",
            mismatches=[m["kind"] for m in unexplained],
        )
    certificate_name = certificate_sha256 = ""
    if certificate is not None:
        certificate_name, certificate_sha256 = checked_certificate(certificate)
    destination = receiving_location(site, location)
    lot = trace_objects.create_lot(
        item=line.item,
        lot_number=_lot_number(line, site, supplier_lot),
        site=site,
        gtin=gtin,
        origin=LotOrigin.RECEIVED,
        supplier=order.supplier,
        supplier_lot_number=supplier_lot,
        manufactured_on=manufactured_on,
        expires_on=expires_on,
        by=by,
    )
    party = trace_objects.ensure_party(
        organization=order.organization, supplier=order.supplier, by=by
    )
    ilmd = {"cbvmda:lotNumber": lot.lot_number}
    if expires_on:
        ilmd["cbvmda:itemExpirationDate"] = expires_on.isoformat()
    if manufactured_on:
        ilmd["cbvmda:productionDate"] = manufactured_on.isoformat()
    event = moves.move(
        site=site,
        lines=[moves.Line(lot, quantity)],
        operation=Operation.RECEIVE,
        biz_step="receiving",
        disposition="in_progress",
        action="ADD",
        destination=destination,
        parties_from=(TypedId("owning_party", party.identifier),),
        biz_transactions=(TypedId("po", order.urn),),
        ilmd=ilmd,
        by=by,
        reason=reason,
        key=key,
        at=at,
    )
    receipt = Receipt(
        organization_id=order.organization_id, site=site, order=order, line=line, lot=lot,
        quantity=quantity, uom=line.uom, scanned=(code or "").strip(),
        scan=scan.as_dict() if scan is not None else {}, gtin=gtin,
        supplier_lot_number=supplier_lot, manufactured_on=manufactured_on,
        expires_on=expires_on, mismatches=mismatches, reason=reason, event=event,
        key=key or "", received_by=by, received_at=when,
        certificate_name=certificate_name, certificate_sha256=certificate_sha256,
    )  # fmt: skip
    receipt.number = next_number(order.organization, "GR")
    if certificate is not None:
        receipt.certificate = certificate
    receipt.save()
    changes = audit.created(receipt)
    plan = incoming_plan(line.item)
    if plan is not None:
        receipt.inspection = _start_inspection(receipt, plan, by)
        receipt.save(update_fields=["inspection"])
        changes["inspection"] = [
            None,
            receipt.inspection.number if receipt.inspection else f"{plan.code} (to start)",
        ]
    audit.record(AuditAction.CREATE, receipt, by=by, changes=changes, reason=reason)
    _count_received(order, line, quantity, by)
    return receipt


def _count_received(order: PurchaseOrder, line: PurchaseOrderLine, quantity, by) -> None:
    PurchaseOrderLine.objects.filter(pk=line.pk).update(
        received_quantity=F("received_quantity") + quantity
    )
    complete = not order.lines.filter(received_quantity__lt=F("quantity")).exists()
    status = PurchaseOrderStatus.RECEIVED if complete else PurchaseOrderStatus.PARTIALLY_RECEIVED
    if status != order.status:
        before = order.status
        order.status = status
        order.save(update_fields=["status"])
        audit.record(AuditAction.TRANSITION, order, by=by, changes={"status": [before, status]})


@transaction.atomic
def attach_certificate(receipt: Receipt, certificate, *, by) -> Receipt:
    """Attach (or replace) the certificate of analysis while the lot is in quarantine."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    require_perm(
        by, ADD, receipt,
        _("Your roles do not allow changing %(receipt)s.") % {"receipt": receipt.number},
    )  # fmt: skip
    if receipt.status != "quarantine":
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(receipt)s is released; its certificate can no longer change.")
            % {"receipt": receipt.number},
        )
    before = receipt.certificate_sha256
    receipt.certificate_name, receipt.certificate_sha256 = checked_certificate(certificate)
    receipt.certificate = certificate
    receipt.save(update_fields=["certificate", "certificate_name", "certificate_sha256"])
    audit.record(
        AuditAction.CHANGE,
        receipt,
        by=by,
        changes={"certificate_sha256": [before or None, receipt.certificate_sha256]},
    )
    return receipt
