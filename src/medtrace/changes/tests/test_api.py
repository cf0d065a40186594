"""Change control over the REST API: raising a change with its scope, reading and filtering
what the caller's sites hold, editing a draft, replacing its scope, tasks, the signed
transitions (a wrong password refused, nothing written), the computed impact, and site
isolation."""

import pytest

from conftest import PASSWORD
from medtrace.audit.models import Signature
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.models import Bom, Item, VersionStatus
from medtrace.catalog.services import LineIn
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.models import ChangeRequest, ChangeTask
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import bom_draft, implemented, routing_draft
from medtrace.quality.choices import RiskLevel

pytestmark = pytest.mark.django_db

BASE = "/api/v1/changes"


def body(site, **overrides):
    return {
        "site": site.code,
        "title": "Tighten the melt temperature",
        "kind": ChangeKind.FAST_TRACK,
        "reason": "Leak complaints",
        "description": "Upper limit 240 → 235 °C.",
        "risk_level": RiskLevel.MEDIUM,
        "new_udi_di": False,
        "registration_change": True,
        "regulatory_assessment": "变更注册 needed.",
    } | overrides


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_raise_read_edit_and_walk_a_change(client, site_a, engineer_a, qa_a, infusion_set):
    bom = bom_draft(infusion_set, engineer_a)
    client.force_login(engineer_a)
    created = post(client, BASE, body(site_a, boms=[bom.pk], items=["cmp-clamp"]))
    assert created.status_code == 201, created.json()
    change = created.json()
    assert change["status"] == "draft" and change["registration_change"] is True
    assert [b["id"] for b in change["boms"]] == [bom.pk] and change["items"] == ["CMP-CLAMP"]
    assert {a["name"] for a in change["actions"]} == {"submit", "cancel"}
    pk = change["id"]

    patched = client.patch(
        f"{BASE}/{pk}", {"title": "Renamed", "reason": "Complaint trend", "edit_reason": "typo"},
        content_type="application/json",
    )  # fmt: skip
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["reason"]) == ("Renamed", "Complaint trend")

    routing = routing_draft(infusion_set, engineer_a)
    scope = client.put(
        f"{BASE}/{pk}/scope", {"boms": [bom.pk], "routings": [routing.pk]},
        content_type="application/json",
    )  # fmt: skip
    assert scope.status_code == 200 and scope.json()["items"] == []
    assert [r["id"] for r in scope.json()["routings"]] == [routing.pk]

    planned = {
        "description": "Validate the new limit",
        "owner": qa_a.username,
        "due_on": "2026-09-01",
    }
    task = post(client, f"{BASE}/{pk}/tasks", planned)
    assert task.status_code == 201 and task.json()["owner"] == qa_a.username

    wrong = post(client, f"{BASE}/{pk}/transitions/submit", {"password": "nope"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "signature_refused"
    assert ChangeRequest.objects.get(pk=pk).status == ChangeStatus.DRAFT
    assert (
        post(client, f"{BASE}/{pk}/transitions/submit", {"password": PASSWORD}).status_code == 200
    )

    client.force_login(qa_a)
    approved = post(client, f"{BASE}/{pk}/transitions/approve", {"password": PASSWORD})
    assert approved.json()["status"] == "approved"
    assert approved.json()["approvals"][0]["signer"]
    refused = post(client, f"{BASE}/{pk}/transitions/release", {"password": PASSWORD})
    assert (
        refused.status_code == 409 and "must be done before" in refused.json()["error"]["message"]
    )
    task_id = task.json()["id"]
    done = post(client, f"{BASE}/{pk}/tasks/{task_id}/complete", {"evidence": "PQ run 3"})
    assert done.status_code == 200 and done.json()["done_by"] == qa_a.username
    released = post(client, f"{BASE}/{pk}/transitions/release", {"password": PASSWORD})
    assert released.json()["status"] == "implemented"
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.APPROVED
    closed = post(client, f"{BASE}/{pk}/transitions/close", {"password": PASSWORD})
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert (
        Signature.objects.filter(object_id=str(pk), object_type="changes.changerequest").count()
        == 4
    )


def test_list_filters_and_site_isolation(client, site_a, site_b, engineer_a, qa_a, qa_b):
    mine = changes.open_change(
        site=site_a, by=engineer_a, title="Mine", kind=ChangeKind.STANDARD, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    theirs = changes.open_change(
        site=site_b, by=qa_b, title="Theirs", kind=ChangeKind.FAST_TRACK, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    client.force_login(qa_a)
    listed = client.get(BASE).json()
    assert [row["number"] for row in listed["items"]] == [mine.number]
    assert client.get(BASE, {"kind": "fast_track"}).json()["count"] == 0
    assert client.get(BASE, {"q": "mine", "open": True}).json()["count"] == 1
    assert client.get(f"{BASE}/{theirs.pk}").status_code == 404
    assert client.get(f"{BASE}/{theirs.pk}/impact").status_code == 404
    cancel = post(client, f"{BASE}/{theirs.pk}/transitions/cancel", {"reason": "x"})
    assert cancel.status_code == 404
    assert post(client, BASE, body(site_b)).status_code == 404
    assert ChangeRequest.objects.get(pk=theirs.pk).status == ChangeStatus.DRAFT


def test_refusals_write_nothing(client, site_a, engineer_a, operator_a, infusion_set, stranger):
    bom = bom_draft(infusion_set, engineer_a)
    first = changes.open_change(
        site=site_a, by=engineer_a, title="First", kind=ChangeKind.STANDARD, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.set_scope(first, by=engineer_a, boms=[bom])
    client.force_login(engineer_a)
    taken = post(client, BASE, body(site_a, boms=[bom.pk]))
    assert taken.status_code == 409 and first.number in taken.json()["error"]["message"]
    assert post(client, BASE, body(site_a, items=["NOPE"])).status_code == 404
    assert post(client, BASE, body(site_a, boms=[999999])).status_code == 404
    assert ChangeRequest.objects.count() == 1
    unknown = post(client, f"{BASE}/{first.pk}/transitions/teleport", {})
    assert unknown.status_code == 422
    client.force_login(operator_a)
    assert post(client, BASE, body(site_a)).status_code in (403, 404)
    assert post(client, f"{BASE}/{first.pk}/transitions/cancel", {"reason": "x"}).status_code == 403
    assert (
        client.patch(
            f"{BASE}/{first.pk}", {"title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    planned = {"description": "x", "owner": "operator-a", "due_on": "2026-09-01"}
    task = post(client, f"{BASE}/{first.pk}/tasks", planned)
    assert task.status_code == 403 and not ChangeTask.objects.exists()
    client.force_login(stranger)
    assert client.get(f"{BASE}/{first.pk}").status_code == 404


def test_impact(client, site_a, engineer_a, qa_a, infusion_set, organization):
    kit = catalog.create_item(
        organization=organization, code="KIT-9", name="套件", kind=ItemKind.FINISHED_DEVICE
    )
    kit_bom = catalog.create_bom_draft(item=kit, by=engineer_a)
    catalog.set_bom_lines(bom=kit_bom, lines=[LineIn("CMP-TUBE", 2)], by=engineer_a)
    implemented(
        site=site_a, author=engineer_a, approvers=[qa_a], boms=[kit_bom],
        kind=ChangeKind.FAST_TRACK,
    )  # fmt: skip
    change = changes.open_change(
        site=site_a, by=engineer_a, title="Tube", kind=ChangeKind.STANDARD, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    tube = Item.objects.get(code="CMP-TUBE")
    changes.set_scope(
        change, by=engineer_a, boms=[bom_draft(infusion_set, engineer_a)], items=[tube]
    )
    client.force_login(engineer_a)
    impact = client.get(f"{BASE}/{change.pk}/impact").json()
    assert impact["items"] == ["CMP-TUBE", "FG-IV-01"]
    assert impact["versions"][0]["in_force"] is None and impact["versions"][0]["added"] == 2
    assert [(w["item"], w["components"]) for w in impact["where_used"]] == [("KIT-9", ["CMP-TUBE"])]
    assert impact["lots"] == [] and impact["training"] == []
    assert impact["open_work_orders"] == 0 and impact["work_orders"] == []
