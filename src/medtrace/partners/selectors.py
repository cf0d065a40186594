"""Reading suppliers and customers: what a user may see (their own organization's records,
nothing of another's), searches, and the documents that have run out or soon will."""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from medtrace.partners.choices import EXPIRY_WARNING_DAYS
from medtrace.partners.expiry import today as local_today
from medtrace.partners.models import ApprovedSource, Customer, Supplier, SupplierCertificate


def _own(queryset: QuerySet, user, perm: str) -> QuerySet:
    if not user.is_authenticated or user.organization_id is None or not user.has_perm(perm):
        return queryset.none()
    return queryset.filter(organization_id=user.organization_id)


def visible_suppliers(user) -> QuerySet[Supplier]:
    return _own(Supplier.objects.all(), user, "partners.view_supplier")


def visible_certificates(user) -> QuerySet[SupplierCertificate]:
    return _own(SupplierCertificate.objects.all(), user, "partners.view_suppliercertificate")


def visible_approved_sources(user) -> QuerySet[ApprovedSource]:
    return _own(ApprovedSource.objects.all(), user, "partners.view_approvedsource")


def visible_customers(user) -> QuerySet[Customer]:
    return _own(Customer.objects.all(), user, "partners.view_customer")


def get_supplier_or_404(user, code: str) -> Supplier:
    return get_object_or_404(visible_suppliers(user), code=code.upper())


def get_customer_or_404(user, code: str) -> Customer:
    return get_object_or_404(visible_customers(user), code=code.upper())


def search_suppliers(suppliers: QuerySet[Supplier], text: str) -> QuerySet[Supplier]:
    text = text.strip()
    if not text:
        return suppliers
    return suppliers.filter(
        Q(code__icontains=text) | Q(name__icontains=text) | Q(name_en__icontains=text)
    )


def search_customers(customers: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    text = text.strip()
    if not text:
        return customers
    return customers.filter(
        Q(code__icontains=text)
        | Q(name__icontains=text)
        | Q(name_en__icontains=text)
        | Q(region__icontains=text)
        | Q(gln=text)
    )


def certificates_expiring(
    organization,
    within_days: int = EXPIRY_WARNING_DAYS,
    *,
    today: datetime.date | None = None,
) -> QuerySet[SupplierCertificate]:
    """The organization's certificates that have expired or expire within `within_days`,
    soonest first."""
    horizon = (today or local_today()) + datetime.timedelta(days=within_days)
    return (
        SupplierCertificate.objects.filter(organization=organization, valid_until__lte=horizon)
        .select_related("supplier")
        .order_by("valid_until", "supplier__code")
    )


def customers_with_expired_licence(
    organization, *, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """Customers whose licence ended before `today` (GSP: no sale until it is renewed)."""
    return Customer.objects.filter(
        organization=organization, licence_valid_until__lt=today or local_today()
    ).order_by("licence_valid_until", "code")


# Audit-trail links (audit.selectors.register_record_type, see apps.py).


def supplier_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("partners:supplier-by-id", args=[int(object_id)])


def supplier_for_history(user, object_id: str) -> Supplier:
    return get_object_or_404(visible_suppliers(user), pk=object_id)


def customer_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("partners:customer-by-id", args=[int(object_id)])


def customer_for_history(user, object_id: str) -> Customer:
    return get_object_or_404(visible_customers(user), pk=object_id)
