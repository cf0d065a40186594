"""Complaints and adverse events: received with the device identified by its scanned or typed
code (the trace tells where it was shipped), investigated and corrected with a reason, their
reportability decided against the clocks of each market (quality.reportability) and approved
by signature, report drafts generated per authority, linked to an NCR (found or opened here)
and a CAPA, and closed by signature with a letter to the complainant. Each write is one
transaction with its audit entry; status changes go through the complaint workflow.

The patient involvement is sensitive: its values never enter the audit trail (an entry says
which patient fields changed, masked), only holders of quality.reveal_patient_data may change
it after intake, and every disclosure of it is audited (services.complaint_disclosures, with
the report drafts and printed documents)."""

from datetime import date, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Site
from medtrace.partners.models import Customer
from medtrace.quality import complaint_reports
from medtrace.quality import complaint_selectors as selectors
from medtrace.quality.choices import (
    ComplaintStatus,
    EventOutcome,
    MarketRegion,
    NcrSource,
)
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.models import Capa, Complaint, Nonconformance
from medtrace.quality.models.complaint import DECISION_FACTS, PATIENT_FIELDS, PERSONAL_FIELDS
from medtrace.quality.services import nonconformance as ncrs
from medtrace.quality.services.numbering import next_number
from medtrace.quality.workflows import COMPLAINT
from medtrace.trace import engine
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, Unit

ADD = "quality.add_complaint"
CHANGE = "quality.change_complaint"
APPROVE = "quality.approve_complaint"
PATIENT = selectors.PATIENT_PERM
MASK = selectors.MASK
CLOSED_STATES = (ComplaintStatus.CLOSED, ComplaintStatus.CANCELLED)
# What may still be corrected once the reportability decision is signed: who complained and
# how to reach them, the device problem code (trending, not a fact the decision rests on),
# and the letter to them. Everything the decision rests on is frozen.
AFTER_DECISION = (
    "channel",
    "customer",
    "complainant_name",
    "complainant_contact",
    "problem_code",
    "closure_letter",
)
EDITABLE = (
    "channel",
    "customer",
    "complainant_name",
    "complainant_contact",
    "description",
    "problem_code",
    "event_date",
    "aware_on",
    "aware_time",
    "item",
    "outcomes",
    "regions",
    "remedial_action_needed",
    "occurred_outside_china",
    "expected_side_effect",
    *PATIENT_FIELDS,
    "investigation",
    "root_cause",
    "closure_letter",
)


