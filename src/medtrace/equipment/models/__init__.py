"""The equipment ledger: machines, stations and instruments of a site, with their calibration
and maintenance records and the impact reviews of failed calibrations."""

from medtrace.equipment.models.calibration import CalibrationRecord, ImpactReview
from medtrace.equipment.models.equipment import Equipment, read_point_of
from medtrace.equipment.models.maintenance import MaintenancePlan, MaintenanceRecord

__all__ = [
    "CalibrationRecord",
    "Equipment",
    "ImpactReview",
    "MaintenancePlan",
    "MaintenanceRecord",
    "read_point_of",
]
