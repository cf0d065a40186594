"""Routings: a draft's operations with their process-parameter specs, and the version
lifecycle (services.versions) under routing names. Each write in one transaction with its
audit entries."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item, ProcessParameterSpec, Routing, RoutingOperation
from medtrace.catalog.services import versions
from medtrace.catalog.services.common import refuse
from medtrace.core.errors import ErrorCode
from medtrace.equipment.choices import EquipmentType

FIELD = "operations"
LARGEST = Decimal("1e10")


@dataclass(frozen=True)
class ParameterIn:
    """A process parameter as given; limits and target as numbers or text, blank for none."""

    name: str
    unit: str
    lower_limit: Decimal | str | int | None = None
    target: Decimal | str | int | None = None
    upper_limit: Decimal | str | int | None = None


@dataclass(frozen=True)
class OperationIn:
    name: str
    work_center: str = ""
    equipment_type: str = ""
    inspection_plan: str = ""
    instructions: str = ""
    parameters: tuple[ParameterIn, ...] | list = field(default_factory=tuple)
    documents: tuple[str, ...] | list = field(default_factory=tuple)
    per_unit: bool = False


def _copy_operations(source: Routing, draft: Routing) -> None:
    for operation in source.operations.prefetch_related("parameters"):
        parameters = list(operation.parameters.all())
        operation.pk, operation.routing = None, draft
        operation.save()
        for parameter in parameters:
            parameter.pk, parameter.operation = None, operation
        ProcessParameterSpec.objects.bulk_create(parameters)


def create_routing_draft(
    *, item: Item, by, copy_from: Routing | None = None, note: str = ""
) -> Routing:
    """A new draft version of `item`'s routing, with the operations of `copy_from` if given."""
    return versions.create_draft(
        Routing, item=item, by=by, copy_from=copy_from, copy_content=_copy_operations, note=note
    )


def obsolete_routing(*, routing: Routing, by, reason: str) -> Routing:
    return versions.make_obsolete(routing, by=by, reason=reason)


def _limit(value, where: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": value},
            FIELD,
        )
    if number.as_tuple().exponent < -4 or abs(number) >= LARGEST:
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: at most 10 digits and 4 decimals.") % {"where": where},
            FIELD,
        )
    return number


def _parameter(given: ParameterIn, operation: RoutingOperation, index: int):
    name = " ".join(str(given.name).split())
    where = str(
        _("Operation %(position)s, parameter “%(name)s”")
        % {"position": operation.position, "name": name or index}
    )
    if not name or len(name) > 100:
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: a parameter needs a name of at most 100 characters.") % {"where": where},
            FIELD,
        )
    unit = str(given.unit).strip()
    if not unit or len(unit) > 16:
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: give the unit (at most 16 characters), e.g. °C, MPa, s.")
            % {"where": where},
            FIELD,
        )
    lower, target, upper = (
        _limit(given.lower_limit, where),
        _limit(given.target, where),
        _limit(given.upper_limit, where),
    )
    if lower is None and upper is None:
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: give a lower limit, an upper limit or both.") % {"where": where},
            FIELD,
        )
    if lower is not None and upper is not None and lower > upper:
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: the lower limit is above the upper limit.") % {"where": where},
            FIELD,
        )
    if target is not None and (
        (lower is not None and target < lower) or (upper is not None and target > upper)
    ):
        refuse(
            ErrorCode.VALIDATION,
            _("%(where)s: the target lies outside the limits.") % {"where": where},
            FIELD,
        )
    return ProcessParameterSpec(
        operation=operation,
        position=index,
        name=name,
        unit=unit,
        lower_limit=lower,
        target=target,
        upper_limit=upper,
    )


def _operation(routing: Routing, given: OperationIn, position: int) -> RoutingOperation:
    name = " ".join(str(given.name).split())
    if not name or len(name) > 100:
        refuse(
            ErrorCode.VALIDATION,
            _("Operation %(position)s: give a name of at most 100 characters.")
            % {"position": position},
            FIELD,
        )
    equipment_type = (given.equipment_type or "").strip()
    if equipment_type and equipment_type not in EquipmentType.values:
        refuse(
            ErrorCode.VALIDATION,
            _("Operation %(position)s: unknown equipment type “%(type)s”.")
            % {"position": position, "type": equipment_type},
            FIELD,
        )
    work_center = (given.work_center or "").strip().upper()
    inspection_plan = (given.inspection_plan or "").strip().upper()
    if len(work_center) > 32 or len(inspection_plan) > 32:
        refuse(
            ErrorCode.VALIDATION,
            _(
                "Operation %(position)s: the work center and inspection plan have at most 32 "
                "characters."
            )
            % {"position": position},
            FIELD,
        )
    return RoutingOperation(
        routing=routing,
        documents=_documents(routing, given.documents, position),
        position=position,
        name=name,
        work_center=work_center,
        equipment_type=equipment_type,
        inspection_plan=inspection_plan,
        instructions=(given.instructions or "").strip(),
        per_unit=bool(given.per_unit),
    )


def _documents(routing: Routing, numbers, position: int) -> list[str]:
    """The required documents' numbers, each a controlled document of the organization."""
    from medtrace.documents.models import ControlledDocument

    wanted = list(dict.fromkeys(str(n).strip().upper() for n in numbers if str(n).strip()))
    known = set(
        ControlledDocument.objects.filter(
            organization_id=routing.organization_id, number__in=wanted
        ).values_list("number", flat=True)
    )
    unknown = [number for number in wanted if number not in known]
    if unknown:
        refuse(
            ErrorCode.VALIDATION,
            _("Operation %(position)s: %(number)s is not a controlled document.")
            % {"position": position, "number": unknown[0]},
            FIELD,
        )
    return wanted


def _as_operation(given) -> OperationIn:
    if isinstance(given, OperationIn):
        return given
    fields = dict(given)
    fields["parameters"] = tuple(
        p if isinstance(p, ParameterIn) else ParameterIn(**p) for p in fields.get("parameters", ())
    )
    return OperationIn(**fields)


@transaction.atomic
def set_routing_operations(*, routing: Routing, operations, by, reason: str = "") -> Routing:
    """Replace the draft's operations with `operations` (OperationIn or dicts of its fields,
    parameters likewise), numbered 10, 20, 30 … in the order given. Refused unless the
    routing is a draft; names are unique among the operations and among each operation's
    parameters."""
    routing = versions.locked(routing)
    versions.require_draft(routing)
    given = [_as_operation(operation) for operation in operations]
    built = []
    for index, operation_in in enumerate(given):
        operation = _operation(routing, operation_in, (index + 1) * 10)
        parameters = [
            _parameter(parameter, operation, number)
            for number, parameter in enumerate(operation_in.parameters, start=1)
        ]
        names = [parameter.name.casefold() for parameter in parameters]
        if len(set(names)) != len(names):
            refuse(
                ErrorCode.VALIDATION,
                _("Operation %(position)s: each parameter may appear once.")
                % {"position": operation.position},
                FIELD,
            )
        built.append((operation, parameters))
    names = [operation.name.casefold() for operation, _parameters in built]
    if len(set(names)) != len(names):
        refuse(ErrorCode.VALIDATION, _("Each operation needs its own name."), FIELD)
    before = routing.content()
    routing.operations.all().delete()
    for operation, parameters in built:
        operation.save()
        for parameter in parameters:
            parameter.operation = operation
        ProcessParameterSpec.objects.bulk_create(parameters)
    after = routing.content()
    if before != after:
        audit.record(
            AuditAction.CHANGE,
            routing,
            by=by,
            changes={"operations": [before, after]},
            reason=reason,
        )
    return routing
