"""Inspection records (plans are services.inspection_plans). A record's samples are sized by
ISO 2859-1 from the plan's AQLs and the severity the supplier's switching scheme stands at;
the equipment used must be in service and in calibration; the verdict is computed from the
results when the inspector signs, and a rejected lot opens a nonconformance with everything
linked (the lot held through the trace core)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.core.validation import validated
from medtrace.equipment.choices import EquipmentStatus, EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.org.models import Site
from medtrace.quality import sampling, switching
from medtrace.quality.choices import (
    CharacteristicKind,
    DefectClass,
    InspectionSeverity,
    InspectionStage,
    InspectionStatus,
    InspectionVerdict,
    NcrSource,
    Severity,
)
from medtrace.quality.models import (
    Characteristic,
    InspectionInstrument,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    SamplingScheme,
)
from medtrace.quality.services import nonconformance as ncrs
from medtrace.quality.services.numbering import next_number
from medtrace.quality.workflows import INSPECTION
from medtrace.trace.models import Lot

NCR_SOURCE = {
    InspectionStage.INCOMING: NcrSource.INCOMING,
    InspectionStage.IN_PROCESS: NcrSource.IN_PROCESS,
    InspectionStage.FINAL: NcrSource.FINAL,
}
# The class whose plan drives the switching rules when a plan judges several: the one
# ISO 2859-1 examples switch on.
SWITCHING_CLASS = DefectClass.MAJOR


def _refuse(code: ErrorCode, message, field: str | None = None, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


def scheme_state(supplier, item) -> switching.SwitchingState:
    """Where the switching rules stand for this supplier's lots of the item (normal when no
    lot of theirs was inspected yet)."""
    scheme = SamplingScheme.objects.filter(supplier=supplier, item=item).first()
    if scheme is None or not scheme.state:
        return switching.SwitchingState()
    return switching.SwitchingState.from_dict(scheme.state)


def _severity_for(plan: InspectionPlan, lot: Lot | None, supplier) -> str:
    if plan.stage != InspectionStage.INCOMING or supplier is None or lot is None:
        return InspectionSeverity.NORMAL
    state = scheme_state(supplier, lot.item)
    if state.status == switching.SchemeStatus.DISCONTINUED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _(
                "Acceptance inspection of %(item)s from %(supplier)s is discontinued: five lots "
                "were not accepted on tightened inspection (ISO 2859-1 9.4). Resume it once "
                "the supplier's corrective action is verified."
            )
            % {"item": lot.item.code, "supplier": supplier.code},
        )
    return str(state.severity)


def _plans(plan: InspectionPlan, lot_size: int, severity: str) -> dict:
    # The plan's AQLs and level were checked when it was made; the lot size is the one input
    # the tables can still refuse.
    if (
        isinstance(lot_size, bool)
        or not isinstance(lot_size, int)
        or lot_size < sampling.MIN_LOT_SIZE
    ):
        _refuse(
            ErrorCode.VALIDATION,
            _("A lot to sample has at least %(min)s items (ISO 2859-1 Table I).")
            % {"min": sampling.MIN_LOT_SIZE},
            "lot_size",
        )
    return sampling.plans_by_defect_class(
        lot_size, plan.aqls(), level=plan.inspection_level, severity=severity
    )


def _snapshot(plans: dict) -> dict:
    return {
        str(defect_class): {
            "aql": str(each.aql),
            "level": str(each.level),
            "severity": str(each.severity),
            "code_letter": each.code_letter,
            "plan_letter": each.plan_letter,
            "sample_size": each.sample_size,
            "accept": each.accept,
            "reject": each.reject,
            "inspect_all": each.inspect_all,
        }
        for defect_class, each in plans.items()
    }


def _check_equipment(plan: InspectionPlan, site: Site, equipment: list[Equipment]) -> None:
    today = timezone.localdate()
    for each in equipment:
        if each.site_id != site.pk:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(equipment)s is not at site %(site)s.")
                % {"equipment": each.code, "site": site.code},
                "equipment",
            )
        if each.status != EquipmentStatus.IN_SERVICE:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(equipment)s is %(status)s; only equipment in service may be used.")
                % {"equipment": each.code, "status": each.get_status_display()},
                "equipment",
            )
        if each.calibration_required and (
            each.calibration_due_on is None or each.calibration_due_on < today
        ):
            _refuse(
                ErrorCode.VALIDATION,
                _("%(equipment)s is out of calibration (due %(due)s); calibrate it first.")
                % {"equipment": each.code, "due": each.calibration_due_on or "—"},
                "equipment",
            )
    have = {each.equipment_type for each in equipment}
    for characteristic in plan.characteristics.all():
        if characteristic.equipment_type and characteristic.equipment_type not in have:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(characteristic)s is checked with a %(type)s; name the one you use.")
                % {
                    "characteristic": characteristic.name,
                    "type": EquipmentType(characteristic.equipment_type).label,
                },
                "equipment",
            )


@transaction.atomic
def start_inspection(
    *,
    site: Site,
    plan: InspectionPlan,
    lot_size: int,
    by,
    lot: Lot | None = None,
    equipment: list[Equipment] = (),
) -> InspectionRecord:
    """Start inspecting a lot (or a quantity) of `lot_size` against `plan` with the given
    equipment: the sample sizes and acceptance numbers are fixed now."""
    if plan.organization_id != site.organization_id:
        _refuse(ErrorCode.NOT_FOUND, _("%(plan)s is not known here.") % {"plan": plan.code})
    if not plan.active:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Inspection plan %(code)s is withdrawn from use.") % {"code": plan.code},
            "plan",
        )
    if lot is not None:
        if lot.site_id != site.pk:
            _refuse(
                ErrorCode.VALIDATION,
                _("Lot %(lot)s is not at site %(site)s.")
                % {"lot": lot.lot_number, "site": site.code},
                "lot",
            )
        if plan.item_id is not None and lot.item_id != plan.item_id:
            _refuse(
                ErrorCode.VALIDATION,
                _("Plan %(plan)s is for %(item)s; lot %(lot)s is %(other)s.")
                % {
                    "plan": plan.code,
                    "item": plan.item.code,
                    "lot": lot.lot_number,
                    "other": lot.item.code,
                },
                "lot",
            )
    equipment = list(equipment)
    _check_equipment(plan, site, equipment)
    supplier = lot.supplier if lot is not None else None
    severity = _severity_for(plan, lot, supplier)
    plans = _plans(plan, lot_size, severity)
    record = InspectionRecord(
        organization_id=site.organization_id,
        site=site,
        number="-",
        plan=plan,
        stage=plan.stage,
        lot=lot,
        supplier=supplier,
        lot_size=lot_size,
        severity=severity,
        sampling=_snapshot(plans),
        sample_size=sampling.units_to_draw(plans),
        inspector=by,
    )
    validated(record)
    record.number = next_number(site.organization, "INS")
    record.save()
    InspectionInstrument.objects.bulk_create(
        InspectionInstrument(
            record=record, equipment=each, calibration_due_on=each.calibration_due_on
        )
        for each in equipment
    )
    changes = audit.created(record)
    changes["equipment"] = [None, [each.code for each in equipment]]
    audit.record(AuditAction.CREATE, record, by=by, changes=changes)
    return record


def sample_size_of(record: InspectionRecord, characteristic: Characteristic) -> int:
    return record.sampling[characteristic.defect_class]["sample_size"]


@transaction.atomic
def record_results(record: InspectionRecord, results: list[dict], *, by) -> list[InspectionResult]:
    """Record (or correct, while in progress) results: dicts with `characteristic`, `sample`
    (1 to the class's sample size), `passed` for pass / fail characteristics or `value` for
    measured ones, and an optional `note`. Whether each conforms is computed."""
    record = InspectionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != InspectionStatus.IN_PROGRESS:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(record)s is %(status)s; its results can no longer change.")
            % {"record": record.number, "status": record.get_status_display()},
        )
    if not by.has_perm("quality.add_inspectionrecord", record):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow recording results of %(record)s.")
            % {"record": record.number},
        )
    characteristics = {c.pk: c for c in record.plan.characteristics.all()}
    saved, described = [], []
    for index, given in enumerate(results):
        characteristic = given["characteristic"]
        characteristic = characteristics.get(getattr(characteristic, "pk", characteristic))
        if characteristic is None:
            _refuse(
                ErrorCode.VALIDATION,
                _("Result %(index)s names a characteristic that is not in plan %(plan)s.")
                % {"index": index + 1, "plan": record.plan.code},
                "results",
            )
        sample, value, passed = given["sample"], given.get("value"), given.get("passed")
        size = sample_size_of(record, characteristic)
        if not 1 <= sample <= size:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(characteristic)s is checked on samples 1 to %(size)s, not %(sample)s.")
                % {"characteristic": characteristic.name, "size": size, "sample": sample},
                "results",
            )
        if characteristic.kind == CharacteristicKind.ATTRIBUTE and (
            passed is None or value is not None
        ):
            _refuse(
                ErrorCode.VALIDATION,
                _("%(characteristic)s is pass / fail: say whether sample %(sample)s passed.")
                % {"characteristic": characteristic.name, "sample": sample},
                "results",
            )
        if characteristic.kind == CharacteristicKind.VARIABLE:
            if value is None or passed is not None:
                _refuse(
                    ErrorCode.VALIDATION,
                    _("%(characteristic)s is measured: give the value of sample %(sample)s.")
                    % {"characteristic": characteristic.name, "sample": sample},
                    "results",
                )
            value = Decimal(value)
        conforming = characteristic.conforms(value=value, passed=passed)
        row, _created = InspectionResult.objects.update_or_create(
            record=record,
            characteristic=characteristic,
            sample=sample,
            defaults={
                "value": value,
                "passed": passed,
                "conforming": conforming,
                "note": (given.get("note") or "").strip()[:200],
                "recorded_by": by,
            },
        )
        saved.append(row)
        shown = plain(value) if value is not None else ("pass" if passed else "fail")
        described.append([characteristic.name, sample, shown, conforming])
    if saved:
        audit.record(AuditAction.CHANGE, record, by=by, changes={"results": [None, described]})
    return saved


def missing_results(record: InspectionRecord) -> int:
    """How many (characteristic, sample) results the plan still asks for."""
    wanted = sum(
        sample_size_of(record, characteristic)
        for characteristic in record.plan.characteristics.all()
    )
    return wanted - record.results.count()


def judge(record: InspectionRecord) -> tuple[str, dict]:
    """The verdict from the results: per class, the sampled units with a nonconformity of
    that class among the first n drawn (n its plan's sample size) against Ac / Re; the lot is
    rejected when any class rejects it."""
    failed: dict[str, set[int]] = {cls: set() for cls in record.sampling}
    for defect_class, sample in record.results.filter(conforming=False).values_list(
        "characteristic__defect_class", "sample"
    ):
        if sample <= record.sampling[defect_class]["sample_size"]:
            failed[defect_class].add(sample)
    detail = {}
    for defect_class, plan in record.sampling.items():
        defectives = len(failed[defect_class])
        if defectives <= plan["accept"]:
            verdict = InspectionVerdict.ACCEPTED
        elif defectives >= plan["reject"]:
            verdict = InspectionVerdict.REJECTED
        else:
            verdict = InspectionVerdict.ACCEPTED_REINSTATE_NORMAL
        detail[defect_class] = {
            "defectives": defectives,
            "accept": plan["accept"],
            "reject": plan["reject"],
            "verdict": str(verdict),
        }
    verdicts = {entry["verdict"] for entry in detail.values()}
    if InspectionVerdict.REJECTED in verdicts:
        return str(InspectionVerdict.REJECTED), detail
    if InspectionVerdict.ACCEPTED_REINSTATE_NORMAL in verdicts:
        return str(InspectionVerdict.ACCEPTED_REINSTATE_NORMAL), detail
    return str(InspectionVerdict.ACCEPTED), detail


def complete_inspection(
    record: InspectionRecord, *, by, password: str, reason: str = ""
) -> InspectionRecord:
    """The inspector signs the results (meaning verified); the verdict is computed then. A
    rejected lot opens a nonconformance linked to the lot, its supplier and this record, and
    holds the lot; an incoming lot moves its supplier's switching scheme on."""

    def every_result(locked):
        missing = missing_results(locked)
        if missing:
            _refuse(
                ErrorCode.INVALID_STATE,
                _("%(count)s results are still missing; record every sample first.")
                % {"count": missing},
            )

    def judged(locked):
        locked.verdict, locked.verdict_detail = judge(locked)
        locked.completed_at = timezone.now()
        locked.inspector = by
        changes = {
            "verdict": [None, locked.verdict],
            "verdict_detail": [None, locked.verdict_detail],
        }
        scheme = _advance_scheme(locked)
        if scheme is not None:
            changes["switching"] = [None, scheme]
        if locked.verdict == InspectionVerdict.REJECTED:
            ncr = _open_nonconformance(locked, by=by)
            changes["nonconformance"] = [None, ncr.number]
        return changes

    return INSPECTION.take(
        record, "complete", by=by, password=password, reason=reason, guard=every_result,
        effects=judged,
    )  # fmt: skip


def _advance_scheme(record: InspectionRecord) -> dict | None:
    """The switching rules after an incoming lot: the class ISO 2859-1 switches on (major, or
    the plan's only class) drives them; the whole lot's verdict says whether it was accepted."""
    if record.stage != InspectionStage.INCOMING or record.supplier is None or record.lot is None:
        return None
    scheme, _created = SamplingScheme.objects.select_for_update().get_or_create(
        organization_id=record.organization_id, supplier=record.supplier, item=record.lot.item
    )
    state = switching.SwitchingState.from_dict(scheme.state) if scheme.state else None
    state = state or switching.SwitchingState()
    if (
        state.status == switching.SchemeStatus.DISCONTINUED
        or str(state.severity) != record.severity
    ):
        return None  # the scheme moved on since this lot's inspection started
    driving = SWITCHING_CLASS if SWITCHING_CLASS in record.sampling else next(iter(record.sampling))
    snap = record.sampling[driving]
    plan_used = sampling.plan(
        record.lot_size, snap["aql"], level=snap["level"], severity=snap["severity"]
    )
    after = state.after_lot(
        plan_used,
        record.verdict_detail[driving]["defectives"],
        accepted=record.verdict != InspectionVerdict.REJECTED,
    )
    scheme.state = after.to_dict()
    scheme.save(update_fields=["state", "updated_at"])
    return {"from": str(state.status), "to": str(after.status)}


def _open_nonconformance(record: InspectionRecord, *, by):
    rejected = [
        defect_class
        for defect_class, entry in record.verdict_detail.items()
        if entry["verdict"] == InspectionVerdict.REJECTED
    ]
    worst = next(c for c in (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR) if c in rejected)
    findings = "; ".join(
        _("%(class)s: %(defectives)s nonconforming in %(size)s sampled (Ac %(ac)s, Re %(re)s)")
        % {
            "class": DefectClass(defect_class).label,
            "defectives": entry["defectives"],
            "size": record.sampling[defect_class]["sample_size"],
            "ac": entry["accept"],
            "re": entry["reject"],
        }
        for defect_class, entry in record.verdict_detail.items()
    )
    lot = record.lot
    item = lot.item if lot is not None else record.plan.item
    title = _("%(plan)s rejected by inspection %(record)s") % {
        "plan": record.plan.code,
        "record": record.number,
    }
    return ncrs.open_nonconformance(
        site=record.site,
        title=str(title),
        description=findings,
        source=NCR_SOURCE[record.stage],
        severity=worst,
        lot=lot,
        item=item,
        quantity=Decimal(record.lot_size),
        uom=item.unit if item is not None else "EA",
        supplier=record.supplier,
        inspection=record,
        by=by,
    )


def cancel_inspection(record: InspectionRecord, *, by, reason: str) -> InspectionRecord:
    """Withdraw an inspection started in error; the reason is required."""
    return INSPECTION.take(record, "cancel", by=by, reason=reason)
