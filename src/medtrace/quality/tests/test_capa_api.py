"""/api/v1/quality/capas: opening one, and escalating an NCR; the investigation by PATCH;
actions added and marked done by their owner; the walk through the signed verification, the
effectiveness result and the signed closure; filters; site scope, permissions, read-only
tokens and refusals that change nothing."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.accounts import services as accounts
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import CapaSource, CapaStatus
from medtrace.quality.models import Capa, CapaAction, RecordCounter
from medtrace.quality.services import capa as capas

pytestmark = pytest.mark.django_db

API = "/api/v1/quality"


def post(client, path, body=None):
    return client.post(API + path, body or {}, content_type="application/json")


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


@pytest.fixture
def make_capa(site_a, qa_a):
    def make(**overrides):
        fields = {
            "site": site_a, "title": "Training records incomplete", "source": CapaSource.AUDIT,
            "problem_statement": "3 of 12 operators lack a record.", "by": qa_a,
        }  # fmt: skip
        return capas.open_capa(**(fields | overrides))

    return make


def new_action(owner, **overrides):
    due = (date.today() + timedelta(days=14)).isoformat()
    return {"kind": "corrective", "description": "Train them.", "owner_id": owner.pk,
            "due_on": due} | overrides  # fmt: skip


def test_opening_a_capa_through_the_api(client, qa_a, operator_a):
    client.force_login(qa_a)
    body = {
        "site": "a1", "title": "Audit finding", "source": "audit",
        "problem_statement": "Training records incomplete.", "owner_id": operator_a.pk,
        "due_on": "2026-09-30",
    }  # fmt: skip
    response = post(client, "/capas", body)
    assert response.status_code == 201, response.content
    found = response.json()
    assert found["number"].startswith("CAPA-") and found["status"] == "open"
    assert found["owner"] == "operator-a" and found["due_on"] == "2026-09-30"
    assert found["actions"] == [] and found["open_actions"] == 0
    assert {a["name"] for a in found["allowed_actions"]} == {"start_implementation", "cancel"}


def test_a_refused_capa_leaves_nothing(client, qa_a, stranger):
    client.force_login(qa_a)
    body = {"site": "A1", "title": "", "source": "audit", "problem_statement": "x"}
    response = post(client, "/capas", body)
    assert response.status_code == 422 and "title" in response.json()["error"]["details"]["fields"]
    response = post(client, "/capas", body | {"title": "x", "owner_id": stranger.pk})
    assert response.status_code == 404  # a user of another organization
    assert not Capa.objects.exists() and not RecordCounter.objects.filter(last__gt=0).exists()


def test_an_ncr_escalates_once(client, qa_a, operator_a, make_ncr):
    ncr = make_ncr()
    client.force_login(operator_a)
    assert post(client, f"/ncrs/{ncr.pk}/escalate").status_code == 403
    client.force_login(qa_a)
    response = post(client, f"/ncrs/{ncr.pk}/escalate")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "nonconformance" and body["nonconformance"] == ncr.number
    assert ncr.number in body["problem_statement"]
    response = post(client, f"/ncrs/{ncr.pk}/escalate")
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate"
    assert Capa.objects.count() == 1


def test_the_walk_through_the_api(client, qa_a, operator_a, make_ncr):
    client.force_login(qa_a)
    pk = post(client, f"/ncrs/{make_ncr().pk}/escalate").json()["id"]
    capa = f"/capas/{pk}"
    response = post(client, f"{capa}/transitions/start_implementation")
    assert response.status_code == 409
    assert "root_cause" in response.json()["error"]["details"]["fields"]

    response = patch(
        client, capa,
        {"containment": "Lots held.", "five_whys": ["Specks", "Regrind", " ", "No control"],
         "fishbone": {"material": ["regrind"], "method": ["no AQL for specks"]},
         "root_cause": "Regrind not segregated.", "effectiveness_criteria": "10 lots pass.",
         "reason": "Investigation done."},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["five_whys"] == ["Specks", "Regrind", "No control"]
    assert AuditEntry.objects.filter(object_type="quality.capa").latest("pk").reason == (
        "Investigation done."
    )
    response = patch(client, capa, {"fishbone": {"money": ["cheap"]}})
    assert response.status_code == 422
    assert "fishbone" in response.json()["error"]["details"]["fields"]

    response = post(client, f"{capa}/actions", new_action(operator_a))
    assert response.status_code == 201 and response.json()["owner"] == "operator-a"
    action = response.json()["id"]
    assert post(client, f"/capa-actions/{action}/done", {"evidence": "x"}).status_code == 409
    response = post(client, f"{capa}/transitions/start_implementation")
    assert response.json()["status"] == "implementing"
    assert response.json()["open_actions"] == 1

    client.force_login(operator_a)  # the owner marks it done
    response = post(client, f"/capa-actions/{action}/done", {"evidence": " "})
    assert response.status_code == 422
    response = post(client, f"/capa-actions/{action}/done", {"evidence": "8D report."})
    assert response.status_code == 200 and response.json()["done_by"] == "operator-a"
    assert post(client, f"/capa-actions/{action}/done", {"evidence": "again"}).status_code == 409

    client.force_login(qa_a)
    response = post(client, f"{capa}/transitions/verify_implementation", {"password": "nope"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "signature_refused"
    assert Capa.objects.get(pk=pk).status == CapaStatus.IMPLEMENTING
    response = post(client, f"{capa}/transitions/verify_implementation", {"password": PASSWORD})
    assert response.json()["status"] == "effectiveness_check"
    assert patch(client, capa, {"root_cause": "late"}).status_code == 409

    response = post(client, f"{capa}/effectiveness", {"result": "skipped", "note": ""})
    assert response.status_code == 422
    assert "effectiveness_note" in response.json()["error"]["details"]["fields"]
    assert post(client, f"{capa}/effectiveness", {"result": "great"}).status_code == 422
    response = post(client, f"{capa}/effectiveness", {"result": "effective", "note": "10 ok."})
    assert response.json()["effectiveness"] == "effective"
    response = post(client, f"{capa}/transitions/close", {"password": PASSWORD})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["allowed_actions"] == [] and response.json()["closed_at"]
    assert Signature.objects.count() == 2


def test_reopen_and_cancel_need_a_reason(client, qa_a, operator_a, make_capa):
    capa = make_capa()
    client.force_login(qa_a)
    response = post(client, f"/capas/{capa.pk}/transitions/cancel")
    assert response.status_code == 422 and response.json()["error"]["code"] == "reason_required"
    response = post(client, f"/capas/{capa.pk}/transitions/reopen", {"reason": "x"})
    assert response.status_code == 409
    response = post(client, f"/capas/{capa.pk}/transitions/escalate")
    assert response.status_code == 422 and "escalate" in response.json()["error"]["message"]
    response = post(client, f"/capas/{capa.pk}/transitions/cancel", {"reason": "Duplicate."})
    assert response.json()["status"] == "cancelled"


def test_an_operator_reads_but_may_not_decide(client, qa_a, operator_a, make_user, site_a,
                                              make_capa):  # fmt: skip
    from medtrace.accounts.roles import Role

    capa = make_capa()
    capas.update_investigation(capa, root_cause="x", by=qa_a)
    action = capas.add_action(
        capa, kind="corrective", description="x", owner=operator_a, due_on=date.today(), by=qa_a
    )
    capas.start_implementation(capa, by=qa_a)
    other = make_user("other-operator", (site_a, Role.OPERATOR))
    client.force_login(other)
    body = client.get(f"{API}/capas/{capa.pk}").json()
    assert body["number"] == capa.number and body["allowed_actions"] == []
    assert body["actions"][0]["owner"] == "operator-a"
    assert patch(client, f"/capas/{capa.pk}", {"root_cause": "y"}).status_code == 403
    assert post(client, f"/capas/{capa.pk}/actions", new_action(other)).status_code == 403
    response = post(client, f"/capas/{capa.pk}/transitions/cancel", {"reason": "x"})
    assert response.status_code == 403
    assert post(client, f"/capa-actions/{action.pk}/done", {"evidence": "x"}).status_code == 403
    assert post(client, "/capas", {"site": "A1", "title": "x", "source": "audit",
                                   "problem_statement": "x"}).status_code == 404  # fmt: skip
    assert CapaAction.objects.get().done_at is None
    assert Capa.objects.get(pk=capa.pk).root_cause == "x"


def test_a_read_only_token_may_not_complete_even_its_owners_action(
    client, qa_a, operator_a, site_a, make_capa
):
    capa = make_capa()
    capas.update_investigation(capa, root_cause="x", by=qa_a)
    action = capas.add_action(
        capa, kind="corrective", description="x", owner=operator_a, due_on=date.today(), by=qa_a
    )
    capas.start_implementation(capa, by=qa_a)
    _token, secret = accounts.create_api_token(
        user=operator_a,
        name="reader",
        sites=[site_a],
        can_write=False,
        expires_in_days=30,
        by=operator_a,
    )
    response = client.post(
        f"{API}/capa-actions/{action.pk}/done", {"evidence": "x"},
        content_type="application/json", headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert CapaAction.objects.get().done_at is None


def test_another_sites_capa_is_not_found_and_not_listed(
    client, qa_a, qa_b, stranger, operator_a, make_capa, make_ncr
):
    capa = make_capa()
    action = capas.add_action(
        capa, kind="corrective", description="x", owner=operator_a, due_on=date.today(), by=qa_a
    )
    ncr = make_ncr()
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/capas/{capa.pk}").status_code == 404
        assert client.get(f"{API}/capas").json()["items"] == []
        assert patch(client, f"/capas/{capa.pk}", {"root_cause": "x"}).status_code == 404
        assert post(client, f"/capa-actions/{action.pk}/done", {"evidence": "x"}).status_code == 404
        assert post(client, f"/ncrs/{ncr.pk}/escalate").status_code == 404
    assert not Capa.objects.exclude(pk=capa.pk).exists()


def test_filters(client, qa_a, make_capa, make_ncr):
    audit = make_capa(due_on=date.today() - timedelta(days=1))
    escalated = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    cancelled = capas.cancel(make_capa(), by=qa_a, reason="Duplicate.")
    client.force_login(qa_a)
    ids = lambda query: {row["id"] for row in client.get(f"{API}/capas{query}").json()["items"]}  # noqa: E731
    assert ids("") == {audit.pk, escalated.pk, cancelled.pk}
    assert ids("?open=true") == {audit.pk, escalated.pk}
    assert ids("?overdue=true") == {audit.pk}
    assert ids("?source=nonconformance") == {escalated.pk}
    assert ids(f"?nonconformance_id={escalated.nonconformance_id}") == {escalated.pk}
    assert ids("?status=cancelled") == {cancelled.pk}
    assert ids("?site=B1") == set()


def test_the_list_costs_the_same_queries_whatever_its_length(client, qa_a, operator_a, make_capa):
    client.force_login(qa_a)
    make_capa()
    client.get(f"{API}/capas")
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/capas")
    for number in range(4):
        capa = make_capa(title=f"CAPA {number}", owner=operator_a)
        capas.add_action(
            capa, kind="corrective", description="x", owner=operator_a, due_on=date.today(),
            by=qa_a,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as five:
        response = client.get(f"{API}/capas")
    assert [row["open_actions"] for row in response.json()["items"]] == [1, 1, 1, 1, 0]
    assert len(five) == len(one)
