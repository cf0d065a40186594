"""CAPA pages: site scope, filters, aging and open actions; opening one on its own and by
escalating an NCR; the investigation form (whys, fishbone, root cause); actions added and
marked done by their owner; the walk through the signed verification, the effectiveness result
and the signed closure; refusals that change nothing; what a reader without the roles sees."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import CapaSource, CapaStatus, Effectiveness
from medtrace.quality.models import Capa, CapaAction, RecordCounter
from medtrace.quality.services import capa as capas

pytestmark = pytest.mark.django_db

LIST = "/quality/capas/"
NEW = "/quality/capas/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(capa) -> str:
    return f"/quality/capas/{capa.pk}/"


def post(client, capa, path, **data):
    return client.post(f"/quality/capas/{capa.pk}/{path}/", data)


def status_of(capa) -> str:
    return Capa.objects.get(pk=capa.pk).status


def opened(site, **overrides):
    fields = {
        "site": site.pk,
        "title": "Audit finding: training records incomplete",
        "source": CapaSource.AUDIT,
        "problem_statement": "3 of 12 operators lack a record for SOP-PRD-004 rev C.",
        "owner": "",
        "due_on": "",
    }
    return fields | overrides


def investigation(capa, **overrides):
    fields = {
        "title": capa.title,
        "problem_statement": capa.problem_statement,
        "containment": "Supplier's lots on hold at receiving.",
        "why_1": "Specks in pellets",
        "why_2": "Regrind mixed in",
        "why_3": "No regrind control",
        "why_4": "",
        "why_5": "",
        "fishbone_material": "regrind\n\nwet pellets",
        "fishbone_method": "no incoming AQL for specks",
        "root_cause": "The supplier mixed regrind into virgin resin.",
        "owner": "",
        "due_on": "",
        "effectiveness_criteria": "No speck rejections in the next 10 lots.",
        "effectiveness_due_on": "",
        "reason": "",
    }
    return fields | overrides


@pytest.fixture
def make_capa(site_a, qa_a):
    def make(**overrides):
        fields = {
            "site": site_a,
            "title": "Audit finding: training records incomplete",
            "source": CapaSource.AUDIT,
            "problem_statement": "3 of 12 operators lack a training record.",
            "by": qa_a,
        }
        return capas.open_capa(**(fields | overrides))

    return make


def planned(capa, qa, owner):
    """Investigated, with one action owned by `owner`, implementing."""
    capas.update_investigation(
        capa, root_cause="No training matrix.", effectiveness_criteria="Audit finds none.", by=qa
    )
    action = capas.add_action(
        capa, kind="corrective", description="Train the three operators.", owner=owner,
        due_on=date.today() + timedelta(days=7), by=qa,
    )  # fmt: skip
    return capas.start_implementation(capa, by=qa), action


def test_the_list_shows_the_users_sites_with_filters_aging_and_open_actions(
    client, make_capa, make_ncr, site_b, qa_a, qa_b, operator_a
):
    audit = make_capa(due_on=timezone.localdate() - timedelta(days=2))
    escalated = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    elsewhere = make_capa(site=site_b, by=qa_b, title="B 厂 CAPA")
    Capa.objects.filter(pk=audit.pk).update(opened_at=timezone.now() - timedelta(days=30))
    for number in range(2):
        capas.add_action(
            escalated, kind="corrective", description=f"Action {number}", owner=operator_a,
            due_on=date.today(), by=qa_a,
        )  # fmt: skip
    client.force_login(qa_a)
    listing = page(client, LIST)
    assert audit.number in listing and escalated.number in listing
    assert elsewhere.number not in listing
    assert '<td class="age">30</td>' in listing and '<td class="open-actions">2</td>' in listing
    assert listing.count("data-overdue") == 1 and escalated.nonconformance.number in listing

    def numbers(**params):
        shown = page(client, LIST, **params)
        return {capa.number for capa in (audit, escalated) if capa.number in shown}

    assert numbers(source="nonconformance") == {escalated.number}
    assert numbers(overdue="on") == {audit.number}
    assert numbers(q="training") == {audit.number}
    assert numbers(open_for=30) == set()  # 30 days old is not more than 30
    Capa.objects.filter(pk=audit.pk).update(opened_at=timezone.now() - timedelta(days=31))
    assert numbers(open_for=30) == {audit.number} and numbers(open_for=90) == set()
    capas.cancel(audit, by=qa_a, reason="Duplicate of the supplier CAPA.")
    assert numbers(status="cancelled") == {audit.number}
    assert numbers(open="on") == {escalated.number}
    assert numbers(overdue="on") == set()  # a cancelled CAPA is not overdue
    fragment = client.get(LIST, {"status": "open"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert escalated.number in body and "<html" not in body and "<table" in body


def test_the_list_costs_the_same_queries_however_many_rows(
    client, qa_a, make_capa, make_ncr, operator_a
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    make_capa()
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    capas.escalate_nonconformance(make_ncr(), by=qa_a)
    for number in range(5):
        capa = make_capa(title=f"CAPA {number}", owner=operator_a, due_on=date.today())
        capas.add_action(
            capa, kind="preventive", description="x", owner=operator_a, due_on=date.today(),
            by=qa_a,
        )  # fmt: skip
    assert queries() == few


def test_opening_a_capa_on_its_own(client, qa_a, site_a, operator_a):
    client.force_login(qa_a)
    form = page(client, NEW)
    assert "A1 ·" in form and 'value="audit"' in form and 'value="nonconformance"' not in form
    response = client.post(NEW, opened(site_a, owner=operator_a.pk, due_on="2026-09-30"))
    capa = Capa.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(capa)
    assert (capa.owner, capa.due_on, capa.status) == (operator_a, date(2026, 9, 30), "open")
    detail = page(client, detail_url(capa))
    assert f"{capa.number} opened" in detail and 'id="investigation-form"' in detail
    assert 'id="id_investigation_why_5"' in detail and 'id="id_investigation_why_6"' not in detail
    assert 'data-action="cancel"' in detail and 'data-action="start_implementation"' in detail


def test_a_refused_capa_saves_nothing(client, qa_a, site_a, site_b):
    client.force_login(qa_a)
    response = client.post(NEW, opened(site_a, title=""))
    assert "This field is required." in response.context["form"].errors["title"]
    response = client.post(NEW, opened(site_b))
    assert "site" in response.context["form"].errors
    assert not Capa.objects.exists() and not RecordCounter.objects.filter(last__gt=0).exists()


def test_an_ncr_is_escalated_from_its_page_once(client, qa_a, operator_a, make_ncr):
    ncr = make_ncr()
    ncr_page = f"/quality/ncrs/{ncr.pk}/"
    escalate = f"/quality/capas/from-ncr/{ncr.pk}/"
    client.force_login(operator_a)
    assert 'id="ncr-escalate"' not in page(client, ncr_page)
    assert client.post(escalate).status_code == 403
    client.force_login(qa_a)
    assert 'id="ncr-escalate"' in page(client, ncr_page)
    response = client.post(escalate)
    capa = Capa.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(capa)
    assert capa.nonconformance == ncr and capa.source == CapaSource.NONCONFORMANCE
    shown = page(client, ncr_page)
    assert 'id="ncr-escalate"' not in shown and f'href="{detail_url(capa)}"' in shown
    detail = page(client, detail_url(capa))
    assert f'href="{ncr_page}"' in detail and 'data-link="ncr"' in detail
    response = client.post(escalate, follow=True)
    assert f"is already escalated to {capa.number}" in response.content.decode()
    assert Capa.objects.count() == 1


def test_the_investigation_form_saves_whys_and_fishbone(client, qa_a, make_capa, operator_a):
    capa = make_capa()
    client.force_login(qa_a)
    response = post(client, capa, "investigation", **investigation(capa, owner=operator_a.pk))
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.five_whys == ["Specks in pellets", "Regrind mixed in", "No regrind control"]
    assert capa.fishbone == {
        "material": ["regrind", "wet pellets"],
        "method": ["no incoming AQL for specks"],
    }
    assert capa.root_cause.startswith("The supplier") and capa.owner == operator_a
    detail = page(client, detail_url(capa))
    assert "wet pellets</textarea>" in detail and 'value="Regrind mixed in"' in detail

    whys = {f"why_{n}": f"Why number {n}" for n in range(1, 6)}
    post(client, capa, "investigation", **investigation(capa, **whys, reason="Deeper."))
    detail = page(client, detail_url(capa))
    assert 'id="id_investigation_why_6"' in detail  # one more input once five are written
    entry = AuditEntry.objects.filter(object_type="quality.capa", action=AuditAction.CHANGE)
    assert entry.latest("pk").reason == "Deeper."

    before = Capa.objects.get(pk=capa.pk).five_whys
    response = post(client, capa, "investigation", **investigation(capa, title="", why_1="x"))
    assert response.status_code == 200
    assert "This field is required." in response.context["investigation_form"].errors["title"]
    assert Capa.objects.get(pk=capa.pk).five_whys == before


def test_the_walk_from_investigation_to_closure_with_signatures(client, qa_a, operator_a, make_ncr):
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    client.force_login(qa_a)
    response = post(client, capa, "start_implementation")
    assert response.status_code == 200  # no root cause, no action: refused, said why
    assert "State the problem and its root cause" in response.content.decode()
    assert status_of(capa) == CapaStatus.OPEN

    post(client, capa, "investigation", **investigation(capa))
    response = post(client, capa, "actions", kind="corrective", description="", owner="",
                    due_on="")  # fmt: skip
    assert response.status_code == 200 and not CapaAction.objects.exists()
    assert "owner" in response.context["action_form"].errors
    response = post(
        client, capa, "actions", kind="corrective", description="Supplier segregates regrind.",
        owner=operator_a.pk, due_on=(date.today() - timedelta(days=1)).isoformat(),
    )  # fmt: skip
    assert response.status_code == 302
    action = CapaAction.objects.get()
    assert post(client, capa, "start_implementation").status_code == 302
    assert status_of(capa) == CapaStatus.IMPLEMENTING
    detail = page(client, detail_url(capa))
    assert f'id="done-{action.pk}"' in detail and "data-overdue" in detail
    assert 'id="investigation-form"' in detail  # still editable while implementing

    client.force_login(operator_a)  # the owner marks it done, whatever their roles
    done = f"/quality/capas/{capa.pk}/actions/{action.pk}/done/"
    detail = page(client, detail_url(capa))
    assert f'id="done-{action.pk}"' in detail and 'id="investigation-form"' not in detail
    response = client.post(done, {"evidence": " "})
    assert response.status_code == 200
    assert "Give the evidence that the action was done." in response.content.decode()
    assert client.post(done, {"evidence": "8D report 2026-14, photo 3."}).status_code == 302
    assert CapaAction.objects.get().done_by == operator_a

    client.force_login(qa_a)
    response = post(client, capa, "verify_implementation", meaning="verified", password="nope")
    assert response.status_code == 200
    form = dict(response.context["transitions"])  # {transition: form}
    assert [f.errors["password"] for t, f in form.items() if t.name == "verify_implementation"]
    assert status_of(capa) == CapaStatus.IMPLEMENTING and not Signature.objects.exists()
    response = post(client, capa, "verify_implementation", meaning="verified", password=PASSWORD)
    assert response.status_code == 302 and status_of(capa) == CapaStatus.EFFECTIVENESS_CHECK
    detail = page(client, detail_url(capa))
    assert 'id="effectiveness-form"' in detail and 'id="investigation-form"' not in detail
    assert 'data-action="close"' in detail and 'data-action="reopen"' in detail

    response = post(client, capa, "effectiveness", effectiveness="effective", effectiveness_note="")
    assert response.status_code == 200
    errors = response.context["effectiveness_form"].errors
    assert errors["effectiveness_note"] == ["Describe what the check found."]
    assert Capa.objects.get(pk=capa.pk).effectiveness == ""
    response = post(client, capa, "effectiveness", effectiveness="effective",
                    effectiveness_note="10 lots accepted.")  # fmt: skip
    assert response.status_code == 302
    response = post(client, capa, "close", meaning="approved", password=PASSWORD)
    assert response.status_code == 302 and status_of(capa) == CapaStatus.CLOSED
    detail = page(client, detail_url(capa))
    assert detail.count('class="signature"') == 2 and "Verified" in detail
    assert 'data-effectiveness="effective"' in detail and "data-action=" not in detail
    assert set(Signature.objects.values_list("meaning", flat=True)) == {"verified", "approved"}


def test_not_effective_is_reopened_with_a_reason(client, qa_a, operator_a, make_capa):
    capa, action = planned(make_capa(), qa_a, operator_a)
    capas.complete_action(action, evidence="Done.", by=operator_a)
    capas.verify_implementation(capa, by=qa_a, password=PASSWORD)
    client.force_login(qa_a)
    post(client, capa, "effectiveness", effectiveness=Effectiveness.NOT_EFFECTIVE,
         effectiveness_note="2 of 10 lots rejected again.")  # fmt: skip
    response = post(client, capa, "close", meaning="approved", password=PASSWORD)
    assert response.status_code == 200
    assert "Close only an effective CAPA" in response.content.decode()
    response = post(client, capa, "reopen", reason="")
    assert "This action needs a reason." in response.content.decode()
    assert post(client, capa, "reopen", reason="Specks recurred.").status_code == 302
    capa.refresh_from_db()
    assert capa.status == CapaStatus.IMPLEMENTING and capa.effectiveness == ""
    assert 'id="action-form"' in page(client, detail_url(capa))


def test_a_reader_without_the_roles_sees_no_actions_and_may_take_none(
    client, qa_a, operator_a, make_user, site_a, make_capa
):
    from medtrace.accounts.roles import Role

    capa, action = planned(make_capa(), qa_a, operator_a)
    other = make_user("other-operator", (site_a, Role.OPERATOR))
    client.force_login(other)
    detail = page(client, detail_url(capa))
    assert capa.number in detail and "data-action" not in detail
    assert 'id="investigation-form"' not in detail and 'id="action-form"' not in detail
    assert "Open a CAPA" not in page(client, LIST)
    assert client.get(NEW).status_code == 403
    assert post(client, capa, "investigation", **investigation(capa)).status_code == 403
    assert post(client, capa, "actions", kind="corrective", description="x",
                owner=other.pk, due_on="2026-01-01").status_code == 403  # fmt: skip
    assert post(client, capa, "cancel", reason="x").status_code == 403
    assert post(client, capa, "effectiveness", effectiveness="effective").status_code == 403
    done = f"/quality/capas/{capa.pk}/actions/{action.pk}/done/"
    assert client.post(done, {"evidence": "Not mine."}).status_code == 403
    assert CapaAction.objects.get().done_at is None
    assert status_of(capa) == CapaStatus.IMPLEMENTING and capa.root_cause


def test_another_sites_capa_is_not_found(client, qa_b, stranger, qa_a, operator_a, make_capa):
    capa, action = planned(make_capa(), qa_a, operator_a)
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(detail_url(capa)).status_code == 404
        assert post(client, capa, "cancel", reason="x").status_code == 404
        assert post(client, capa, "investigation", **investigation(capa)).status_code == 404
        done = f"/quality/capas/{capa.pk}/actions/{action.pk}/done/"
        assert client.post(done, {"evidence": "x"}).status_code == 404
        assert capa.number not in page(client, LIST)
    assert status_of(capa) == CapaStatus.IMPLEMENTING


def test_the_verification_signature_holds_once_the_check_is_recorded(qa_a, operator_a, make_capa):
    from medtrace.audit import signatures

    capa, action = planned(make_capa(), qa_a, operator_a)
    capas.complete_action(action, evidence="Done.", by=operator_a)
    capa = capas.verify_implementation(capa, by=qa_a, password=PASSWORD)
    capas.record_effectiveness(capa, result="effective", note="10 lots accepted.", by=qa_a)
    capa = Capa.objects.get(pk=capa.pk)
    assert [valid for _signature, valid in signatures.with_validity(capa)] == [True]
