"""The device history record of a work order's lot, and of one unit of it: a page and a PDF
rendered from the same assembled record (production.dhr). Printing the PDF is recorded."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.decorators import perm_required
from medtrace.core.pdf import pdf_response, render_pdf
from medtrace.trace.models import Unit

from . import dhr, selectors


def _record(request, pk: int, serial: str | None):
    order = get_object_or_404(selectors.visible_work_orders(request.user), pk=pk)
    unit = None
    if serial is not None:
        unit = get_object_or_404(Unit, lot_id=order.lot_id, serial=serial)
    return dhr.build(order, unit)


@perm_required(selectors.VIEW)
def dhr_page(request, pk: int, serial: str | None = None):
    return render(request, "production/dhr.html", {"dhr": _record(request, pk, serial)})


@perm_required(selectors.VIEW)
def dhr_pdf(request, pk: int, serial: str | None = None):
    record = _record(request, pk, serial)
    order = record.order
    pdf = render_pdf(
        "production/dhr_pdf.html",
        {"dhr": record, "organization": order.organization, "printed_at": timezone.now()},
        request=request,
    )
    audit.record(
        AuditAction.EXPORT, order, by=request.user,
        changes={"format": "pdf", "record": "dhr", "serial": serial, "bytes": len(pdf)},
    )  # fmt: skip
    name = f"DHR-{order.number}" + (f"-{serial}" if serial else "")
    return pdf_response(pdf, f"{name}.pdf")
