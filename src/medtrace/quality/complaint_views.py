"""The complaint pages: the list (filters, aging, the soonest report due, overdue badges),
intake with a scan box for the device, the record with the device's trace (where it was
shipped, what it was made from), the reporting deadlines of each market with their rules and
citations, the actions allowed now (signed ones ask for the password again), the
reportability decision, report drafts as PDF, the NCR and CAPA links and the closure letter.
The patient's involvement is masked for readers without quality.reveal_patient_data and shown
to the others on request, each showing audited. Every write goes through
quality.services.complaints; every query through quality.complaint_selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.catalog.models import Item
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.core.pdf import pdf_response
from medtrace.org import access
from medtrace.quality import complaint_documents as documents
from medtrace.quality import complaint_selectors as selectors
from medtrace.quality import selectors as ncr_selectors
from medtrace.quality import workflow_views
from medtrace.quality.choices import ComplaintStatus, EventOutcome, MarketRegion
from medtrace.quality.complaint_forms import (
    UNCODED,
    ComplaintEditForm,
    ComplaintFilterForm,
    ComplaintForm,
    DecisionForm,
    LinkForm,
    OpenNcrForm,
)
from medtrace.quality.forms import action_form
from medtrace.quality.models import Capa
from medtrace.quality.services import complaint_disclosures as disclosures
from medtrace.quality.services import complaints as services
from medtrace.quality.workflows import COMPLAINT
from medtrace.trace.models import Lot

VIEW = selectors.VIEW
ADD = "quality.add_complaint"
CHANGE = services.CHANGE
APPROVE = services.APPROVE

# The service each workflow action calls, given the record, the user and the action's form.
ACTIONS = {
    "start_investigation": lambda c, by, data: services.start_investigation(c, by=by),
    "approve_decision": lambda c, by, data: services.approve_decision(
        c, by=by, password=data["password"], reason=data["reason"]
    ),
    "reopen": lambda c, by, data: services.reopen(c, by=by, reason=data["reason"]),
    "close": lambda c, by, data: services.close(
        c, by=by, password=data["password"], reason=data["reason"]
    ),
    "cancel": lambda c, by, data: services.cancel(c, by=by, reason=data["reason"]),
}


def filter_complaints(complaints, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        complaints = complaints.filter(
            # Not by complainant: that name is encrypted, and a search would reveal it.
            Q(number__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(lot__lot_number=text)
            | Q(unit__serial=text)
        )
    for field in ("status", "channel", "site"):
        if data.get(field):
            complaints = complaints.filter(**{field: data[field]})
    if data.get("problem_code") and data["problem_code"] != UNCODED:
        complaints = complaints.filter(problem_code=data["problem_code"])
    complaints = selectors.narrowed(
        complaints,
        item_id=data.get("item"),
        lot_id=data.get("lot"),
        aware_from=data.get("aware_from"),
        aware_to=data.get("aware_to"),
        counted=bool(data.get("counted")),
        uncoded=data.get("problem_code") == UNCODED,
    )
    decided = {"yes": True, "no": False, "undecided": None}
    if data.get("reportable") in decided:
        value = decided[data["reportable"]]
        complaints = complaints.filter(
            **({"reportable__isnull": True} if value is None else {"reportable": value})
        )
    if data.get("open"):
        complaints = complaints.filter(status__in=selectors.OPEN_STATES)
    if data.get("overdue"):
        complaints = selectors.overdue(complaints, today)
    sort = data.get("sort") or "due"
    if sort == "newest":
        return complaints.order_by("-received_at", "-pk")
    if sort == "oldest":
        return complaints.order_by("aware_on", "pk")
    return selectors.by_deadline(complaints)


def with_aging(complaints, today, user):
    for complaint in complaints:
        complaint.age = selectors.age_in_days(complaint, today)
        complaint.overdue = selectors.is_overdue(complaint, today)
        complaint.patient_visible = selectors.may_view_patient(user, complaint)
    return complaints


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def complaint_list(request):
    sites = access.scoped(access.visible_sites(request.user), request.user, perm=VIEW)
    form = ComplaintFilterForm(request.GET or None, sites=sites.order_by("code"))
    complaints = selectors.visible_complaints(request.user)
    if request.site is not None:
        complaints = complaints.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    page = paginate(request, filter_complaints(complaints, data, today))
    with_aging(page.object_list, today, request.user)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "quality/_complaint_table.html" if fragment else "quality/complaint_list.html"
    context = {
        "form": form,
        "page": page,
        "can_add": request.user.has_perm(ADD),
        "mask": selectors.MASK,
        "device": _narrowed_to(data, request.user.organization_id),
    }
    return render(request, template, context)


def _narrowed_to(data: dict, organization_id: int) -> str:
    """The device or lot a trend page's link narrowed the list to, as the page names it."""
    if data.get("lot"):
        lot = Lot.objects.filter(pk=data["lot"], organization_id=organization_id)
        lot = lot.select_related("item").first()
        return f"{lot.item.code} · {lot.lot_number}" if lot else ""
    if data.get("item"):
        item = Item.objects.filter(pk=data["item"], organization_id=organization_id).first()
        return item.code if item else ""
    return ""


