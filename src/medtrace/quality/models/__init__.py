from medtrace.quality.models.capa import Capa, CapaAction
from medtrace.quality.models.complaint import Complaint, ComplaintReport
from medtrace.quality.models.deviation import Deviation
from medtrace.quality.models.inspection import (
    Characteristic,
    InspectionInstrument,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    SamplingScheme,
)
from medtrace.quality.models.nonconformance import Disposition, Nonconformance
from medtrace.quality.models.numbering import RecordCounter

__all__ = [
    "Capa",
    "CapaAction",
    "Characteristic",
    "Complaint",
    "ComplaintReport",
    "Deviation",
    "Disposition",
    "InspectionInstrument",
    "InspectionPlan",
    "InspectionRecord",
    "InspectionResult",
    "Nonconformance",
    "RecordCounter",
    "SamplingScheme",
]
