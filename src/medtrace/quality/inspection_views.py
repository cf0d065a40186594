"""The inspection pages: plans (list, record with its characteristics and the inspections
using it, the new-plan form, withdrawal and return with a reason) and inspection records (the
list with filters, the start form with a typed or scanned lot, and the record: its sampling per
defect class, the results grid, the signed completion or the cancellation, the verdict and the
NCR a rejection opened). Every write goes through quality.services.inspection; every query
through quality.inspection_selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.catalog import selectors as catalog_selectors
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.quality import inspection_selectors as selectors
from medtrace.quality import workflow_views
from medtrace.quality.choices import (
    DefectClass,
    InspectionSeverity,
    InspectionStage,
    InspectionStatus,
    InspectionVerdict,
)
from medtrace.quality.forms import action_form
from medtrace.quality.inspection_forms import (
    InspectionFilterForm,
    PlanActiveForm,
    PlanFilterForm,
    PlanForm,
    ResultsGridError,
    StartInspectionForm,
    characteristic_formset,
    parse_grid,
)
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.quality.switching import SchemeStatus
from medtrace.quality.workflows import INSPECTION
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import Lot

VIEW_PLAN = "quality.view_inspectionplan"
ADD_PLAN = "quality.add_inspectionplan"
CHANGE_PLAN = "quality.change_inspectionplan"
VIEW = "quality.view_inspectionrecord"
ADD = "quality.add_inspectionrecord"

# The service each workflow action calls, given the record, the user and the action's form.
ACTIONS = {
    "complete": lambda record, by, data: inspections.complete_inspection(
        record, by=by, password=data["password"], reason=data["reason"]
    ),
    "cancel": lambda record, by, data: inspections.cancel_inspection(
        record, by=by, reason=data["reason"]
    ),
}
SCHEME_LABELS = {
    SchemeStatus.NORMAL: gettext_lazy("Normal inspection"),
    SchemeStatus.TIGHTENED: gettext_lazy("Tightened inspection"),
    SchemeStatus.REDUCED: gettext_lazy("Reduced inspection"),
    SchemeStatus.DISCONTINUED: gettext_lazy("Inspection discontinued"),
}
RECENT_RECORDS = 20


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- plans -----------------------------------------------------------------------------------


def filter_plans(plans, data: dict):
    text = (data.get("q") or "").strip()
    if text:
        plans = plans.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if data.get("stage"):
        plans = plans.filter(stage=data["stage"])
    if data.get("item"):
        plans = plans.filter(item=data["item"])
    if data.get("active"):
        plans = plans.filter(active=data["active"] == "yes")
    return plans


@vary_on_headers("HX-Request")
@perm_required(VIEW_PLAN)
def plan_list(request):
    plans = selectors.visible_plans(request.user)
    items = catalog_selectors.visible_items(request.user).filter(
        pk__in=plans.exclude(item=None).values("item")
    )
    form = PlanFilterForm(request.GET or None, items=items.order_by("code"))
    data = form.cleaned_data if form.is_valid() else {}
    plans = filter_plans(plans, data).annotate(characteristic_count=Count("characteristics"))
    page = paginate(request, plans.order_by("code"))
    template = "quality/_plan_table.html" if _fragment(request) else "quality/plan_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "can_add": request.user.has_perm(ADD_PLAN)},
    )


@perm_required(VIEW_PLAN)
def plan_detail(request, pk: int, *, active_form=None):
    plan = selectors.get_plan_or_404(request.user, pk)
    records = selectors.visible_inspections(request.user).filter(plan=plan)
    may_change = request.user.has_perm(CHANGE_PLAN)
    context = {
        "plan": plan,
        "characteristics": list(plan.characteristics.all()),
        "records": list(records[:RECENT_RECORDS]),
        "record_count": records.count(),
        "active_form": (active_form or PlanActiveForm()) if may_change else None,
        "can_start": plan.active and request.user.has_perm(ADD),
    }
    return render(request, "quality/plan_detail.html", context)


@perm_required(ADD_PLAN)
def plan_create(request):
    user = request.user
    if request.method == "POST" and "more" in request.POST:  # more rows, nothing checked yet
        form = PlanForm(initial=request.POST.dict(), user=user)
        formset = characteristic_formset(rows_from=request.POST)
    else:
        form = PlanForm(request.POST or None, user=user)
        formset = characteristic_formset(request.POST or None)
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            try:
                plan = inspection_plans.create_plan(
                    organization=user.organization,
                    characteristics=formset.characteristics(),
                    by=user,
                    **form.cleaned_data,
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request, _("Inspection plan %(code)s created.") % {"code": plan.code}
                )
                return redirect("quality:plan-detail", plan.pk)
    return render(request, "quality/plan_form.html", {"form": form, "formset": formset})


@require_POST
@perm_required(CHANGE_PLAN)
def plan_active(request, pk: int):
    plan = selectors.get_plan_or_404(request.user, pk)
    form = PlanActiveForm(request.POST)
    form.is_valid()
    active = request.POST.get("active") == "true"
    try:
        plan = inspection_plans.set_plan_active(
            plan, active=active, reason=form.cleaned_data.get("reason", ""), by=request.user
        )
    except DomainError as error:
        show_domain_error(form, error)
        return plan_detail(request, pk, active_form=form)
    if plan.active:
        messages.success(request, _("%(code)s is in use again.") % {"code": plan.code})
    else:
        messages.success(request, _("%(code)s is withdrawn from use.") % {"code": plan.code})
    return redirect("quality:plan-detail", plan.pk)


# --- records ---------------------------------------------------------------------------------


def filter_inspections(records, data: dict):
    text = (data.get("q") or "").strip()
    if text:
        records = records.filter(Q(number__icontains=text) | Q(lot__lot_number=text))
    for field in ("site", "status", "verdict", "stage", "plan"):
        if data.get(field):
            records = records.filter(**{field: data[field]})
    if (data.get("supplier") or "").strip():
        records = records.filter(supplier__code__iexact=data["supplier"].strip())
    # Days in the current time zone, as the supplier dashboard counts them.
    if data.get("completed_from"):
        records = records.filter(completed_at__date__gte=data["completed_from"])
    if data.get("completed_to"):
        records = records.filter(completed_at__date__lte=data["completed_to"])
    return records


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def inspection_list(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=VIEW).order_by("code")
    plans = selectors.visible_plans(user).order_by("code")
    form = InspectionFilterForm(request.GET or None, sites=sites, plans=plans)
    records = selectors.visible_inspections(user)
    if request.site is not None:
        records = records.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, filter_inspections(records, data))
    template = (
        "quality/_inspection_table.html" if _fragment(request) else "quality/inspection_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_add": user.has_perm(ADD),
            "can_add_plan": user.has_perm(ADD_PLAN),
        },
    )


def _initial_from_lot(request, sites, plans) -> dict:
    """?lot=<id> from the lot's page: the lot, its site, and the plan when exactly one plan
    in use is for the lot's item."""
    lot_id = request.GET.get("lot", "")
    if not lot_id.isdigit():
        return {}
    lot = (
        trace_selectors.visible(Lot.objects.select_related("site"), request.user)
        .filter(pk=int(lot_id))
        .first()
    )
    if lot is None:
        raise Http404
    initial = {"lot": trace_selectors.shortest_code(request.user, lot)}
    if lot.site_id in {site.pk for site in sites}:
        initial["site"] = lot.site
    for_item = list(plans.filter(item_id=lot.item_id)[:2])
    if len(for_item) == 1:
        initial["plan"] = for_item[0]
    return initial


