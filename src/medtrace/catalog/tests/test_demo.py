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
