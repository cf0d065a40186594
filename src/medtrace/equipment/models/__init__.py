"""The equipment ledger: machines, stations and instruments of a site, with their calibration
and maintenance records, the impact reviews of failed calibrations, and the machine-state log."""

from medtrace.equipment.models.calibration import CalibrationRecord, ImpactReview
from medtrace.equipment.models.equipment import Equipment, read_point_of
from medtrace.equipment.models.maintenance import MaintenancePlan, MaintenanceRecord
from medtrace.equipment.models.states import MachineStateChange

__all__ = [
    "CalibrationRecord",
    "Equipment",
    "ImpactReview",
    "MachineStateChange",
    "MaintenancePlan",
    "MaintenanceRecord",
    "read_point_of",
]