def _chosen_site(request, sites, initial):
    """The site the equipment list is narrowed to: the one posted or asked for (?site=, sent
    when the site field changes), else the one prefilled; None offers all of `sites`."""
    wanted = (request.POST if request.method == "POST" else request.GET).get("site", "")
    if wanted.isdigit():
        return sites.filter(pk=int(wanted)).first()
    return initial.get("site")


@perm_required(ADD)
def inspection_start(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=ADD).order_by("code")
    plans = selectors.visible_plans(user).filter(active=True).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    if sites.count() == 1:
        initial["site"] = sites.first()
    if request.method != "POST":
        initial |= _initial_from_lot(request, sites, plans)
        for name, choices in (("site", sites), ("plan", plans)):  # ?site=, ?plan=
            if request.GET.get(name, "").isdigit():
                initial[name] = choices.filter(pk=int(request.GET[name])).first()
    site = _chosen_site(request, sites, initial)
    form = StartInspectionForm(
        request.POST or None,
        user=user,
        sites=sites,
        plans=plans,
        equipment_sites=[site] if site is not None else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            record = inspections.start_inspection(
                site=fields["site"],
                plan=fields["plan"],
                lot=fields["lot"],
                lot_size=fields["lot_size"],
                equipment=list(fields["equipment"]),
                by=user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Inspection %(number)s started: draw %(count)s units.")
                % {"number": record.number, "count": record.sample_size},
            )
            return redirect("quality:inspection-detail", record.pk)
    return render(request, "quality/inspection_form.html", {"form": form})


def _sampling_rows(record) -> list[dict]:
    """The sampling plan of each defect class, with its verdict once judged."""
    rows = []
    for defect_class in DefectClass.values:
        plan = record.sampling.get(defect_class)
        if plan is None:
            continue
        judged = record.verdict_detail.get(defect_class)
        rows.append(
            {
                "defect_class": defect_class,
                "label": DefectClass(defect_class).label,
                "plan": plan,
                "severity": InspectionSeverity(plan["severity"]).label,
                "judged": judged,
                "verdict": InspectionVerdict(judged["verdict"]).label if judged else "",
            }
        )
    return rows


def _scheme(record) -> dict | None:
    """Where the switching rules stand now for the supplier's lots of the item (incoming)."""
    if record.stage != InspectionStage.INCOMING or record.supplier is None or record.lot is None:
        return None
    state = inspections.scheme_state(record.supplier, record.lot.item)
    return {
        "status": str(state.status),
        "label": SCHEME_LABELS.get(state.status, state.status),
        "score": state.switching_score,
        "supplier": record.supplier,
        "item": record.lot.item,
    }


def _detail(request, record, *, bound=None, grid=None, status=200):
    """The record's page; `bound` is the (name, form) of a refused action, shown open with its
    errors; `grid` what a refused save of the results typed (cells and errors)."""
    user = request.user
    actions = []
    for transition in INSPECTION.allowed(record, user):
        if transition.name not in ACTIONS:
            continue
        if bound is not None and bound[0] == transition.name:
            actions.append((transition, bound[1]))
        else:
            actions.append((transition, action_form(transition)))
    context = {
        "record": record,
        "sampling_rows": _sampling_rows(record),
        "scheme": _scheme(record),
        "instruments": list(record.instruments.select_related("equipment").order_by("pk")),
        "ncr": selectors.nonconformance_of(user, record),
        "actions": actions,
        "refused": bound[0] if bound is not None else None,
        **_results_context(request, record, grid),
    }
    return render(request, "quality/inspection_detail.html", context, status=status)


def _results_context(request, record, grid=None) -> dict:
    columns, rows = selectors.results_grid(record, typed=grid["typed"] if grid else None)
    return {
        "record": record,
        "columns": columns,
        "rows": rows,
        "missing": inspections.missing_results(record),
        "may_record": record.status == InspectionStatus.IN_PROGRESS
        and request.user.has_perm(ADD, record),
        "grid_errors": grid["errors"] if grid else {},
        "grid_message": grid["message"] if grid else "",
        "saved": grid["saved"] if grid else None,
    }


@perm_required(VIEW)
def inspection_detail(request, pk: int):
    return _detail(request, selectors.get_inspection_or_404(request.user, pk))


@require_POST
@perm_required(VIEW)
def inspection_results(request, pk: int):
    """Save the grid: the cells typed or changed go to the service in one call; a refusal
    saves nothing and shows the grid as typed, the refused cells marked."""
    record = selectors.get_inspection_or_404(request.user, pk)
    if not request.user.has_perm(ADD, record):
        raise PermissionDenied
    columns, _rows = selectors.results_grid(record)
    grid = {"typed": request.POST, "errors": {}, "message": "", "saved": None}
    try:
        results = parse_grid(record, columns, request.POST)
        saved = inspections.record_results(record, results, by=request.user) if results else []
    except ResultsGridError as error:
        grid["errors"] = {name: str(message) for name, message in error.errors.items()}
        grid["message"] = " ".join(grid["errors"].values())
    except DomainError as error:
        grid["message"] = str(error.message)
    else:
        if not _fragment(request):
            messages.success(
                request,
                _("%(count)s results saved.") % {"count": len(saved)},
            )
            return redirect("quality:inspection-detail", record.pk)
        grid = {"typed": None, "errors": {}, "message": "", "saved": len(saved)}
    record = selectors.get_inspection_or_404(request.user, pk)  # as it is now
    if _fragment(request):
        return render(
            request, "quality/_inspection_results.html", _results_context(request, record, grid)
        )
    return _detail(request, record, grid=grid)


@require_POST
@perm_required(VIEW)
def inspection_action(request, pk: int, action: str):
    """Take a workflow action: the action's form is parsed, the service decides; a refusal
    is shown on the form, beside the field it concerns."""
    record = selectors.get_inspection_or_404(request.user, pk)
    return workflow_views.take(
        request,
        record,
        action,
        workflow=INSPECTION,
        actions=ACTIONS,
        reload=lambda: selectors.get_inspection_or_404(request.user, pk),
        detail=lambda current, bound: _detail(request, current, bound=bound),
        url=reverse("quality:inspection-detail", args=[pk]),
        done=_completed,
    )


def _completed(record) -> str:
    if not record.verdict:
        return _("%(number)s is now %(status)s.") % {
            "number": record.number,
            "status": record.get_status_display(),
        }
    return _("%(number)s is completed: %(verdict)s.") % {
        "number": record.number,
        "verdict": record.get_verdict_display(),
    }
