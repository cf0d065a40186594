"""The supplier qualification pages: the lifecycle actions on a supplier's page (and what the
page shows of its qualification), the evaluation with its questionnaire, audits with their
findings and printable report, the approved supplier list and the certificates to renew.
They parse, check the permission, call the services and render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.audit import signatures
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.core.workflow import Workflow
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.partners import alerts, readiness, selectors
from medtrace.partners.choices import EXPIRY_WARNING_DAYS, SupplierStatus, Verdict
from medtrace.partners.expiry import today as local_today
from medtrace.partners.qualification_forms import (
    ApprovedSourceFilterForm,
    AuditForm,
    CloseFindingForm,
    EvaluationForm,
    FindingCapaForm,
    FindingForm,
    QuestionnaireForm,
    lifecycle_form,
)
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.partners.services import audits as audit_services
from medtrace.partners.services import evaluations as evaluation_services
from medtrace.partners.services import qualification
from medtrace.partners.sourcing import verdict_for
from medtrace.partners.workflows import SUPPLIER, SUPPLIER_AUDIT
from medtrace.quality.models import InspectionRecord

VIEW_EVALUATION = "partners.view_supplierevaluation"
CHANGE_EVALUATION = "partners.change_supplierevaluation"
VIEW_AUDIT = "partners.view_supplieraudit"
ADD_AUDIT = "partners.add_supplieraudit"
CHANGE_AUDIT = "partners.change_supplieraudit"


def offered(workflow: Workflow, record, user, bound=None) -> list[tuple]:
    """[(transition, form)] the user may take now; `bound` (name, form) is a refused one."""
    return [
        (t, bound[1] if bound is not None and bound[0] == t.name else lifecycle_form(t))
        for t in workflow.allowed(record, user)
    ]


def _decisions(user, supplier) -> list[tuple]:
    """[(decision, [(signature, valid)])], newest first."""
    decisions = selectors.visible_decisions(user).filter(supplier=supplier)[:50]
    return [(decision, signatures.with_validity(decision)) for decision in decisions]


def qualification_context(request, supplier, bound=None) -> dict:
    """What the supplier's page shows of its qualification."""
    user = request.user
    evaluation = readiness.current_evaluation(supplier) if user.has_perm(VIEW_EVALUATION) else None
    gaps = []
    deciding = supplier.status in (SupplierStatus.UNDER_EVALUATION, SupplierStatus.CONDITIONAL)
    if deciding and evaluation is not None:
        gaps = readiness.approval_gaps(supplier, evaluation)
    return {
        "transitions": offered(SUPPLIER, supplier, user, bound),
        "refused": bound[0] if bound is not None else None,
        "evaluation": evaluation,
        "gaps": gaps,
        "audits": (
            selectors.visible_audits(user).filter(supplier=supplier).prefetch_related("findings")
            if user.has_perm(VIEW_AUDIT)
            else None
        ),
        "can_plan_audit": user.has_perm(ADD_AUDIT)
        and supplier.status != SupplierStatus.DISQUALIFIED,
        "decisions": _decisions(user, supplier)
        if user.has_perm("partners.view_qualificationdecision")
        else None,
        "certificate_end": readiness.last_required_certificate(supplier),
    }


# The lifecycle


