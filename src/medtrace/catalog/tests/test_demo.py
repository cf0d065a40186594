"""The demo plant's catalog: a disposable infusion-set and catheter maker, entered by
regulatory affairs, whose identifiers all pass the agencies' checks."""

import pytest

from medtrace.catalog.choices import IssuingAgency, ItemKind
from medtrace.catalog.identifiers import normalize
from medtrace.catalog.models import DeviceIdentifier
from medtrace.catalog.selectors import packaging_tree
from medtrace.demo import generate

pytestmark = pytest.mark.django_db


def test_demo_catalog():
    plant = generate()
    kinds = {item.kind for item in plant.items.values()}
    assert kinds == set(ItemKind.values)
    identifiers = DeviceIdentifier.objects.all()
    for identifier in identifiers:
        assert normalize(identifier.issuing_agency, identifier.value) == identifier.value
        assert identifier.versions.count() == 1
    assert {di.issuing_agency for di in identifiers} == {IssuingAgency.GS1, IssuingAgency.MA}
    catheter = plant.items["CVC-3001"]
    unit = catheter.device_identifiers.get(packaging_level="base_unit")
    assert unit.risk_class_cn == "III" and unit.sterilization_method == "eo"
    tree = packaging_tree(plant.items["IS-2001"])
    assert [(node.identifier.packaging_level, node.depth) for node in tree] == [
        ("base_unit", 0),
        ("inner_pack", 1),
        ("case", 2),
    ]
    assert {di.item.code for di in identifiers.filter(issuing_agency="MA")} == {"ST-1001"}


def test_demo_boms_and_routings_are_approved_and_signed():
    from medtrace.audit.signatures import with_validity
    from medtrace.catalog.models import Bom, VersionStatus
    from medtrace.catalog.selectors import compare_versions, effective_bom, effective_routing

    plant = generate()
    infusion_set = plant.items["IS-2001"]
    assert [bom.status for bom in infusion_set.boms.order_by("version")] == [
        VersionStatus.OBSOLETE,
        VersionStatus.APPROVED,
        VersionStatus.DRAFT,
    ]
    assert compare_versions(infusion_set.boms.get(version=1), effective_bom(infusion_set))
    routing = effective_routing(infusion_set)
    assert [o.equipment_type for o in routing.operations.order_by("position")] == [
        "assembly_station",
        "leak_tester",
        "other",
        "eo_sterilizer",
    ]
    for record in [*Bom.objects.filter(status=VersionStatus.APPROVED), routing]:
        [(signature, valid)] = with_validity(record)
        assert valid and signature.signer.username == "qa"
