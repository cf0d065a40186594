"""An uploaded file a record keeps (a document revision, a certificate): its name checked
against the types allowed, its size against the limit, its content against its name (a page
of HTML or a program named "report.pdf" is refused: content sniffing, so no file is ever kept,
or handed out later, as something it is not), and its SHA-256, so the record can show later
that the file is the one uploaded."""

import hashlib
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode

NAME_LENGTH = 200
# Certificates (of analysis, of conformity, of calibration, ISO 13485): scans or PDFs.
CERTIFICATE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_CERTIFICATE_BYTES = 20 * 1024 * 1024

HEAD_BYTES = 4096
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the Compound File of .doc and .xls
ZIP = b"PK\x03\x04"
# What each type's file starts with (PDF: its header anywhere in the first kilobyte, as
# readers accept); zip-based formats are also opened to find the part that makes them what
# they are named (see _zip_member).
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".doc": (OLE2,),
    ".xls": (OLE2,),
    ".docx": (ZIP,),
    ".xlsx": (ZIP,),
    ".pptx": (ZIP,),
    ".odt": (ZIP,),
    ".ods": (ZIP,),
    ".dwg": (b"AC10", b"AC1.", b"AC2."),
}
OOXML = {".docx", ".xlsx", ".pptx"}
ODF = {".odt", ".ods"}


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
    suffix = PurePath(name).suffix.lower()
    if not _content_matches(upload, suffix):
        _refuse(
            _("%(name)s is not a %(type)s file: its content does not match its name.")
            % {"name": name, "type": suffix.lstrip(".").upper()},
            field,
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name[:NAME_LENGTH], digest.hexdigest()


def checked_certificate_file(upload, *, field: str) -> tuple[str, str]:
    """(file name, SHA-256) of a certificate's scan or PDF, or DomainError naming the rule."""
    return checked_upload(
        upload,
        types=CERTIFICATE_TYPES,
        max_bytes=getattr(settings, "CERTIFICATE_MAX_FILE_BYTES", MAX_CERTIFICATE_BYTES),
        field=field,
        wrong_type=_("%(name)s is not a certificate file; upload one of %(types)s."),
    )


def _content_matches(upload, suffix: str) -> bool:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if suffix == ".dxf":
        return _is_dxf(head)
    if suffix == ".pdf":
        return b"%PDF-" in head[:1024]
    if not head.startswith(MAGIC.get(suffix, (b"",))):
        return False
    if suffix in OOXML:
        return _zip_member(upload, lambda names: "[Content_Types].xml" in names)
    if suffix in ODF:
        return _zip_member(upload, lambda names: "mimetype" in names)
    return True


def _zip_member(upload, wanted) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return wanted(set(archive.namelist()))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


def _is_dxf(head: bytes) -> bool:
    """A DXF drawing: binary ("AutoCAD Binary DXF"), or text whose first group is a 0 code
    starting a SECTION (or a comment, code 999)."""
    if head.startswith(b"AutoCAD Binary DXF"):
        return True
    lines = head.decode("latin-1").splitlines()
    codes = [line.strip() for line in lines[:2]]
    return len(codes) == 2 and (codes == ["0", "SECTION"] or codes[0] == "999")


def _refuse(message, field: str):
    raise DomainError(ErrorCode.VALIDATION, message, fields={field: [str(message)]})
