"""Supplier audits: planned (date, type, scope, auditors), described while planned, findings
recorded (major / minor / observation, with a due date), a CAPA opened from a finding with one
action (quality's CAPA, at a site of the caller's), findings closed with their evidence, and
the audit concluded by a signature (meaning approved) or cancelled with a reason
(partners.workflows.SUPPLIER_AUDIT). Each write audited on the audit."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Site
from medtrace.partners.choices import (
    AuditResult,
    AuditStatus,
    FindingClass,
    FindingStatus,
    SupplierStatus,
)
from medtrace.partners.expiry import today as local_today
from medtrace.partners.models import AuditFinding, Supplier, SupplierAudit
from medtrace.partners.services.common import only, refuse
from medtrace.partners.workflows import SUPPLIER_AUDIT
from medtrace.quality.choices import CapaSource, CapaStatus
from medtrace.quality.services import capa as capas
from medtrace.quality.services.numbering import next_number

AUDIT_FIELDS = ("kind", "planned_on", "performed_on", "scope", "auditors", "result", "conclusion")


def _repr(supplier_audit: SupplierAudit) -> str:
    return f"{supplier_audit.supplier.code}: {supplier_audit.number}"


def _locked_planned(supplier_audit: SupplierAudit, what) -> SupplierAudit:
    supplier_audit = (
        SupplierAudit.objects.select_for_update()
        .select_related("supplier")
        .get(pk=supplier_audit.pk)
    )
    if supplier_audit.status != AuditStatus.PLANNED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; %(what)s is not possible any more.")
            % {
                "number": supplier_audit.number,
                "status": supplier_audit.get_status_display(),
                "what": what,
            },
        )
    return supplier_audit


@transaction.atomic
def plan_audit(
    *,
    supplier: Supplier,
    kind: str,
    planned_on: datetime.date,
    scope: str,
    auditors: str,
    by,
) -> SupplierAudit:
    """A new audit of the supplier (not of a disqualified one: evaluate it again first)."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if supplier.status == SupplierStatus.DISQUALIFIED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(code)s is disqualified; evaluate it again before auditing it.")
            % {"code": supplier.code},
        )
    supplier_audit = validated(
        SupplierAudit(
            organization_id=supplier.organization_id,
            supplier=supplier,
            number="-",
            kind=kind,
            planned_on=planned_on,
            scope=(scope or "").strip(),
            auditors=(auditors or "").strip(),
            planned_by=by,
        )
    )
    supplier_audit.number = next_number(supplier.organization, "SA")
    supplier_audit.save()
    audit.record(
        AuditAction.CREATE,
        supplier_audit,
        by=by,
        changes=audit.created(supplier_audit),
        object_repr=_repr(supplier_audit),
    )
    return supplier_audit


@transaction.atomic
def update_audit(
    supplier_audit: SupplierAudit, *, by, reason: str = "", **changes
) -> SupplierAudit:
    """Describe the audit while it is planned: dates, type, scope, auditors, result and
    conclusion (what the concluding signature will cover)."""
    only(changes, AUDIT_FIELDS)
    supplier_audit = _locked_planned(supplier_audit, _("changing it"))
    before = audit.snapshot(supplier_audit)
    for name, value in changes.items():
        setattr(supplier_audit, name, value.strip() if isinstance(value, str) else value)
    validated(supplier_audit)
    supplier_audit.save()
    diff = audit.diff(before, supplier_audit)
    if diff:
        audit.record(
            AuditAction.CHANGE,
            supplier_audit,
            by=by,
            changes=diff,
            reason=reason,
            object_repr=_repr(supplier_audit),
        )
    return supplier_audit


@transaction.atomic
def add_finding(
    supplier_audit: SupplierAudit,
    *,
    classification: str,
    description: str,
    due_on: datetime.date | None = None,
    by,
) -> AuditFinding:
    """A finding of a planned audit (the concluded report is signed as it stands); a major or
    minor finding needs its due date."""
    supplier_audit = _locked_planned(supplier_audit, _("adding a finding"))
    description = (description or "").strip()
    fields = {}
    if classification not in FindingClass.values:
        fields["classification"] = [str(_("Choose major, minor or observation."))]
    if not description:
        fields["description"] = [str(_("Describe what was found."))]
    if classification != FindingClass.OBSERVATION and due_on is None:
        fields["due_on"] = [str(_("A major or minor finding needs a due date."))]
    if fields:
        raise DomainError(ErrorCode.VALIDATION, _("The finding is not complete."), fields=fields)
    last = supplier_audit.findings.aggregate(last=Max("sequence"))["last"] or 0
    finding = AuditFinding.objects.create(
        audit=supplier_audit,
        sequence=last + 1,
        classification=classification,
        description=description,
        due_on=due_on,
    )
    audit.record(
        AuditAction.CHANGE,
        supplier_audit,
        by=by,
        changes={f"finding F{finding.sequence}": [None, [classification, description, due_on]]},
        object_repr=_repr(supplier_audit),
    )
    return finding


def _locked_finding(finding: AuditFinding) -> AuditFinding:
    # Locked alone (PostgreSQL locks no nullable side of a join: the CAPA), read with its audit.
    AuditFinding.objects.select_for_update().filter(pk=finding.pk).get()
    finding = AuditFinding.objects.select_related("audit", "audit__supplier", "capa").get(
        pk=finding.pk
    )
    if finding.audit.status == AuditStatus.CANCELLED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s was cancelled.") % {"number": finding.audit.number},
        )
    if finding.status != FindingStatus.OPEN:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Finding %(finding)s is already closed.") % {"finding": finding.reference},
        )
    return finding


