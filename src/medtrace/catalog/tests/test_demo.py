"""The demo plant's catalog: a disposable infusion-set and catheter maker, entered by
regulatory affairs, whose identifiers all pass the agencies' checks."""

import pytest

from medtrace.catalog.choices import IssuingAgency, ItemKind
from medtrace.catalog.identifiers import normalize
from medtrace.catalog.models import DeviceIdentifier
from medtrace.catalog.selectors import packaging_tree

pytestmark = pytest.mark.django_db


def test_demo_catalog(demo_plant):
    plant = demo_plant
    kinds = {item.kind for item in plant.items.values()}
    assert kinds == set(ItemKind.values)
    identifiers = DeviceIdentifier.objects.all()
    for identifier in identifiers:
        assert normalize(identifier.issuing_agency, identifier.value) == identifier.value
        # Only the infusion set's unit was corrected since (its IFU revision, demo/udi.py).
        corrected = identifier.value == "09506000100111"
        assert identifier.versions.count() == (2 if corrected else 1)
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


def test_demo_boms_and_routings_are_released_by_signed_changes(demo_plant):
    from medtrace.audit.signatures import with_validity
    from medtrace.catalog.models import Bom, Routing, VersionStatus
    from medtrace.catalog.selectors import compare_versions, effective_bom, effective_routing
    from medtrace.changes.choices import ChangeStatus
    from medtrace.changes.models import ChangeRequest

    plant = demo_plant
    infusion_set = plant.items["IS-2001"]
    boms = list(infusion_set.boms.order_by("version"))
    assert [bom.status for bom in boms] == [
        VersionStatus.OBSOLETE,
        VersionStatus.APPROVED,
        VersionStatus.DRAFT,
    ]
    assert compare_versions(boms[0], effective_bom(infusion_set))
    assert boms[0].effective_until == boms[1].effective_from
    # The third version waits in a change under review.
    assert boms[2].change_requests.get().status == ChangeStatus.IN_REVIEW
    routing = effective_routing(infusion_set)
    assert [o.equipment_type for o in routing.operations.order_by("position")] == [
        "assembly_station",
        "leak_tester",
        "other",
        "eo_sterilizer",
    ]
    released = [
        *Bom.objects.filter(status=VersionStatus.APPROVED),
        *Routing.objects.filter(status=VersionStatus.APPROVED),
    ]
    assert routing in released
    for record in released:
        change = ChangeRequest.objects.get(number=record.released_under)
        assert change.status == ChangeStatus.IMPLEMENTED
        signed = {(s.meaning, s.signer.username) for s, valid in with_validity(change) if valid}
        assert {
            ("approved", "qa"),
            ("approved", "supervisor"),
            ("approved", "regulatory"),
        } <= signed
        assert ("released", "qa") in signed
        assert not any(not valid for _s, valid in with_validity(change))
