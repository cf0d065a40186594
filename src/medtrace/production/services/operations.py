"""Performing the routing's operations: started and finished in the routing's order by an
operator trained on the documents the operation requires (training.can_perform), on equipment
of the type it needs that may be used now (equipment.is_usable: in service, calibrated). A
refusal names every reason. The operator's qualifications and the equipment's calibration
state at the start are kept on the operation: the DHR shows them as they were."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import RoutingOperation
from medtrace.core.errors import ErrorCode
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.equipment.services.usability import is_usable
from medtrace.production.choices import OperationStatus
from medtrace.production.models import WorkOrderOperation
from medtrace.quality.choices import InspectionStatus
from medtrace.quality.models import InspectionRecord
from medtrace.training.services.qualification import can_perform

from .common import locked, refuse, require_executor, require_working, start_if_released, when


def _locked(operation: WorkOrderOperation) -> WorkOrderOperation:
    order = locked(operation.work_order)
    operation = WorkOrderOperation.objects.select_for_update().get(pk=operation.pk)
    operation.work_order = order
    return operation


def routing_operation(operation: WorkOrderOperation) -> RoutingOperation:
    """The approved routing's operation this one performs (the routing no longer changes)."""
    return RoutingOperation.objects.select_related("routing").get(
        routing_id=operation.work_order.routing_id, position=operation.position
    )


def check_operator(operation: WorkOrderOperation, by, at=None):
    """Refuse `by` unless trained on every document the operation requires; the verdict."""
    verdict = can_perform(by, routing_operation(operation), at)
    if not verdict.allowed:
        refuse(
            " ".join(verdict.reasons),
            code=ErrorCode.PERMISSION_DENIED,
            cause="not_trained",
            reasons=verdict.reasons,
        )
    return verdict


def check_equipment(operation: WorkOrderOperation, equipment: Equipment | None, at=None):
    """Refuse missing, foreign, mistyped or unusable equipment; the usability verdict."""
    order = operation.work_order
    needed = operation.equipment_type
    if equipment is None:
        if needed:
            refuse(
                _("Operation %(operation)s is performed on a %(type)s: scan or choose it.")
                % {"operation": operation.name, "type": EquipmentType(needed).label},
                "equipment",
            )
        return None
    if equipment.site_id != order.site_id:
        refuse(
            _("%(equipment)s is not at site %(site)s.")
            % {"equipment": equipment.code, "site": order.site.code},
            "equipment",
        )
    if needed and equipment.equipment_type != needed:
        refuse(
            _("%(equipment)s is a %(kind)s; operation %(operation)s needs a %(type)s.")
            % {
                "equipment": equipment.code,
                "kind": equipment.get_equipment_type_display(),
                "operation": operation.name,
                "type": EquipmentType(needed).label,
            },
            "equipment",
        )
    verdict = is_usable(equipment, at)
    if not verdict.usable:
        refuse(
            " ".join(verdict.reasons),
            "equipment",
            ErrorCode.INVALID_STATE,
            cause="equipment_unusable",
            rules=verdict.rules,
        )
    return verdict


def _earlier_not_done(operation: WorkOrderOperation) -> WorkOrderOperation | None:
    return (
        WorkOrderOperation.objects.filter(
            work_order_id=operation.work_order_id, position__lt=operation.position
        )
        .exclude(status=OperationStatus.DONE)
        .order_by("position")
        .first()
    )


def _equipment_state(equipment: Equipment | None) -> dict:
    if equipment is None:
        return {}
    return {
        "code": equipment.code,
        "status": equipment.status,
        "calibration_required": equipment.calibration_required,
        "last_calibrated_on": (
            equipment.last_calibrated_on.isoformat() if equipment.last_calibrated_on else None
        ),
        "calibration_due_on": (
            equipment.calibration_due_on.isoformat() if equipment.calibration_due_on else None
        ),
    }


def _qualifications(verdict) -> list[dict]:
    return [
        {
            "document": standing.document.number,
            "revision": standing.in_force.revision if standing.in_force else "",
            "trained_on": (
                timezone.localdate(standing.record.completed_at).isoformat()
                if standing.record is not None
                else None
            ),
        }
        for standing in verdict.qualifications
    ]


