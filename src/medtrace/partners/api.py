"""Suppliers and customers over the REST API, mounted at /api/v1/partners. Reads are scoped to
the caller's organization (selectors.visible_*); writes call the same services as the pages.
A supplier's status changes only through POST .../status, with a reason."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import selectors, services
from medtrace.partners.choices import CertificateKind, CustomerKind, SupplierStatus

router = Router(tags=["partners"])


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    status: SupplierStatus
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


class SupplierQuery(Schema):
    q: str | None = Field(None, description="Text in the code or a name")
    status: SupplierStatus | None = None


class StatusIn(Schema):
    status: SupplierStatus
    reason: str


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


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: CustomerKind
    address: str
    region: str
    contact: str
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
    gln: str = ""
    licence_number: str = ""
    licence_valid_until: date | None = None


class CustomerQuery(Schema):
    q: str | None = Field(None, description="Text in the code, a name, the region or the GLN")
    kind: CustomerKind | None = None


def _organization(request):
    if request.user.organization is None:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You belong to no organization."))
    return request.user.organization


@router.get("/suppliers", response=list[SupplierOut])
@paginate(PageNumberPagination)
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


@router.post("/suppliers/{code}/status", response={200: SupplierOut, **WRITE_ERRORS})
def set_supplier_status(request, code: str, payload: StatusIn):
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.change_supplier")
    return services.set_supplier_status(
        supplier, payload.status, by=request.user, reason=payload.reason
    )


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
    """Record a certificate; its scanned document is uploaded on the supplier's page."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.add_suppliercertificate")
    certificate = services.add_certificate(supplier=supplier, by=request.user, **payload.dict())
    return Status(201, certificate)


@router.get("/customers", response=list[CustomerOut])
@paginate(PageNumberPagination)
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
