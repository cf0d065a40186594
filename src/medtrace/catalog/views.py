"""The catalog's pages: items (list, detail, create, edit) and their UDI device identifiers
(create, detail with versions, correction with a reason, retire and reactivate)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.catalog import selectors, services
from medtrace.catalog.forms import DeviceIdentifierForm, ItemFilterForm, ItemForm, ReasonForm
from medtrace.catalog.models import DeviceIdentifier
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate


@vary_on_headers("HX-Request")
@perm_required("catalog.view_item")
def item_list(request):
    """Items with search and filters; for the filter form's htmx requests, only the table."""
    form = ItemFilterForm(request.GET or None)
    items = form.filter(selectors.visible_items(request.user))
    page = paginate(request, items.prefetch_related(selectors.active_identifiers()))
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "catalog/_item_table.html" if fragment else "catalog/item_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "can_add": request.user.has_perm("catalog.add_item")},
    )


@perm_required("catalog.view_item")
def item_by_id(request, pk: int):
    """Where the audit trail links an item: its page by code."""
    item = get_object_or_404(selectors.visible_items(request.user), pk=pk)
    return redirect("catalog:item-detail", item.code)


@perm_required("catalog.view_item")
def item_detail(request, code: str):
    item = selectors.get_item_or_404(request.user, code)
    tree = selectors.packaging_tree(item)
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "tree": tree,
            "devices": [node.identifier for node in tree if node.depth == 0],
            "can_change": request.user.has_perm("catalog.change_item"),
            "can_add_identifier": item.is_active
            and request.user.has_perm("catalog.add_deviceidentifier"),
            "can_view_boms": request.user.has_perm("catalog.view_bom"),
            "boms": item.boms.annotate(line_count=Count("lines")).order_by("-version"),
            "can_add_bom": item.is_active and request.user.has_perm("catalog.add_bom"),
            "can_view_routings": request.user.has_perm("catalog.view_routing"),
            "routings": item.routings.annotate(operation_count=Count("operations")).order_by(
                "-version"
            ),
            "can_add_routing": item.is_active and request.user.has_perm("catalog.add_routing"),
        },
    )


@perm_required("catalog.add_item")
def item_create(request):
    if request.user.organization is None:
        raise PermissionDenied
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(
                organization=request.user.organization, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Item %(code)s created.") % {"code": item.code})
            return redirect("catalog:item-detail", item.code)
    return render(request, "catalog/item_form.html", {"form": form})


@perm_required("catalog.change_item")
def item_edit(request, code: str):
    item = selectors.get_item_or_404(request.user, code)
    form = ItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(item=item, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": item.code})
            return redirect("catalog:item-detail", item.code)
    return render(request, "catalog/item_form.html", {"form": form, "item": item})


@require_POST
@perm_required("catalog.change_item")
def item_set_active(request, code: str):
    item = selectors.get_item_or_404(request.user, code)
    active = request.POST.get("active") == "1"
    try:
        services.set_item_active(item=item, active=active, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Item activated.") if active else _("Item deactivated."))
    return redirect("catalog:item-detail", item.code)


@perm_required("catalog.add_deviceidentifier")
def device_identifier_create(request, code: str):
    item = selectors.get_item_or_404(request.user, code)
    form = DeviceIdentifierForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            identifier = services.create_device_identifier(
                item=item,
                issuing_agency=form.cleaned_data["issuing_agency"],
                value=form.cleaned_data["value"],
                by=request.user,
                **form.attributes(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Device identifier %(value)s created.") % {"value": identifier.value},
            )
            return redirect("catalog:item-detail", item.code)
    return render(request, "catalog/device_identifier_form.html", {"form": form, "item": item})


def _identifier(request, pk: int) -> DeviceIdentifier:
    return get_object_or_404(
        selectors.visible_device_identifiers(request.user).select_related("item", "contains"),
        pk=pk,
    )


@perm_required("catalog.view_deviceidentifier")
def device_identifier_detail(request, pk: int):
    identifier = _identifier(request, pk)
    can_change = request.user.has_perm("catalog.change_deviceidentifier")
    return render(
        request,
        "catalog/device_identifier_detail.html",
        {
            "identifier": identifier,
            "item": identifier.item,
            "packages": identifier.packages.order_by("packaging_level", "value"),
            "versions": selectors.versions_with_changes(identifier),
            "can_change": can_change,
            "reason_form": ReasonForm() if can_change else None,
        },
    )


@perm_required("catalog.change_deviceidentifier")
def device_identifier_edit(request, pk: int):
    identifier = _identifier(request, pk)
    form = DeviceIdentifierForm(request.POST or None, item=identifier.item, identifier=identifier)
    if request.method == "POST" and form.is_valid():
        try:
            identifier = services.update_device_identifier(
                device_identifier=identifier,
                reason=form.cleaned_data["reason"],
                by=request.user,
                **form.attributes(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Device identifier %(value)s saved as version %(version)s.")
                % {"value": identifier.value, "version": identifier.version},
            )
            return redirect("catalog:device-identifier-detail", identifier.pk)
    return render(
        request,
        "catalog/device_identifier_form.html",
        {"form": form, "item": identifier.item, "identifier": identifier},
    )


@require_POST
@perm_required("catalog.change_deviceidentifier")
def device_identifier_set_active(request, pk: int):
    """Retire the DI (active=0) or reactivate it (active=1), with the reason given."""
    identifier = _identifier(request, pk)
    active = request.POST.get("active") == "1"
    change = services.reactivate_device_identifier if active else services.retire_device_identifier
    try:
        change(
            device_identifier=identifier,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Device identifier reactivated.") if active else _("Device identifier retired."),
        )
    return redirect("catalog:device-identifier-detail", identifier.pk)
