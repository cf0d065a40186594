"""Reading suppliers and customers: what a user may see (their own organization's records,
nothing of another's), searches, the qualification records (evaluations, audits, decisions),
and the documents that have run out or soon will."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from medtrace.partners.choices import EXPIRY_WARNING_DAYS, SupplierStatus
from medtrace.partners.expiry import today as local_today
from medtrace.partners.models import (
    ApprovedSource,
    AuditFinding,
    Customer,
    QualificationDecision,
    Supplier,
    SupplierAudit,
    SupplierCertificate,
    SupplierEvaluation,
)


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


def visible_evaluations(user) -> QuerySet[SupplierEvaluation]:
    return _own(
        SupplierEvaluation.objects.select_related("supplier"),
        user,
        "partners.view_supplierevaluation",
    )


def visible_audits(user) -> QuerySet[SupplierAudit]:
    return _own(
        SupplierAudit.objects.select_related("supplier"), user, "partners.view_supplieraudit"
    )


def visible_findings(user) -> QuerySet[AuditFinding]:
    audits = visible_audits(user)
    return AuditFinding.objects.filter(audit__in=audits).select_related(
        "audit", "audit__supplier", "capa"
    )


def visible_decisions(user) -> QuerySet[QualificationDecision]:
    return _own(
        QualificationDecision.objects.select_related("supplier", "evaluation", "decided_by"),
        user,
        "partners.view_qualificationdecision",
    )


def get_evaluation_or_404(user, pk: int) -> SupplierEvaluation:
    return get_object_or_404(visible_evaluations(user).prefetch_related("answers"), pk=pk)


def get_audit_or_404(user, pk: int) -> SupplierAudit:
    return get_object_or_404(visible_audits(user), pk=pk)


def get_finding_or_404(user, pk: int) -> AuditFinding:
    return get_object_or_404(visible_findings(user), pk=pk)


def get_supplier_or_404(user, code: str) -> Supplier:
    return get_object_or_404(visible_suppliers(user), code=code.upper())


def get_supplier_by_pk_or_404(user, pk: int) -> Supplier:
    return get_object_or_404(visible_suppliers(user), pk=pk)


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


def certificates_to_renew(
    organization,
    within_days: int = EXPIRY_WARNING_DAYS,
    *,
    today: datetime.date | None = None,
) -> QuerySet[SupplierCertificate]:
    """The certificates purchasing must chase: of suppliers not disqualified, the latest of
    each kind (a renewed certificate's predecessor is left out), expired or expiring within
    `within_days`, soonest first."""
    horizon = (today or local_today()) + datetime.timedelta(days=within_days)
    newer = SupplierCertificate.objects.filter(
        supplier=OuterRef("supplier"),
        kind=OuterRef("kind"),
        valid_until__gt=OuterRef("valid_until"),
    )
    return (
        SupplierCertificate.objects.filter(organization=organization, valid_until__lte=horizon)
        .exclude(supplier__status=SupplierStatus.DISQUALIFIED)
        .exclude(Exists(newer))
        .select_related("supplier")
        .order_by("valid_until", "supplier__code", "kind")
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


def evaluation_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("partners:evaluation-detail", args=[int(object_id)])


def evaluation_for_history(user, object_id: str) -> SupplierEvaluation:
    return get_object_or_404(visible_evaluations(user), pk=object_id)


def audit_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("partners:audit-detail", args=[int(object_id)])


def audit_for_history(user, object_id: str) -> SupplierAudit:
    return get_object_or_404(visible_audits(user), pk=object_id)
