"""Suppliers: create and describe them, their certificates (recorded, and corrected with a
reason) and the items they are approved to supply. Their qualification is
services.qualification's."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import ErrorCode
from medtrace.core.uploads import checked_certificate_file
from medtrace.core.validation import validated
from medtrace.org.models import Organization
from medtrace.partners.choices import (
    SOURCING_STATUSES,
    ApprovedSourceStatus,
    CertificateKind,
)
from medtrace.partners.expiry import today
from medtrace.partners.models import ApprovedSource, Supplier, SupplierCertificate
from medtrace.partners.services.common import only, refuse

SUPPLIER_FIELDS = ("name", "name_en", "contact", "address", "country")
CERTIFICATE_FIELDS = ("kind", "number", "issuer", "valid_from", "valid_until")


def _duplicate_supplier(code: str):
    refuse(
        ErrorCode.DUPLICATE,
        _("A supplier with code %(code)s already exists.") % {"code": code},
        "code",
    )


@transaction.atomic
def create_supplier(
    *,
    organization: Organization,
    code: str,
    name: str,
    name_en: str = "",
    contact: str = "",
    address: str = "",
    country: str = "CN",
    by=None,
) -> Supplier:
    """A new supplier starts as prospective: qualifying it is a separate, reasoned step."""
    code = code.strip().upper()
    if Supplier.objects.filter(organization=organization, code=code).exists():
        _duplicate_supplier(code)
    supplier = validated(
        Supplier(
            organization=organization,
            code=code,
            name=name,
            name_en=name_en,
            contact=contact,
            address=address,
            country=country.strip().upper(),
        )
    )
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError:
        _duplicate_supplier(code)
    audit.record(AuditAction.CREATE, supplier, by=by, changes=audit.created(supplier))
    return supplier


@transaction.atomic
def update_supplier(*, supplier: Supplier, by=None, reason: str = "", **changes) -> Supplier:
    """Change the supplier's description (SUPPLIER_FIELDS); never its code or status."""
    only(changes, SUPPLIER_FIELDS)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    before = audit.snapshot(supplier)
    if isinstance(changes.get("country"), str):
        changes["country"] = changes["country"].strip().upper()
    for field, value in changes.items():
        setattr(supplier, field, value)
    validated(supplier)
    supplier.save(update_fields=list(changes))
    diff = audit.diff(before, supplier)
    if diff:
        audit.record(AuditAction.CHANGE, supplier, by=by, changes=diff, reason=reason)
    return supplier


@transaction.atomic
def add_certificate(
    *,
    supplier: Supplier,
    kind: str,
    number: str,
    valid_until: datetime.date,
    valid_from: datetime.date | None = None,
    issuer: str = "",
    file=None,
    by=None,
) -> SupplierCertificate:
    if valid_from is not None and valid_from > valid_until:
        refuse(
            ErrorCode.VALIDATION,
            _("A certificate cannot end before it starts."),
            "valid_until",
        )
    certificate = validated(
        SupplierCertificate(
            organization_id=supplier.organization_id,
            supplier=supplier,
            kind=CertificateKind(kind),
            number=number.strip(),
            issuer=issuer,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    )
    if file:
        checked_certificate_file(file, field="file")
        # Saved under MEDIA_ROOT with the row; a failed audit entry rolls the row back (the
        # stray file is harmless and is never linked).
        certificate.file.save(file.name, file, save=False)
    certificate.save()
    changes = audit.created(certificate)
    if certificate.file:
        changes["file"] = [None, certificate.file.name]
    audit.record(
        AuditAction.CREATE,
        certificate,
        by=by,
        changes=changes,
        object_repr=f"{supplier.code}: {certificate}",
    )
    return certificate


@transaction.atomic
def update_certificate(
    certificate: SupplierCertificate, *, by, reason: str, **changes
) -> SupplierCertificate:
    """Correct a certificate as recorded (a mistyped number or date, a validity the issuer
    shortened by suspending it), with the reason; a renewed certificate is a new one."""
    only(changes, CERTIFICATE_FIELDS)
    if not (reason or "").strip():
        refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for correcting certificate %(number)s.")
            % {"number": certificate.number},
            "reason",
        )
    certificate = (
        SupplierCertificate.objects.select_for_update()
        .select_related("supplier")
        .get(pk=certificate.pk)
    )
    before = audit.snapshot(certificate)
    for name, value in changes.items():
        setattr(certificate, name, value.strip() if isinstance(value, str) else value)
    if certificate.valid_from is not None and certificate.valid_from > certificate.valid_until:
        refuse(
            ErrorCode.VALIDATION,
            _("A certificate cannot end before it starts."),
            "valid_until",
        )
    validated(certificate)
    certificate.save()
    diff = audit.diff(before, certificate)
    if diff:
        audit.record(
            AuditAction.CHANGE,
            certificate,
            by=by,
            changes=diff,
            reason=reason,
            object_repr=f"{certificate.supplier.code}: {certificate}",
        )
    return certificate


@transaction.atomic
def approve_source(
    *,
    supplier: Supplier,
    item: Item,
    status: str = ApprovedSourceStatus.APPROVED,
    since: datetime.date | None = None,
    note: str = "",
    by=None,
) -> ApprovedSource:
    """Put `supplier` on the approved supplier list for `item`; only an approved or
    conditionally approved supplier can be one."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if supplier.status not in SOURCING_STATUSES:
        refuse(
            ErrorCode.INVALID_STATE,
            _(
                "Supplier %(code)s is %(status)s; only an approved or conditionally approved "
                "supplier can be an approved source."
            )
            % {"code": supplier.code, "status": supplier.get_status_display()},
            "supplier",
        )
    if item.organization_id != supplier.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("There is no such item."), "item")
    if not Item.objects.filter(pk=item.pk, is_active=True).exists():
        refuse(
            ErrorCode.INVALID_STATE,
            _("Item %(code)s is inactive; it cannot get a new approved source.")
            % {"code": item.code},
            "item",
        )
    if ApprovedSource.objects.filter(supplier=supplier, item=item).exists():
        refuse(
            ErrorCode.DUPLICATE,
            _("Supplier %(supplier)s is already an approved source of %(item)s.")
            % {"supplier": supplier.code, "item": item.code},
            "item",
        )
    source = validated(
        ApprovedSource(
            organization_id=supplier.organization_id,
            supplier=supplier,
            item=item,
            status=ApprovedSourceStatus(status),
            since=since or today(),
            note=note,
        )
    )
    source.save()
    audit.record(AuditAction.CREATE, source, by=by, changes=audit.created(source))
    return source
