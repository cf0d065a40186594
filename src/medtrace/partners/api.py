"""Suppliers, their certificates and approved sources, and customers over the REST API, mounted
at /api/v1/partners (their qualification: qualification_api, mounted here too). Reads are
scoped to the caller's organization (selectors.visible_*); writes call the same services as
the pages. A supplier's status changes only through its lifecycle actions
(POST .../actions/{name}) or POST .../status, which takes the action leading to the status;
PATCH bodies change the description only."""

from datetime import date
from typing import Literal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from medtrace.catalog.selectors import get_item_or_404
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import selectors, services
from medtrace.partners.choices import (
    ApprovedSourceStatus,
    CertificateKind,
    CustomerKind,
    SupplierStatus,
)

router = Router(tags=["partners"])


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    status: SupplierStatus
    conditions: str
    conditions_due_on: date | None
    contact: str
    address: str
    country: str


class SupplierIn(Schema):
    code: str
    name: str
    name_en: str = ""
    contact: str = ""
    address: str = ""
    country: str = Field("CN", min_length=2, max_length=2)


class SupplierPatch(Schema):
    """Only the fields sent change; the code is the supplier's identity and its status changes
    through POST .../status."""

    name: str | None = None
    name_en: str | None = None
    contact: str | None = None
    address: str | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    reason: str = ""


class SupplierQuery(Schema):
    q: str | None = Field(None, description="Text in the code or a name")
    status: SupplierStatus | None = None


class PartnerStatusIn(Schema):
    status: SupplierStatus
    reason: str
    password: str = Field("", description="When the action leading there is signed: now")
    conditions: str = Field("", description="To conditional: what the supplier must do")
    conditions_due_on: date | None = Field(None, description="To conditional: the deadline")


class CertificateOut(Schema):
    id: int
    supplier: str = Field(..., alias="supplier.code")
    kind: CertificateKind
    number: str
    issuer: str
    valid_from: date | None
    valid_until: date
    expiry: str | None
    has_file: bool

    @staticmethod
    def resolve_has_file(certificate) -> bool:
        return bool(certificate.file)


class CertificateIn(Schema):
    kind: CertificateKind
    number: str
    issuer: str = ""
    valid_from: date | None = None
    valid_until: date


class ApprovedSourceOut(Schema):
    id: int
    supplier: str = Field(..., alias="supplier.code")
    supplier_status: SupplierStatus = Field(..., alias="supplier.status")
    item: str = Field(..., alias="item.code")
    status: ApprovedSourceStatus
    since: date
    note: str


class ApprovedSourceIn(Schema):
    item: str = Field(..., description="Item code")
    status: ApprovedSourceStatus = ApprovedSourceStatus.APPROVED
    since: date | None = Field(None, description="Default: today")
    note: str = ""


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: CustomerKind
    address: str
    region: str
    contact: str
    email: str
    language: str
    gln: str
    licence_number: str
    licence_valid_until: date | None
    licence_expiry: str | None


class CustomerIn(Schema):
    code: str
    name: str
    name_en: str = ""
    kind: CustomerKind
    address: str = ""
    region: str = ""
    contact: str = ""
    email: str = ""
    language: Literal["zh-hans", "en"] = "zh-hans"
    gln: str = ""
    licence_number: str = ""
    licence_valid_until: date | None = None


class CustomerPatch(Schema):
    """Only the fields sent change; the code is the customer's identity."""

    name: str | None = None
    name_en: str | None = None
    kind: CustomerKind | None = None
    address: str | None = None
    region: str | None = None
    contact: str | None = None
    email: str | None = None
    language: Literal["zh-hans", "en"] | None = None
    gln: str | None = None
    licence_number: str | None = None
    licence_valid_until: date | None = None
    reason: str = ""


class CustomerQuery(Schema):
    q: str | None = Field(None, description="Text in the code, a name, the region or the GLN")
    kind: CustomerKind | None = None


def _organization(request):
    if request.user.organization is None:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You belong to no organization."))
    return request.user.organization


@router.get("/suppliers", response=list[SupplierOut])
@paginate(Pages)
def list_suppliers(request, filters: Query[SupplierQuery]):
    suppliers = selectors.search_suppliers(
        selectors.visible_suppliers(request.user), filters.q or ""
    )
    if filters.status:
        suppliers = suppliers.filter(status=filters.status)
    return suppliers.order_by("code")


@router.post("/suppliers", response={201: SupplierOut, **WRITE_ERRORS})
def create_supplier(request, payload: SupplierIn):
    require_perm(request, "partners.add_supplier")
    supplier = services.create_supplier(
        organization=_organization(request), by=request.user, **payload.dict()
    )
    return Status(201, supplier)


@router.get("/suppliers/{code}", response={200: SupplierOut, **READ_ERRORS})
def get_supplier(request, code: str):
    return selectors.get_supplier_or_404(request.user, code)


