"""The catalog's rules, each write audited, and refusals that leave nothing written."""

import pytest

from medtrace.audit.models import AuditEntry
from medtrace.catalog import services
from medtrace.catalog.choices import (
    IssuingAgency,
    ItemKind,
    PackagingLevel,
    SterilizationMethod,
    Tracking,
)
from medtrace.catalog.models import DeviceIdentifier, DeviceIdentifierVersion, Item
from medtrace.catalog.tests.conftest import (
    BOX_GTIN,
    STERILE,
    UNIT_GTIN,
    gtin,
    make_box,
    make_unit,
)
from medtrace.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


def entries(obj):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("sequence")


def written():
    """What a refusal must leave untouched: DIs, their versions, the audit trail."""
    return (
        list(DeviceIdentifier.objects.order_by("pk").values()),
        DeviceIdentifierVersion.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(code, call, **kwargs):
    before = written()
    with pytest.raises(DomainError) as refusal:
        call(**kwargs)
    assert refusal.value.code == code, refusal.value.message
    assert written() == before
    return refusal.value


def test_create_item_upper_cases_the_code_and_audits(device, regulatory_a):
    assert device.code == "IS-2001"
    entry = entries(device).get()
    assert entry.action == "create" and entry.actor == regulatory_a
    assert entry.changes["code"] == [None, "IS-2001"]
    assert entry.site_id is None and entry.organization_id == device.organization_id


def test_item_code_is_unique_per_organization(device, organization, outsider):
    with pytest.raises(DomainError) as duplicate:
        services.create_item(
            organization=organization, code="IS-2001", name="again", kind=ItemKind.COMPONENT
        )
    assert duplicate.value.code == ErrorCode.DUPLICATE
    assert "code" in duplicate.value.details["fields"]
    # Another organization may use the same code.
    other = services.create_item(
        organization=outsider.organization, code="IS-2001", name="他们的", kind=ItemKind.COMPONENT
    )
    assert other.pk != device.pk


def test_invalid_item_names_the_field(organization):
    with pytest.raises(DomainError) as refusal:
        services.create_item(organization=organization, code="bad code!", name="x", kind="x")
    assert {"code", "kind"} <= set(refusal.value.details["fields"])
    assert not Item.objects.exists()


def test_update_item_audits_the_difference_only(device, regulatory_a):
    services.update_item(item=device, storage_conditions="2-8 °C", by=regulatory_a)
    services.update_item(item=device, storage_conditions="2-8 °C", by=regulatory_a)
    change = entries(device).filter(action="change").get()
    assert change.changes == {"storage_conditions": ["", "2-8 °C"]}
    with pytest.raises(TypeError):
        services.update_item(item=device, code="NEW")


def test_create_device_identifier_writes_version_one_and_an_audit_entry(device, regulatory_a):
    unit = make_unit(device, regulatory_a, value=UNIT_GTIN[1:])  # typed as GTIN-13
    assert unit.value == UNIT_GTIN and unit.version == 1
    version = unit.versions.get()
    assert version.number == 1 and version.data["brand"] == "康滴 KangDrip"
    assert version.created_by == regulatory_a
    entry = entries(unit).get()
    assert entry.action == "create" and entry.changes["value"] == [None, UNIT_GTIN]


def test_invalid_value_is_refused_beside_the_value_field(device, regulatory_a):
    refusal = refused(
        ErrorCode.VALIDATION,
        make_unit,
        item=device,
        by=regulatory_a,
        value=UNIT_GTIN[:-1] + str((int(UNIT_GTIN[-1]) + 1) % 10),
    )
    assert "check digit" in refusal.details["fields"]["value"][0]


def test_value_is_unique_in_the_organization(unit_di, regulatory_a, organization):
    other = services.create_item(
        organization=organization,
        code="CVC-3001",
        name="导管包",
        kind="finished_device",
        shelf_life_days=1095,
    )
    refusal = refused(ErrorCode.DUPLICATE, make_unit, item=other, by=regulatory_a)
    assert "IS-2001" in str(refusal.message)


def test_one_di_per_agency_for_the_same_device_and_package(unit_di, regulatory_a):
    refusal = refused(
        ErrorCode.DUPLICATE,
        make_unit,
        item=unit_di.item,
        by=regulatory_a,
        value=gtin("0950600010002"),
    )
    assert "830.40" in str(refusal.message)
    # Another agency may identify the same device too (21 CFR 830.40(a)).
    hibc = services.create_device_identifier(
        item=unit_di.item,
        issuing_agency=IssuingAgency.HIBCC,
        value="+A123IS20010",
        brand="康滴 KangDrip",
        model_number="IS-2001",
        **STERILE,
    )
    assert hibc.value == "A123IS20010"


def test_packages_form_a_tree_of_lower_levels(unit_di, regulatory_a, organization):
    box = make_box(unit_di, regulatory_a)
    assert box.contains == unit_di and box.quantity_per_package == 25
    case = make_box(box, regulatory_a, value=gtin("2950600010001"), level=PackagingLevel.CASE)
    assert case.contains == box
    # A package names what it contains; a base unit contains nothing.
    refused(
        ErrorCode.VALIDATION,
        make_unit,
        item=unit_di.item,
        by=regulatory_a,
        value=gtin("3950600010001"),
        packaging_level=PackagingLevel.PALLET,
    )
    refused(
        ErrorCode.VALIDATION,
        make_unit,
        item=unit_di.item,
        by=regulatory_a,
        value=gtin("0950600010009"),
        contains=unit_di,
    )
    # A box cannot contain a case.
    refused(
        ErrorCode.VALIDATION,
        make_box,
        unit=case,
        by=regulatory_a,
        value=gtin("4950600010001"),
    )


def test_only_devices_carry_a_device_identifier(organization, regulatory_a):
    pellets = services.create_item(
        organization=organization,
        code="RM-PVC",
        name="PVC 粒料",
        kind=ItemKind.RAW_MATERIAL,
        unit="KG",
        shelf_life_days=730,
    )
    refusal = refused(ErrorCode.VALIDATION, make_unit, item=pellets, by=regulatory_a)
    assert "kind" in refusal.details["fields"]


def test_the_label_prints_only_what_the_plant_tracks(organization, regulatory_a):
    bulk = services.create_item(
        organization=organization, code="X", name="x", kind="component", tracking=Tracking.LOT
    )
    refused(ErrorCode.VALIDATION, make_unit, item=bulk, by=regulatory_a)  # expiry, no shelf life
    refusal = refused(
        ErrorCode.VALIDATION,
        make_unit,
        item=bulk,
        by=regulatory_a,
        label_has_expiry=False,
        label_has_serial=True,
    )
    assert "serial" in str(refusal.message)


def test_sterile_needs_a_method_and_a_method_needs_sterile(device, regulatory_a):
    refused(
        ErrorCode.VALIDATION,
        make_unit,
        item=device,
        by=regulatory_a,
        sterilization_method=SterilizationMethod.NONE,
    )
    refused(ErrorCode.VALIDATION, make_unit, item=device, by=regulatory_a, sterile=False)


def test_basic_udi_di_of_gs1_is_a_gmn_with_good_check_characters(device, regulatory_a):
    refusal = refused(
        ErrorCode.VALIDATION,
        make_unit,
        item=device,
        by=regulatory_a,
        basic_udi_di="9506000IS2001ZZ",
    )
    assert "basic_udi_di" in refusal.details["fields"]


def test_correction_with_a_reason_writes_the_next_version(unit_di, regulatory_a):
    services.update_device_identifier(
        device_identifier=unit_di,
        reason="Certificate renewed",
        registration_number="国械注准20263140777",
        brand=unit_di.brand,  # unchanged: allowed
        by=regulatory_a,
    )
    unit_di.refresh_from_db()
    assert unit_di.version == 2
    latest = unit_di.versions.order_by("-number").first()
    assert latest.number == 2 and latest.reason == "Certificate renewed"
    assert latest.data["registration_number"] == "国械注准20263140777"
    change = entries(unit_di).get(action="change")
    assert change.reason == "Certificate renewed"
    assert change.changes["registration_number"][1] == "国械注准20263140777"
    assert change.changes["version"] == [1, 2]


def test_correction_without_a_reason_is_refused(unit_di, regulatory_a):
    refusal = refused(
        ErrorCode.REASON_REQUIRED,
        services.update_device_identifier,
        device_identifier=unit_di,
        reason="  ",
        gmdn_code="12345",
        by=regulatory_a,
    )
    assert "reason" in refusal.details["fields"]


def test_unchanged_values_write_nothing(unit_di):
    before = written()
    services.update_device_identifier(device_identifier=unit_di, reason="", brand=unit_di.brand)
    assert written() == before


NEW_DI_CHANGES = {
    "brand": "Other brand",
    "model_number": "IS-2002",
    "packaging_level": PackagingLevel.CASE,
    "quantity_per_package": 5,
    "sterile": False,
    "sterilization_method": SterilizationMethod.GAMMA,
    "single_use": False,
    "contains_latex": True,
}


@pytest.mark.parametrize(("field", "value"), NEW_DI_CHANGES.items())
def test_a_change_that_makes_another_device_needs_a_new_di(unit_di, regulatory_a, field, value):
    refusal = refused(
        ErrorCode.NEW_IDENTIFIER_REQUIRED,
        services.update_device_identifier,
        device_identifier=unit_di,
        reason="new model",
        by=regulatory_a,
        **{field: value},
    )
    label = str(DeviceIdentifier._meta.get_field(field).verbose_name)
    assert label in str(refusal.message)
    assert "21 CFR 830.50" in str(refusal.message)
    assert field in refusal.details["fields"]


def test_the_contained_di_of_a_package_cannot_change(box_di):
    refused(
        ErrorCode.NEW_IDENTIFIER_REQUIRED,
        services.update_device_identifier,
        device_identifier=box_di,
        reason="repack",
        contains=None,
    )


def test_retire_needs_a_reason_and_the_packages_retired_first(unit_di, box_di, regulatory_a):
    refused(
        ErrorCode.REASON_REQUIRED,
        services.retire_device_identifier,
        device_identifier=box_di,
        reason="",
    )
    refusal = refused(
        ErrorCode.INVALID_STATE,
        services.retire_device_identifier,
        device_identifier=unit_di,
        reason="discontinued",
    )
    assert BOX_GTIN in str(refusal.message)
    services.retire_device_identifier(device_identifier=box_di, reason="discontinued")
    services.retire_device_identifier(device_identifier=unit_di, reason="discontinued")
    unit_di.refresh_from_db()
    assert not unit_di.is_active and unit_di.version == 2
    transition = entries(unit_di).get(action="transition")
    assert transition.changes["is_active"] == [True, False] and transition.reason == "discontinued"


def test_reactivate_reuses_the_di_of_an_unchanged_device(unit_di, box_di, regulatory_a):
    services.retire_device_identifier(device_identifier=box_di, reason="paused")
    services.retire_device_identifier(device_identifier=unit_di, reason="paused")
    refused(
        ErrorCode.INVALID_STATE,
        services.reactivate_device_identifier,
        device_identifier=box_di,
        reason="back",
    )  # its unit first
    services.reactivate_device_identifier(device_identifier=unit_di, reason="back", by=regulatory_a)
    services.reactivate_device_identifier(device_identifier=box_di, reason="back")
    box_di.refresh_from_db()
    assert box_di.is_active and box_di.version == 3
    assert list(box_di.versions.values_list("number", flat=True)) == [3, 2, 1]


def test_an_item_with_active_dis_cannot_be_deactivated(unit_di, regulatory_a):
    refusal = refused(
        ErrorCode.INVALID_STATE, services.set_item_active, item=unit_di.item, active=False
    )
    assert UNIT_GTIN in str(refusal.message)
    services.retire_device_identifier(device_identifier=unit_di, reason="end of life")
    item = services.set_item_active(item=unit_di.item, active=False, by=regulatory_a)
    assert not item.is_active
    assert entries(item).get(action="transition").changes == {"is_active": [True, False]}
    refused(ErrorCode.INVALID_STATE, make_unit, item=item, by=regulatory_a, value=BOX_GTIN)


def test_item_changes_must_fit_its_device_identifiers(unit_di):
    refused(ErrorCode.VALIDATION, services.update_item, item=unit_di.item, tracking=Tracking.NONE)
    refused(ErrorCode.VALIDATION, services.update_item, item=unit_di.item, kind="packaging")
    refused(ErrorCode.VALIDATION, services.update_item, item=unit_di.item, shelf_life_days=None)


def test_versions_are_never_changed_or_deleted(unit_di):
    version = unit_di.versions.get()
    version.reason = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        version.save()
    with pytest.raises(ValueError, match="never deleted"):
        version.delete()