@transaction.atomic
def close_finding(finding: AuditFinding, *, evidence: str, by) -> AuditFinding:
    """Closed with the evidence of what the supplier did; a finding whose CAPA is still open
    waits for the CAPA."""
    finding = _locked_finding(finding)
    evidence = (evidence or "").strip()
    if not evidence:
        refuse(
            ErrorCode.VALIDATION,
            _("Give the evidence that finding %(finding)s is resolved.")
            % {"finding": finding.reference},
            "evidence",
        )
    capa = finding.capa
    if capa is not None and capa.status not in (CapaStatus.CLOSED, CapaStatus.CANCELLED):
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(capa)s of finding %(finding)s is %(status)s; close the finding once it is closed.")
            % {
                "capa": capa.number,
                "finding": finding.reference,
                "status": capa.get_status_display(),
            },
        )
    finding.status, finding.closure_note = FindingStatus.CLOSED, evidence
    finding.closed_at, finding.closed_by = timezone.now(), by
    finding.save(update_fields=["status", "closure_note", "closed_at", "closed_by"])
    audit.record(
        AuditAction.CHANGE,
        finding.audit,
        by=by,
        changes={f"finding F{finding.sequence} closed": [None, evidence]},
        object_repr=_repr(finding.audit),
    )
    return finding


@transaction.atomic
def open_capa_for_finding(finding: AuditFinding, *, site: Site, by):
    """Open a CAPA (source: audit finding) at `site` for the finding and link it: the finding
    is the problem statement. Refused when the finding has a CAPA that is not cancelled."""
    finding = _locked_finding(finding)
    supplier = finding.audit.supplier
    if site.organization_id != supplier.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("There is no such site."), "site")
    if not by.has_perm("quality.add_capa", site):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow opening a CAPA at %(site)s.") % {"site": site.code},
            "site",
        )
    if finding.capa is not None and finding.capa.status != CapaStatus.CANCELLED:
        refuse(
            ErrorCode.DUPLICATE,
            _("Finding %(finding)s already has %(capa)s.")
            % {"finding": finding.reference, "capa": finding.capa.number},
        )
    statement = (
        f"{finding.reference} ({finding.get_classification_display()}), "
        f"{supplier.code} {supplier.name}:\n\n{finding.description}"
    )
    capa = capas.open_capa(
        site=site,
        title=f"{supplier.code}: {finding.description.splitlines()[0]}"[:200],
        source=CapaSource.AUDIT,
        problem_statement=statement,
        due_on=finding.due_on,
        by=by,
    )
    finding.capa = capa
    finding.save(update_fields=["capa"])
    audit.record(
        AuditAction.CHANGE,
        finding.audit,
        by=by,
        changes={f"finding F{finding.sequence} CAPA": [None, capa.number]},
        object_repr=_repr(finding.audit),
    )
    return capa


def _ready_to_conclude(supplier_audit: SupplierAudit) -> None:
    fields = {}
    if supplier_audit.performed_on is None:
        fields["performed_on"] = [str(_("Give the day the audit was performed."))]
    elif supplier_audit.performed_on > local_today():
        fields["performed_on"] = [str(_("The audit cannot be performed in the future."))]
    if not supplier_audit.result:
        fields["result"] = [str(_("Choose the result."))]
    if not supplier_audit.conclusion.strip():
        fields["conclusion"] = [str(_("Write the conclusion."))]
    if fields:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(number)s needs the day performed, a result and a conclusion before it is signed.")
            % {"number": supplier_audit.number},
            fields=fields,
        )
    major = supplier_audit.findings.filter(classification=FindingClass.MAJOR).first()
    if major is not None and supplier_audit.result == AuditResult.SATISFACTORY:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(number)s has major finding %(finding)s; it cannot be satisfactory.")
            % {"number": supplier_audit.number, "finding": major.reference},
            fields={"result": [str(_("Not with a major finding."))]},
        )


def conclude_audit(
    supplier_audit: SupplierAudit, *, by, password: str, reason: str = ""
) -> SupplierAudit:
    """The report as it stands, signed (meaning approved): day performed, result, conclusion
    and findings; findings are still closed afterwards."""

    def concluded(locked):
        locked.concluded_at = timezone.now()
        return {"concluded_at": [None, locked.concluded_at]}

    return SUPPLIER_AUDIT.take(
        supplier_audit, "conclude", by=by, password=password, reason=reason,
        guard=_ready_to_conclude, effects=concluded,
    )  # fmt: skip


def cancel_audit(supplier_audit: SupplierAudit, *, by, reason: str) -> SupplierAudit:
    return SUPPLIER_AUDIT.take(supplier_audit, "cancel", by=by, reason=reason)


def take_audit_action(supplier_audit: SupplierAudit, name: str, *, by, password="", reason=""):
    transition = SUPPLIER_AUDIT.transition(name)
    if transition.name == "conclude":
        return conclude_audit(supplier_audit, by=by, password=password, reason=reason)
    return cancel_audit(supplier_audit, by=by, reason=reason)
