"""The equipment ledger's pages: list with filters, detail with history, create, edit and the
status change with a reason. Every query is scoped to the user's sites (org.access)."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.equipment import calibration_selectors, selectors, services
from medtrace.equipment.choices import EquipmentStatus, ImpactReviewStatus, allowed_statuses
from medtrace.equipment.forms import EquipmentFilterForm, EquipmentForm, StatusForm
from medtrace.equipment.state_views import state_context
from medtrace.org import access

DUE_SOON_DAYS = selectors.DUE_SOON_DAYS


def filter_equipment(equipment, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        equipment = equipment.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(name_en__icontains=text)
            | Q(serial_number__icontains=text)
        )
    if data.get("equipment_type"):
        equipment = equipment.filter(equipment_type=data["equipment_type"])
    if data.get("status"):
        equipment = equipment.filter(status=data["status"])
    if data.get("calibration") == "overdue":
        equipment = selectors.overdue(equipment, today)
    elif data.get("calibration") == "due30":
        equipment = selectors.due_within(equipment, DUE_SOON_DAYS, today)
    equipment = selectors.with_maintenance_overdue(selectors.with_overdue(equipment, today), today)
    if data.get("maintenance") == "overdue":
        equipment = equipment.filter(maintenance_overdue=True)
    return equipment


def _site_day(request):
    """The calendar day at the site worked at (or the first the user may see): what is due or
    overdue turns at the site's midnight, not UTC's."""
    site = request.site or access.visible_sites(request.user).first()
    return site.local_date() if site is not None else timezone.localdate()


@vary_on_headers("HX-Request")
@perm_required("equipment.view_equipment")
def equipment_list(request):
    form = EquipmentFilterForm(request.GET or None)
    equipment = selectors.visible_equipment(request.user)
    if request.site is not None:
        equipment = equipment.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, filter_equipment(equipment, data, _site_day(request)))
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "equipment/_equipment_table.html" if fragment else "equipment/equipment_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_add": request.user.has_perm("equipment.add_equipment"),
        },
    )


@perm_required("equipment.view_equipment")
def equipment_detail(request, pk: int):
    """The equipment with its status and whether it may be used now, its calibration history,
    maintenance plans and records, and the impact reviews still open."""
    user = request.user
    equipment = selectors.get_equipment_or_404(user, pk)
    can_change = user.has_perm("equipment.change_equipment", equipment)
    statuses = allowed_statuses(equipment.status)
    active = equipment.status != EquipmentStatus.RETIRED
    verdict = services.is_usable(equipment)
    today = services.usability.local_day(equipment)
    plans = calibration_selectors.maintenance_plans_of(equipment)
    for plan in plans:
        plan.overdue = plan.is_overdue(today)
    return render(
        request,
        "equipment/equipment_detail.html",
        {
            "equipment": equipment,
            "overdue": equipment.is_calibration_overdue(today),
            "verdict": verdict,
            "verdict_rows": list(zip(verdict.reasons, verdict.rules, strict=True)),
            "calibrations": calibration_selectors.history_of(equipment),
            "plans": plans,
            "maintenance": calibration_selectors.maintenance_records_of(equipment),
            "reviews": equipment.impact_reviews.filter(status=ImpactReviewStatus.OPEN)
            .select_related("calibration")
            .order_by("pk"),
            "can_change": can_change and bool(statuses),
            "status_form": StatusForm(equipment=equipment) if can_change and statuses else None,
            "can_calibrate": active
            and equipment.calibration_required
            and user.has_perm("equipment.add_calibrationrecord", equipment),
            "can_maintain": active and user.has_perm("equipment.add_maintenancerecord", equipment),
            "can_plan": active and user.has_perm("equipment.add_maintenanceplan", equipment),
            **state_context(equipment, user),
        },
    )


@perm_required("equipment.add_equipment")
def equipment_create(request):
    sites = access.scoped(
        access.visible_sites(request.user), request.user, perm="equipment.add_equipment"
    ).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    form = EquipmentForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        site, code = fields.pop("site"), fields.pop("code")
        try:
            equipment = services.create_equipment(site=site, code=code, by=request.user, **fields)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Equipment %(code)s created.") % {"code": equipment.code})
            return redirect("equipment:equipment-detail", equipment.pk)
    return render(request, "equipment/equipment_form.html", {"form": form})


@perm_required("equipment.change_equipment")
def equipment_edit(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk, perm="equipment.change_equipment")
    form = EquipmentForm(request.POST or None, equipment=equipment)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_equipment(equipment=equipment, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Equipment %(code)s saved.") % {"code": equipment.code})
            return redirect("equipment:equipment-detail", equipment.pk)
    return render(request, "equipment/equipment_form.html", {"form": form, "equipment": equipment})


@require_POST
@perm_required("equipment.change_equipment")
def equipment_status(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk, perm="equipment.change_equipment")
    form = StatusForm(request.POST, equipment=equipment)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("equipment:equipment-detail", equipment.pk)
    try:
        services.change_equipment_status(
            equipment=equipment,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Status changed."))
    return redirect("equipment:equipment-detail", equipment.pk)