@require_POST
@perm_required("partners.view_supplier")
def supplier_action(request, pk: int, name: str):
    from medtrace.partners.views import render_supplier_detail

    supplier = selectors.get_supplier_by_pk_or_404(request.user, pk)
    try:
        transition = SUPPLIER.transition(name)
    except DomainError:
        raise Http404 from None
    if not access.permits(request.user, transition.permission, supplier):
        raise PermissionDenied
    form = lifecycle_form(transition, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            supplier = qualification.take_action(
                supplier,
                name,
                by=request.user,
                password=data.get("password", ""),
                reason=data.get("reason", ""),
                conditions=data.get("conditions", ""),
                conditions_due_on=data.get("conditions_due_on"),
            )
        except DomainError as error:
            supplier = selectors.get_supplier_by_pk_or_404(request.user, pk)
            if error.details.get("cause") in {"wrong_password", "password_expired"}:
                form.add_error("password", str(error.message))
            else:
                show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(code)s is now %(status)s.")
                % {"code": supplier.code, "status": supplier.get_status_display()},
            )
            return redirect("partners:supplier-detail", supplier.code)
    if name not in {t.name for t in SUPPLIER.allowed(supplier, request.user)}:
        for error in form.non_field_errors() or [_("This action is no longer possible.")]:
            messages.error(request, error)
        return redirect("partners:supplier-detail", supplier.code)
    return render_supplier_detail(request, supplier, bound=(name, form), status=422)


# Evaluations


def _evaluation_page(request, evaluation, *, questionnaire=None, details=None, status=200):
    user = request.user
    editable = evaluation.is_open and user.has_perm(CHANGE_EVALUATION)
    inspections = access.scoped(
        InspectionRecord.objects.select_related("lot").filter(supplier=evaluation.supplier),
        user,
    ).order_by("-started_at")
    if editable:
        questionnaire = questionnaire or QuestionnaireForm(answers=evaluation.answers_by_code())
        details = details or EvaluationForm(instance=evaluation, inspections=inspections)
    answers = evaluation.answers_by_code()
    return render(
        request,
        "partners/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "supplier": evaluation.supplier,
            "editable": editable,
            "questionnaire": questionnaire,
            "details": details,
            "rows": [(q, answers.get(q.code)) for q in QUESTIONS],
            "gaps": readiness.approval_gaps(evaluation.supplier, evaluation)
            if evaluation.is_open
            else [],
            "linked_inspections": evaluation.inspections.select_related("lot", "site"),
            "decisions": _decisions(user, evaluation.supplier),
        },
        status=status,
    )


@perm_required(VIEW_EVALUATION)
def evaluation_detail(request, pk: int):
    return _evaluation_page(request, selectors.get_evaluation_or_404(request.user, pk))


@require_POST
@perm_required(CHANGE_EVALUATION)
def evaluation_answers(request, pk: int):
    evaluation = selectors.get_evaluation_or_404(request.user, pk)
    form = QuestionnaireForm(request.POST, answers=evaluation.answers_by_code())
    if form.is_valid():
        try:
            changed = evaluation_services.answer_questions(
                evaluation, answers=form.answers(), by=request.user
            )
        except DomainError as error:
            show_domain_error(form, error)
            question = error.details.get("question")
            for field, problems in (error.details.get("fields") or {}).items():
                if question and f"{question}-{field}" in form.fields:
                    for problem in problems:
                        form.add_error(f"{question}-{field}", problem)
        else:
            messages.success(
                request,
                _("%(count)s answers saved.") % {"count": changed}
                if changed
                else _("Nothing changed."),
            )
            return redirect("partners:evaluation-detail", pk)
    evaluation = selectors.get_evaluation_or_404(request.user, pk)
    return _evaluation_page(request, evaluation, questionnaire=form, status=422)


