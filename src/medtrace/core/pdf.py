"""Printable records as PDF (WeasyPrint), with the same signature manifestation as the page.

Rendering is slow I/O: call it outside any transaction. Nothing is fetched from the network:
the only stylesheet is ours, read from the package, and other URLs are refused.
"""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

STYLESHEET = "medtrace/pdf.css"


def _no_fetching(url, *args, **kwargs):
    raise ValueError(f"medtrace PDFs load nothing from outside: {url}")


def render_pdf(template_name: str, context: dict, *, request) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context, request=request)
    stylesheet = CSS(filename=finders.find(STYLESHEET))
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[stylesheet])


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
