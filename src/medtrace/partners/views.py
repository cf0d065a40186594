"""The partners' pages: suppliers (list with the purchasing banner, detail with certificates,
approved sources and qualification, create, edit, certificates, approved sources) and
customers (list, detail, create, edit). The qualification's own pages and actions are in
qualification_views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from medtrace.catalog.selectors import visible_items
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.partners import readiness, selectors, services
from medtrace.partners.forms import (
    ApprovedSourceForm,
    CertificateForm,
    CustomerFilterForm,
    CustomerForm,
    SupplierFilterForm,
    SupplierForm,
)
from medtrace.partners.qualification_views import list_banner, qualification_context


def _listing(request, form, queryset, template, fragment_template, add_perm, **extra):
    page = paginate(request, queryset)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    return render(
        request,
        fragment_template if fragment else template,
        {"form": form, "page": page, "can_add": request.user.has_perm(add_perm), **extra},
    )


def _organization(request):
    if request.user.organization is None:
        raise PermissionDenied
    return request.user.organization


# Suppliers


@vary_on_headers("HX-Request")
@perm_required("partners.view_supplier")
def supplier_list(request):
    form = SupplierFilterForm(request.GET or None)
    suppliers = readiness.with_required_certificate_end(
        form.filter(selectors.visible_suppliers(request.user))
    ).order_by("code")  # an aggregate drops Meta.ordering
    return _listing(
        request,
        form,
        suppliers,
        "partners/supplier_list.html",
        "partners/_supplier_table.html",
        "partners.add_supplier",
        banner=list_banner(request.user),
    )


@perm_required("partners.view_supplier")
def supplier_by_id(request, pk: int):
    supplier = get_object_or_404(selectors.visible_suppliers(request.user), pk=pk)
    return redirect("partners:supplier-detail", supplier.code)


@perm_required("partners.view_supplier")
def supplier_detail(request, code: str):
    return render_supplier_detail(request, selectors.get_supplier_or_404(request.user, code))


def render_supplier_detail(request, supplier, *, bound=None, status: int = 200):
    """The supplier's page; `bound` is a refused lifecycle action's (name, form)."""
    user = request.user
    return render(
        request,
        "partners/supplier_detail.html",
        {
            "supplier": supplier,
            "certificates": selectors.visible_certificates(user)
            .filter(supplier=supplier)
            .order_by("valid_until"),
            "sources": selectors.visible_approved_sources(user)
            .filter(supplier=supplier)
            .select_related("item"),
            "can_change": user.has_perm("partners.change_supplier"),
            "can_add_certificate": user.has_perm("partners.add_suppliercertificate"),
            "can_add_source": user.has_perm("partners.add_approvedsource"),
            **qualification_context(request, supplier, bound),
        },
        status=status,
    )


@perm_required("partners.add_supplier")
def supplier_create(request):
    organization = _organization(request)
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.create_supplier(
                organization=organization, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Supplier %(code)s created.") % {"code": supplier.code})
            return redirect("partners:supplier-detail", supplier.code)
    return render(request, "partners/form.html", {"form": form, "title": _("New supplier")})


@perm_required("partners.change_supplier")
def supplier_edit(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    form = SupplierForm(request.POST or None, record=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_supplier(supplier=supplier, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Supplier %(code)s saved.") % {"code": supplier.code})
            return redirect("partners:supplier-detail", supplier.code)
    title = _("Edit %(code)s") % {"code": supplier.code}
    return render(request, "partners/form.html", {"form": form, "title": title})


@perm_required("partners.add_suppliercertificate")
def certificate_create(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_certificate(supplier=supplier, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Certificate added."))
            return redirect("partners:supplier-detail", supplier.code)
    title = _("New certificate of %(code)s") % {"code": supplier.code}
    return render(request, "partners/form.html", {"form": form, "title": title, "multipart": True})


@perm_required("partners.view_suppliercertificate")
def certificate_file(request, pk: int):
    certificate = get_object_or_404(selectors.visible_certificates(request.user), pk=pk)
    if not certificate.file:
        raise Http404
    return FileResponse(certificate.file.open("rb"), as_attachment=True)


@perm_required("partners.add_approvedsource")
def approved_source_create(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    form = ApprovedSourceForm(request.POST or None, items=visible_items(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_source(supplier=supplier, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Approved source added."))
            return redirect("partners:supplier-detail", supplier.code)
    title = _("New approved source: %(code)s") % {"code": supplier.code}
    return render(request, "partners/form.html", {"form": form, "title": title})


# Customers


@vary_on_headers("HX-Request")
@perm_required("partners.view_customer")
def customer_list(request):
    form = CustomerFilterForm(request.GET or None)
    customers = form.filter(selectors.visible_customers(request.user))
    return _listing(
        request,
        form,
        customers,
        "partners/customer_list.html",
        "partners/_customer_table.html",
        "partners.add_customer",
    )


@perm_required("partners.view_customer")
def customer_by_id(request, pk: int):
    customer = get_object_or_404(selectors.visible_customers(request.user), pk=pk)
    return redirect("partners:customer-detail", customer.code)


@perm_required("partners.view_customer")
def customer_detail(request, code: str):
    customer = selectors.get_customer_or_404(request.user, code)
    return render(
        request,
        "partners/customer_detail.html",
        {"customer": customer, "can_change": request.user.has_perm("partners.change_customer")},
    )


@perm_required("partners.add_customer")
def customer_create(request):
    organization = _organization(request)
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer(
                organization=organization, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Customer %(code)s created.") % {"code": customer.code})
            return redirect("partners:customer-detail", customer.code)
    return render(request, "partners/form.html", {"form": form, "title": _("New customer")})


@perm_required("partners.change_customer")
def customer_edit(request, code: str):
    customer = selectors.get_customer_or_404(request.user, code)
    form = CustomerForm(request.POST or None, record=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(customer=customer, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Customer %(code)s saved.") % {"code": customer.code})
            return redirect("partners:customer-detail", customer.code)
    title = _("Edit %(code)s") % {"code": customer.code}
    return render(request, "partners/form.html", {"form": form, "title": title})
