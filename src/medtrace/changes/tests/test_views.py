"""Change-control pages: the list scoped to the user's sites, with filters and a bounded number
of queries; raising a change from a BOM draft (its scope prefilled); the change's page with its
regulatory impact, scope, computed impact, approvals and tasks; the signed walk from draft to
implemented; refusals shown on their form, with nothing written; who may do what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.catalog.models import Bom, VersionStatus
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.models import ChangeRequest, ChangeTask
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import bom_draft, routing_draft
from medtrace.quality.choices import RiskLevel

pytestmark = pytest.mark.django_db

LIST, NEW = "/changes/", "/changes/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def url(change, path="") -> str:
    return f"/changes/{change.pk}/{path}"


def open_one(site, by, **fields):
    return changes.open_change(
        site=site, by=by, title=fields.pop("title", "New clamp supplier"),
        kind=fields.pop("kind", ChangeKind.STANDARD), reason="Second source",
        description="Adds a clamp.", risk_level=RiskLevel.LOW, **fields,
    )  # fmt: skip


def form(site, **overrides):
    fields = {
        "site": site.pk,
        "title": "收紧熔体温度上限 Tighten the melt temperature",
        "kind": ChangeKind.STANDARD,
        "reason": "Leak complaints",
        "description": "Upper limit 240 → 235 °C.",
        "risk_level": RiskLevel.MEDIUM,
        "risk_assessment": "FMEA row 12 re-scored.",
        "registration_change": "",
        "new_udi_di": "",
        "regulator_notification": "on",
        "regulatory_assessment": "NMPA 备案变更.",
        "capa": "",
        "planned_effective_on": "",
    }
    return fields | overrides


def test_the_list_shows_the_users_sites_with_filters(
    client, site_a, site_b, engineer_a, qa_b, infusion_set
):
    standard = open_one(site_a, engineer_a, title="Standard one")
    fast = open_one(site_a, engineer_a, title="Fast one", kind=ChangeKind.FAST_TRACK)
    changes.set_scope(fast, by=engineer_a, boms=[bom_draft(infusion_set, engineer_a)])
    changes.cancel(standard, by=engineer_a, reason="Not needed")
    elsewhere = open_one(site_b, qa_b, title="B 厂变更")
    client.force_login(engineer_a)
    listing = page(client, LIST)
    assert standard.number in listing and fast.number in listing
    assert elsewhere.number not in listing
    assert "1 BOM · 0 routing · 0 doc." in listing
    assert standard.number not in page(client, LIST, open="on")
    assert fast.number not in page(client, LIST, kind=ChangeKind.STANDARD)
    assert standard.number in page(client, LIST, status=ChangeStatus.CANCELLED)
    assert fast.number in page(client, LIST, q="fast")
    fragment = client.get(LIST, {"q": "fast"}, headers={"HX-Request": "true"}).content.decode()
    assert "<h1>" not in fragment and fast.number in fragment


def test_the_list_costs_the_same_queries_for_more_changes(client, site_a, engineer_a):
    open_one(site_a, engineer_a)
    client.force_login(engineer_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for number in range(6):
        open_one(site_a, engineer_a, title=f"Change {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_raising_a_change_from_a_bom_draft(client, site_a, engineer_a, infusion_set):
    bom = bom_draft(infusion_set, engineer_a)
    client.force_login(engineer_a)
    detail = page(client, f"/catalog/boms/{bom.pk}/")
    assert f"/changes/new/?bom={bom.pk}" in detail and "Raise a change request" in detail
    raised = page(client, NEW, bom=bom.pk)
    assert f'name="boms" value="{bom.pk}" id="id_scope_boms_0" checked' in raised
    response = client.post(NEW, form(site_a, boms=[bom.pk]))
    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and response.url == url(change)
    assert list(change.boms.all()) == [bom]
    assert change.regulator_notification and not change.new_udi_di
    shown = page(client, url(change))
    assert "Regulatory impact" in shown and "NMPA 备案变更." in shown
    assert 'data-scope="bom"' in shown and 'data-affected="FG-IV-01"' in shown
    assert "No open work order of an affected item at your sites." in shown


def test_a_refused_scope_opens_nothing(client, site_a, engineer_a, infusion_set):
    bom = bom_draft(infusion_set, engineer_a)
    first = open_one(site_a, engineer_a)
    changes.set_scope(first, by=engineer_a, boms=[bom])
    client.force_login(engineer_a)
    # The draft is no longer offered; posted all the same, it is refused.
    assert f'name="boms" value="{bom.pk}"' not in page(client, NEW, bom=bom.pk)
    response = client.post(NEW, form(site_a, boms=[bom.pk]))
    assert response.status_code == 200
    assert ChangeRequest.objects.count() == 1
    assert "Select a valid choice" in response.content.decode()


def test_operators_read_but_do_not_raise_or_act(client, site_a, engineer_a, operator_a):
    change = open_one(site_a, engineer_a)
    client.force_login(operator_a)
    shown = page(client, url(change))
    for offered in ('data-action="submit"', 'data-action="cancel"', 'id="scope-form"',
                    'id="task-form"', 'id="change-edit"'):  # fmt: skip
        assert offered not in shown
    assert client.get(NEW).status_code == 403
    assert client.post(url(change, "scope/"), {}).status_code == 403
    assert client.post(url(change, "actions/cancel/"), {"reason": "x"}).status_code == 403
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.DRAFT


def test_another_sites_change_is_not_found(client, site_b, qa_a, qa_b):
    change = open_one(site_b, qa_b)
    client.force_login(qa_a)
    assert client.get(url(change)).status_code == 404
    assert client.post(url(change, "actions/cancel/"), {"reason": "x"}).status_code == 404
    assert client.post(url(change, "tasks/"), {"description": "x"}).status_code == 404


def test_the_signed_walk_in_the_pages(client, site_a, engineer_a, approvers_a, infusion_set):
    bom = bom_draft(infusion_set, engineer_a)
    change = open_one(site_a, engineer_a)
    client.force_login(engineer_a)
    client.post(url(change, "scope/"), {"boms": [bom.pk]})
    assert list(change.boms.all()) == [bom]

    wrong = client.post(url(change, "actions/submit/"), {"meaning": "authored", "password": "nope"})
    assert wrong.status_code == 200 and "errorlist" in wrong.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.DRAFT
    client.post(url(change, "actions/submit/"), {"meaning": "authored", "password": PASSWORD})
    shown = page(client, url(change))
    assert 'data-approval="qa_manager"' in shown and "waiting" in shown
    # The author is not offered the approval, and is refused it when they post it.
    assert 'data-action="approve"' not in shown
    refused = client.post(
        url(change, "actions/approve/"), {"meaning": "approved", "password": PASSWORD}
    )
    assert "someone else must approve it" in refused.content.decode()

    for approver in approvers_a:
        client.force_login(approver)
        assert 'data-action="approve"' in page(client, url(change))
        response = client.post(
            url(change, "actions/approve/"), {"meaning": "approved", "password": PASSWORD}
        )
        assert response.status_code == 302
    client.force_login(approvers_a[0])
    client.post(url(change, "actions/release/"), {"meaning": "released", "password": PASSWORD})
    change.refresh_from_db()
    bom.refresh_from_db()
    assert change.status == ChangeStatus.IMPLEMENTED
    assert (bom.status, bom.released_under) == (VersionStatus.APPROVED, change.number)
    assert Signature.objects.filter(object_id=str(change.pk)).count() == 5
    shown = page(client, url(change))
    assert "data-implemented" in shown and f"released under {change.number}" in shown
    catalog_page = page(client, f"/catalog/boms/{bom.pk}/")
    assert "Released under" in catalog_page and change.number in catalog_page


def test_tasks_added_and_marked_done_by_their_owner(client, site_a, engineer_a, qa_a, operator_a):
    change = open_one(site_a, engineer_a)
    client.force_login(engineer_a)
    bad = client.post(url(change, "tasks/"), {"description": " ", "owner": operator_a.pk,
                                             "due_on": "2026-09-01"})  # fmt: skip
    assert bad.status_code == 200 and 'id="task-form"' in bad.content.decode()
    assert "This field is required." in bad.content.decode()
    assert not ChangeTask.objects.exists()
    client.post(url(change, "tasks/"), {"description": "更新标签 Update the label",
                                        "owner": operator_a.pk, "due_on": "2026-09-01",
                                        "before_release": "on"})  # fmt: skip
    task = ChangeTask.objects.get()
    assert task.before_release and task.owner == operator_a
    client.force_login(operator_a)
    shown = page(client, url(change))
    assert f'id="done-{task.pk}"' in shown
    empty = client.post(url(change, f"tasks/{task.pk}/done/"), {"evidence": ""})
    assert "Record the evidence" in empty.content.decode()
    client.post(url(change, f"tasks/{task.pk}/done/"), {"evidence": "Label rev. C printed"})
    task.refresh_from_db()
    assert task.done_by == operator_a and task.evidence == "Label rev. C printed"
    assert AuditEntry.objects.filter(object_type="changes.changetask", action="change").exists()


def test_someone_else_cannot_mark_a_task_done(client, site_a, engineer_a, operator_a):
    change = open_one(site_a, engineer_a)
    task = changes.add_task(
        change, by=engineer_a, description="Validate", owner=engineer_a,
        due_on=site_a.local_date(),
    )  # fmt: skip
    client.force_login(operator_a)
    assert f'id="done-{task.pk}"' not in page(client, url(change))
    response = client.post(url(change, f"tasks/{task.pk}/done/"), {"evidence": "x"})
    assert response.status_code == 403
    assert ChangeTask.objects.get(pk=task.pk).done_at is None


def test_editing_a_draft_and_not_a_change_in_review(client, site_a, engineer_a, qa_a, infusion_set):
    change = open_one(site_a, engineer_a, kind=ChangeKind.FAST_TRACK)
    client.force_login(engineer_a)
    fields = form(site_a, title="Renamed", reason_for_edit="typo", kind=ChangeKind.FAST_TRACK)
    fields.pop("site")
    assert client.post(url(change, "edit/"), fields).status_code == 302
    change.refresh_from_db()
    assert change.title == "Renamed" and change.regulator_notification
    entry = AuditEntry.objects.filter(object_id=str(change.pk), action="change").last()
    assert entry.reason == "typo"
    changes.set_scope(change, by=engineer_a, routings=[routing_draft(infusion_set, engineer_a)])
    changes.submit(change, by=engineer_a, password=PASSWORD)
    response = client.post(url(change, "edit/"), fields | {"title": "Late"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).title == "Renamed"
    assert 'id="scope-form"' not in page(client, url(change))


def test_release_refused_while_a_task_is_open_shows_why(
    client, site_a, engineer_a, qa_a, infusion_set
):
    bom = bom_draft(infusion_set, engineer_a)
    change = open_one(site_a, engineer_a, kind=ChangeKind.FAST_TRACK)
    changes.set_scope(change, by=engineer_a, boms=[bom])
    changes.add_task(
        change, by=engineer_a, description="IQ/OQ of the new mould", owner=qa_a,
        due_on=site_a.local_date(),
    )  # fmt: skip
    changes.submit(change, by=engineer_a, password=PASSWORD)
    changes.approve(change, by=qa_a, password=PASSWORD)
    client.force_login(qa_a)
    response = client.post(
        url(change, "actions/release/"), {"meaning": "released", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "must be done before" in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.APPROVED
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.DRAFT
    assert not Signature.objects.filter(meaning="released").exists()
