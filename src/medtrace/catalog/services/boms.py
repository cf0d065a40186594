"""Bills of materials: draft a version, set its lines, approve it by an electronic signature,
make it obsolete. Each write in one transaction with its audit entries."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.catalog.choices import UnitOfMeasure
from medtrace.catalog.models import Bom, BomLine, BomStatus, Item
from medtrace.catalog.services.common import refuse
from medtrace.core.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class LineIn:
    """One line as given: the component by item code (or Item), quantity, unit (default: the
    component's), tolerance in percent, and whether its lots are traced."""

    component: str | Item
    quantity: Decimal | str | int
    unit: str = ""
    tolerance_percent: Decimal | str | int = Decimal("0")
    trace_required: bool = True


def _lines_snapshot(bom: Bom) -> list[dict]:
    return [line.content() for line in bom.lines.select_related("component")]


def _locked(bom: Bom) -> Bom:
    return Bom.objects.select_for_update().select_related("item").get(pk=bom.pk)


def _require_draft(bom: Bom) -> None:
    if bom.status != BomStatus.DRAFT:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(bom)s is %(status)s; only a draft can be changed. Draft a new version instead.")
            % {"bom": bom, "status": bom.get_status_display()},
        )


@transaction.atomic
def create_bom_draft(*, item: Item, by, copy_from: Bom | None = None, note: str = "") -> Bom:
    """A new draft version of `item`'s BOM (the highest version + 1), with the lines of
    `copy_from` (an earlier version of the same item) if given."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if copy_from is not None and copy_from.item_id != item.pk:
        refuse(
            ErrorCode.VALIDATION,
            _("Only a BOM of %(code)s can be copied into its new version.") % {"code": item.code},
            "copy_from",
        )
    last = item.boms.aggregate(last=Max("version"))["last"] or 0
    bom = Bom.objects.create(
        organization_id=item.organization_id,
        item=item,
        version=last + 1,
        note=note.strip(),
        created_by=by,
    )
    if copy_from is not None:
        BomLine.objects.bulk_create(
            BomLine(
                bom=bom,
                position=line.position,
                component_id=line.component_id,
                quantity=line.quantity,
                unit=line.unit,
                tolerance_percent=line.tolerance_percent,
                trace_required=line.trace_required,
            )
            for line in copy_from.lines.all()
        )
    changes = audit.created(bom)
    if copy_from is not None:
        changes["copied_from"] = [None, copy_from.version]
        changes["lines"] = [None, _lines_snapshot(bom)]
    audit.record(AuditAction.CREATE, bom, by=by, changes=changes)
    return bom


def _decimal(value, field: str, position: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: “%(value)s” is not a number.")
            % {"position": position, "value": value},
            field,
        )
    return number


def _component(bom: Bom, component, position: int) -> Item:
    code = component.code if isinstance(component, Item) else str(component).strip().upper()
    found = Item.objects.filter(organization_id=bom.organization_id, code=code).first()
    if found is None or not found.is_active:
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: there is no active item %(code)s.")
            % {"position": position, "code": code},
            "lines",
        )
    if found.pk == bom.item_id:
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: %(code)s cannot be a component of itself.")
            % {"position": position, "code": code},
            "lines",
        )
    return found


def _line(bom: Bom, given: LineIn, position: int) -> BomLine:
    component = _component(bom, given.component, position)
    quantity = _decimal(given.quantity, "lines", position)
    if quantity <= 0:
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: the quantity must be more than 0.") % {"position": position},
            "lines",
        )
    tolerance = _decimal(given.tolerance_percent or 0, "lines", position)
    if tolerance < 0:
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: the tolerance cannot be negative.") % {"position": position},
            "lines",
        )
    unit = (given.unit or component.unit).strip().upper()
    if unit not in UnitOfMeasure.values:
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: unknown unit “%(unit)s”.")
            % {"position": position, "unit": given.unit},
            "lines",
        )
    if quantity.as_tuple().exponent < -4 or quantity >= Decimal("1e10"):
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: at most 10 digits and 4 decimals.") % {"position": position},
            "lines",
        )
    if tolerance.as_tuple().exponent < -2 or tolerance >= Decimal("10000"):
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(position)s: the tolerance is out of range.") % {"position": position},
            "lines",
        )
    return BomLine(
        bom=bom,
        position=position,
        component=component,
        quantity=quantity,
        unit=unit,
        tolerance_percent=tolerance,
        trace_required=bool(given.trace_required),
    )


@transaction.atomic
def set_bom_lines(*, bom: Bom, lines, by, reason: str = "") -> Bom:
    """Replace the draft's lines with `lines` (LineIn or dicts of its fields), numbered
    10, 20, 30 … in the order given. Refused unless the BOM is a draft."""
    bom = _locked(bom)
    _require_draft(bom)
    given = [line if isinstance(line, LineIn) else LineIn(**line) for line in lines]
    new_lines = [_line(bom, line, (index + 1) * 10) for index, line in enumerate(given)]
    components = [line.component_id for line in new_lines]
    if len(set(components)) != len(components):
        refuse(ErrorCode.VALIDATION, _("Each component may appear on one line only."), "lines")
    before = _lines_snapshot(bom)
    bom.lines.all().delete()
    BomLine.objects.bulk_create(new_lines)
    after = _lines_snapshot(bom)
    if before != after:
        audit.record(
            AuditAction.CHANGE, bom, by=by, changes={"lines": [before, after]}, reason=reason
        )
    return bom


def approve_bom(*, bom: Bom, by, password: str, reason: str = "") -> Bom:
    """Approve the draft by `by`'s electronic signature (meaning “approved”): it becomes the
    effective version, and the version approved before it becomes obsolete, in one
    transaction. A refused signature leaves its SIGN_FAILED entry committed and changes
    nothing else."""
    refusal = None
    with transaction.atomic():
        bom = _locked(bom)
        _require_draft(bom)
        if not bom.lines.exists():
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(bom)s has no lines; a BOM without lines cannot be approved.") % {"bom": bom},
            )
        try:
            signatures.sign(bom, SignatureMeaning.APPROVED, by=by, password=password, reason=reason)
        except DomainError as error:
            refusal = error  # the SIGN_FAILED entry commits with this block
        else:
            now = timezone.now()
            previous = Bom.objects.select_for_update().filter(
                item_id=bom.item_id, status=BomStatus.APPROVED
            )
            for old in previous:
                old.status = BomStatus.OBSOLETE
                old.save(update_fields=["status"])
                audit.record(
                    AuditAction.TRANSITION,
                    old,
                    by=by,
                    changes={"status": [BomStatus.APPROVED, BomStatus.OBSOLETE]},
                    reason=str(_("Superseded by version %(version)s.") % {"version": bom.version}),
                )
            bom.status = BomStatus.APPROVED
            bom.effective_from = now
            bom.save(update_fields=["status", "effective_from"])
            audit.record(
                AuditAction.TRANSITION,
                bom,
                by=by,
                changes={
                    "status": [BomStatus.DRAFT, BomStatus.APPROVED],
                    "effective_from": [None, now],
                },
                reason=reason,
            )
    if refusal is not None:
        raise refusal
    return bom


@transaction.atomic
def obsolete_bom(*, bom: Bom, by, reason: str) -> Bom:
    """Withdraw a draft or the approved version; the reason is required."""
    bom = _locked(bom)
    if not reason.strip():
        raise DomainError(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for making %(bom)s obsolete.") % {"bom": bom},
            fields={"reason": [str(_("Required."))]},
        )
    if bom.status == BomStatus.OBSOLETE:
        refuse(ErrorCode.INVALID_STATE, _("%(bom)s is already obsolete.") % {"bom": bom})
    audit.record(
        AuditAction.TRANSITION,
        bom,
        by=by,
        changes={"status": [bom.status, BomStatus.OBSOLETE]},
        reason=reason,
    )
    bom.status = BomStatus.OBSOLETE
    bom.save(update_fields=["status"])
    return bom