def refuse(code: ErrorCode, message, field: str | None = None, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


def _masked(changes: dict) -> dict:
    """The audit trail records that a personal field changed, never its value."""

    def mask(value):
        return None if value in (None, "", False) else MASK

    return {
        name: [mask(change[0]), mask(change[1])]
        if name in (*PATIENT_FIELDS, *PERSONAL_FIELDS)
        and isinstance(change, list | tuple)
        and len(change) == 2
        else change
        for name, change in changes.items()
    }


def require(by, perm: str, record, message) -> None:
    if not by.has_perm(perm, record):
        refuse(ErrorCode.PERMISSION_DENIED, message)


# --- Intake -------------------------------------------------------------------------------------


def resolve_device(by, code: str) -> tuple[Lot | None, Unit | None]:
    """The lot or serialized unit a scanned or typed code names, as the scan box reads it
    (a GS1, HIBC or MA label, a Digital Link, a bare lot or serial number), among what `by`
    may see; refused naming the code when it names nothing visible, several objects, or a
    case or pallet."""
    try:
        found = trace_selectors.find_one(by, code)
    except DomainError as error:
        refuse(error.code, error.message, "code", scanned=code)
    if found.kind == ObjectKind.LOT:
        return Lot.objects.select_related("item").get(pk=found.pk), None
    if found.kind == ObjectKind.UNIT:
        unit = Unit.objects.select_related("item", "lot", "lot__item").get(pk=found.pk)
        return unit.lot, unit
    refuse(
        ErrorCode.VALIDATION,
        _("%(code)s is a %(kind)s; scan the device's own label (its lot or serial number).")
        % {"code": code, "kind": found.get_kind_display()},
        "code",
    )


def check_choices(values, choices, field: str) -> list[str]:
    values = list(dict.fromkeys(str(value) for value in values or ()))
    unknown = [value for value in values if value not in choices.values]
    if unknown:
        refuse(
            ErrorCode.VALIDATION,
            _("Unknown %(field)s: %(values)s.") % {"field": field, "values": ", ".join(unknown)},
            field,
        )
    return values


def check_problem_code(code: str) -> str:
    """A level-1 device problem code of IMDRF Annex A, or "" for none (not coded yet)."""
    code = (code or "").strip()
    if code and code not in DeviceProblem.values:
        refuse(
            ErrorCode.VALIDATION,
            _("%(code)s is not a device problem code of IMDRF Annex A (level 1: %(first)s to "
              "%(last)s).")
            % {"code": code, "first": DeviceProblem.values[0], "last": DeviceProblem.values[-1]},
            "problem_code",
        )  # fmt: skip
    return code


def _check_dates(site: Site, aware_on: date, event_date: date | None) -> None:
    today = complaint_reports.site_today(site)
    if aware_on > today:
        refuse(
            ErrorCode.VALIDATION,
            _("The awareness date %(day)s is after today (%(today)s, %(zone)s): awareness is a "
              "past fact, and the reporting clocks start on it.")
            % {"day": aware_on, "today": today, "zone": site.time_zone},
            "aware_on",
        )  # fmt: skip
    if event_date is not None and event_date > aware_on:
        refuse(
            ErrorCode.VALIDATION,
            _("The event (%(event)s) cannot be after the day we became aware of it (%(aware)s).")
            % {"event": event_date, "aware": aware_on},
            "event_date",
        )


def _check_patient(fields: dict) -> None:
    if fields.get("patient_involved"):
        return
    given = [name for name in PATIENT_FIELDS[1:] if fields.get(name) not in (None, "")]
    if given:
        refuse(
            ErrorCode.VALIDATION,
            _("Patient details are given but no patient is involved; tick “patient involved” "
              "or leave the details empty."),
            "patient_involved",
        )  # fmt: skip


def _check_device(complaint: Complaint) -> None:
    customer = complaint.customer
    if customer is not None and customer.organization_id != complaint.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("%(c)s is not known here.") % {"c": customer}, "customer")
    if complaint.item is not None and complaint.item.organization_id != complaint.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("%(item)s is not known here.") % {"item": complaint.item})
    device = complaint.unit or complaint.lot
    if device is not None and complaint.item is not None and device.item_id != complaint.item.pk:
        refuse(
            ErrorCode.VALIDATION,
            _("%(device)s is of item %(item)s, not %(given)s.")
            % {"device": device, "item": device.item.code, "given": complaint.item.code},
            "item",
        )
    if device is not None:
        complaint.item = device.item


def refresh_due(complaint: Complaint) -> dict:
    """Keep report_due_on (the earliest report still to draft) in step; its change, if any."""
    before = complaint.report_due_on
    if complaint.status in CLOSED_STATES:
        complaint.report_due_on = None
    else:
        complaint.report_due_on = selectors.deadlines(complaint).pending_due
    if complaint.report_due_on == before:
        return {}
    return {"report_due_on": [before, complaint.report_due_on]}


