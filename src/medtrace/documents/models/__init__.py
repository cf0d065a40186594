"""Controlled documents, their revisions, who must approve them and every printed copy."""

from medtrace.documents.models.documents import (
    ApprovalRoute,
    ControlledDocument,
    DocumentCopy,
    DocumentRevision,
    GeneratedDocument,
    RevisionApproval,
)

__all__ = [
    "ApprovalRoute",
    "ControlledDocument",
    "DocumentCopy",
    "DocumentRevision",
    "GeneratedDocument",
    "RevisionApproval",
]
