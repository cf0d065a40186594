"""A recall's regulator reports as PDF: NMPA's event report form, recall plan and summary report
(in Chinese), the FDA 21 CFR 806 report and the EU field safety notice and FSCA report (in
English), each filled from the recall's data as it is now (reports.data). Which are offered
follows the classification: an NMPA class gives the NMPA forms, an FDA class the 806 report,
an EU FSCA the FSN and the FSCA report; the summary report only once the recall is approved.
A drill's reports are marked as not for submission. Every download is audited (export)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.pdf import render_pdf
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall

from . import eu, fda, nmpa, summary
from .common import MISSING, local
from .data import gather


@dataclass(frozen=True)
class Kind:
    slug: str
    regime: str  # NMPA, FDA, EU
    title: str  # the form's own name, in its language
    language: str
    build: Callable
    description: Promise
    after_approval: bool = False

    @property
    def template(self) -> str:
        return f"recall/reports/{self.slug.replace('-', '_')}.html"

    def applies(self, recall: Recall) -> bool:
        if self.regime == "NMPA":
            return bool(recall.nmpa_class)
        if self.regime == "FDA":
            return bool(recall.fda_class)
        return recall.eu_fsca


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("nmpa-event", "NMPA", "医疗器械召回事件报告表", "zh-hans", nmpa.event_form,
             _("Recall event report form, submitted at once on the recall decision")),
        Kind("nmpa-plan", "NMPA", "医疗器械召回计划", "zh-hans", nmpa.plan,
             _("Recall plan, submitted within 5 working days")),
        Kind("nmpa-summary", "NMPA", "医疗器械召回总结评估报告", "zh-hans", summary.report,
             _("Summary and assessment report after the recall is completed"),
             after_approval=True),
        Kind("fda-806", "FDA", "21 CFR 806.10 report of correction or removal", "en",
             fda.report, _("Report of the correction or removal, within 10 working days")),
        Kind("eu-fsn", "EU", "Field safety notice (FSN)", "en", eu.fsn,
             _("The notice to the users, as the EU template lays it out")),
        Kind("eu-fsca", "EU", "FSCA report to the competent authority", "en", eu.fsca_report,
             _("The manufacturer's report of the field safety corrective action")),
    )
}  # fmt: skip
APPROVED = (RecallStatus.APPROVED, RecallStatus.CLOSED)


@dataclass(frozen=True)
class Offered:
    kind: Kind
    recall: Recall
    why_not: Promise | str = ""  # why it cannot be downloaded yet

    @property
    def available(self) -> bool:
        return not self.why_not

    @property
    def url(self) -> str:
        return reverse("recall:recall-report", args=[self.recall.pk, self.kind.slug])


def offered(recall: Recall) -> list[Offered]:
    """The reports the recall's classification asks for, in a fixed order."""
    found = []
    for kind in KINDS.values():
        if not kind.applies(recall):
            continue
        why_not = ""
        if kind.after_approval and recall.status not in APPROVED:
            why_not = _("Available once the recall is approved.")
        found.append(Offered(kind, recall, why_not))
    return found


def offered_kind(recall: Recall, slug: str) -> Offered:
    """The report `slug` of the recall; 404 when its classification does not ask for it."""
    for report in offered(recall):
        if report.kind.slug == slug:
            return report
    raise Http404


def filename(recall: Recall, kind: Kind) -> str:
    return f"{recall.number}-{kind.slug}.pdf"


def render(recall: Recall, slug: str, *, request) -> tuple[bytes, str]:
    """The report as a PDF and its file name, filled from the recall as it is now; the
    download is audited. 404 for a report the classification does not ask for; refused
    (invalid state) while it is not available."""
    report = offered_kind(recall, slug)
    if not report.available:
        raise DomainError(ErrorCode.INVALID_STATE, report.why_not)
    kind, user = report.kind, request.user
    now = timezone.now()
    with translation.override(kind.language):
        data = gather(recall, now=now)
        built = kind.build(data, by=user)
        zone = recall.site.time_zone
        context = {
            "recall": recall,
            "data": data,
            "kind": kind,
            "organization": data.organization,
            "site": data.site,
            "missing": MISSING[kind.language],
            "printed": local(now, zone),
            "printed_by": user.printed_name,
            **built,
        }
        pdf = render_pdf(kind.template, context, request=request)
    record_download(recall, kind=kind, by=user, size=len(pdf), data=data, built=built)
    return pdf, filename(recall, kind)


@transaction.atomic
def record_download(recall: Recall, *, kind: Kind, by, size: int, data, built: dict) -> None:
    audit.record(
        AuditAction.EXPORT,
        recall,
        by=by,
        changes={
            "report": kind.slug,
            "bytes": size,
            "scope": data.scope.version if data.scope else None,
            "drill": recall.drill,
            "patient_data": bool(built.get("patient_data")),
        },
    )
