"""The equipment ledger: machines, stations and instruments of a site, with their calibration."""

from medtrace.equipment.models.equipment import Equipment

__all__ = ["Equipment"]