@router.patch("/suppliers/{code}", response={200: SupplierOut, **WRITE_ERRORS})
def update_supplier(request, code: str, payload: SupplierPatch):
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.change_supplier")
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    return services.update_supplier(supplier=supplier, by=request.user, reason=reason, **changes)


@router.post("/suppliers/{code}/status", response={200: SupplierOut, **WRITE_ERRORS})
def set_supplier_status(request, code: str, payload: PartnerStatusIn):
    """Move the supplier to `status` by the lifecycle action leading there from its present
    status (see .../actions/{name}); that action's rules, permission and signature apply."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.change_supplier")
    return services.set_supplier_status(
        supplier, payload.status, by=request.user, reason=payload.reason,
        password=payload.password, conditions=payload.conditions,
        conditions_due_on=payload.conditions_due_on,
    )  # fmt: skip


@router.get("/suppliers/{code}/certificates", response={200: list[CertificateOut], **READ_ERRORS})
def list_certificates(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    return (
        selectors.visible_certificates(request.user)
        .filter(supplier=supplier)
        .select_related("supplier")
        .order_by("valid_until")
    )


@router.post("/suppliers/{code}/certificates", response={201: CertificateOut, **WRITE_ERRORS})
def create_certificate(request, code: str, payload: CertificateIn):
    """Record a certificate without its document (JSON); see .../certificates/with-file."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.add_suppliercertificate")
    certificate = services.add_certificate(supplier=supplier, by=request.user, **payload.dict())
    return Status(201, certificate)


@router.post(
    "/suppliers/{code}/certificates/with-file", response={201: CertificateOut, **WRITE_ERRORS}
)
def create_certificate_with_file(
    request, code: str, payload: Form[CertificateIn], file: File[UploadedFile]
):
    """Record a certificate with its scanned document: multipart/form-data, the certificate's
    fields and `file`."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.add_suppliercertificate")
    certificate = services.add_certificate(
        supplier=supplier, by=request.user, file=file, **payload.dict()
    )
    return Status(201, certificate)


@router.get("/certificates/{int:pk}/file", response=READ_ERRORS)
def download_certificate_file(request, pk: int):
    """The certificate's scanned document; 404 when it has none."""
    certificate = selectors.visible_certificates(request.user).filter(pk=pk).first()
    if certificate is None or not certificate.file:
        raise Http404
    return FileResponse(certificate.file.open("rb"), as_attachment=True)


def _approved_sources(request):
    return selectors.visible_approved_sources(request.user).select_related("supplier", "item")


@router.get(
    "/suppliers/{code}/approved-sources", response={200: list[ApprovedSourceOut], **READ_ERRORS}
)
def list_supplier_approved_sources(request, code: str):
    """The items this supplier is approved to supply."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    return _approved_sources(request).filter(supplier=supplier).order_by("item__code")


@router.post(
    "/suppliers/{code}/approved-sources", response={201: ApprovedSourceOut, **WRITE_ERRORS}
)
def create_approved_source(request, code: str, payload: ApprovedSourceIn):
    """Put the supplier on the approved supplier list of an item; only an approved or
    conditionally approved supplier, and an active item, can be one (409 otherwise)."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.add_approvedsource")
    item = get_item_or_404(request.user, payload.item)
    source = services.approve_source(
        supplier=supplier,
        item=item,
        status=payload.status,
        since=payload.since,
        note=payload.note,
        by=request.user,
    )
    return Status(201, source)


@router.get(
    "/items/{code}/approved-sources", response={200: list[ApprovedSourceOut], **READ_ERRORS}
)
def list_item_approved_sources(request, code: str):
    """The approved supplier list of one item (catalog item code), each source with its
    supplier's current qualification status."""
    item = get_item_or_404(request.user, code)
    return _approved_sources(request).filter(item=item).order_by("supplier__code")


@router.get("/customers", response=list[CustomerOut])
@paginate(Pages)
def list_customers(request, filters: Query[CustomerQuery]):
    customers = selectors.search_customers(
        selectors.visible_customers(request.user), filters.q or ""
    )
    if filters.kind:
        customers = customers.filter(kind=filters.kind)
    return customers.order_by("code")


@router.post("/customers", response={201: CustomerOut, **WRITE_ERRORS})
def create_customer(request, payload: CustomerIn):
    require_perm(request, "partners.add_customer")
    customer = services.create_customer(
        organization=_organization(request), by=request.user, **payload.dict()
    )
    return Status(201, customer)


@router.get("/customers/{code}", response={200: CustomerOut, **READ_ERRORS})
def get_customer(request, code: str):
    return selectors.get_customer_or_404(request.user, code)


@router.patch("/customers/{code}", response={200: CustomerOut, **WRITE_ERRORS})
def update_customer(request, code: str, payload: CustomerPatch):
    customer = selectors.get_customer_or_404(request.user, code)
    require_perm(request, "partners.change_customer")
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    return services.update_customer(customer=customer, by=request.user, reason=reason, **changes)


# Last: the qualification API uses this module's schemas.
router.add_router("", "medtrace.partners.qualification_api.router")
