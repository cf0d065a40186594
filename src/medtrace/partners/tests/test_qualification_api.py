"""/api/v1/partners qualification endpoints: lifecycle actions with signatures, evaluations and
their questionnaire, audits and findings with a CAPA, decisions, the approved-source check and
the certificates to renew; the same rules as the pages, organization scope, nothing written on
refusal."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.services import create_api_token
from medtrace.audit.models import AuditEntry
from medtrace.partners import services
from medtrace.partners.models import QualificationDecision, Supplier
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.partners.readiness import current_evaluation
from medtrace.partners.tests.conftest import add_iso, approve_now
from medtrace.quality.models import Capa

pytestmark = pytest.mark.django_db

API = "/api/v1/partners"


def post(client, path, body=None, **kwargs):
    return client.post(API + path, body or {}, content_type="application/json", **kwargs)


def patch(client, path, body, **kwargs):
    return client.patch(API + path, body, content_type="application/json", **kwargs)


def day(offset=0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def test_the_lifecycle_over_the_api(client, buyer_a, qa_a, supplier):
    client.force_login(buyer_a)
    state = client.get(API + "/suppliers/SUP-PVC/qualification").json()
    assert state["status"] == "prospective"
    assert [a["name"] for a in state["allowed_actions"]] == ["start_evaluation"]
    started = post(client, "/suppliers/SUP-PVC/actions/start_evaluation", {"reason": "samples"})
    assert started.status_code == 200 and started.json()["status"] == "under_evaluation"
    evaluation_id = current_evaluation(supplier).pk
    questions = client.get(API + "/questionnaire").json()
    assert [q["code"] for q in questions] == [q.code for q in QUESTIONS]
    answered = post(
        client,
        f"/supplier-evaluations/{evaluation_id}/answers",
        {"answers": [{"question": q["code"], "answer": "yes", "score": 4} for q in questions]},
    )
    assert answered.status_code == 200 and answered.json()["unanswered"] == []
    assert answered.json()["score"] == 80
    described = patch(
        client,
        f"/supplier-evaluations/{evaluation_id}",
        {"risk_class": "minor", "conclusion": "Fit to supply PVC", "sample_lots": "L1"},
    )
    assert described.status_code == 200
    assert described.json()["approval_gaps"] == [
        "Supplier SUP-PVC has no valid ISO 13485 certificate or production licence."
    ]
    buyer_approves = post(client, "/suppliers/SUP-PVC/actions/approve", {"password": PASSWORD})
    assert buyer_approves.status_code == 403
    client.force_login(qa_a)
    not_ready = post(client, "/suppliers/SUP-PVC/actions/approve", {"password": PASSWORD})
    assert not_ready.status_code == 409
    assert not_ready.json()["error"]["details"]["gaps"] == described.json()["approval_gaps"]
    add_iso(supplier)
    wrong = post(client, "/suppliers/SUP-PVC/actions/approve", {"password": "nope"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "signature_refused"
    approved = post(
        client, "/suppliers/SUP-PVC/actions/approve", {"password": PASSWORD, "reason": "OK"}
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["approval_gaps"] == []
    (decision, start) = client.get(API + "/suppliers/SUP-PVC/decisions").json()
    assert decision["action"] == "approve" and start["action"] == "start_evaluation"
    (signature,) = decision["signatures"]
    assert signature["valid"] and signature["meaning"] == "approved"
    assert decision["basis"]["evaluation"]["score"] == 80


def test_a_conditional_approval_over_the_api_needs_its_conditions(client, qa_a, evaluating):
    client.force_login(qa_a)
    path = "/suppliers/SUP-PVC/actions/approve_conditionally"
    refused = post(client, path, {"password": PASSWORD})
    assert refused.status_code == 422
    assert set(refused.json()["error"]["details"]["fields"]) == {"conditions", "conditions_due_on"}
    done = post(
        client, path,
        {"password": PASSWORD, "conditions": "Trial lots", "conditions_due_on": day(20)},
    )  # fmt: skip
    assert done.status_code == 200
    assert done.json()["conditions"] == "Trial lots" and done.json()["conditions_due_on"] == day(20)
    supplier = client.get(API + "/suppliers/SUP-PVC").json()
    assert supplier["status"] == "conditional" and supplier["conditions"] == "Trial lots"


def test_audits_and_findings_over_the_api(client, qa_a, buyer_a, supplier, site_a):
    client.force_login(buyer_a)
    planned = post(
        client, "/suppliers/SUP-PVC/audits",
        {"kind": "document", "planned_on": day(), "scope": "Certificates", "auditors": "B A"},
    )  # fmt: skip
    assert planned.status_code == 201, planned.content
    audit_id = planned.json()["id"]
    assert planned.json()["allowed_actions"][0]["name"] == "conclude"
    finding = post(
        client, f"/supplier-audits/{audit_id}/findings",
        {"classification": "minor", "description": "Expired calibration label", "due_on": day(9)},
    )  # fmt: skip
    assert finding.status_code == 201 and finding.json()["reference"].endswith("/F1")
    no_capa = post(client, f"/audit-findings/{finding.json()['id']}/capa", {"site": "A1"})
    assert no_capa.status_code == 404  # purchasing opens no CAPA at any site
    client.force_login(qa_a)
    capa = post(client, f"/audit-findings/{finding.json()['id']}/capa", {"site": "a1"})
    assert capa.status_code == 201 and capa.json()["site"] == "A1"
    assert Capa.objects.get().source == "audit"
    patched = patch(
        client, f"/supplier-audits/{audit_id}",
        {"performed_on": day(), "result": "findings", "conclusion": "Minor gaps"},
    )  # fmt: skip
    assert patched.status_code == 200
    concluded = post(
        client, f"/supplier-audits/{audit_id}/actions/conclude", {"password": PASSWORD}
    )
    assert concluded.status_code == 200 and concluded.json()["status"] == "completed"
    assert concluded.json()["signatures"][0]["valid"]
    late = post(
        client, f"/supplier-audits/{audit_id}/findings",
        {"classification": "observation", "description": "x"},
    )  # fmt: skip
    assert late.status_code == 409
    closing = post(client, f"/audit-findings/{finding.json()['id']}/close", {"evidence": "done"})
    assert (
        closing.status_code == 409 and capa.json()["number"] in closing.json()["error"]["message"]
    )


def test_the_approved_source_check(client, buyer_a, qa_a, supplier, pvc):
    client.force_login(buyer_a)
    query = {"supplier": "sup-pvc", "item": "rm-pvc"}
    refused = client.get(API + "/approved-sources/check", query).json()
    assert refused["verdict"] == "refused" and "not approved" in refused["reason"]
    approve_now(supplier, qa_a)
    services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    allowed = client.get(API + "/approved-sources/check", query).json()
    assert allowed["verdict"] == "allowed" and allowed["supplier_status"] == "approved"
    assert client.get(API + "/approved-sources/check", {**query, "item": "NOPE"}).status_code == 404


def test_certificates_expiring_over_the_api(client, buyer_a, supplier):
    add_iso(supplier, days=10, number="SOON")
    add_iso(supplier, days=-400, number="OLD")  # superseded by SOON
    client.force_login(buyer_a)
    listed = client.get(API + "/certificates/expiring", {"days": 30}).json()
    assert [c["number"] for c in listed] == ["SOON"]
    assert client.get(API + "/certificates/expiring", {"days": 5}).json() == []


def test_another_organization_reaches_none_of_it(client, evaluating, outsider):
    evaluation = current_evaluation(evaluating)
    client.force_login(outsider)
    before = AuditEntry.objects.count()
    for response in (
        client.get(API + "/suppliers/SUP-PVC/qualification"),
        client.get(API + f"/supplier-evaluations/{evaluation.pk}"),
        post(client, "/suppliers/SUP-PVC/actions/approve", {"password": PASSWORD}),
        post(client, f"/supplier-evaluations/{evaluation.pk}/answers", {"answers": []}),
        client.get(API + "/approved-sources/check", {"supplier": "SUP-PVC", "item": "X"}),
    ):
        assert response.status_code == 404
    assert AuditEntry.objects.count() == before
    assert Supplier.objects.get(pk=evaluating.pk).status == "under_evaluation"


def test_a_read_only_token_takes_no_action(client, qa_a, site_a, evaluating):
    _token, plaintext = create_api_token(
        user=qa_a, name="ro", sites=[site_a], can_write=False, expires_in_days=5, by=qa_a
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    response = post(
        client, "/suppliers/SUP-PVC/actions/approve", {"password": PASSWORD}, headers=headers
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "token_read_only"
    assert not QualificationDecision.objects.filter(action="approve").exists()
