"""What leaves the system about a complaint, each time audited: report drafts for the
authorities (built from the complaint as it is, with the rule and deadline they answer), the
patient involvement shown to a reader with the right to see it, and printed documents."""

import hashlib
import json
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.quality import complaint_reports
from medtrace.quality import complaint_selectors as selectors
from medtrace.quality.choices import ComplaintStatus, MarketRegion
from medtrace.quality.models import Complaint, ComplaintReport
from medtrace.quality.services.complaints import (
    APPROVE,
    PATIENT,
    check_choices,
    refresh_due,
    refuse,
    require,
)


def _hash(fields: dict) -> str:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def generate_report(complaint: Complaint, *, region: str, by) -> ComplaintReport:
    """Draft the individual report of `region` (NMPA 可疑医疗器械不良事件报告表, FDA 3500A, EU
    MIR) from the complaint as it is now, recorded with the rule and deadline it answers;
    refused when the event is not reportable there or was decided not reportable."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require(
        by, APPROVE, complaint,
        _("Your roles do not allow drafting the reports of %(c)s.") % {"c": complaint.number},
    )  # fmt: skip
    if complaint.status == ComplaintStatus.CANCELLED:
        refuse(ErrorCode.INVALID_STATE, _("%(c)s is cancelled.") % {"c": complaint.number})
    if complaint.reportable is False:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(c)s was decided not reportable: %(why)s")
            % {"c": complaint.number, "why": complaint.decision_justification},
        )
    region = check_choices([region], MarketRegion, "region")[0]
    if region not in complaint.regions:
        refuse(
            ErrorCode.VALIDATION,
            _("%(c)s names no sale in %(region)s.")
            % {"c": complaint.number, "region": MarketRegion(region).label},
            "region",
        )
    found = selectors.deadlines(complaint)
    if found.problem:
        refuse(ErrorCode.INVALID_STATE, found.problem)
    row = next(
        (each for each in found.rows if each.region == region and each.form), None
    )  # the individual report's rule, reportable or not
    if row is None or not row.reportable:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Not reportable in %(region)s: %(rule)s (%(citation)s) — %(why)s")
            % {
                "region": MarketRegion(region).label,
                "rule": row.rule_id if row else "—",
                "citation": row.citation if row else "—",
                "why": row.explanation if row else "",
            },
            "region",
        )
    spec = complaint_reports.FORMS[row.form]
    sequence = complaint.reports.filter(form=row.form).count() + 1
    today = complaint_reports.site_today(complaint.site)
    fields = complaint_reports.values(
        complaint, spec, deadline=row, sequence=sequence, by=by, today=today
    )
    due = row.due
    report = ComplaintReport.objects.create(
        organization_id=complaint.organization_id,
        complaint=complaint,
        form=row.form,
        region=region,
        sequence=sequence,
        rule_id=row.rule_id,
        citation=row.citation,
        due_on=row.due_date,
        due_at=due if isinstance(due, datetime) else None,
        fields=fields,
        content_hash=_hash(fields),
        generated_by=by,
    )
    changes = refresh_due(complaint)
    if changes:
        complaint.save(update_fields=["report_due_on"])
    audit.record(
        AuditAction.EXPORT,
        complaint,
        by=by,
        changes={
            "report_draft": {
                "id": report.pk,
                "form": report.form,
                "sequence": sequence,
                "rule": row.rule_id,
                "citation": row.citation,
                "due": row.due_date,
                "content_hash": report.content_hash,
            },
            **changes,
        },
    )
    return report


@transaction.atomic
def disclose_patient_data(complaint: Complaint, *, by, via: str) -> None:
    """Record that `by` was shown the complaint's patient involvement (`via`: page, api);
    refused without quality.reveal_patient_data at its site."""
    require(
        by, PATIENT, complaint,
        _("Your roles do not allow seeing the patient involvement of %(c)s.")
        % {"c": complaint.number},
    )  # fmt: skip
    audit.record(
        AuditAction.EXPORT, complaint, by=by, changes={"patient_data": "shown", "via": via}
    )


@transaction.atomic
def record_export(complaint: Complaint, *, by, document: str, size: int, **details) -> None:
    """Record a printed document of the complaint (a report draft, the closure letter): what,
    its size, and whether the patient's fields were in it unmasked."""
    audit.record(
        AuditAction.EXPORT,
        complaint,
        by=by,
        changes={"document": document, "size": size, **details},
    )
