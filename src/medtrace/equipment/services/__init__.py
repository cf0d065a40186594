"""The equipment app's writes, each in one transaction with its audit entry: the ledger
(ledger.py), calibrations and their impact reviews (calibration.py, impact.py), maintenance
(maintenance.py), and the question every user of equipment asks first (usability.py:
is_usable / require_usable). The ledger's functions are also importable from here."""

from medtrace.equipment.services.ledger import (
    EQUIPMENT_FIELDS,
    calibration_due_on,
    change_equipment_status,
    create_equipment,
    update_equipment,
)
from medtrace.equipment.services.usability import Verdict, is_usable, require_usable

__all__ = [
    "EQUIPMENT_FIELDS",
    "Verdict",
    "calibration_due_on",
    "change_equipment_status",
    "create_equipment",
    "is_usable",
    "require_usable",
    "update_equipment",
]
