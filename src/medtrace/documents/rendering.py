"""How a revision reads and prints: authored Markdown rendered to HTML (raw HTML in it is
shown as text, never run), and the printed copy as PDF with the document's header, its
signatures and the copy's watermark, "controlled copy No. N" or "uncontrolled when printed".
An uploaded PDF is stamped page by page with the same header line and watermark.

Rendering is slow I/O: call it outside any transaction."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from medtrace.core.pdf import render_pdf
from medtrace.documents.models import DocumentCopy, DocumentRevision

# CommonMark with tables and strikethrough; html=False escapes any HTML typed in the text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def body_html(text: str) -> SafeString:
    """The text as HTML, its headings one level down (# → h2): the page's own title is the
    only h1."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    # html is off: HTML typed in the text is escaped, never rendered.
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return mark_safe(html)  # nosec B308 B703 # html=False: markdown-it escaped any HTML


def watermark_text(copy: DocumentCopy) -> str:
    if copy.controlled:
        return _("CONTROLLED COPY No. %(n)s") % {"n": copy.copy_number}
    return _("UNCONTROLLED WHEN PRINTED")


def header_text(revision: DocumentRevision, copy: DocumentCopy) -> str:
    document = revision.document
    effective = revision.effective_at.date().isoformat() if revision.effective_at else "—"
    return _(
        "%(number)s rev. %(revision)s · effective %(date)s · %(mark)s · printed %(printed)s"
    ) % {
        "number": document.number,
        "revision": revision.revision,
        "date": effective,
        "mark": watermark_text(copy),
        "printed": timezone.localtime(copy.printed_at).strftime("%Y-%m-%d %H:%M"),
    }


def copy_pdf(revision: DocumentRevision, copy: DocumentCopy, *, request) -> bytes:
    """The printed copy: authored content through the PDF template, an uploaded PDF stamped."""
    if revision.is_file:
        with revision.file.open("rb") as source:
            return _stamped(source.read(), revision, copy)
    context = {
        "revision": revision,
        "document": revision.document,
        "copy": copy,
        "watermark": watermark_text(copy),
        "body": body_html(revision.body),
        "organization": revision.document.organization,
        "printed_at": timezone.localtime(copy.printed_at),
    }
    return render_pdf("documents/revision_pdf.html", context, request=request)


def _stamped(original: bytes, revision: DocumentRevision, copy: DocumentCopy) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(original))
    writer = PdfWriter()
    stamps: dict[tuple[float, float], object] = {}
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in stamps:
            stamps[size] = _stamp_page(size, revision, copy)
        page.merge_page(stamps[size])
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp_page(size: tuple[float, float], revision: DocumentRevision, copy: DocumentCopy):
    """One transparent page of `size` (points) with the header line and the watermark."""
    from pypdf import PdfReader
    from weasyprint import HTML

    width, height = size
    html = render_to_string(
        "documents/stamp.html",
        {
            "width": width,
            "height": height,
            "header": header_text(revision, copy),
            "watermark": watermark_text(copy),
            "controlled": copy.controlled,
        },
    )
    pdf = HTML(string=html).write_pdf()
    return PdfReader(io.BytesIO(pdf)).pages[0]