@transaction.atomic
def receive_complaint(
    *,
    site: Site,
    by,
    channel: str,
    description: str,
    aware_on: date,
    aware_time: time | None = None,
    event_date: date | None = None,
    code: str = "",
    problem_code: str = "",
    item: Item | None = None,
    customer: Customer | None = None,
    complainant_name: str = "",
    complainant_contact: str = "",
    outcomes=(),
    regions=(),
    remedial_action_needed: bool = False,
    occurred_outside_china: bool = False,
    expected_side_effect: bool = False,
    patient_involved: bool = False,
    patient_age: int | None = None,
    patient_sex: str = "",
    patient_initials: str = "",
    injury_description: str = "",
) -> Complaint:
    """Record a complaint at `site`. The device is named by `code` (what was scanned or typed)
    and resolved through the trace; its item follows. Without a customer given, the customer
    the device was shipped to is taken when every shipment of it went to the same one. The
    reporting deadlines are computed at once from the outcomes and regions given."""
    require(
        by, ADD, site, _("Your roles do not allow receiving complaints at %(site)s.")
        % {"site": site.code},
    )  # fmt: skip
    lot = unit = None
    code = (code or "").strip()
    if code:
        lot, unit = resolve_device(by, code)
    fields = {
        "patient_involved": patient_involved,
        "patient_age": patient_age,
        "patient_sex": patient_sex,
        "patient_initials": patient_initials.strip(),
        "injury_description": injury_description.strip(),
    }
    _check_patient(fields)
    _check_dates(site, aware_on, event_date)
    complaint = Complaint(
        organization_id=site.organization_id,
        site=site,
        channel=channel,
        customer=customer,
        complainant_name=complainant_name.strip(),
        complainant_contact=complainant_contact.strip(),
        description=description.strip(),
        problem_code=check_problem_code(problem_code),
        event_date=event_date,
        aware_on=aware_on,
        aware_time=aware_time,
        item=item,
        lot=lot,
        unit=unit,
        scanned_code=code,
        outcomes=check_choices(outcomes, EventOutcome, "outcomes"),
        regions=check_choices(regions, MarketRegion, "regions"),
        remedial_action_needed=remedial_action_needed,
        occurred_outside_china=occurred_outside_china,
        expected_side_effect=expected_side_effect,
        received_by=by,
        **fields,
    )
    _check_device(complaint)
    if complaint.customer is None and (unit or lot) is not None:
        complaint.customer = selectors.shipped_to_customer(engine.trace_forward(unit or lot))
    complaint.number = "-"  # drawn only once the record is valid: numbers are gap-free
    validated(complaint)
    _check_outcomes(complaint)
    complaint.number = next_number(site.organization, "CMP")
    refresh_due(complaint)
    complaint.save()
    audit.record(AuditAction.CREATE, complaint, by=by, changes=_masked(audit.created(complaint)))
    return complaint


def _check_outcomes(complaint: Complaint) -> None:
    """Outcomes, when given, must be ones the clocks can read (an individual outcome; not
    non-serious and serious at once)."""
    if not complaint.outcomes:
        return
    try:
        selectors.adverse_event(complaint)
    except selectors.reportability.InvalidEvent as error:
        refuse(ErrorCode.VALIDATION, error.message, error.field or "outcomes")


# --- Investigation ------------------------------------------------------------------------------


