"""Versioned routings: operations with process-parameter specs, release through a change
request whose approvals are signed, one effective version, immutability once released,
comparing versions, the pages, and the BOM/routing write API."""

from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.catalog import selectors, services
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.models import (
    Bom,
    ProcessParameterSpec,
    Routing,
    RoutingOperation,
    VersionStatus,
)
from medtrace.changes.choices import ChangeKind
from medtrace.changes.models import ChangeRequest
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import implemented
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality.choices import RiskLevel

pytestmark = pytest.mark.django_db

EXTRUSION = {
    "name": "Extrusion",
    "work_center": "ext-1",
    "equipment_type": "extruder",
    "inspection_plan": "ip-ext-01",
    "parameters": [
        {
            "name": "Melt temperature",
            "unit": "°C",
            "lower_limit": "200",
            "target": "210",
            "upper_limit": "220",
        },
        {"name": "Line speed", "unit": "m/min", "lower_limit": 28, "upper_limit": 32},
    ],
}
SEALING = {
    "name": "Pouch sealing",
    "equipment_type": "other",
    "parameters": [{"name": "Seal strength", "unit": "N", "lower_limit": "15"}],
}


def entries(routing, action):
    return AuditEntry.objects.filter(
        object_type="catalog.routing", object_id=str(routing.pk), action=action
    )


def released(site, author, approver, *, boms=(), routings=()) -> ChangeRequest:
    """The drafts released by a fast-track change `author` raises and `approver` (QA) signs."""
    return implemented(
        site=site, author=author, approvers=[approver], boms=boms, routings=routings,
        kind=ChangeKind.FAST_TRACK,
    )  # fmt: skip


@pytest.fixture
def product(organization, qa_a):
    return services.create_item(
        organization=organization,
        code="TUBE-SET",
        name="输液管路",
        kind=ItemKind.FINISHED_DEVICE,
        by=qa_a,
    )


@pytest.fixture
def draft(product, qa_a):
    routing = services.create_routing_draft(item=product, by=qa_a)
    return services.set_routing_operations(
        routing=routing, operations=[EXTRUSION, SEALING], by=qa_a
    )


def test_operations_are_numbered_normalised_and_audited(draft):
    operations = list(draft.operations.order_by("position"))
    assert [(o.position, o.name) for o in operations] == [(10, "Extrusion"), (20, "Pouch sealing")]
    assert operations[0].work_center == "EXT-1" and operations[0].inspection_plan == "IP-EXT-01"
    melt = operations[0].parameters.get(name="Melt temperature")
    assert (melt.lower_limit, melt.target, melt.upper_limit) == (200, 210, 220)
    [change] = entries(draft, AuditAction.CHANGE)
    before, after = change.changes["operations"]
    assert before == [] and after[1]["parameters"][0]["lower_limit"] == "15"
    assert after[1]["parameters"][0]["upper_limit"] is None


def test_release_supersede_and_copy(product, draft, site_a, engineer_a, qa_a):
    first = released(site_a, engineer_a, qa_a, routings=[draft])
    approved = Routing.objects.get(pk=draft.pk)
    assert approved.status == VersionStatus.APPROVED and approved.released_under == first.number
    assert selectors.effective_routing(product) == approved
    assert ("approved", True) in [(s.meaning, v) for s, v in signatures.with_validity(first)]
    second = services.create_routing_draft(item=product, by=qa_a, copy_from=approved)
    assert second.version == 2 and second.content() == approved.content()
    assert ProcessParameterSpec.objects.filter(operation__routing=second).count() == 3
    released(site_a, engineer_a, qa_a, routings=[second])
    approved.refresh_from_db()
    assert approved.status == VersionStatus.OBSOLETE and approved.effective_until is not None
    assert selectors.effective_routing(product).version == 2
    # the first version's content is untouched by the copy: its change's signatures hold
    assert all(valid for _signature, valid in signatures.with_validity(first))


