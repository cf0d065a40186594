"""The recall page's regulator reports: the section listing the reports the recall's
classification asks for, and each report's download as PDF (filled from the recall as it is
now; every download audited). Reading is recall.view_recall at the recall's site."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.pdf import pdf_response

from . import reports, selectors


def section(recall, user) -> dict:
    """The context of the recall page's "Regulator reports" section."""
    return {"reports": reports.offered(recall)}


@perm_required(selectors.VIEW)
def recall_report(request, pk: int, kind: str):
    recall = selectors.get_recall_or_404(request.user, pk)
    try:
        pdf, filename = reports.render(recall, kind, request=request)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("recall:recall-detail", args=[pk]) + "#reports-heading")
    return pdf_response(pdf, filename)
