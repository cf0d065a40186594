"""The equipment ledger's choices and its one state machine."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EquipmentType(models.TextChoices):
    INJECTION_MOLDING = "injection_molding", _("Injection molding machine")
    EXTRUDER = "extruder", _("Extruder")
    ASSEMBLY_STATION = "assembly_station", _("Assembly station")
    EO_STERILIZER = "eo_sterilizer", _("EO sterilizer")
    LEAK_TESTER = "leak_tester", _("Leak tester")
    BALANCE = "balance", _("Balance")
    THERMOMETER = "thermometer", _("Thermometer / data logger")
    OTHER = "other", _("Other")


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    RETIRED = "retired", _("Retired")


# Which status each status may change to; retired is final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    EquipmentStatus.IN_SERVICE: frozenset(
        {EquipmentStatus.OUT_OF_SERVICE, EquipmentStatus.RETIRED}
    ),
    EquipmentStatus.OUT_OF_SERVICE: frozenset(
        {EquipmentStatus.IN_SERVICE, EquipmentStatus.RETIRED}
    ),
    EquipmentStatus.RETIRED: frozenset(),
}


def allowed_statuses(status: str) -> list[str]:
    """The statuses `status` may change to, in the order of EquipmentStatus."""
    return [value for value in EquipmentStatus.values if value in STATUS_TRANSITIONS[status]]


class CalibrationResult(models.TextChoices):
    """A calibration fails when the instrument was found out of tolerance (as found), whatever
    was adjusted afterwards."""

    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail: out of tolerance as found")


class CalibrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


class ImpactReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONCLUDED = "concluded", _("Concluded")


class MaintenanceKind(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    CORRECTIVE = "corrective", _("Corrective")


class MaintenanceResult(models.TextChoices):
    COMPLETED = "completed", _("Completed: equipment fit for use")
    FOLLOW_UP = "follow_up", _("Not finished: follow-up needed")


class UsabilityRule(models.TextChoices):
    """The rules that make equipment unusable at a moment (services.usability)."""

    RETIRED = "retired", _("Retired")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    NEVER_CALIBRATED = "never_calibrated", _("Never calibrated")
    CALIBRATION_OVERDUE = "calibration_overdue", _("Calibration overdue")
    CALIBRATION_FAILED = "calibration_failed", _("Calibration failed")


class MachineState(models.TextChoices):
    """What a machine is doing, as it or its operator reports it (OEE's state model)."""

    RUNNING = "running", _("Running")
    IDLE = "idle", _("Idle")
    SETUP = "setup", _("Setting up")
    DOWN = "down", _("Down (breakdown)")
    MAINTENANCE = "maintenance", _("Under maintenance")
    OFF = "off", _("Switched off")


MACHINE_STATE_BADGE = {
    MachineState.RUNNING: "ok",
    MachineState.IDLE: "",
    MachineState.SETUP: "warn",
    MachineState.DOWN: "bad",
    MachineState.MAINTENANCE: "warn",
    MachineState.OFF: "",
}


class StateSource(models.TextChoices):
    MANUAL = "manual", _("Entered")
    MACHINE = "machine", _("Machine")