@transaction.atomic
def start(
    operation: WorkOrderOperation, *, by, equipment: Equipment | None = None, at=None
) -> WorkOrderOperation:
    """`by` starts the operation on `equipment`: refused unless the order is being worked
    on, the earlier operations are done, `by` is trained and the equipment usable."""
    operation = _locked(operation)
    order = operation.work_order
    require_executor(order, by)
    require_working(order)
    if operation.status != OperationStatus.PENDING:
        refuse(
            _("Operation %(operation)s of %(order)s is %(status)s already.")
            % {
                "operation": operation.name,
                "order": order.number,
                "status": operation.get_status_display(),
            },
            code=ErrorCode.INVALID_STATE,
        )
    earlier = _earlier_not_done(operation)
    if earlier is not None:
        refuse(
            _("Operation %(earlier)s comes first and is %(status)s.")
            % {"earlier": f"{earlier.position} {earlier.name}",
               "status": earlier.get_status_display()},
            code=ErrorCode.INVALID_STATE,
        )  # fmt: skip
    moment = when(at)
    trained = check_operator(operation, by, moment)
    check_equipment(operation, equipment, moment)
    operation.status = OperationStatus.IN_PROGRESS
    operation.started_by, operation.started_at = by, moment
    operation.equipment = equipment
    operation.equipment_state = _equipment_state(equipment)
    operation.qualifications = _qualifications(trained)
    operation.save()
    audit.record(
        AuditAction.TRANSITION,
        operation,
        by=by,
        changes={
            "status": [OperationStatus.PENDING, OperationStatus.IN_PROGRESS],
            "equipment": [None, equipment.code if equipment else None],
            "qualifications": [None, operation.qualifications],
        },
    )
    started = start_if_released(order, moment)
    if started:
        audit.record(AuditAction.TRANSITION, order, by=by, changes=started)
    return operation


def missing_to_finish(operation: WorkOrderOperation) -> list[str]:
    """What the operation still lacks: a reading of each of its parameters, its in-process
    inspection completed."""
    found = []
    read = set(operation.readings.values_list("parameter", flat=True))
    for parameter in operation.parameters():
        if parameter["name"] not in read:
            found.append(
                str(
                    _("%(parameter)s has no reading at operation %(operation)s.")
                    % {"parameter": parameter["name"], "operation": operation.name}
                )
            )
    if operation.inspection_plan:
        inspection = inspection_of(operation)
        if inspection is None or inspection.status != InspectionStatus.COMPLETED:
            found.append(
                str(
                    _(
                        "The in-process inspection %(plan)s of operation %(operation)s is not "
                        "completed."
                    )
                    % {"plan": operation.inspection_plan, "operation": operation.name}
                )
            )
    return found


def inspection_of(operation: WorkOrderOperation) -> InspectionRecord | None:
    """The latest inspection of the order's lot against the operation's plan, not cancelled."""
    order = operation.work_order
    if not operation.inspection_plan or order.lot_id is None:
        return None
    return (
        InspectionRecord.objects.filter(lot_id=order.lot_id, plan__code=operation.inspection_plan)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("-started_at", "-pk")
        .first()
    )


@transaction.atomic
def finish(operation: WorkOrderOperation, *, by, note: str = "", at=None) -> WorkOrderOperation:
    """`by` (trained on it too) finishes the operation once every parameter was read and its
    in-process inspection is completed."""
    operation = _locked(operation)
    order = operation.work_order
    require_executor(order, by)
    require_working(order)
    if operation.status != OperationStatus.IN_PROGRESS:
        refuse(
            _("Operation %(operation)s of %(order)s is %(status)s; only one in progress is "
              "finished.")
            % {"operation": operation.name, "order": order.number,
               "status": operation.get_status_display()},
            code=ErrorCode.INVALID_STATE,
        )  # fmt: skip
    moment = when(at)
    if moment < operation.started_at:
        refuse(_("An operation cannot finish before it started."), "at")
    check_operator(operation, by, moment)
    missing = missing_to_finish(operation)
    if missing:
        refuse(" ".join(missing), code=ErrorCode.INVALID_STATE, missing=missing)
    operation.status = OperationStatus.DONE
    operation.finished_by, operation.finished_at = by, moment
    operation.note = note.strip()
    operation.save()
    audit.record(
        AuditAction.TRANSITION,
        operation,
        by=by,
        changes={"status": [OperationStatus.IN_PROGRESS, OperationStatus.DONE]},
        reason=operation.note,
    )
    return operation


def current(order) -> WorkOrderOperation | None:
    """The operation in progress (operations run one after another), if any."""
    return order.operations.filter(status=OperationStatus.IN_PROGRESS).first()


def next_to_start(order) -> WorkOrderOperation | None:
    return order.operations.filter(status=OperationStatus.PENDING).order_by("position").first()
