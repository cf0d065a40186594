"""Change requests (ECO): what changes and why, its risk and regulatory impact, the BOM and
routing versions and document revisions it releases together, its approvals and tasks."""

from medtrace.changes.models.changes import ChangeApproval, ChangeRequest, ChangeTask

__all__ = ["ChangeApproval", "ChangeRequest", "ChangeTask"]
