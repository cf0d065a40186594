"""UDI device identifiers: create, correct (with a reason, never into another device),
retire and reactivate; each write also writes the DI's next version."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog import identifiers
from medtrace.catalog.choices import IssuingAgency, PackagingLevel, SterilizationMethod
from medtrace.catalog.models import DeviceIdentifier, DeviceIdentifierVersion, Item
from medtrace.catalog.services.common import check_item_carries, only, refuse
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated

# What a DI says about its device, beyond its identity (agency, value, item).
DI_ATTRIBUTES = (
    "packaging_level",
    "contains",
    "quantity_per_package",
    "basic_udi_di",
    "brand",
    "model_number",
    "registration_number",
    "risk_class_cn",
    "risk_class_eu",
    "risk_class_us",
    "gmdn_code",
    "nmpa_classification_code",
    "sterile",
    "sterilization_method",
    "single_use",
    "mri_safety",
    "contains_latex",
    "prescription",
    "description",
    "catalog_number",
    "kit",
    "combination_product",
    "implantable",
    "active_device",
    "measuring_function",
    "direct_marking",
    "sterilize_before_use",
    "max_reuses",
    "eifu_url",
    "fda_product_code",
    "fda_premarket_number",
    "fda_premarket_exempt",
    "emdn_code",
    "insurance_code_cn",
    "label_has_lot",
    "label_has_serial",
    "label_has_expiry",
    "label_has_manufacturing_date",
)

# A change of any of these makes another device or package, which needs its own DI:
# 21 CFR 830.50, MDR Annex VI Part C 3.9, IMDRF UDI guidance 8.4, NMPA 医疗器械唯一标识系统规则.
NEW_DI_FIELDS = (
    "brand",
    "model_number",
    "packaging_level",
    "contains",
    "quantity_per_package",
    "sterile",
    "sterilization_method",
    "single_use",
    "contains_latex",
)
NEW_DI_RULE = _(
    "A change of %(field)s needs a new device identifier "
    "(FDA 21 CFR 830.50 / MDR Annex VI Part C 3.9 / NMPA UDI rules)."
)
VERSION_EXCLUDED = ("organization", "version", "created_at")


def _check_identifier(identifier: DeviceIdentifier) -> None:
    """The rules a DI's own attributes must meet, whoever writes them."""
    if identifier.sterile and identifier.sterilization_method == SterilizationMethod.NONE:
        refuse(
            ErrorCode.VALIDATION,
            _("A device packaged sterile needs its sterilization method."),
            "sterilization_method",
        )
    if not identifier.sterile and identifier.sterilization_method != SterilizationMethod.NONE:
        refuse(
            ErrorCode.VALIDATION,
            _("A sterilization method is given, but the device is not packaged sterile."),
            "sterile",
        )
    if identifier.max_reuses is not None and identifier.single_use:
        refuse(
            ErrorCode.VALIDATION,
            _("A single-use device has no number of reuses."),
            "max_reuses",
        )
    if identifier.fda_premarket_exempt and identifier.fda_premarket_number:
        refuse(
            ErrorCode.VALIDATION,
            _("A device exempt from FDA premarket authorization has no submission number."),
            "fda_premarket_number",
        )
    if identifier.basic_udi_di and identifier.issuing_agency == IssuingAgency.GS1:
        try:
            identifiers.check_gmn(identifier.basic_udi_di)
        except identifiers.InvalidIdentifier as error:
            refuse(ErrorCode.VALIDATION, error.message, "basic_udi_di")


def _check_package(identifier: DeviceIdentifier) -> None:
    """A base unit contains nothing; a package contains an active DI of the same item at a
    lower packaging level."""
    level = PackagingLevel(identifier.packaging_level)
    inner = identifier.contains
    if level == PackagingLevel.BASE_UNIT:
        if inner is not None or identifier.quantity_per_package != 1:
            refuse(
                ErrorCode.VALIDATION,
                _("A base unit contains no other device identifier and its quantity is 1."),
                "contains",
            )
        return
    if inner is None:
        refuse(
            ErrorCode.VALIDATION,
            _("Say which device identifier this %(level)s contains.") % {"level": level.label},
            "contains",
        )
    if inner.item_id != identifier.item_id or not inner.is_active:
        refuse(
            ErrorCode.VALIDATION,
            _("A package contains an active device identifier of the same item; %(di)s is not one.")
            % {"di": inner.value},
            "contains",
        )
    if PackagingLevel(inner.packaging_level).rank >= level.rank:
        refuse(
            ErrorCode.VALIDATION,
            _("A %(level)s cannot contain a %(inner)s.")
            % {"level": level.label, "inner": PackagingLevel(inner.packaging_level).label},
            "contains",
        )