def test_released_routing_is_immutable(draft, site_a, engineer_a, qa_a):
    released(site_a, engineer_a, qa_a, routings=[draft])
    before = draft.content()
    with pytest.raises(DomainError) as refused:
        services.set_routing_operations(routing=draft, operations=[SEALING], by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert draft.content() == before


def test_an_empty_routing_is_not_submitted_and_a_wrong_password_changes_nothing(
    product, site_a, engineer_a, qa_a
):
    empty = services.create_routing_draft(item=product, by=qa_a)
    change = changes.open_change(
        site=site_a, by=engineer_a, title="Routing", kind=ChangeKind.FAST_TRACK, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.set_scope(change, by=engineer_a, routings=[empty])
    with pytest.raises(DomainError) as refused:
        changes.submit(change, by=engineer_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    services.set_routing_operations(routing=empty, operations=[SEALING], by=qa_a)
    changes.submit(change, by=engineer_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        changes.approve(change, by=qa_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    empty.refresh_from_db()
    assert empty.status == VersionStatus.DRAFT
    assert (
        AuditEntry.objects.filter(
            object_type="changes.changerequest", object_id=str(change.pk), action="sign_failed"
        ).count()
        == 1
    )
    assert not entries(empty, AuditAction.TRANSITION).exists()


def parameter(**fields):
    return {**SEALING, "parameters": [{"name": "Seal strength", "unit": "N", **fields}]}


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ([parameter()], "lower limit, an upper limit or both"),
        ([parameter(lower_limit=20, upper_limit=10)], "lower limit is above the upper limit"),
        ([parameter(lower_limit=10, target=30, upper_limit=20)], "target lies outside"),
        ([parameter(lower_limit="ten")], "not a number"),
        ([parameter(lower_limit="NaN")], "not a number"),
        ([parameter(lower_limit="0.00001")], "4 decimals"),
        ([{**SEALING, "parameters": [{"name": "x", "unit": "", "lower_limit": 1}]}], "unit"),
        ([{**SEALING, "equipment_type": "teleporter"}], "unknown equipment type"),
        ([{**SEALING, "name": " "}], "give a name"),
        ([SEALING, SEALING], "its own name"),
        (
            [{**SEALING, "parameters": [SEALING["parameters"][0]] * 2}],
            "each parameter may appear once",
        ),
    ],
)
def test_bad_operations_are_refused_and_change_nothing(draft, qa_a, operations, message):
    before = draft.content()
    changes = entries(draft, AuditAction.CHANGE).count()
    with pytest.raises(DomainError) as refused:
        services.set_routing_operations(routing=draft, operations=operations, by=qa_a)
    assert refused.value.code == ErrorCode.VALIDATION
    assert message in str(refused.value.message)
    assert draft.content() == before
    assert entries(draft, AuditAction.CHANGE).count() == changes


def test_compare_matches_operations_by_name(product, draft, qa_a):
    second = services.create_routing_draft(item=product, by=qa_a, copy_from=draft)
    changed = {**EXTRUSION, "parameters": [{**EXTRUSION["parameters"][0], "upper_limit": 225}]}
    services.set_routing_operations(
        routing=second,
        operations=[{"name": "Leak test", "equipment_type": "leak_tester"}, changed],
        by=qa_a,
    )
    differences = {d.key: d for d in selectors.compare_versions(draft, second)}
    assert set(differences) == {"Extrusion", "Leak test", "Pouch sealing"}
    assert differences["Leak test"].old is None and differences["Pouch sealing"].new is None
    assert differences["Extrusion"].new["parameters"][0]["upper_limit"] == "225"


def test_pages_add_edit_remove_release_compare(client, product, site_a, engineer_a, qa_a):
    client.force_login(qa_a)
    assert "Routings" in client.get("/catalog/items/TUBE-SET/").content.decode()
    created = client.post("/catalog/items/TUBE-SET/routings/new/")
    routing = Routing.objects.get(item=product)
    assert created.url == f"/catalog/routings/{routing.pk}/"
    add = f"/catalog/routings/{routing.pk}/operations/new/"
    assert client.get(add).status_code == 200
    bad = client.post(add, {"name": "Extrusion", "parameters": "Melt temperature; °C; 220; ; 200"})
    assert bad.status_code == 200 and "lower limit is above" in bad.content.decode()
    assert not routing.operations.exists()
    unreadable = client.post(add, {"name": "Extrusion", "parameters": "just a name"})
    assert "name; unit; lower limit" in unreadable.content.decode()
    client.post(
        add,
        {
            "name": "Extrusion",
            "equipment_type": "extruder",
            "parameters": "Melt temperature; °C; 200; 210; 220\nSeal strength; N; 15",
        },
    )
    client.post(add, {"name": "Packing"})
    assert [o.name for o in routing.operations.order_by("position")] == ["Extrusion", "Packing"]
    edit = client.get(f"/catalog/routings/{routing.pk}/operations/10/").content.decode()
    assert "Melt temperature; °C; 200; 210; 220" in edit and "Seal strength; N; 15" in edit
    client.post(
        f"/catalog/routings/{routing.pk}/operations/10/",
        {
            "name": "Extrusion",
            "work_center": "EXT-2",
            "parameters": "Line speed; m/min; 28; 30; 32",
        },
    )
    extrusion = routing.operations.get(position=10)
    assert extrusion.work_center == "EXT-2"
    assert [p.name for p in extrusion.parameters.all()] == ["Line speed"]
    client.post(f"/catalog/routings/{routing.pk}/operations/20/remove/")
    assert list(routing.operations.values_list("name", flat=True)) == ["Extrusion"]
    assert client.get(f"/catalog/routings/{routing.pk}/operations/90/").status_code == 404

    detail = client.get(f"/catalog/routings/{routing.pk}/").content.decode()
    assert "Line speed" in detail and "Raise a change request" in detail
    assert f"/changes/new/?routing={routing.pk}" in detail
    gone = client.post(f"/catalog/routings/{routing.pk}/approve/", {"password": PASSWORD})
    assert gone.status_code in (404, 405)
    change = released(site_a, engineer_a, qa_a, routings=[routing])
    routing.refresh_from_db()
    assert routing.status == VersionStatus.APPROVED
    refused = client.post(f"/catalog/routings/{routing.pk}/operations/new/", {"name": "Late"})
    assert refused.status_code == 302 and routing.operations.count() == 1
    client.post("/catalog/items/TUBE-SET/routings/new/", {"copy_from": routing.version})
    second = Routing.objects.get(item=product, version=2)
    client.post(f"/catalog/routings/{second.pk}/operations/new/", {"name": "Packing"})
    compare = client.get(f"/catalog/routings/{second.pk}/compare/1/").content.decode()
    assert "Packing" in compare and "added" in compare
    history = client.get(f"/catalog/routings/{routing.pk}/").content.decode()
    assert "Released under" in history and change.number in history
    assert "Raise a change request" not in history


def test_operator_reads_but_cannot_change(client, draft, operator_a):
    client.force_login(operator_a)
    assert client.get(f"/catalog/routings/{draft.pk}/").status_code == 200
    assert client.get(f"/catalog/routings/{draft.pk}/operations/10/").status_code == 403
    assert client.post(f"/catalog/routings/{draft.pk}/approve/", {}).status_code in (404, 405)
    assert (
        client.post(f"/catalog/routings/{draft.pk}/obsolete/", {"reason": "x"}).status_code == 403
    )
    assert RoutingOperation.objects.filter(routing=draft).count() == 2


def test_routing_api(client, product, draft, site_a, engineer_a, qa_a, operator_a, outsider):
    client.force_login(qa_a)
    body = client.get(f"/api/v1/catalog/routings/{draft.pk}").json()
    assert body["operations"][0]["equipment_type"] == "extruder"
    assert Decimal(body["operations"][0]["parameters"][0]["target"]) == 210
    assert body["operations"][1]["equipment_type"] == "other"
    created = client.post(
        "/api/v1/catalog/items/TUBE-SET/routings",
        {"copy_from": 1, "note": "faster line"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["version"] == 2
    second = created.json()["id"]
    bad = client.put(
        f"/api/v1/catalog/routings/{second}/operations",
        {"operations": [{"name": "Extrusion", "parameters": [{"name": "T", "unit": "°C"}]}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "lower limit" in bad.json()["error"]["message"]
    saved = client.put(
        f"/api/v1/catalog/routings/{second}/operations",
        {"operations": [EXTRUSION], "reason": "sealing moved to packaging"},
        content_type="application/json",
    )
    assert saved.status_code == 200 and len(saved.json()["operations"]) == 1
    gone = client.post(
        f"/api/v1/catalog/routings/{second}/approve",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert gone.status_code in (404, 405)  # released by a change request (/api/v1/changes)
    released(site_a, engineer_a, qa_a, routings=[Routing.objects.get(pk=second)])
    assert client.get(f"/api/v1/catalog/routings/{second}").json()["status"] == "approved"
    listed = client.get("/api/v1/catalog/items/TUBE-SET/routings").json()
    assert [(row["version"], row["status"]) for row in listed] == [(2, "approved"), (1, "draft")]
    obsolete = client.post(
        f"/api/v1/catalog/routings/{draft.pk}/obsolete",
        {"reason": "never used"},
        content_type="application/json",
    )
    assert obsolete.json()["status"] == "obsolete"

    client.force_login(operator_a)
    refused = client.post(
        "/api/v1/catalog/items/TUBE-SET/routings", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    client.force_login(outsider)
    assert client.get(f"/api/v1/catalog/routings/{draft.pk}").status_code == 404


def test_bom_write_api(client, organization, site_a, engineer_a, qa_a):
    for code, kind in (("KIT-9", ItemKind.FINISHED_DEVICE), ("PART-9", ItemKind.COMPONENT)):
        services.create_item(organization=organization, code=code, name=code, kind=kind, by=qa_a)
    client.force_login(qa_a)
    created = client.post("/api/v1/catalog/items/KIT-9/boms", {}, content_type="application/json")
    assert created.status_code == 201
    bom = created.json()["id"]
    refused = client.put(
        f"/api/v1/catalog/boms/{bom}/lines",
        {"lines": [{"component": "KIT-9", "quantity": 1}]},
        content_type="application/json",
    )
    assert (
        refused.status_code == 422 and "component of itself" in refused.json()["error"]["message"]
    )
    lines = client.put(
        f"/api/v1/catalog/boms/{bom}/lines",
        {"lines": [{"component": "part-9", "quantity": "2.5", "tolerance_percent": 1}]},
        content_type="application/json",
    )
    assert lines.status_code == 200 and lines.json()["lines"][0]["component"] == "PART-9"
    released(site_a, engineer_a, qa_a, boms=[Bom.objects.get(pk=bom)])
    assert client.get(f"/api/v1/catalog/boms/{bom}").json()["status"] == "approved"
    again = client.put(
        f"/api/v1/catalog/boms/{bom}/lines", {"lines": []}, content_type="application/json"
    )
    assert again.status_code == 409
