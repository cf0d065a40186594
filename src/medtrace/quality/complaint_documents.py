"""A complaint's printed documents, for the pages and the API alike: a report draft on its
authority's form (rendered from the field values stored when it was generated, the patient's
fields masked for a reader who may not see them) and the closure letter to the complainant.
Each printing is audited; rendering is slow I/O, done outside any transaction."""

from django.utils import timezone

from medtrace.core.pdf import render_pdf
from medtrace.quality import complaint_reports
from medtrace.quality import complaint_selectors as selectors
from medtrace.quality.models import Complaint, ComplaintReport
from medtrace.quality.services import complaint_disclosures as disclosures


def report_pdf(report: ComplaintReport, *, request) -> tuple[bytes, str]:
    """The draft as a PDF and its file name; the printing is audited."""
    complaint = report.complaint
    spec = complaint_reports.FORMS[report.form]
    masked = not selectors.may_view_patient(request.user, complaint)
    context = {
        "complaint": complaint,
        "report": report,
        "spec": spec,
        "sections": complaint_reports.sections(spec, report.fields, masked=masked),
        "masked": masked,
        "organization": complaint.site.organization,
        "printed_at": timezone.now(),
    }
    pdf = render_pdf("quality/complaint_report_pdf.html", context, request=request)
    disclosures.record_export(
        complaint,
        by=request.user,
        document=f"{report.form}#{report.sequence}",
        size=len(pdf),
        patient_data=not masked and bool(spec.sensitive_keys & _filled(report.fields)),
    )
    return pdf, f"{complaint.number}-{report.region}-{report.sequence}.pdf"


def _filled(fields: dict) -> set[str]:
    return {key for key, value in fields.items() if value}


def letter_pdf(complaint: Complaint, *, request) -> tuple[bytes, str]:
    """The closure letter to the complainant as a PDF; the printing is audited. The address
    lines name the complainant only for a reader who may see personal data."""
    addressed = selectors.may_view_patient(request.user, complaint)
    context = {
        "complaint": complaint,
        "addressed": addressed,
        "organization": complaint.site.organization,
        "printed_at": timezone.now(),
        "today": complaint_reports.site_today(complaint.site),
    }
    pdf = render_pdf("quality/complaint_letter_pdf.html", context, request=request)
    disclosures.record_export(
        complaint,
        by=request.user,
        document="closure_letter",
        size=len(pdf),
        personal_data="shown" if addressed else "masked",
    )
    return pdf, f"{complaint.number}-closure-letter.pdf"
