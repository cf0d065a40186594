"""An uploaded file a record keeps (a document revision, a certificate of analysis): its name
checked against the types allowed and its size against the limit, and its SHA-256, so the
record can show later that the file is the one uploaded."""

import hashlib
from pathlib import PurePath

from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode

NAME_LENGTH = 200


def checked_upload(upload, *, types: tuple[str, ...], max_bytes: int, field: str, wrong_type):
    """(file name, SHA-256) of `upload`, or DomainError naming the rule; `wrong_type` is the
    refusal for a file of another type (with %(name)s and %(types)s)."""
    name = PurePath(upload.name or "").name
    if PurePath(name).suffix.lower() not in types:
        _refuse(wrong_type % {"name": name or "?", "types": ", ".join(types)}, field)
    if upload.size > max_bytes:
        _refuse(
            _("%(name)s is larger than %(limit)s MB.")
            % {"name": name, "limit": max_bytes // (1024 * 1024)},
            field,
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name[:NAME_LENGTH], digest.hexdigest()


def _refuse(message, field: str):
    raise DomainError(ErrorCode.VALIDATION, message, fields={field: [str(message)]})