@perm_required(ADD)
def complaint_create(request):
    sites = access.scoped(access.visible_sites(request.user), request.user, perm=ADD).order_by(
        "code"
    )
    initial = {"site": request.site} if request.site in sites else {}
    initial |= {"aware_on": timezone.localdate(), "code": request.GET.get("code", "")}
    form = ComplaintForm(request.POST or None, user=request.user, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.receive_complaint(by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("Complaint %(number)s received.") % {"number": complaint.number}
            )
            return redirect("quality:complaint-detail", complaint.pk)
    return render(request, "quality/complaint_form.html", {"form": form})


def _detail(request, complaint, *, bound=None, forms=None, patient_shown=False):
    """The complaint's page; `bound` is the (name, form) of a refused action, shown open with
    its errors; `forms` replaces the decision or link forms with their refused, bound
    versions."""
    user = request.user
    today = timezone.localdate()
    forms = forms or {}
    actions = []
    for transition in COMPLAINT.allowed(complaint, user):
        if bound is not None and bound[0] == transition.name:
            actions.append((transition, bound[1]))
        else:
            actions.append((transition, action_form(transition)))
    reports = selectors.reports_of(complaint)
    deadlines = selectors.deadlines(complaint, today, reports=reports)
    approver = user.has_perm(APPROVE, complaint)
    changer = user.has_perm(CHANGE, complaint)
    open_record = complaint.status not in services.CLOSED_STATES
    may_decide = approver and complaint.status == ComplaintStatus.INVESTIGATING
    may_report = (
        approver
        and complaint.status != ComplaintStatus.CANCELLED
        and complaint.reportable is not False
    )
    context = {
        "complaint": complaint,
        "age": selectors.age_in_days(complaint, today),
        "overdue": selectors.is_overdue(complaint, today),
        "deadlines": deadlines,
        "trace": selectors.device_trace(user, complaint),
        "outcomes": [EventOutcome(value) for value in complaint.outcomes],
        "regions": [MarketRegion(value) for value in complaint.regions],
        "reports": reports,
        "report_regions": [
            row for row in deadlines.rows if row.form and row.reportable and may_report
        ],
        "actions": actions,
        "refused": bound[0] if bound is not None else None,
        "patient_visible": selectors.may_view_patient(user, complaint),
        "patient_shown": patient_shown,
        "mask": selectors.MASK,
        "may_edit": changer and open_record,
        "decision_form": forms.get("decision") or (DecisionForm() if may_decide else None),
        "ncr_form": forms.get("ncr")
        or (
            OpenNcrForm(initial={"title": complaint.description[:200]})
            if changer
            and user.has_perm("quality.add_nonconformance", complaint)
            and complaint.nonconformance is None
            and open_record
            else None
        ),
        "link_ncr_form": forms.get("link_ncr")
        or (LinkForm(kind="ncr") if changer and complaint.status != "cancelled" else None),
        "link_capa_form": forms.get("link_capa")
        or (LinkForm(kind="capa") if changer and complaint.status != "cancelled" else None),
    }
    return render(request, "quality/complaint_detail.html", context)


@perm_required(VIEW)
def complaint_detail(request, pk: int):
    return _detail(request, selectors.get_complaint_or_404(request.user, pk))


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def complaint_patient(request, pk: int):
    """The patient's involvement, shown on request to a reader who may see it (audited): the
    section (htmx) or the whole page with it open."""
    complaint = selectors.get_complaint_or_404(request.user, pk)
    if not selectors.may_view_patient(request.user, complaint):
        raise PermissionDenied
    disclosures.disclose_patient_data(complaint, by=request.user, via="page")
    if request.htmx and not request.htmx.history_restore_request:
        return render(
            request,
            "quality/_complaint_patient.html",
            {"complaint": complaint, "patient_visible": True, "patient_shown": True},
        )
    return _detail(request, complaint, patient_shown=True)


@perm_required(CHANGE)
def complaint_edit(request, pk: int):
    complaint = selectors.get_complaint_or_404(request.user, pk)
    if not request.user.has_perm(CHANGE, complaint):
        raise PermissionDenied
    if complaint.status in services.CLOSED_STATES:
        messages.error(
            request,
            _("%(number)s is %(status)s; it can no longer be changed.")
            % {"number": complaint.number, "status": complaint.get_status_display()},
        )
        return redirect("quality:complaint-detail", complaint.pk)
    patient = selectors.may_view_patient(request.user, complaint)
    form = ComplaintEditForm(
        request.POST or None, instance=complaint, user=request.user, patient=patient
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_complaint(
                complaint, by=request.user, reason=form.cleaned_data["reason"], **form.changes()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": complaint.number})
            return redirect("quality:complaint-detail", complaint.pk)
    elif request.method != "POST" and patient and selectors.has_personal_data(complaint):
        disclosures.disclose_patient_data(complaint, by=request.user, via="edit form")
    return render(request, "quality/complaint_edit.html", {"form": form, "complaint": complaint})


@require_POST
@perm_required(VIEW)
def complaint_action(request, pk: int, action: str):
    """Take a workflow action: the action's form is parsed, the service decides; a refusal
    is shown on the form, beside the field it concerns."""
    complaint = selectors.get_complaint_or_404(request.user, pk)
    return workflow_views.take(
        request,
        complaint,
        action,
        workflow=COMPLAINT,
        actions=ACTIONS,
        reload=lambda: selectors.get_complaint_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound=bound),
        url=reverse("quality:complaint-detail", args=[pk]),
    )


@require_POST
@perm_required(APPROVE)
def complaint_decision(request, pk: int):
    complaint = selectors.get_complaint_or_404(request.user, pk)
    if not request.user.has_perm(APPROVE, complaint):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.record_decision(
                complaint,
                reportable=form.cleaned_data["reportable"],
                justification=form.cleaned_data["justification"],
                by=request.user,
            )
        except DomainError as error:
            complaint = selectors.get_complaint_or_404(request.user, pk)
            show_domain_error(form, error)
        else:
            messages.success(request, _("Reportability decision recorded; approve it to sign."))
            return redirect("quality:complaint-detail", complaint.pk)
    if complaint.status != ComplaintStatus.INVESTIGATING:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("quality:complaint-detail", complaint.pk)
    return _detail(request, complaint, forms={"decision": form})


@require_POST
@perm_required(APPROVE)
def complaint_report(request, pk: int):
    """Generate a report draft for the region posted; the page then offers its PDF."""
    complaint = selectors.get_complaint_or_404(request.user, pk)
    if not request.user.has_perm(APPROVE, complaint):
        raise PermissionDenied
    region = request.POST.get("region", "")
    try:
        report = disclosures.generate_report(complaint, region=region, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(form)s draft %(sequence)s generated.")
            % {"form": report.get_form_display(), "sequence": report.sequence},
        )
    return redirect(reverse("quality:complaint-detail", args=[complaint.pk]) + "#reports")


@perm_required(VIEW)
def complaint_report_pdf(request, pk: int, report_pk: int):
    complaint = selectors.get_complaint_or_404(request.user, pk)
    report = get_object_or_404(complaint.reports.select_related("generated_by"), pk=report_pk)
    report.complaint = complaint
    pdf, filename = documents.report_pdf(report, request=request)
    return pdf_response(pdf, filename)


@perm_required(VIEW)
def complaint_letter_pdf(request, pk: int):
    complaint = selectors.get_complaint_or_404(request.user, pk)
    if not complaint.closure_letter.strip():
        raise Http404
    pdf, filename = documents.letter_pdf(complaint, request=request)
    return pdf_response(pdf, filename)


@require_POST
@perm_required(CHANGE)
def complaint_link(request, pk: int, kind: str):
    """Open an NCR from the complaint (kind new-ncr), or link an existing NCR or CAPA by its
    number (kind ncr, capa)."""
    complaint = selectors.get_complaint_or_404(request.user, pk)
    if not request.user.has_perm(CHANGE, complaint):
        raise PermissionDenied
    if kind == "new-ncr":
        form = OpenNcrForm(request.POST)
        key = "ncr"
    elif kind in ("ncr", "capa"):
        form = LinkForm(request.POST, kind=kind)
        key = f"link_{kind}"
    else:
        raise Http404
    if form.is_valid():
        try:
            done = _link(request, complaint, kind, form)
        except DomainError as error:
            complaint = selectors.get_complaint_or_404(request.user, pk)
            show_domain_error(form, error)
        else:
            if done:
                messages.success(request, _("%(number)s linked.") % {"number": done})
                return redirect("quality:complaint-detail", complaint.pk)
    return _detail(request, complaint, forms={key: form})


def _link(request, complaint, kind: str, form) -> str | None:
    data = form.cleaned_data
    if kind == "new-ncr":
        ncr = services.open_nonconformance(
            complaint, by=request.user, title=data["title"], severity=data["severity"],
            hold=data["hold"],
        )  # fmt: skip
        return ncr.number
    number = data["number"].strip().upper()
    if kind == "ncr":
        target = ncr_selectors.visible_nonconformances(request.user).filter(number=number).first()
        if target is not None:
            services.link_nonconformance(
                complaint, nonconformance=target, by=request.user, reason=data["reason"]
            )
            return target.number
    else:
        target = access.scoped(Capa.objects.all(), request.user).filter(number=number).first()
        if target is not None:
            services.link_capa(complaint, capa=target, by=request.user, reason=data["reason"])
            return target.number
    form.add_error("number", _("No record numbered %(number)s here.") % {"number": number})
    return None