def _check_one_per_agency(identifier: DeviceIdentifier) -> None:
    """21 CFR 830.40(a): one DI per issuing agency for a version or model (per package)."""
    twin = (
        DeviceIdentifier.objects.filter(
            item_id=identifier.item_id,
            issuing_agency=identifier.issuing_agency,
            packaging_level=identifier.packaging_level,
            contains_id=identifier.contains_id,
            quantity_per_package=identifier.quantity_per_package,
            is_active=True,
        )
        .exclude(pk=identifier.pk)
        .first()
    )
    if twin is not None:
        refuse(
            ErrorCode.DUPLICATE,
            _(
                "%(agency)s device identifier %(di)s already identifies this device and package; "
                "one version or model has one DI per issuing agency (21 CFR 830.40)."
            )
            % {"agency": twin.issuing_agency, "di": twin.value},
            "value",
        )


def _write_version(identifier: DeviceIdentifier, *, reason: str, by) -> DeviceIdentifierVersion:
    data = audit.snapshot(identifier)
    for field in VERSION_EXCLUDED:
        data.pop(field, None)
    return DeviceIdentifierVersion.objects.create(
        organization_id=identifier.organization_id,
        device_identifier=identifier,
        number=identifier.version,
        data=data,
        reason=reason.strip(),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def _require_reason(reason: str, identifier: DeviceIdentifier) -> None:
    if not reason.strip():
        refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing %(record)s; it is a quality record.")
            % {"record": identifier},
            "reason",
        )


@transaction.atomic
def create_device_identifier(
    *, item: Item, issuing_agency: str, value: str, by=None, **attributes
) -> DeviceIdentifier:
    """A new DI for `item`, with DI_ATTRIBUTES as keyword arguments; version 1 is written."""
    only(attributes, DI_ATTRIBUTES)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if not item.is_active:
        refuse(ErrorCode.INVALID_STATE, _("Item %(code)s is inactive.") % {"code": item.code})
    try:
        value = identifiers.normalize(issuing_agency, value)
    except identifiers.InvalidIdentifier as error:
        refuse(ErrorCode.VALIDATION, error.message, "value")
    holder = (
        DeviceIdentifier.objects.filter(organization_id=item.organization_id, value=value)
        .select_related("item")
        .first()
    )
    if holder is not None:
        _duplicate_value(value, holder.item.code)
    identifier = DeviceIdentifier(
        organization_id=item.organization_id,
        item=item,
        issuing_agency=issuing_agency,
        value=value,
        **attributes,
    )
    validated(identifier)
    _check_package(identifier)
    _check_identifier(identifier)
    check_item_carries(item, identifier)
    _check_one_per_agency(identifier)
    try:
        with transaction.atomic():
            identifier.save()
    except IntegrityError:
        _duplicate_value(value, item.code)
    _write_version(identifier, reason="", by=by)
    audit.record(AuditAction.CREATE, identifier, by=by, changes=audit.created(identifier))
    return identifier


def _duplicate_value(value: str, item_code: str):
    refuse(
        ErrorCode.DUPLICATE,
        _("Device identifier %(value)s is already used by item %(code)s.")
        % {"value": value, "code": item_code},
        "value",
    )


def _locked(identifier: DeviceIdentifier) -> DeviceIdentifier:
    """The DI re-read under lock, its item locked first: every catalog write locks item, then
    DI, so a DI change and a change of its item (or a new package of it) never interleave."""
    Item.objects.select_for_update().filter(pk=identifier.item_id).first()
    return (
        DeviceIdentifier.objects.select_for_update(of=("self",))
        .select_related("item", "contains")
        .get(pk=identifier.pk)
    )