@require_POST
@perm_required(CHANGE_EVALUATION)
def evaluation_edit(request, pk: int):
    evaluation = selectors.get_evaluation_or_404(request.user, pk)
    inspections = access.scoped(
        InspectionRecord.objects.select_related("lot").filter(supplier=evaluation.supplier),
        request.user,
    )
    form = EvaluationForm(request.POST, instance=evaluation, inspections=inspections)
    if form.is_valid():
        try:
            evaluation_services.update_evaluation(evaluation, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": evaluation.number})
            return redirect("partners:evaluation-detail", pk)
    evaluation = selectors.get_evaluation_or_404(request.user, pk)
    return _evaluation_page(request, evaluation, details=form, status=422)


# Audits


@perm_required(ADD_AUDIT)
def audit_create(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    form = AuditForm(request.POST or None, planning=True)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_audit = audit_services.plan_audit(
                supplier=supplier, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("Audit %(number)s planned.") % {"number": supplier_audit.number}
            )
            return redirect("partners:audit-detail", supplier_audit.pk)
    title = _("Plan an audit of %(code)s") % {"code": supplier.code}
    return render(request, "partners/form.html", {"form": form, "title": title})


def _audit_page(request, supplier_audit, *, bound=None, finding_form=None, status=200):
    user = request.user
    planned = supplier_audit.status == "planned"
    capa_sites = Site.objects.filter(
        pk__in=access.site_ids_with_perm(user, "quality.add_capa"),
        organization_id=supplier_audit.organization_id,
    ).order_by("code")
    can_change = user.has_perm(CHANGE_AUDIT)
    return render(
        request,
        "partners/audit_detail.html",
        {
            "audit": supplier_audit,
            "supplier": supplier_audit.supplier,
            "findings": supplier_audit.findings.select_related("capa", "closed_by"),
            "can_change": can_change and planned,
            "can_close": can_change and supplier_audit.status != "cancelled",
            "finding_form": (finding_form or FindingForm()) if can_change and planned else None,
            "capa_form": FindingCapaForm(sites=capa_sites) if capa_sites else None,
            "transitions": offered(SUPPLIER_AUDIT, supplier_audit, user, bound),
            "refused": bound[0] if bound is not None else None,
        },
        status=status,
    )


@perm_required(VIEW_AUDIT)
def audit_detail(request, pk: int):
    return _audit_page(request, selectors.get_audit_or_404(request.user, pk))


@perm_required(VIEW_AUDIT)
def audit_report(request, pk: int):
    """The audit report, printable from the browser (the PDF comes with document templates)."""
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    return render(
        request,
        "partners/audit_report.html",
        {
            "audit": supplier_audit,
            "supplier": supplier_audit.supplier,
            "findings": supplier_audit.findings.select_related("capa", "closed_by"),
            "today": local_today(),
        },
    )


@perm_required(CHANGE_AUDIT)
def audit_edit(request, pk: int):
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    form = AuditForm(request.POST or None, instance=supplier_audit)
    if request.method == "POST" and form.is_valid():
        try:
            audit_services.update_audit(supplier_audit, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": supplier_audit.number})
            return redirect("partners:audit-detail", pk)
    title = _("Edit %(number)s") % {"number": supplier_audit.number}
    return render(request, "partners/form.html", {"form": form, "title": title})


@require_POST
@perm_required(CHANGE_AUDIT)
def finding_create(request, pk: int):
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            finding = audit_services.add_finding(
                supplier_audit, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Finding %(ref)s recorded.") % {"ref": finding.reference})
            return redirect("partners:audit-detail", pk)
    return _audit_page(request, supplier_audit, finding_form=form, status=422)


def _finding_write(request, pk: int, write, success):
    finding = selectors.get_finding_or_404(request.user, pk)
    try:
        result = write(finding)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success(finding, result))
    return redirect("partners:audit-detail", finding.audit_id)


@require_POST
@perm_required(CHANGE_AUDIT)
def finding_close(request, pk: int):
    form = CloseFindingForm(request.POST)
    evidence = form.cleaned_data["evidence"] if form.is_valid() else ""
    return _finding_write(
        request,
        pk,
        lambda finding: audit_services.close_finding(finding, evidence=evidence, by=request.user),
        lambda finding, _r: _("Finding %(ref)s closed.") % {"ref": finding.reference},
    )


@require_POST
@perm_required("quality.add_capa")
def finding_capa(request, pk: int):
    sites = Site.objects.filter(pk__in=access.site_ids_with_perm(request.user, "quality.add_capa"))
    form = FindingCapaForm(request.POST, sites=sites)
    if not form.is_valid():
        finding = selectors.get_finding_or_404(request.user, pk)
        messages.error(request, _("Choose the site of the CAPA."))
        return redirect("partners:audit-detail", finding.audit_id)
    return _finding_write(
        request,
        pk,
        lambda finding: audit_services.open_capa_for_finding(
            finding, site=form.cleaned_data["site"], by=request.user
        ),
        lambda finding, capa: (
            _("%(capa)s opened for finding %(ref)s.")
            % {"capa": capa.number, "ref": finding.reference}
        ),
    )


@require_POST
@perm_required(VIEW_AUDIT)
def audit_action(request, pk: int, name: str):
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    try:
        transition = SUPPLIER_AUDIT.transition(name)
    except DomainError:
        raise Http404 from None
    if not access.permits(request.user, transition.permission, supplier_audit):
        raise PermissionDenied
    form = lifecycle_form(transition, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            supplier_audit = audit_services.take_audit_action(
                supplier_audit,
                name,
                by=request.user,
                password=data.get("password", ""),
                reason=data.get("reason", ""),
            )
        except DomainError as error:
            supplier_audit = selectors.get_audit_or_404(request.user, pk)
            if error.details.get("cause") in {"wrong_password", "password_expired"}:
                form.add_error("password", str(error.message))
            else:
                show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(number)s is now %(status)s.")
                % {"number": supplier_audit.number, "status": supplier_audit.get_status_display()},
            )
            return redirect("partners:audit-detail", pk)
    if name not in {t.name for t in SUPPLIER_AUDIT.allowed(supplier_audit, request.user)}:
        for error in form.non_field_errors() or [_("This action is no longer possible.")]:
            messages.error(request, error)
        return redirect("partners:audit-detail", pk)
    return _audit_page(request, supplier_audit, bound=(name, form), status=422)


# The approved supplier list and the certificates to renew


@vary_on_headers("HX-Request")
@perm_required("partners.view_approvedsource")
def approved_source_list(request):
    """Every approved source with its verdict now, by item then supplier; filtered by text
    (item or supplier), verdict and supplier status."""
    form = ApprovedSourceFilterForm(request.GET or None)
    wanted = form.values()
    sources = selectors.visible_approved_sources(request.user).select_related("supplier", "item")
    if wanted.get("q"):
        text = wanted["q"].strip()
        sources = sources.filter(
            Q(item__code__icontains=text)
            | Q(item__name__icontains=text)
            | Q(supplier__code__icontains=text)
            | Q(supplier__name__icontains=text)
        )
    if wanted.get("supplier_status"):
        sources = sources.filter(supplier__status=wanted["supplier_status"])
    today = local_today()
    rows = [
        (source, verdict_for(source.supplier, source.item, source, today))
        for source in sources.order_by("item__code", "supplier__code")
    ]
    if wanted.get("verdict"):
        rows = [row for row in rows if row[1].verdict == wanted["verdict"]]
    page = paginate(request, rows)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    return render(
        request,
        "partners/_approved_source_table.html"
        if fragment
        else "partners/approved_source_list.html",
        {"form": form, "page": page, "verdicts": Verdict},
    )


@perm_required("partners.view_suppliercertificate")
def certificate_expiring(request):
    try:
        days = max(0, min(int(request.GET.get("days", EXPIRY_WARNING_DAYS)), 3650))
    except ValueError:
        days = EXPIRY_WARNING_DAYS
    if request.user.organization_id is None:
        raise PermissionDenied
    certificates = selectors.certificates_to_renew(request.user.organization_id, days)
    return render(
        request,
        "partners/certificate_expiring.html",
        {"certificates": certificates, "days": days, "today": local_today()},
    )


def list_banner(user):
    """The supplier list's warning for purchasing (None for others)."""
    if not alerts.alerted(user):
        return None
    summary = alerts.summary(user.organization_id)
    return summary or None
