"""What the document services share: refusals naming the rule, and locking."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.uploads import checked_upload

# Files a revision may carry: what QA teams write documents in, and PDF for everything else.
FILE_TYPES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".pptx", ".odt", ".ods", ".dwg", ".dxf")
MAX_FILE_BYTES = 50 * 1024 * 1024


def refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def checked_file(upload) -> tuple[str, str]:
    """(file name, SHA-256) of an uploaded revision file, or DomainError naming the rule."""
    return checked_upload(
        upload,
        types=FILE_TYPES,
        max_bytes=getattr(settings, "DOCUMENT_MAX_FILE_BYTES", MAX_FILE_BYTES),
        field="file",
        wrong_type=_("%(name)s is not a document file; upload one of %(types)s."),
    )
