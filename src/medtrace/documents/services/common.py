"""What the document services share: refusals naming the rule, and locking."""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode

# Files a revision may carry: what QA teams write documents in, and PDF for everything else.
FILE_TYPES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".pptx", ".odt", ".ods", ".dwg", ".dxf")
MAX_FILE_BYTES = 50 * 1024 * 1024


def refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def checked_file(upload) -> tuple[str, str]:
    """(file name, SHA-256) of an uploaded revision file, or DomainError naming the rule."""
    name = PurePath(upload.name or "").name
    if PurePath(name).suffix.lower() not in FILE_TYPES:
        refuse(
            ErrorCode.VALIDATION,
            _("%(name)s is not a document file; upload one of %(types)s.")
            % {"name": name or "?", "types": ", ".join(FILE_TYPES)},
            "file",
        )
    limit = getattr(settings, "DOCUMENT_MAX_FILE_BYTES", MAX_FILE_BYTES)
    if upload.size > limit:
        refuse(
            ErrorCode.VALIDATION,
            _("%(name)s is larger than %(limit)s MB.")
            % {"name": name, "limit": limit // (1024 * 1024)},
            "file",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name[:200], digest.hexdigest()
