"""Versioned BOMs: drafting, lines, release through a change request whose approvals are signed
(the catalog itself no longer approves), one effective version, immutability once released,
comparing versions, the pages and the API."""

from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.catalog import selectors, services
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.models import Bom, BomLine, VersionStatus
from medtrace.catalog.services import versions
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.models import ChangeRequest
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import implemented
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality.choices import RiskLevel

pytestmark = pytest.mark.django_db


def entries(bom, action):
    return AuditEntry.objects.filter(
        object_type="catalog.bom", object_id=str(bom.pk), action=action
    )


@pytest.fixture
def product(organization, qa_a):
    return services.create_item(
        organization=organization,
        code="KIT-1",
        name="输液套件",
        kind=ItemKind.FINISHED_DEVICE,
        by=qa_a,
    )


@pytest.fixture
def parts(organization, qa_a):
    return [
        services.create_item(
            organization=organization, code=code, name=code, kind=ItemKind.COMPONENT, by=qa_a
        )
        for code in ("TUBE-1", "NEEDLE-1", "CLAMP-1")
    ]


LINES = [
    {"component": "TUBE-1", "quantity": "1.5", "unit": "M", "tolerance_percent": "2"},
    {"component": "NEEDLE-1", "quantity": 1, "trace_required": True},
]


def released(bom, site, author, approver) -> ChangeRequest:
    """`bom` released by a fast-track change `author` raises and `approver` (QA) signs."""
    return implemented(
        site=site, author=author, approvers=[approver], boms=[bom], kind=ChangeKind.FAST_TRACK
    )


