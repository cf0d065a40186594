"""Uploads are checked by content as well as by name: a file is kept only as what it is."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.uploads import MAGIC, checked_certificate_file, checked_upload

TYPES = (*MAGIC, ".dxf")
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


def check(name: str, content: bytes):
    return checked_upload(
        SimpleUploadedFile(name, content),
        types=TYPES,
        max_bytes=1024 * 1024,
        field="file",
        wrong_type="%(name)s: %(types)s",
    )


@pytest.mark.parametrize(
    "name, content",
    [
        ("coa.pdf", PDF),
        ("coa.pdf", b"\n\n" + PDF),  # readers accept a header within the first kilobyte
        ("scan.png", PNG),
        ("scan.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("scan.tif", b"II*\x00\x08\x00"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32),
        ("sop.docx", zipped("[Content_Types].xml", "word/document.xml")),
        ("form.ods", zipped("mimetype", "content.xml")),
        ("part.dwg", b"AC1032\x00\x00"),
        ("part.dxf", b"  0\nSECTION\n  2\nHEADER\n"),
        ("part.dxf", b"999\ndxflib\n  0\nSECTION\n"),
    ],
)
def test_a_file_that_is_what_its_name_says_is_kept(name, content):
    kept, digest = check(name, content)
    assert kept == name and len(digest) == 64


@pytest.mark.parametrize(
    "name, content",
    [
        ("coa.pdf", HTML),
        ("coa.pdf", b"MZ\x90\x00" + b"\x00" * 64),  # a Windows program
        ("scan.png", PDF),
        ("sop.docx", zipped("payload.exe")),  # a zip, but no Word document
        ("sop.docx", b"PK\x03\x04 not really a zip"),
        ("part.dxf", HTML),
        ("scan.jpg", b""),
    ],
)
def test_a_file_whose_content_is_something_else_is_refused_by_name(name, content):
    with pytest.raises(DomainError) as error:
        check(name, content)
    assert error.value.code == ErrorCode.VALIDATION
    assert "content does not match its name" in error.value.details["fields"]["file"][0]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), st.binary(max_size=600))
def test_any_bytes_under_any_name_are_kept_or_refused_never_crash(suffix, content):
    try:
        check(f"upload{suffix}", content)
    except DomainError as error:
        assert error.code == ErrorCode.VALIDATION
    else:
        magic = MAGIC.get(suffix, ())
        assert suffix in (".pdf", ".dxf") or content.startswith(magic)


def test_certificates_are_scans_or_pdfs_of_at_most_the_limit(settings):
    settings.CERTIFICATE_MAX_FILE_BYTES = 100
    with pytest.raises(DomainError, match="larger than"):
        checked_certificate_file(SimpleUploadedFile("c.pdf", PDF * 10), field="certificate")
    with pytest.raises(DomainError, match="not a certificate file"):
        checked_certificate_file(SimpleUploadedFile("c.html", HTML), field="certificate")
    assert checked_certificate_file(SimpleUploadedFile("c.pdf", PDF), field="certificate")