@transaction.atomic
def update_complaint(complaint: Complaint, *, by, reason: str, **changes) -> Complaint:
    """Correct or complete the complaint (the investigation, the device problem code, the root
    cause, the facts, the closure letter; `code` names a new device), with the reason. Once the
    reportability decision is signed only who complained, the problem code and the closure
    letter may change; reopen the investigation to change the facts. Patient fields need
    quality.reveal_patient_data."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    unknown = set(changes) - {*EDITABLE, "code"}
    if unknown:
        raise TypeError(f"update_complaint cannot change {sorted(unknown)}")
    require(
        by,
        CHANGE,
        complaint,
        _("Your roles do not allow changing %(c)s.") % {"c": complaint.number},
    )
    if complaint.status in CLOSED_STATES:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(c)s is %(status)s; it can no longer be changed.")
            % {"c": complaint.number, "status": complaint.get_status_display()},
        )
    before = audit.snapshot(complaint)
    old_item = complaint.item_id
    code = changes.pop("code", None)
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if name in ("outcomes", "regions"):
            value = check_choices(value, EventOutcome if name == "outcomes" else MarketRegion, name)
        if name == "problem_code":
            value = check_problem_code(value)
        setattr(complaint, name, value)
    if code is not None and code.strip() != complaint.scanned_code:
        complaint.lot, complaint.unit = resolve_device(by, code.strip()) if code.strip() else (
            None, None
        )  # fmt: skip
        complaint.scanned_code = code.strip()
        given = changes.get("item")
        if given is None or given.pk == old_item:  # the item follows the new device
            complaint.item = None
    _check_device(complaint)
    changed = audit.diff(before, complaint)
    if not changed:
        return complaint
    touched = set(changed) | ({"lot", "unit"} if code is not None else set())
    if touched & {*PATIENT_FIELDS, *PERSONAL_FIELDS}:
        require(
            by, PATIENT, complaint,
            _("Your roles do not allow seeing or changing the personal data of %(c)s.")
            % {"c": complaint.number},
        )  # fmt: skip
    if complaint.status == ComplaintStatus.DECIDED:
        frozen = sorted(touched & set(DECISION_FACTS) - set(AFTER_DECISION))
        if frozen:
            refuse(
                ErrorCode.INVALID_STATE,
                _("The reportability decision of %(c)s was approved on these facts (%(fields)s); "
                  "reopen the investigation to change them.")
                % {"c": complaint.number, "fields": ", ".join(frozen)},
                frozen[0] if frozen[0] in EDITABLE else None,
            )  # fmt: skip
    if not reason.strip():
        refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing %(c)s; it is a quality record.")
            % {"c": complaint.number},
            "reason",
        )
    _check_patient({name: getattr(complaint, name) for name in PATIENT_FIELDS})
    _check_dates(complaint.site, complaint.aware_on, complaint.event_date)
    validated(complaint)
    _check_outcomes(complaint)
    changed = audit.diff(before, complaint) | refresh_due(complaint)
    complaint.save()
    audit.record(AuditAction.CHANGE, complaint, by=by, changes=_masked(changed), reason=reason)
    return complaint


def start_investigation(complaint: Complaint, *, by, reason: str = "") -> Complaint:
    return COMPLAINT.take(complaint, "start_investigation", by=by, reason=reason)


@transaction.atomic
def record_decision(complaint: Complaint, *, reportable: bool, justification: str, by) -> Complaint:
    """The reportability decision, during the investigation, with its justification (it is
    approved by signature next). "Reportable" needs a rule that makes the event reportable in
    one of its markets; "not reportable" against such a rule is allowed, justified (the
    justification is the regulator's first question)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require(
        by, APPROVE, complaint,
        _("Your roles do not allow deciding the reportability of %(c)s.") % {"c": complaint.number},
    )  # fmt: skip
    if complaint.status != ComplaintStatus.INVESTIGATING:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(c)s is %(status)s; reportability is decided during the investigation.")
            % {"c": complaint.number, "status": complaint.get_status_display()},
        )
    if not justification.strip():
        refuse(
            ErrorCode.VALIDATION,
            _("Justify the reportability decision (ISO 13485 8.2.2)."),
            "justification",
        )
    found = selectors.deadlines(complaint)
    if found.problem:
        refuse(ErrorCode.INVALID_STATE, found.problem)
    if reportable and not found.reportable:
        rules = ", ".join(row.rule_id for row in found.rows)
        refuse(
            ErrorCode.VALIDATION,
            _("No rule makes this event reportable in its markets (%(rules)s); decide "
              "“not reportable”, or correct the outcomes or the markets.")
            % {"rules": rules},
            "reportable",
        )  # fmt: skip
    before = audit.snapshot(complaint)
    complaint.reportable = bool(reportable)
    complaint.decision_justification = justification.strip()
    complaint.decided_by = by
    complaint.decided_at = timezone.now()
    changed = audit.diff(before, complaint) | refresh_due(complaint)
    complaint.save()
    audit.record(
        AuditAction.CHANGE,
        complaint,
        by=by,
        changes=changed,
        reason=complaint.decision_justification,
    )
    return complaint


def _require_decision(complaint: Complaint) -> None:
    if complaint.reportable is None:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Record the reportability decision of %(c)s before approving it.")
            % {"c": complaint.number},
        )
    if not complaint.investigation.strip():
        refuse(
            ErrorCode.INVALID_STATE,
            _("Record the investigation of %(c)s (or why none is needed) before the decision is "
              "approved (ISO 13485 8.2.2).")
            % {"c": complaint.number},
        )  # fmt: skip


def approve_decision(complaint: Complaint, *, by, password: str, reason: str = "") -> Complaint:
    """The recorded decision approved by `by`'s signature (meaning approved)."""
    return COMPLAINT.take(
        complaint, "approve_decision", by=by, password=password, reason=reason,
        guard=_require_decision,
    )  # fmt: skip


def reopen(complaint: Complaint, *, by, reason: str) -> Complaint:
    """Back to the investigation (new facts); the decision must be approved again."""
    return COMPLAINT.take(complaint, "reopen", by=by, reason=reason)


