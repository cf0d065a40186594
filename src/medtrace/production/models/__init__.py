from medtrace.production.models.execution import (
    Consumption,
    LabelReconciliation,
    Output,
    ParameterReading,
    SerialCounter,
    WorkOrderOperation,
)
from medtrace.production.models.work_orders import WHOLE_UNITS, WorkOrder

__all__ = [
    "WHOLE_UNITS",
    "Consumption",
    "LabelReconciliation",
    "Output",
    "ParameterReading",
    "SerialCounter",
    "WorkOrder",
    "WorkOrderOperation",
]