def _current(identifier: DeviceIdentifier, field: str):
    return identifier.contains_id if field == "contains" else getattr(identifier, field)


def _proposed(value, field: str):
    return getattr(value, "pk", value) if field == "contains" else value


@transaction.atomic
def update_device_identifier(
    *, device_identifier: DeviceIdentifier, reason: str, by=None, **changes
) -> DeviceIdentifier:
    """Correct a DI's attributes (DI_ATTRIBUTES as keyword arguments) with a reason; a change
    of a NEW_DI_FIELDS attribute is refused. Unchanged values write nothing."""
    only(changes, DI_ATTRIBUTES)
    identifier = _locked(device_identifier)
    changed = [
        field
        for field, value in changes.items()
        if _proposed(value, field) != _current(identifier, field)
    ]
    if not changed:
        return identifier
    needs_new_di = [field for field in changed if field in NEW_DI_FIELDS]
    if needs_new_di:
        names = ", ".join(
            str(DeviceIdentifier._meta.get_field(f).verbose_name) for f in needs_new_di
        )
        raise DomainError(
            ErrorCode.NEW_IDENTIFIER_REQUIRED,
            NEW_DI_RULE % {"field": names},
            fields={field: [str(NEW_DI_RULE % {"field": names})] for field in needs_new_di},
        )
    _require_reason(reason, identifier)
    before = audit.snapshot(identifier)
    for field in changed:
        setattr(identifier, field, changes[field])
    validated(identifier)
    _check_identifier(identifier)
    check_item_carries(identifier.item, identifier)
    identifier.version += 1
    identifier.save(update_fields=[*changed, "version"])
    _write_version(identifier, reason=reason, by=by)
    audit.record(
        AuditAction.CHANGE, identifier, by=by, changes=audit.diff(before, identifier), reason=reason
    )
    return identifier


@transaction.atomic
def retire_device_identifier(
    *, device_identifier: DeviceIdentifier, reason: str, by=None
) -> DeviceIdentifier:
    """The device or package is no longer placed on the market. Its DI is never given to
    another device (21 CFR 830.40(c)); packages holding it are retired first."""
    identifier = _locked(device_identifier)
    if not identifier.is_active:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Device identifier %(value)s is already retired.") % {"value": identifier.value},
        )
    _require_reason(reason, identifier)
    packages = list(identifier.packages.filter(is_active=True).values_list("value", flat=True))
    if packages:
        refuse(
            ErrorCode.INVALID_STATE,
            _(
                "Device identifier %(value)s is contained in active packages (%(packages)s); "
                "retire them first."
            )
            % {"value": identifier.value, "packages": ", ".join(packages)},
        )
    return _set_active(identifier, False, reason=reason, by=by)


@transaction.atomic
def reactivate_device_identifier(
    *, device_identifier: DeviceIdentifier, reason: str, by=None
) -> DeviceIdentifier:
    """A device re-introduced unchanged may use its earlier DI again (21 CFR 830.40(c))."""
    identifier = _locked(device_identifier)
    if identifier.is_active:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Device identifier %(value)s is active.") % {"value": identifier.value},
        )
    _require_reason(reason, identifier)
    if not identifier.item.is_active:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Item %(code)s is inactive.") % {"code": identifier.item.code},
        )
    if identifier.contains is not None and not identifier.contains.is_active:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Reactivate %(inner)s first: this package contains it.")
            % {"inner": identifier.contains.value},
        )
    _check_one_per_agency(identifier)
    return _set_active(identifier, True, reason=reason, by=by)


def _set_active(identifier: DeviceIdentifier, active: bool, *, reason: str, by):
    identifier.is_active = active
    identifier.version += 1
    identifier.save(update_fields=["is_active", "version"])
    _write_version(identifier, reason=reason, by=by)
    audit.record(
        AuditAction.TRANSITION,
        identifier,
        by=by,
        changes={
            "is_active": [not active, active],
            "version": [identifier.version - 1, identifier.version],
        },
        reason=reason,
    )
    return identifier
