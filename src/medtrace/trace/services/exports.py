"""What leaves the system as a trace export (CSV, PDF) is recorded in the audit trail, on the
lot, unit or container traced, with the options and how much it held."""

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.trace.engine import TraceResult
from medtrace.trace.models import TraceObject


def record_export(
    obj: TraceObject, *, by, direction: str, fmt: str, options: dict, result: TraceResult, size: int
) -> None:
    audit.record(
        AuditAction.EXPORT,
        obj,
        by=by,
        changes={
            "format": fmt,
            "export": f"trace {direction}",
            "max_depth": options.get("max_depth"),
            "as_of": options.get("as_of"),
            "lots": len(result.lots),
            "units": len(result.units),
            "containers": len(result.containers),
            "parties": len(result.parties),
            "shipments": len(result.shipments),
            "bytes": size,
        },
    )
