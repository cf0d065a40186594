"""Inspection plans: what to check on an item at a stage, with the AQL of each class of
nonconformity (ISO 2859-1) and the characteristics' limits, checked when the plan is made."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Organization
from medtrace.quality import sampling
from medtrace.quality.choices import CharacteristicKind, DefectClass
from medtrace.quality.models import Characteristic, InspectionPlan

CHARACTERISTIC_FIELDS = (
    "name", "kind", "defect_class", "unit", "lower_limit", "target", "upper_limit",
    "equipment_type", "method",
)  # fmt: skip


def _refuse(code: ErrorCode, message, field: str | None = None, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


@transaction.atomic
def create_plan(
    *,
    organization: Organization,
    code: str,
    name: str,
    stage: str,
    characteristics: list[dict],
    by,
    item: Item | None = None,
    inspection_level: str = "II",
    aql_critical: str = "",
    aql_major: str = "",
    aql_minor: str = "",
) -> InspectionPlan:
    """A plan and its characteristics (dicts of CHARACTERISTIC_FIELDS, in order). Each
    characteristic's defect class needs an AQL on the plan; a measured one needs its unit and
    a limit, in order (lower ≤ target ≤ upper)."""
    code = code.strip().upper()
    if item is not None and item.organization_id != organization.pk:
        _refuse(ErrorCode.NOT_FOUND, _("%(item)s is not known here.") % {"item": item}, "item")
    plan = InspectionPlan(
        organization=organization,
        code=code,
        name=name.strip(),
        stage=stage,
        item=item,
        inspection_level=inspection_level,
        aql_critical=_aql(aql_critical, "aql_critical"),
        aql_major=_aql(aql_major, "aql_major"),
        aql_minor=_aql(aql_minor, "aql_minor"),
    )
    validated(plan)
    if not plan.aqls():
        _refuse(
            ErrorCode.VALIDATION,
            _("Give the AQL of at least one defect class."),
            "aql_major",
        )
    if not characteristics:
        _refuse(
            ErrorCode.VALIDATION,
            _("A plan needs at least one characteristic to check."),
            "characteristics",
        )
    if InspectionPlan.objects.filter(organization=organization, code=code).exists():
        _refuse(
            ErrorCode.DUPLICATE,
            _("There is already an inspection plan %(code)s.") % {"code": code},
            "code",
        )
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        _refuse(
            ErrorCode.DUPLICATE,
            _("There is already an inspection plan %(code)s.") % {"code": code},
            "code",
        )
    rows = [
        _characteristic(plan, position, fields)
        for position, fields in enumerate(characteristics, start=1)
    ]
    Characteristic.objects.bulk_create(rows)
    changes = audit.created(plan)
    changes["characteristics"] = [None, [_described(row) for row in rows]]
    audit.record(AuditAction.CREATE, plan, by=by, changes=changes)
    return plan


def _aql(value, field: str) -> str:
    if value in ("", None):
        return ""
    try:
        return str(sampling.normalize_aql(value))
    except ValueError:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(value)s is not an AQL of ISO 2859-1 (0.010 to 1000 in its series).")
            % {"value": value},
            field,
        )


def _characteristic(plan: InspectionPlan, position: int, fields: dict) -> Characteristic:
    unknown = set(fields) - set(CHARACTERISTIC_FIELDS)
    if unknown:
        raise TypeError(f"unknown characteristic fields {sorted(unknown)}")
    row = Characteristic(plan=plan, position=position, **fields)
    label = _("Characteristic %(position)s (%(name)s)") % {"position": position, "name": row.name}
    try:
        validated(row)
    except DomainError as error:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(characteristic)s: %(problem)s") % {"characteristic": label, "problem": error},
            fields={"characteristics": [str(error)]},
        ) from None
    if row.defect_class not in plan.aqls():
        _refuse(
            ErrorCode.VALIDATION,
            _("%(characteristic)s is %(class)s, but the plan gives no AQL for that class.")
            % {"characteristic": label, "class": DefectClass(row.defect_class).label},
            "characteristics",
        )
    limits = [row.lower_limit, row.target, row.upper_limit]
    if row.kind == CharacteristicKind.VARIABLE:
        if not row.unit or (row.lower_limit is None and row.upper_limit is None):
            _refuse(
                ErrorCode.VALIDATION,
                _("%(characteristic)s is measured: give its unit and a lower or upper limit.")
                % {"characteristic": label},
                "characteristics",
            )
        given = [limit for limit in limits if limit is not None]
        if given != sorted(given):
            _refuse(
                ErrorCode.VALIDATION,
                _("%(characteristic)s: the limits must read lower ≤ target ≤ upper.")
                % {"characteristic": label},
                "characteristics",
            )
    elif any(limit is not None for limit in limits):
        _refuse(
            ErrorCode.VALIDATION,
            _("%(characteristic)s is pass / fail: it has no limits.") % {"characteristic": label},
            "characteristics",
        )
    return row


def _described(row: Characteristic) -> dict:
    return {name: getattr(row, name) for name in CHARACTERISTIC_FIELDS if getattr(row, name)}


@transaction.atomic
def set_plan_active(plan: InspectionPlan, *, active: bool, reason: str, by) -> InspectionPlan:
    """Withdraw a plan from use (or return it); the reason is required."""
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if not reason.strip():
        _refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing whether %(code)s is in use.") % {"code": plan.code},
            "reason",
        )
    if plan.active != active:
        audit.record(
            AuditAction.CHANGE, plan, by=by, changes={"active": [plan.active, active]},
            reason=reason,
        )  # fmt: skip
        plan.active = active
        plan.save(update_fields=["active"])
    return plan
