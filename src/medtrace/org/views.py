from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.org import access, services
from medtrace.org.forms import LocationEditForm, LocationForm, SiteForm
from medtrace.org.middleware import SESSION_KEY
from medtrace.org.models import Location, Site


@require_POST
@login_required
def switch_site(request):
    site_id = request.POST.get("site")
    if site_id:
        site = access.get_scoped_or_404(Site.objects.all(), request.user, pk=site_id)
        request.session[SESSION_KEY] = site.pk
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "core:home"
    return redirect(target)


@perm_required("org.view_site")
def site_list(request):
    sites = access.visible_sites(request.user).order_by("code")
    return render(
        request,
        "org/site_list.html",
        {"sites": sites, "can_add": request.user.has_perm("org.add_site")},
    )


@perm_required("org.add_site")
def site_create(request):
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.organization is None:
            raise PermissionDenied
        try:
            site = services.create_site(
                organization=request.user.organization,
                default_locations=True,
                by=request.user,
                **form.cleaned_data,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Site %(code)s created.") % {"code": site.code})
            return redirect("org:site-detail", site.code)
    return render(request, "org/site_form.html", {"form": form})


@perm_required("org.view_site")
def site_detail(request, code):
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=code)
    show_inactive = request.GET.get("inactive") == "1"
    locations = site.locations.order_by("path")
    if not show_inactive:
        locations = locations.filter(is_active=True)
    return render(
        request,
        "org/site_detail.html",
        {
            "site": site,
            "locations": locations,
            "show_inactive": show_inactive,
            "can_add_location": request.user.has_perm("org.add_location", site),
        },
    )


@perm_required("org.view_location")
def location_detail(request, pk):
    location = access.get_scoped_or_404(
        Location.objects.select_related("site", "parent"), request.user, pk=pk
    )
    return render(
        request,
        "org/location_detail.html",
        {
            "location": location,
            "children": location.children.order_by("code"),
            "can_change": request.user.has_perm("org.change_location", location),
        },
    )


@perm_required("org.add_location")
def location_create(request, code):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm="org.add_location", code=code
    )
    initial = {}
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = LocationForm(request.POST or None, site=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.create_location(site=site, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Location %(path)s created.") % {"path": location.path})
            return redirect("org:location-detail", location.pk)
    return render(request, "org/location_form.html", {"form": form, "site": site})


@perm_required("org.change_location")
def location_edit(request, pk):
    location = access.get_scoped_or_404(
        Location.objects.select_related("site"), request.user, perm="org.change_location", pk=pk
    )
    form = LocationEditForm(
        request.POST or None,
        initial={"name": location.name, "name_en": location.name_en, "kind": location.kind},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_location(location=location, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Location %(path)s saved.") % {"path": location.path})
            return redirect("org:location-detail", location.pk)
    return render(
        request,
        "org/location_form.html",
        {"form": form, "site": location.site, "location": location},
    )


@require_POST
@perm_required("org.change_location")
def location_set_active(request, pk):
    location = access.get_scoped_or_404(
        Location.objects.all(), request.user, perm="org.change_location", pk=pk
    )
    active = request.POST.get("active") == "1"
    try:
        services.set_location_active(location=location, active=active, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Location activated.") if active else _("Location deactivated.")
        )
    return redirect("org:location-detail", location.pk)
