"""The qualification pages: the lifecycle actions on a supplier's page (offered by role, a
refusal shown on its form with nothing written), the evaluation's questionnaire, audits with
findings, a CAPA and the printable report, the approved supplier list, the certificates to
renew, and purchasing's warnings (supplier list banner, my tasks)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.partners import services
from medtrace.partners.models import (
    AuditFinding,
    EvaluationAnswer,
    QualificationDecision,
    Supplier,
)
from medtrace.partners.readiness import current_evaluation
from medtrace.partners.services import audits
from medtrace.partners.tests.conftest import (
    add_iso,
    answer_all,
    approve_now,
    approve_with_conditions,
)
from medtrace.quality.models import Capa

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def action(supplier, name):
    return f"/partners/suppliers/id/{supplier.pk}/actions/{name}/"


def day(offset=0):
    return timezone.localdate() + datetime.timedelta(days=offset)


def test_buyer_evaluates_and_qa_approves_through_the_pages(client, buyer_a, qa_a, supplier):
    client.force_login(buyer_a)
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert 'data-action="start_evaluation"' in detail
    assert 'data-action="approve"' not in detail
    assert client.post(action(supplier, "start_evaluation")).status_code == 302
    evaluation = current_evaluation(supplier)
    body = page(client, f"/partners/evaluations/{evaluation.pk}/")
    assert 'id="questionnaire-form"' in body and "An approval still needs" in body
    answers = {}
    for question in ("qms_certified", "licences"):
        answers |= {
            f"{question}-answer": "yes",
            f"{question}-score": "5",
            f"{question}-comment": "seen",
        }
    response = client.post(f"/partners/evaluations/{evaluation.pk}/answers/", answers)
    assert response.status_code == 302
    assert EvaluationAnswer.objects.filter(evaluation=evaluation).count() == 2
    bad = client.post(
        f"/partners/evaluations/{evaluation.pk}/answers/",
        {"records-answer": "yes", "records-score": ""},
    )
    assert bad.status_code == 422 and "Score “Are quality records" in bad.content.decode()
    assert EvaluationAnswer.objects.filter(evaluation=evaluation).count() == 2
    answer_all(evaluation, buyer_a)
    response = client.post(
        f"/partners/evaluations/{evaluation.pk}/edit/",
        {"risk_class": "minor", "scope": "PVC", "sample_lots": "L1", "conclusion": "Good"},
    )
    assert response.status_code == 302
    add_iso(supplier)
    assert "The evaluation is complete" in page(client, f"/partners/evaluations/{evaluation.pk}/")

    client.force_login(qa_a)
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert 'data-action="approve"' in detail and 'data-action="disqualify"' in detail
    wrong = client.post(action(supplier, "approve"), {"meaning": "approved", "password": "no"})
    assert wrong.status_code == 422 and "The password is wrong" in wrong.content.decode()
    assert Supplier.objects.get(pk=supplier.pk).status == "under_evaluation"
    assert not QualificationDecision.objects.filter(action="approve").exists()
    response = client.post(
        action(supplier, "approve"),
        {"meaning": "approved", "password": PASSWORD, "reason": "Evaluation SE passed"},
    )
    assert response.status_code == 302
    assert Supplier.objects.get(pk=supplier.pk).status == "approved"
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert 'data-decision="approve"' in detail and "Qa-A" in detail
    assert '<span class="badge ok">Valid</span>' in detail


def test_an_approval_refused_shows_what_is_missing_and_writes_nothing(client, qa_a, supplier):
    services.start_evaluation(supplier, by=qa_a)
    client.force_login(qa_a)
    before = AuditEntry.objects.count()
    response = client.post(
        action(supplier, "approve"), {"meaning": "approved", "password": PASSWORD}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "SUP-PVC cannot be approved yet" in body and "risk class" in body
    assert 'id="action-approve" class="card action-form" open' in body
    assert AuditEntry.objects.count() == before


def test_a_conditional_approval_form_takes_conditions_and_a_deadline(client, qa_a, evaluating):
    client.force_login(qa_a)
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert 'id="id_approve_conditionally_conditions"' in detail
    missing = client.post(
        action(evaluating, "approve_conditionally"),
        {"meaning": "approved", "password": PASSWORD, "conditions": ""},
    )
    assert missing.status_code == 422 and "State the conditions" in missing.content.decode()
    response = client.post(
        action(evaluating, "approve_conditionally"),
        {
            "meaning": "approved", "password": PASSWORD, "conditions": "100 % incoming check",
            "conditions_due_on": day(30).isoformat(),
        },
    )  # fmt: skip
    assert response.status_code == 302
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert "100 % incoming check" in detail and "data-conditions" in detail


def test_an_action_the_supplier_moved_past_is_said_so(client, qa_a, supplier):
    client.force_login(qa_a)
    response = client.post(action(supplier, "approve"), {"password": PASSWORD})
    assert response.status_code == 302
    assert client.post(action(supplier, "nonsense")).status_code == 404


def test_an_audit_is_planned_findings_recorded_a_capa_opened_and_concluded(
    client, qa_a, site_a, supplier
):
    client.force_login(qa_a)
    response = client.post(
        "/partners/suppliers/SUP-PVC/audits/new/",
        {"kind": "on_site", "planned_on": day().isoformat(), "scope": "QMS", "auditors": "Qa A"},
    )
    assert response.status_code == 302
    supplier_audit = supplier.audits.get()
    url = f"/partners/audits/{supplier_audit.pk}/"
    refused = client.post(url + "findings/new/", {"classification": "major", "description": "x"})
    assert refused.status_code == 422 and "needs a due date" in refused.content.decode()
    client.post(
        url + "findings/new/",
        {"classification": "major", "description": "Regrind mixed in",
         "due_on": day(30).isoformat()},
    )  # fmt: skip
    finding = AuditFinding.objects.get()
    client.post(f"/partners/findings/{finding.pk}/capa/", {"site": site_a.pk})
    capa = Capa.objects.get()
    assert capa.source == "audit"
    body = page(client, url)
    assert f'href="/quality/capas/{capa.pk}/"' in body
    client.post(f"/partners/findings/{finding.pk}/close/", {"evidence": "done"})
    assert AuditFinding.objects.get().status == "open"  # the CAPA is open
    client.post(
        url + "edit/",
        {"kind": "on_site", "planned_on": day().isoformat(), "scope": "QMS",
         "auditors": "Qa A", "performed_on": day().isoformat(), "result": "findings",
         "conclusion": "Acceptable once F1 is closed"},
    )  # fmt: skip
    response = client.post(url + "actions/conclude/", {"meaning": "approved", "password": PASSWORD})
    assert response.status_code == 302
    body = page(client, url)
    assert 'data-audit-status="completed"' in body and "signature-block" in body
    report = page(client, url + "report/")
    assert "Supplier audit report" in report and "Regrind mixed in" in report
    assert capa.number in report and "Qa-A" in report and "data-print" in report


def test_the_approved_supplier_list_shows_each_verdict(
    client, qa_a, buyer_a, organization, supplier, pvc
):
    approve_now(supplier, qa_a)
    services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    other = services.create_supplier(organization=organization, code="SUP-TWO", name="乙")
    approve_with_conditions(other, qa_a, conditions="Trial lots only")
    services.approve_source(supplier=other, item=pvc, status="conditional", by=qa_a)
    services.requalify(other, by=qa_a, reason="Complaints")
    client.force_login(buyer_a)
    body = page(client, "/partners/approved-sources/")
    assert 'data-verdict="allowed"' in body and 'data-verdict="refused"' in body
    assert "SUP-TWO is Under evaluation, not approved" in body
    refused_only = page(client, "/partners/approved-sources/", verdict="refused")
    assert "SUP-TWO" in refused_only and 'data-source="SUP-PVC:RM-PVC"' not in refused_only
    fragment = client.get(
        "/partners/approved-sources/", {"q": "TWO"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.content.decode()


def test_purchasing_is_warned_on_the_supplier_list_and_in_its_tasks(
    client, buyer_a, operator_a, qa_a, supplier
):
    approve_with_conditions(supplier, qa_a, conditions="Renew the ISO certificate")
    services.add_certificate(
        supplier=supplier, kind="production_licence", number="CN-SOON", valid_until=day(20)
    )
    client.force_login(buyer_a)
    listing = page(client, "/partners/suppliers/")
    assert 'id="supplier-banner"' in listing
    assert "1 supplier is approved only under conditions" in listing
    assert "1 supplier certificate expires within 60 days" in listing
    assert "have expired" not in listing and "has expired" not in listing
    tasks = page(client, "/quality/tasks/")
    assert 'data-alert="conditional"' in tasks and "Renew the ISO certificate" in tasks
    assert 'data-alert="certificate"' in tasks and "CN-SOON" in tasks
    expiring = page(client, "/partners/certificates/expiring/", days=30)
    assert "CN-SOON" in expiring and "CN-13485-1" not in expiring  # that one runs a year
    client.force_login(operator_a)
    assert 'id="supplier-banner"' not in page(client, "/partners/suppliers/")
    assert 'data-task="supplier"' not in page(client, "/quality/tasks/")


def test_qualification_pages_of_another_organization_answer_404(client, evaluating, outsider):
    supplier_audit = audits.plan_audit(
        supplier=evaluating, kind="remote", planned_on=day(), scope="x", auditors="y", by=None
    )
    client.force_login(outsider)
    evaluation = current_evaluation(evaluating)
    for url in [
        f"/partners/evaluations/{evaluation.pk}/",
        f"/partners/audits/{supplier_audit.pk}/",
        f"/partners/audits/{supplier_audit.pk}/report/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(action(evaluating, "approve"), {"password": PASSWORD}).status_code == 404
    assert Supplier.objects.get(pk=evaluating.pk).status == "under_evaluation"


def test_operators_do_not_see_evaluations_or_audits(client, operator_a, evaluating):
    client.force_login(operator_a)
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert "data-evaluation" not in detail and 'id="audits"' not in detail
    evaluation = current_evaluation(evaluating)
    assert client.get(f"/partners/evaluations/{evaluation.pk}/").status_code == 403


def test_approved_source_list_query_count_does_not_grow(client, qa_a, organization, pvc):
    def add(first, last):
        for number in range(first, last):
            supplier = services.create_supplier(
                organization=organization, code=f"S-{number:02d}", name="供"
            )
            approve_now(supplier, qa_a)
            services.approve_source(supplier=supplier, item=pvc, by=qa_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, "/partners/approved-sources/")
        return len(captured)

    client.force_login(qa_a)
    add(0, 2)
    queries()
    few = queries()
    add(2, 12)
    assert queries() == few
