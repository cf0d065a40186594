"""A recall's regulator reports over the REST API, under /api/v1/recalls: which reports the
recall's classification asks for (GET …/{recall}/reports) and each one as PDF
(GET …/{recall}/reports/{kind}), filled from the recall as it is now; every download is
audited. {recall} is the recall's number (RCL-…, DRL-…) or its id; a recall of a site the
caller may not read answers 404."""

from django.urls import reverse
from ninja import Field, Router, Schema

from medtrace.core.api import READ_ERRORS, error_responses
from medtrace.core.pdf import pdf_response

from . import reports, selectors
from .models import Recall

router = Router(tags=["recalls"])

PDF = {
    "responses": {
        200: {
            "description": "The report as PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class RecallReportOut(Schema):
    kind: str = Field(..., description="nmpa-event, nmpa-plan, nmpa-summary, fda-806, eu-fsn, "
                      "eu-fsca")  # fmt: skip
    regime: str = Field(..., description="NMPA, FDA or EU")
    title: str = Field(..., description="The form's own name, in its language")
    language: str
    description: str
    available: bool
    reason: str = Field("", description="Why it cannot be downloaded yet")
    url: str = Field(..., description="Where to download it")


def _recall(request, ref: str) -> Recall:
    return selectors.get_recall_by_ref_or_404(request.user, ref)


@router.get("/{ref}/reports", response={200: list[RecallReportOut], **READ_ERRORS})
def list_reports(request, ref: str):
    """The reports the recall's classification asks for: NMPA class → the event report form,
    the recall plan and (once approved) the summary report; FDA class → the 806 report; EU
    FSCA → the field safety notice and the FSCA report."""
    recall = _recall(request, ref)
    return [
        {
            "kind": report.kind.slug,
            "regime": report.kind.regime,
            "title": report.kind.title,
            "language": report.kind.language,
            "description": str(report.kind.description),
            "available": report.available,
            "reason": str(report.why_not),
            "url": reverse("api:recall_report", args=[recall.number, report.kind.slug]),
        }
        for report in reports.offered(recall)
    ]


@router.get(
    "/{ref}/reports/{kind}",
    response={**READ_ERRORS, **error_responses(409)},
    openapi_extra=PDF,
    url_name="recall_report",
)
def get_report(request, ref: str, kind: str):
    """The report as PDF (a drill's marked "DRILL — not for submission"). 404 for a report the
    classification does not ask for; 409 for the summary report before the recall is
    approved. Each download is recorded in the audit trail."""
    recall = _recall(request, ref)
    pdf, filename = reports.render(recall, kind, request=request)
    return pdf_response(pdf, filename)
