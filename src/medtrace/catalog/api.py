"""Items and UDI device identifiers over the REST API, mounted at /api/v1/catalog. Reads are
scoped to the caller's organization (selectors.visible_*); writes call the same services as
the pages. A DI is addressed by its value in any form its agency accepts (a GTIN-13 finds the
stored GTIN-14)."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.catalog import identifiers, selectors, services
from medtrace.catalog.choices import (
    IssuingAgency,
    ItemKind,
    MriSafety,
    PackagingLevel,
    RiskClassCN,
    RiskClassEU,
    RiskClassUS,
    SterilizationMethod,
    Tracking,
    UnitOfMeasure,
)
from medtrace.catalog.lot_rules_api import router as lot_rules_router
from medtrace.catalog.models import DeviceIdentifier, DeviceIdentifierVersion
from medtrace.catalog.version_api import router as version_router
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode

router = Router(tags=["catalog"])
router.add_router("", lot_rules_router)
router.add_router("", version_router)


class ItemOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: ItemKind
    unit: UnitOfMeasure
    tracking: Tracking
    shelf_life_days: int | None
    storage_conditions: str
    is_active: bool


class ItemIn(Schema):
    code: str
    name: str
    name_en: str = ""
    kind: ItemKind
    unit: UnitOfMeasure = UnitOfMeasure.EA
    tracking: Tracking = Tracking.LOT
    shelf_life_days: int | None = Field(None, ge=1)
    storage_conditions: str = ""


class ItemPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    kind: ItemKind | None = None
    unit: UnitOfMeasure | None = None
    tracking: Tracking | None = None
    shelf_life_days: int | None = Field(None, ge=1)
    storage_conditions: str | None = None
    reason: str = ""


class ItemQuery(Schema):
    q: str | None = Field(None, description="Text in the code, a name or a DI value")
    kind: ItemKind | None = None
    tracking: Tracking | None = None
    active: bool | None = None


class ActiveIn(Schema):
    active: bool


class DeviceIdentifierFields(Schema):
    """The attributes a DI holds besides its identity; `contains` is the value of the DI one
    packaging level down."""

    packaging_level: PackagingLevel = PackagingLevel.BASE_UNIT
    contains: str | None = Field(None, description="Value of the DI this package contains")
    quantity_per_package: int = Field(1, ge=1)
    basic_udi_di: str = ""
    brand: str
    model_number: str = Field(..., description="Model or version")
    registration_number: str = Field("", description="NMPA registration certificate number")
    risk_class_cn: RiskClassCN | None = None
    risk_class_eu: RiskClassEU | None = None
    risk_class_us: RiskClassUS | None = None
    gmdn_code: str = ""
    nmpa_classification_code: str = ""
    sterile: bool = False
    sterilization_method: SterilizationMethod = SterilizationMethod.NONE
    single_use: bool = True
    mri_safety: MriSafety = MriSafety.NOT_LABELLED
    contains_latex: bool = False
    prescription: bool = True
    description: str = ""
    catalog_number: str = ""
    kit: bool = False
    combination_product: bool = False
    implantable: bool = False
    active_device: bool = False
    measuring_function: bool = False
    direct_marking: bool = False
    sterilize_before_use: bool = False
    max_reuses: int | None = Field(None, ge=1)
    eifu_url: str = ""
    fda_product_code: str = ""
    fda_premarket_number: str = ""
    fda_premarket_exempt: bool = False
    emdn_code: str = ""
    insurance_code_cn: str = Field("", description="China medical-insurance consumable code")
    label_has_lot: bool = True
    label_has_serial: bool = False
    label_has_expiry: bool = True
    label_has_manufacturing_date: bool = False


class DeviceIdentifierIn(DeviceIdentifierFields):
    item: str = Field(..., description="Item code")
    issuing_agency: IssuingAgency
    value: str


class DeviceIdentifierPatch(Schema):
    """Only the attributes sent change; `reason` is required (a DI is a quality record)."""

    reason: str
    basic_udi_di: str | None = None
    brand: str | None = None
    model_number: str | None = None
    registration_number: str | None = None
    risk_class_cn: RiskClassCN | None = None
    risk_class_eu: RiskClassEU | None = None
    risk_class_us: RiskClassUS | None = None
    gmdn_code: str | None = None
    nmpa_classification_code: str | None = None
    packaging_level: PackagingLevel | None = None
    contains: str | None = None
    quantity_per_package: int | None = Field(None, ge=1)
    sterile: bool | None = None
    sterilization_method: SterilizationMethod | None = None
    single_use: bool | None = None
    mri_safety: MriSafety | None = None
    contains_latex: bool | None = None
    prescription: bool | None = None
    description: str | None = None
    catalog_number: str | None = None
    kit: bool | None = None
    combination_product: bool | None = None
    implantable: bool | None = None
    active_device: bool | None = None
    measuring_function: bool | None = None
    direct_marking: bool | None = None
    sterilize_before_use: bool | None = None
    max_reuses: int | None = Field(None, ge=1)
    eifu_url: str | None = None
    fda_product_code: str | None = None
    fda_premarket_number: str | None = None
    fda_premarket_exempt: bool | None = None
    emdn_code: str | None = None
    insurance_code_cn: str | None = None
    label_has_lot: bool | None = None
    label_has_serial: bool | None = None
    label_has_expiry: bool | None = None
    label_has_manufacturing_date: bool | None = None


class DeviceIdentifierOut(Schema):
    id: int
    item: str = Field(..., alias="item.code")
    issuing_agency: IssuingAgency
    value: str
    packaging_level: PackagingLevel
    contains: str | None
    quantity_per_package: int
    basic_udi_di: str
    brand: str
    model_number: str
    registration_number: str
    risk_class_cn: str
    risk_class_eu: str
    risk_class_us: str
    gmdn_code: str
    nmpa_classification_code: str
    sterile: bool
    sterilization_method: SterilizationMethod
    single_use: bool
    mri_safety: MriSafety
    contains_latex: bool
    prescription: bool
    description: str
    catalog_number: str
    kit: bool
    combination_product: bool
    implantable: bool
    active_device: bool
    measuring_function: bool
    direct_marking: bool
    sterilize_before_use: bool
    max_reuses: int | None
    eifu_url: str
    fda_product_code: str
    fda_premarket_number: str
    fda_premarket_exempt: bool
    emdn_code: str
    insurance_code_cn: str
    label_has_lot: bool
    label_has_serial: bool
    label_has_expiry: bool
    label_has_manufacturing_date: bool
    is_active: bool
    version: int

    @staticmethod
    def resolve_contains(identifier: DeviceIdentifier) -> str | None:
        return identifier.contains.value if identifier.contains_id else None


class IdentifierVersionOut(Schema):
    number: int
    data: dict[str, Any]
    reason: str
    created_at: datetime
    created_by: str | None

    @staticmethod
    def resolve_created_by(version: DeviceIdentifierVersion) -> str | None:
        return version.created_by.printed_name if version.created_by_id else None


class ReasonIn(Schema):
    reason: str


@router.get("/items", response=list[ItemOut])
@paginate(Pages)
def list_items(request, filters: Query[ItemQuery]):
    items = selectors.search_items(selectors.visible_items(request.user), filters.q or "")
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.tracking:
        items = items.filter(tracking=filters.tracking)
    if filters.active is not None:
        items = items.filter(is_active=filters.active)
    return items.order_by("code")


@router.post("/items", response={201: ItemOut, **WRITE_ERRORS})
def create_item(request, payload: ItemIn):
    require_perm(request, "catalog.add_item")
    if request.user.organization is None:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You belong to no organization."))
    item = services.create_item(
        organization=request.user.organization, by=request.user, **payload.dict()
    )
    return Status(201, item)


@router.get("/items/{code}", response={200: ItemOut, **READ_ERRORS})
def get_item(request, code: str):
    return selectors.get_item_or_404(request.user, code)


@router.patch("/items/{code}", response={200: ItemOut, **WRITE_ERRORS})
def update_item(request, code: str, payload: ItemPatch):
    item = selectors.get_item_or_404(request.user, code)
    require_perm(request, "catalog.change_item")
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    return services.update_item(item=item, by=request.user, reason=reason, **changes)


@router.post("/items/{code}/active", response={200: ItemOut, **WRITE_ERRORS})
def set_item_active(request, code: str, payload: ActiveIn):
    item = selectors.get_item_or_404(request.user, code)
    require_perm(request, "catalog.change_item")
    return services.set_item_active(item=item, active=payload.active, by=request.user)


@router.get(
    "/items/{code}/device-identifiers", response={200: list[DeviceIdentifierOut], **READ_ERRORS}
)
def list_item_device_identifiers(request, code: str):
    """The item's DIs in packaging-tree order (base unit first, then its packages)."""
    item = selectors.get_item_or_404(request.user, code)
    return [node.identifier for node in selectors.packaging_tree(item)]


