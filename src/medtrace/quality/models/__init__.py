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
    "Characteristic",
    "Disposition",
    "InspectionInstrument",
    "InspectionPlan",
    "InspectionRecord",
    "InspectionResult",
    "Nonconformance",
    "RecordCounter",
    "SamplingScheme",
]