def submitted(bom, site, author) -> ChangeRequest:
    change = changes.open_change(
        site=site, by=author, title="Release the kit BOM", kind=ChangeKind.FAST_TRACK,
        reason="New product", description="First BOM", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.set_scope(change, by=author, boms=[bom])
    return changes.submit(change, by=author, password=PASSWORD)


@pytest.fixture
def draft(product, parts, qa_a):
    bom = services.create_bom_draft(item=product, by=qa_a)
    return services.set_bom_lines(bom=bom, lines=LINES, by=qa_a)


def test_draft_lines_release_and_supersede(product, draft, site_a, engineer_a, qa_a):
    assert draft.version == 1 and draft.status == VersionStatus.DRAFT
    assert [line.position for line in draft.lines.all()] == [10, 20]
    assert draft.lines.get(position=20).unit == "EA"  # the component's own unit
    first = released(draft, site_a, engineer_a, qa_a)
    approved = Bom.objects.get(pk=draft.pk)
    assert approved.status == VersionStatus.APPROVED and approved.effective_from is not None
    assert approved.released_under == first.number
    assert selectors.effective_bom(product) == approved
    # The approval is signed on the change, bound to the BOM's content.
    approvals = [(s.meaning, valid) for s, valid in signatures.with_validity(first)]
    assert ("approved", True) in approvals and all(valid for _m, valid in approvals)
    assert not Signature.objects.filter(object_type="catalog.bom").exists()
    assert entries(approved, AuditAction.TRANSITION).count() == 1

    second = services.create_bom_draft(item=product, by=qa_a, copy_from=approved)
    assert second.version == 2
    assert second.signed_content()["lines"] == approved.signed_content()["lines"]
    services.set_bom_lines(
        bom=second, lines=[*LINES, {"component": "CLAMP-1", "quantity": 2}], by=qa_a
    )
    later = released(second, site_a, engineer_a, qa_a)
    approved.refresh_from_db()
    second.refresh_from_db()
    assert approved.status == VersionStatus.OBSOLETE
    assert approved.effective_until == second.effective_from
    superseded = entries(approved, AuditAction.TRANSITION).last()
    assert superseded.changes["status"] == ["approved", "obsolete"]
    assert later.number in superseded.reason
    assert Bom.objects.filter(item=product, status=VersionStatus.APPROVED).count() == 1
    assert selectors.effective_bom(product).version == 2
    # What was in force before the second change is still answered as it was.
    assert selectors.effective_bom(product, at=approved.effective_from) == approved


def test_released_bom_is_immutable(draft, site_a, engineer_a, qa_a):
    change = released(draft, site_a, engineer_a, qa_a)
    before = list(BomLine.objects.filter(bom=draft).values())
    edits = AuditEntry.objects.filter(action=AuditAction.CHANGE).count()
    with pytest.raises(DomainError) as refused:
        services.set_bom_lines(bom=draft, lines=[{"component": "CLAMP-1", "quantity": 9}], by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert list(BomLine.objects.filter(bom=draft).values()) == before
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE).count() == edits
    assert all(valid for _signature, valid in signatures.with_validity(change))
    with pytest.raises(DomainError):  # released once: no change releases it again
        versions.release(draft, by=qa_a, change_number="ECO-X", at=draft.effective_from)
    other = changes.open_change(
        site=site_a, by=engineer_a, title="Again", kind=ChangeKind.FAST_TRACK, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        changes.set_scope(other, by=engineer_a, boms=[draft])
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_a_wrong_password_on_the_change_releases_nothing(draft, site_a, engineer_a, qa_a):
    change = submitted(draft, site_a, engineer_a)
    with pytest.raises(DomainError) as refused:
        changes.approve(change, by=qa_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.effective_from is None
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.IN_REVIEW
    failed = AuditEntry.objects.get(
        object_type="changes.changerequest", object_id=str(change.pk), action="sign_failed"
    )
    assert failed.changes["cause"] == "wrong_password"
    assert not entries(draft, AuditAction.TRANSITION).exists()
    assert not Signature.objects.filter(meaning="approved").exists()


def test_release_needs_lines_and_the_approvers_role(
    product, parts, draft, site_a, engineer_a, regulatory_a, qa_a
):
    empty = services.create_bom_draft(item=product, by=qa_a)
    with pytest.raises(DomainError) as refused:
        submitted(empty, site_a, engineer_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "empty" in str(refused.value.message)
    assert not AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).exists()
    change = ChangeRequest.objects.get()
    changes.set_scope(change, by=engineer_a, boms=[draft])
    changes.submit(change, by=engineer_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:  # a fast-track change waits for QA
        changes.approve(change, by=regulatory_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"component": "KIT-1", "quantity": 1}, "component of itself"),
        ({"component": "NOPE", "quantity": 1}, "no active item"),
        ({"component": "TUBE-1", "quantity": 0}, "more than 0"),
        ({"component": "TUBE-1", "quantity": "x"}, "not a number"),
        ({"component": "TUBE-1", "quantity": 1, "tolerance_percent": "-1"}, "negative"),
    ],
)
def test_bad_lines_are_refused(draft, qa_a, line, message):
    before = list(draft.lines.values())
    with pytest.raises(DomainError) as refused:
        services.set_bom_lines(bom=draft, lines=[line], by=qa_a)
    assert message in str(refused.value.message)
    assert list(draft.lines.values()) == before


def test_inactive_or_foreign_component_refused(draft, parts, qa_a, outsider):
    services.set_item_active(item=parts[2], active=False, by=qa_a)
    for code in ("CLAMP-1", "SECRET-1"):
        with pytest.raises(DomainError):
            services.set_bom_lines(bom=draft, lines=[{"component": code, "quantity": 1}], by=qa_a)


def test_obsolete_needs_reason(draft, qa_a):
    with pytest.raises(DomainError) as refused:
        services.obsolete_bom(bom=draft, by=qa_a, reason=" ")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    services.obsolete_bom(bom=draft, by=qa_a, reason="Design withdrawn")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.OBSOLETE


def test_compare_lists_added_removed_changed(client, product, draft, qa_a):
    second = services.create_bom_draft(item=product, by=qa_a, copy_from=draft)
    services.set_bom_lines(
        bom=second,
        lines=[
            {"component": "TUBE-1", "quantity": "1.6", "unit": "M", "tolerance_percent": "2"},
            {"component": "CLAMP-1", "quantity": 1},
        ],
        by=qa_a,
    )
    differences = {d.key: d for d in selectors.compare_versions(draft, second)}
    assert differences["TUBE-1"].old["quantity"] == "1.5"
    assert differences["TUBE-1"].new["quantity"] == "1.6"
    assert differences["NEEDLE-1"].new is None and differences["CLAMP-1"].old is None
    client.force_login(qa_a)
    page = client.get(f"/catalog/boms/{second.pk}/compare/1/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "added" in text and "removed" in text and "changed" in text


def test_pages_draft_edit_and_raise_a_change(client, product, parts, site_a, engineer_a, qa_a):
    client.force_login(qa_a)
    item_page = client.get("/catalog/items/KIT-1/")
    assert "Bills of materials" in item_page.content.decode()
    created = client.post("/catalog/items/KIT-1/boms/new/")
    bom = Bom.objects.get(item=product)
    assert created.status_code == 302 and created.url == f"/catalog/boms/{bom.pk}/"
    saved = client.post(
        f"/catalog/boms/{bom.pk}/lines/",
        {"lines": "tube-1; 1.5; M; 2; yes\nNEEDLE-1; 1\n\nCLAMP-1; 2; EA; 0; no"},
    )
    assert saved.status_code == 302
    assert [(line.component.code, line.trace_required) for line in bom.lines.all()] == [
        ("TUBE-1", True),
        ("NEEDLE-1", True),
        ("CLAMP-1", False),
    ]
    bad = client.post(f"/catalog/boms/{bom.pk}/lines/", {"lines": "KIT-1; 1"})
    assert bad.status_code == 200 and "component of itself" in bad.content.decode()
    detail = client.get(f"/catalog/boms/{bom.pk}/").content.decode()
    assert "Raise a change request" in detail and f"/changes/new/?bom={bom.pk}" in detail
    assert "Save lines" in detail and "Sign and approve" not in detail
    # The direct approval is gone: a BOM is released by a change request only.
    gone = client.post(f"/catalog/boms/{bom.pk}/approve/", {"password": PASSWORD})
    assert gone.status_code in (404, 405)
    bom.refresh_from_db()
    assert bom.status == VersionStatus.DRAFT
    change = released(bom, site_a, engineer_a, qa_a)
    detail = client.get(f"/catalog/boms/{bom.pk}/").content.decode()
    assert "Raise a change request" not in detail and "Save lines" not in detail
    assert "Released under" in detail and change.number in detail


def test_operator_sees_but_cannot_change(client, draft, operator_a):
    client.force_login(operator_a)
    detail = client.get(f"/catalog/boms/{draft.pk}/")
    assert detail.status_code == 200
    assert "Raise a change request" not in detail.content.decode()
    assert client.post(f"/catalog/boms/{draft.pk}/lines/", {"lines": ""}).status_code == 403
    assert client.post(f"/catalog/boms/{draft.pk}/approve/", {}).status_code in (404, 405)


def test_generic_sign_endpoint_cannot_bypass_approval(client, draft, qa_a):
    client.force_login(qa_a)
    response = client.post(
        f"/audit/sign/catalog.bom/{draft.pk}/",
        {"meaning": "approved", "password": PASSWORD},
    )
    assert response.status_code in (403, 404)
    assert not Signature.objects.filter(object_type="catalog.bom").exists()


def test_api(client, product, draft, site_a, engineer_a, qa_a, outsider):
    client.force_login(qa_a)
    gone = client.post(
        f"/api/v1/catalog/boms/{draft.pk}/approve", {"password": PASSWORD},
        content_type="application/json",
    )  # fmt: skip
    assert gone.status_code in (404, 405)
    released(draft, site_a, engineer_a, qa_a)
    listed = client.get("/api/v1/catalog/items/KIT-1/boms")
    assert listed.status_code == 200
    assert [(row["version"], row["status"]) for row in listed.json()] == [(1, "approved")]
    body = client.get(f"/api/v1/catalog/boms/{draft.pk}").json()
    assert body["lines"][0]["component"] == "TUBE-1"
    assert Decimal(body["lines"][0]["quantity"]) == Decimal("1.5")
    client.force_login(outsider)
    assert client.get(f"/api/v1/catalog/boms/{draft.pk}").status_code == 404
    assert client.get("/api/v1/catalog/items/KIT-1/boms").status_code == 404
