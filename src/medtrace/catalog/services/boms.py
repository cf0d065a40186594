"""Bills of materials: a draft's lines, and the version lifecycle (services.versions) under
BOM names. Each write in one transaction with its audit entries."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import UnitOfMeasure
from medtrace.catalog.models import Bom, BomLine, Item
from medtrace.catalog.services import versions
from medtrace.catalog.services.common import refuse
from medtrace.core.errors import ErrorCode


@dataclass(frozen=True)
class LineIn:
    """One line as given: the component by item code (or Item), quantity, unit (default: the
    component's), tolerance in percent, and whether its lots are traced."""

    component: str | Item
    quantity: Decimal | str | int
    unit: str = ""
    tolerance_percent: Decimal | str | int = Decimal("0")
    trace_required: bool = True


def _copy_lines(source: Bom, draft: Bom) -> None:
    BomLine.objects.bulk_create(
        BomLine(
            bom=draft,
            position=line.position,
            component_id=line.component_id,
            quantity=line.quantity,
            unit=line.unit,
            tolerance_percent=line.tolerance_percent,
            trace_required=line.trace_required,
        )
        for line in source.lines.all()
    )


def create_bom_draft(*, item: Item, by, copy_from: Bom | None = None, note: str = "") -> Bom:
    """A new draft version of `item`'s BOM, with the lines of `copy_from` if given."""
    return versions.create_draft(
        Bom, item=item, by=by, copy_from=copy_from, copy_content=_copy_lines, note=note
    )


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
    bom = versions.locked(bom)
    versions.require_draft(bom)
    given = [line if isinstance(line, LineIn) else LineIn(**line) for line in lines]
    new_lines = [_line(bom, line, (index + 1) * 10) for index, line in enumerate(given)]
    components = [line.component_id for line in new_lines]
    if len(set(components)) != len(components):
        refuse(ErrorCode.VALIDATION, _("Each component may appear on one line only."), "lines")
    before = bom.content()
    bom.lines.all().delete()
    BomLine.objects.bulk_create(new_lines)
    after = bom.content()
    if before != after:
        audit.record(
            AuditAction.CHANGE, bom, by=by, changes={"lines": [before, after]}, reason=reason
        )
    return bom


def obsolete_bom(*, bom: Bom, by, reason: str) -> Bom:
    return versions.make_obsolete(bom, by=by, reason=reason)
