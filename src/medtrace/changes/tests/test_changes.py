from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.catalog import selectors as catalog_selectors
from medtrace.catalog.models import Bom, Routing, VersionStatus
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.models import ChangeRequest
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import bom_draft, implemented, routing_draft
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.services import revisions
from medtrace.quality.choices import RiskLevel

pytestmark = pytest.mark.django_db


def open_one(site, by, **fields):
    return changes.open_change(
        site=site, by=by, title=fields.pop("title", "New clamp supplier"),
        kind=fields.pop("kind", ChangeKind.STANDARD), reason="Second source",
        description="Adds a clamp.", risk_level=RiskLevel.LOW, **fields,
    )  # fmt: skip


def test_implementing_switches_bom_and_routing_together(
    site_a, infusion_set, engineer_a, approvers_a
):
    first_bom, first_routing = (
        bom_draft(infusion_set, engineer_a),
        routing_draft(infusion_set, engineer_a),
    )
    first = implemented(
        site=site_a, author=engineer_a, approvers=approvers_a, boms=[first_bom],
        routings=[first_routing],
    )  # fmt: skip
    assert first.status == ChangeStatus.IMPLEMENTED
    assert catalog_selectors.effective_bom(infusion_set) == first_bom
    work_order_released_at = timezone.now()  # a work order snapshots the versions in force now

    second_bom = bom_draft(infusion_set, engineer_a, ("CMP-TUBE", "CMP-SPIKE", "CMP-CLAMP"))
    second_routing = routing_draft(infusion_set, engineer_a, upper="235")
    second = implemented(
        site=site_a, author=engineer_a, approvers=approvers_a, boms=[second_bom],
        routings=[second_routing],
    )  # fmt: skip
    second_bom.refresh_from_db()
    second_routing.refresh_from_db()
    first_bom.refresh_from_db()
    # Both switch at the same instant, under the change's number.
    assert second_bom.effective_from == second_routing.effective_from
    assert first_bom.effective_until == second_bom.effective_from
    assert (second_bom.released_under, first_bom.status) == (second.number, VersionStatus.OBSOLETE)
    assert catalog_selectors.effective_routing(infusion_set) == second_routing
    # What was in force when the earlier work order was released is still found as it was.
    assert catalog_selectors.effective_bom(infusion_set, at=work_order_released_at) == first_bom
    assert (
        catalog_selectors.effective_routing(infusion_set, at=work_order_released_at)
        == first_routing
    )


def test_a_failing_release_in_implementation_releases_nothing(
    site_a, infusion_set, engineer_a, approvers_a
):
    good, bad = bom_draft(infusion_set, engineer_a), routing_draft(infusion_set, engineer_a)
    change = open_one(site_a, engineer_a)
    changes.set_scope(change, by=engineer_a, boms=[good], routings=[bad])
    changes.submit(change, by=engineer_a, password=PASSWORD)
    for approver in approvers_a:
        changes.approve(change, by=approver, password=PASSWORD)
    # The routing is withdrawn behind the change's back before release.
    Routing.objects.filter(pk=bad.pk).update(status=VersionStatus.OBSOLETE)
    with pytest.raises(DomainError):
        changes.release(change, by=approvers_a[0], password=PASSWORD)
    good.refresh_from_db()
    assert good.status == VersionStatus.DRAFT
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.APPROVED