def _require_reports(complaint: Complaint) -> None:
    if not complaint.reportable:
        return
    for row in selectors.deadlines(complaint).rows:
        if row.reportable and row.form and not row.drafts:
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(c)s is reportable and its %(region)s report (%(rule)s, %(citation)s) has not "
                  "been drafted; draft it before closing.")
                % {
                    "c": complaint.number,
                    "region": row.region.label,
                    "rule": row.rule_id,
                    "citation": row.citation,
                },
            )  # fmt: skip


def close(complaint: Complaint, *, by, password: str, reason: str = "") -> Complaint:
    """Closure by `by`'s signature (meaning verified): a reportable complaint needs the draft
    of each market's report first."""

    def closed(record):
        record.status = ComplaintStatus.CLOSED  # the clocks stop with it
        record.closed_at = timezone.now()
        return {"closed_at": [None, record.closed_at], **refresh_due(record)}

    return COMPLAINT.take(
        complaint, "close", by=by, password=password, reason=reason,
        guard=_require_reports, effects=closed,
    )  # fmt: skip


def cancel(complaint: Complaint, *, by, reason: str) -> Complaint:
    """Withdraw a complaint recorded in error (a duplicate); the reason is required."""

    def cancelled(record):
        record.status = ComplaintStatus.CANCELLED  # the clocks stop with it
        return refresh_due(record)

    return COMPLAINT.take(complaint, "cancel", by=by, reason=reason, effects=cancelled)


# --- Links --------------------------------------------------------------------------------------


def _link_reason(reason: str, record) -> str:
    return reason.strip() or str(_("Linked to %(record)s") % {"record": record.number})


def _link(complaint: Complaint, field: str, record, *, by, reason: str) -> Complaint:
    """Point the complaint's `field` at `record` (an NCR or a CAPA of its organization)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require(
        by, CHANGE, complaint,
        _("Your roles do not allow changing %(c)s.") % {"c": complaint.number},
    )  # fmt: skip
    if complaint.status == ComplaintStatus.CANCELLED:
        refuse(ErrorCode.INVALID_STATE, _("%(c)s is cancelled.") % {"c": complaint.number})
    if record.organization_id != complaint.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("%(n)s is not known here.") % {"n": record})
    before = getattr(complaint, f"{field}_id")
    setattr(complaint, field, record)
    complaint.save(update_fields=[field])
    audit.record(
        AuditAction.CHANGE, complaint, by=by, changes={field: [before, record.pk]},
        reason=_link_reason(reason, record),
    )  # fmt: skip
    return complaint


@transaction.atomic
def link_nonconformance(
    complaint: Complaint, *, nonconformance: Nonconformance, by, reason: str = ""
) -> Complaint:
    return _link(complaint, "nonconformance", nonconformance, by=by, reason=reason)


@transaction.atomic
def open_nonconformance(
    complaint: Complaint, *, by, title: str, severity: str, description: str = "",
    hold: bool = False,
) -> Nonconformance:  # fmt: skip
    """Open an NCR (source: complaint) on the complaint's lot and item, and link it."""
    require(
        by, "quality.add_nonconformance", complaint,
        _("Your roles do not allow opening a nonconformance at %(site)s.")
        % {"site": complaint.site.code},
    )  # fmt: skip
    lot = complaint.unit.lot if complaint.unit and complaint.unit.lot else complaint.lot
    text = description.strip() or str(
        _("From complaint %(c)s:\n%(description)s")
        % {"c": complaint.number, "description": complaint.description}
    )
    ncr = ncrs.open_nonconformance(
        site=complaint.site,
        title=title,
        description=text,
        source=NcrSource.COMPLAINT,
        severity=severity,
        lot=lot if lot is not None and lot.site_id == complaint.site_id else None,
        item=complaint.item,
        hold=hold,
        by=by,
    )
    link_nonconformance(complaint, nonconformance=ncr, by=by)
    return ncr


@transaction.atomic
def link_capa(complaint: Complaint, *, capa: Capa, by, reason: str = "") -> Complaint:
    return _link(complaint, "capa", capa, by=by, reason=reason)