def _contains(request, value: str | None) -> DeviceIdentifier | None:
    if value is None:
        return None
    found = (
        selectors.visible_device_identifiers(request.user)
        .filter(value__in=identifiers.lookup_keys(value))
        .first()
    )
    if found is None:
        message = _("There is no device identifier %(value)s.") % {"value": value}
        raise DomainError(ErrorCode.VALIDATION, message, fields={"contains": [message]})
    return found


def _attributes(request, fields: dict) -> dict:
    """Schema values as the service takes them: `contains` as a DI, no class as ''."""
    if "contains" in fields:
        fields["contains"] = _contains(request, fields["contains"])
    for name in ("risk_class_cn", "risk_class_eu", "risk_class_us"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@router.post("/device-identifiers", response={201: DeviceIdentifierOut, **WRITE_ERRORS})
def create_device_identifier(request, payload: DeviceIdentifierIn):
    item = selectors.get_item_or_404(request.user, payload.item)
    require_perm(request, "catalog.add_deviceidentifier")
    fields = payload.dict(exclude={"item", "issuing_agency", "value"})
    identifier = services.create_device_identifier(
        item=item,
        issuing_agency=payload.issuing_agency,
        value=payload.value,
        by=request.user,
        **_attributes(request, fields),
    )
    return Status(201, identifier)


@router.get("/device-identifiers/{value}", response={200: DeviceIdentifierOut, **READ_ERRORS})
def get_device_identifier(request, value: str):
    return selectors.get_device_identifier_or_404(request.user, value)


@router.patch("/device-identifiers/{value}", response={200: DeviceIdentifierOut, **WRITE_ERRORS})
def update_device_identifier(request, value: str, payload: DeviceIdentifierPatch):
    """Correct attributes, with a reason; a change that needs a new DI (brand, model, package,
    sterility, single use, latex) answers 409 new_identifier_required."""
    identifier = selectors.get_device_identifier_or_404(request.user, value)
    require_perm(request, "catalog.change_deviceidentifier")
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason")
    return services.update_device_identifier(
        device_identifier=identifier,
        reason=reason,
        by=request.user,
        **_attributes(request, changes),
    )


@router.post(
    "/device-identifiers/{value}/retire", response={200: DeviceIdentifierOut, **WRITE_ERRORS}
)
def retire_device_identifier(request, value: str, payload: ReasonIn):
    identifier = selectors.get_device_identifier_or_404(request.user, value)
    require_perm(request, "catalog.change_deviceidentifier")
    return services.retire_device_identifier(
        device_identifier=identifier, reason=payload.reason, by=request.user
    )


@router.post(
    "/device-identifiers/{value}/reactivate", response={200: DeviceIdentifierOut, **WRITE_ERRORS}
)
def reactivate_device_identifier(request, value: str, payload: ReasonIn):
    identifier = selectors.get_device_identifier_or_404(request.user, value)
    require_perm(request, "catalog.change_deviceidentifier")
    return services.reactivate_device_identifier(
        device_identifier=identifier, reason=payload.reason, by=request.user
    )


@router.get(
    "/device-identifiers/{value}/versions",
    response={200: list[IdentifierVersionOut], **READ_ERRORS},
)
def list_device_identifier_versions(request, value: str):
    """Every saved state of the DI, newest first."""
    identifier = selectors.get_device_identifier_or_404(request.user, value)
    return identifier.versions.select_related("created_by").order_by("-number")