def test_a_standard_change_needs_every_role_and_not_its_author(
    site_a, infusion_set, engineer_a, approvers_a
):
    change = open_one(site_a, engineer_a)
    changes.set_scope(change, by=engineer_a, boms=[bom_draft(infusion_set, engineer_a)])
    changes.submit(change, by=engineer_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        changes.approve(change, by=engineer_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    changes.approve(change, by=approvers_a[0], password=PASSWORD)
    changes.approve(change, by=approvers_a[1], password=PASSWORD)
    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_REVIEW
    assert changes.approval_state(change).outstanding == ["regulatory_affairs"]
    changes.approve(change, by=approvers_a[2], password=PASSWORD)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert Signature.objects.filter(meaning="approved").count() == 3


def test_a_fast_track_change_needs_qa_only(site_a, infusion_set, engineer_a, qa_a):
    bom = bom_draft(infusion_set, engineer_a)
    change = implemented(
        site=site_a, author=engineer_a, approvers=[qa_a], boms=[bom], kind=ChangeKind.FAST_TRACK
    )
    assert change.status == ChangeStatus.IMPLEMENTED
    assert set(Signature.objects.values_list("meaning", flat=True)) == {
        "authored",
        "approved",
        "released",
    }


def test_a_change_edited_after_approval_is_not_released(site_a, infusion_set, engineer_a, qa_a):
    bom = bom_draft(infusion_set, engineer_a)
    change = open_one(site_a, engineer_a, kind=ChangeKind.FAST_TRACK)
    changes.set_scope(change, by=engineer_a, boms=[bom])
    changes.submit(change, by=engineer_a, password=PASSWORD)
    changes.approve(change, by=qa_a, password=PASSWORD)
    # Someone slips a line into the draft after the approval was signed.
    from medtrace.catalog.models import BomLine, Item

    BomLine.objects.create(
        bom=bom, position=99, component=Item.objects.get(code="CMP-CLAMP"), quantity=1, unit="pcs"
    )
    with pytest.raises(DomainError, match="changed after"):
        changes.release(change, by=qa_a, password=PASSWORD)
    bom.refresh_from_db()
    assert bom.status == VersionStatus.DRAFT


def test_a_future_date_waits_for_the_job(site_a, infusion_set, engineer_a, qa_a):
    tomorrow = site_a.local_date() + timedelta(days=1)
    bom = bom_draft(infusion_set, engineer_a)
    change = implemented(
        site=site_a, author=engineer_a, approvers=[qa_a], boms=[bom], kind=ChangeKind.FAST_TRACK,
        planned_effective_on=tomorrow,
    )  # fmt: skip
    assert change.status == ChangeStatus.SCHEDULED
    assert changes.implement_due() == []
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.DRAFT
    done = changes.implement_due(today_for=lambda site: tomorrow)
    assert [c.pk for c in done] == [change.pk]
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.APPROVED


def test_a_document_revision_takes_effect_with_the_change(
    site_a, infusion_set, engineer_a, qa_a, sop, effective_sop, author_a
):
    revision = revisions.new_draft(sop, by=author_a, change_summary="新夹具")
    bom = bom_draft(infusion_set, engineer_a)
    change = open_one(site_a, engineer_a, kind=ChangeKind.FAST_TRACK)
    changes.set_scope(change, by=engineer_a, boms=[bom], revisions=[revision])
    revision.refresh_from_db()
    assert revision.held_by_change == change.number
    revisions.submit(revision, by=author_a, password=PASSWORD)
    revisions.approve(revision, by=qa_a, password=PASSWORD)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED  # held: not effective on its own
    with pytest.raises(DomainError, match="takes effect when change"):
        revisions.make_effective(revision, by=qa_a)
    changes.submit(change, by=engineer_a, password=PASSWORD)
    changes.approve(change, by=qa_a, password=PASSWORD)
    changes.release(change, by=qa_a, password=PASSWORD)
    revision.refresh_from_db()
    effective_sop.refresh_from_db()
    bom.refresh_from_db()
    assert revision.status == RevisionStatus.EFFECTIVE
    assert effective_sop.status == RevisionStatus.SUPERSEDED
    assert bom.status == VersionStatus.APPROVED


def test_release_waits_for_the_revision_and_the_tasks(
    site_a, infusion_set, engineer_a, qa_a, sop, effective_sop, author_a
):
    revision = revisions.new_draft(sop, by=author_a, change_summary="x")
    change = open_one(site_a, engineer_a, kind=ChangeKind.FAST_TRACK)
    changes.set_scope(change, by=engineer_a, revisions=[revision])
    task = changes.add_task(
        change, by=engineer_a, description="Validate the new clamp (IQ/OQ)", owner=qa_a,
        due_on=site_a.local_date(),
    )  # fmt: skip
    changes.submit(change, by=engineer_a, password=PASSWORD)
    changes.approve(change, by=qa_a, password=PASSWORD)
    with pytest.raises(DomainError, match="approved on its own route"):
        changes.release(change, by=qa_a, password=PASSWORD)
    revisions.submit(revision, by=author_a, password=PASSWORD)
    revisions.approve(revision, by=qa_a, password=PASSWORD)
    with pytest.raises(DomainError, match="must be done before"):
        changes.release(change, by=qa_a, password=PASSWORD)
    changes.complete_task(task, by=qa_a, evidence="OQ report VAL-2026-031")
    change = changes.release(change, by=qa_a, password=PASSWORD)
    assert change.status == ChangeStatus.IMPLEMENTED
    changes.close(change, by=qa_a, password=PASSWORD)
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.CLOSED


def test_cancelling_lets_the_revision_go(site_a, engineer_a, sop, effective_sop, author_a):
    revision = revisions.new_draft(sop, by=author_a, change_summary="x")
    change = open_one(site_a, engineer_a)
    changes.set_scope(change, by=engineer_a, revisions=[revision])
    changes.cancel(change, by=engineer_a, reason="Not needed")
    revision.refresh_from_db()
    assert revision.held_by_change == ""


def test_a_draft_belongs_to_one_open_change(site_a, infusion_set, engineer_a):
    bom = bom_draft(infusion_set, engineer_a)
    first, second = open_one(site_a, engineer_a), open_one(site_a, engineer_a)
    changes.set_scope(first, by=engineer_a, boms=[bom])
    with pytest.raises(DomainError, match="already part of change"):
        changes.set_scope(second, by=engineer_a, boms=[bom])
    assert not second.boms.exists()


def test_an_empty_change_is_not_submitted(site_a, engineer_a):
    change = open_one(site_a, engineer_a)
    with pytest.raises(DomainError, match="changes nothing yet"):
        changes.submit(change, by=engineer_a, password=PASSWORD)
    assert not Signature.objects.exists()


def test_rejection_is_signed_with_a_reason(site_a, infusion_set, engineer_a, qa_a):
    change = open_one(site_a, engineer_a, kind=ChangeKind.FAST_TRACK)
    changes.set_scope(change, by=engineer_a, boms=[bom_draft(infusion_set, engineer_a)])
    changes.submit(change, by=engineer_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        changes.reject(change, by=qa_a, password=PASSWORD, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    changes.reject(change, by=qa_a, password=PASSWORD, reason="需要验证数据")
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert AuditEntry.objects.filter(object_id=str(change.pk), action="transition").exists()


def test_operators_cannot_raise_changes(site_a, operator_a):
    change = open_one(site_a, operator_a)  # opening is a permission of the entry points
    with pytest.raises(DomainError) as refused:
        changes.update_change(change, by=operator_a, title="x")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
