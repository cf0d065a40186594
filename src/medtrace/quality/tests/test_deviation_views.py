"""Deviation pages: site scope, filters and aging, raising one with scanned lots and a window in
the site's time zone, refusals that save nothing, changes while open, the walk from approval
to closure by POSTs with signatures, the lot page's release block, escalation to a CAPA, and
what a reader without the roles sees and may do."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import CapaSource, DeviationKind, DeviationStatus, RiskLevel
from medtrace.quality.models import Capa, Deviation, RecordCounter
from medtrace.quality.services import deviation as deviations
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

LIST = "/quality/deviations/"
NEW = "/quality/deviations/new/"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(deviation) -> str:
    return f"/quality/deviations/{deviation.pk}/"


def act(client, deviation, action, **data):
    return client.post(f"/quality/deviations/{deviation.pk}/{action}/", data)


def status_of(deviation) -> str:
    return Deviation.objects.get(pk=deviation.pk).status


def raised(site, **overrides):
    fields = {
        "site": site.pk,
        "kind": DeviationKind.UNPLANNED,
        "title": "EO 灭菌周期温度偏低 Sterilizer cycle ran cold",
        "description": "Cycle 2611-07 held 48 °C for 20 min (spec 50-60 °C).",
        "lots": "PC2611A",
        "equipment": "",
        "operation": "EO sterilization",
        "window_start": "2026-03-01T08:00",
        "window_end": "2026-03-01T12:30",
        "impact_assessment": "",
        "risk_level": "",
    }
    return {key: value for key, value in (fields | overrides).items() if value is not None}


@pytest.fixture
def make_deviation(site_a, qa_a, received_lot):
    def make(**overrides):
        fields = {
            "site": site_a,
            "kind": DeviationKind.UNPLANNED,
            "title": "EO 灭菌周期温度偏低 Sterilizer cycle ran cold",
            "description": "Cycle 2611-07 held 48 °C for 20 min (spec 50-60 °C).",
            "lots": [received_lot],
            "by": qa_a,
        }
        return deviations.open_deviation(**(fields | overrides))

    return make


@pytest.fixture
def second_lot(resin, supplier, site_a):
    return objects.create_lot(
        item=resin, lot_number="PC2611B", site=site_a, origin=LotOrigin.RECEIVED, supplier=supplier
    )


def assess(deviation, by):
    return deviations.update_deviation(
        deviation, impact_assessment="BI results pending.", risk_level=RiskLevel.HIGH, by=by
    )


def test_the_list_shows_the_users_sites_with_filters_and_aging(
    client, make_deviation, make_user, site_a, site_b, qa_a, qa_b
):
    unplanned = make_deviation(risk_level=RiskLevel.HIGH, impact_assessment="x")
    planned = make_deviation(kind=DeviationKind.PLANNED, title="Temporary screw", lots=[])
    elsewhere = make_deviation(site=site_b, by=qa_b, lots=[], title="B 厂 deviation")
    Deviation.objects.filter(pk=unplanned.pk).update(opened_at=timezone.now() - timedelta(days=9))
    client.force_login(qa_a)
    listing = page(client, LIST)
    assert unplanned.number in listing and planned.number in listing
    assert elsewhere.number not in listing
    assert '<td class="age">9</td>' in listing and '<td class="lot-count">1</td>' in listing
    assert 'data-risk="high"' in listing and "Deviations" in listing

    def numbers(**params):
        shown = page(client, LIST, **params)
        return {d.number for d in (unplanned, planned) if d.number in shown}

    assert numbers(kind="planned") == {planned.number}
    assert numbers(risk_level="high") == {unplanned.number}
    assert numbers(q="PC2611A") == {unplanned.number}
    deviations.approve(unplanned, by=qa_a, password=PASSWORD)
    assert numbers(status="approved") == {unplanned.number}
    deviations.cancel(planned, by=qa_a, reason="Not needed.")
    assert numbers(open="on") == {unplanned.number}

    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(both)
    only_b = page(client, LIST, site=site_b.pk)
    assert elsewhere.number in only_b and unplanned.number not in only_b
    fragment = client.get(LIST, {"kind": "unplanned"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert unplanned.number in body and "<html" not in body and "<table" in body


def test_the_list_costs_the_same_queries_however_many_rows(
    client, qa_a, make_deviation, molder, second_lot, received_lot
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    make_deviation()
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for number in range(6):
        make_deviation(
            title=f"Deviation {number}", equipment=molder, lots=[received_lot, second_lot]
        )
    assert queries() == few


def test_raising_a_deviation_with_scanned_lots_equipment_and_a_local_window(
    client, qa_a, site_a, site_b, received_lot, second_lot, molder
):
    client.force_login(qa_a)
    form = page(client, NEW)
    assert "A1 ·" in form and "B1 ·" not in form and "IMM-01" in form
    assert 'value="PC2611A"' not in form
    assert "PC2611A" in page(client, NEW, lot=received_lot.pk)  # from the lot's page
    lots = f"PC2611A\n\n{second_lot.identifier}\nPC2611A"  # scanned, typed, repeated
    response = client.post(NEW, raised(site_a, lots=lots, equipment=molder.pk))
    deviation = Deviation.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(deviation)
    assert set(deviation.lots.all()) == {received_lot, second_lot}
    assert deviation.equipment == molder and deviation.status == DeviationStatus.OPEN
    assert deviation.window_start == datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)
    assert deviation.window_end == datetime(2026, 3, 1, 12, 30, tzinfo=SHANGHAI)
    detail = page(client, detail_url(deviation))
    assert f"Deviation {deviation.number} opened" in detail
    assert f'href="/trace/objects/{received_lot.pk}/"' in detail
    assert f'href="/trace/objects/{second_lot.pk}/"' in detail
    assert detail.count("data-release-blocked") == 2
    assert "2026-03-01 08:00 to 2026-03-01 12:30 (Asia/Shanghai)" in detail
    assert f'href="/equipment/{molder.pk}/"' in detail
    assert "Full history in the audit trail" in detail and "Not signed yet." in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lots": "PC2611A\nNOPE-404"}, "lots", "Nothing traced here is named NOPE-404."),
        ({"window_end": "2026-03-01T07:00"}, "window_end", "The window ends before it starts."),
        ({"title": ""}, "title", "This field is required."),
        ({"kind": "sideways"}, "kind", "Select a valid choice."),
    ],
)
def test_a_refused_deviation_saves_nothing(
    client, qa_a, site_a, received_lot, overrides, field, message
):
    client.force_login(qa_a)
    response = client.post(NEW, raised(site_a, **overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message.split(" ")[0] in response.content.decode()
    assert not Deviation.objects.exists()
    assert not RecordCounter.objects.filter(last__gt=0).exists()
    assert not AuditEntry.objects.filter(object_type="quality.deviation").exists()


def test_a_lot_or_equipment_of_another_site_is_refused_beside_its_field(
    client, make_user, site_a, site_b, resin, supplier, molder
):
    objects.create_lot(
        item=resin, lot_number="PC-B-01", site=site_b, origin=LotOrigin.RECEIVED, supplier=supplier
    )
    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(both)
    response = client.post(NEW, raised(site_a, lots="PC-B-01"))
    assert "is not at site A1" in " ".join(response.context["form"].errors["lots"])
    response = client.post(NEW, raised(site_b, lots="", equipment=molder.pk))
    assert "IMM-01 is not at site B1" in " ".join(response.context["form"].errors["equipment"])
    assert not Deviation.objects.exists()


def test_changes_while_open_are_audited_with_their_reason(client, qa_a, make_deviation, second_lot):
    deviation = make_deviation()
    client.force_login(qa_a)
    edit = f"/quality/deviations/{deviation.pk}/edit/"
    form = page(client, edit)
    assert "PC2611A</textarea>" in form and 'id="id_site"' not in form and 'id="id_kind' not in form
    data = raised(
        deviation.site,
        lots="PC2611A\nPC2611B",
        impact_assessment="BI incubation 7 days.",
        risk_level="high",
        reason="Second load found in the same cycle.",
    )
    response = client.post(edit, data)
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.risk_level == "high" and deviation.lots.count() == 2
    entry = AuditEntry.objects.filter(object_type="quality.deviation", action=AuditAction.CHANGE)
    assert entry.get().reason == "Second load found in the same cycle."

    deviations.approve(deviation, by=qa_a, password=PASSWORD)
    response = client.get(edit)
    assert response.status_code == 302 and response["Location"] == detail_url(deviation)
    response = client.post(edit, data | {"lots": "PC2611A", "reason": "late"})
    assert response.status_code == 200
    assert "only an open deviation changes" in response.content.decode()
    assert Deviation.objects.get(pk=deviation.pk).lots.count() == 2


def test_the_walk_from_approval_to_closure_with_signatures(client, qa_a, make_deviation):
    deviation = make_deviation()
    client.force_login(qa_a)
    detail = page(client, detail_url(deviation))
    assert 'data-action="approve"' in detail and 'data-action="cancel"' in detail
    assert 'data-action="close"' not in detail and 'id="summary-form"' not in detail
    assert 'id="deviation-edit"' in detail and 'id="deviation-escalate"' in detail

    response = act(client, deviation, "approve", meaning="approved", password=PASSWORD)
    assert response.status_code == 200  # not assessed: refused, shown on the form
    assert "Assess the impact and the risk before approving." in response.content.decode()
    assert status_of(deviation) == DeviationStatus.OPEN and not Signature.objects.exists()

    assess(deviation, qa_a)
    response = act(client, deviation, "approve", meaning="approved", password="wrong")
    assert response.status_code == 200
    errors = response.context["actions"][0][1].errors
    assert errors["password"] == ["The password is wrong; the record was not signed."]
    assert '<details id="action-approve" class="card action-form" open>' in (
        response.content.decode()
    )
    assert status_of(deviation) == DeviationStatus.OPEN and not Signature.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).count() == 1

    response = act(client, deviation, "approve", meaning="approved", password=PASSWORD)
    assert response.status_code == 302 and status_of(deviation) == DeviationStatus.APPROVED
    detail = page(client, detail_url(deviation))
    assert 'id="summary-form"' in detail and 'data-action="close"' in detail
    assert 'id="deviation-edit"' not in detail and 'data-action="cancel"' not in detail
    assert detail.count("data-release-blocked") == 1  # approved is not closed

    response = act(client, deviation, "close", meaning="verified", password=PASSWORD)
    assert response.status_code == 200
    assert "Summarize how the deviation ended before closing it." in response.content.decode()
    summary = f"/quality/deviations/{deviation.pk}/closure-summary/"
    response = client.post(summary, {"summary": "BIs negative after 7 days."})
    assert response.status_code == 302
    response = act(client, deviation, "close", meaning="verified", password=PASSWORD)
    assert response.status_code == 302 and status_of(deviation) == DeviationStatus.CLOSED
    detail = page(client, detail_url(deviation))
    assert detail.count('class="signature"') == 2
    assert "Approved" in detail and "Verified" in detail
    assert '<span class="badge ok">Valid' in detail
    assert "data-action=" not in detail and 'data-escalate="capa"' in detail
    assert "data-release-blocked" not in detail and "BIs negative after 7 days." in detail
    assert Deviation.objects.get(pk=deviation.pk).closed_at is not None
    response = client.post(summary, {"summary": "Changed after closing."})
    assert response.status_code == 302
    assert Deviation.objects.get(pk=deviation.pk).closure_summary == "BIs negative after 7 days."


def test_the_approval_signature_holds_once_the_closure_summary_is_written(qa_a, make_deviation):
    from medtrace.audit import signatures

    deviation = assess(make_deviation(), qa_a)
    deviations.approve(deviation, by=qa_a, password=PASSWORD)
    deviations.record_closure_summary(deviation, summary="BIs negative.", by=qa_a)
    deviation = Deviation.objects.get(pk=deviation.pk)
    assert [valid for _signature, valid in signatures.with_validity(deviation)] == [True]


def test_cancelling_asks_for_a_reason(client, qa_a, make_deviation):
    deviation = make_deviation()
    client.force_login(qa_a)
    response = act(client, deviation, "cancel", reason=" ")
    assert response.status_code == 200
    assert "This action needs a reason." in response.context["actions"][-1][1].errors["reason"]
    assert act(client, deviation, "cancel", reason="Raised twice.").status_code == 302
    assert status_of(deviation) == DeviationStatus.CANCELLED
    response = act(client, deviation, "approve", meaning="approved", password=PASSWORD)
    assert response.status_code == 302  # a stale form: said, nothing done
    assert status_of(deviation) == DeviationStatus.CANCELLED


def test_the_lot_page_names_the_deviations_blocking_its_release(
    client, qa_a, operator_a, make_deviation, received_lot
):
    deviation = make_deviation()
    lot_page = f"/trace/objects/{received_lot.pk}/"
    client.force_login(operator_a)
    shown = page(client, lot_page)
    assert f"Blocked from release by {deviation.number}" in shown
    assert f'href="{detail_url(deviation)}"' in shown
    assess(deviation, qa_a)
    deviations.approve(deviation, by=qa_a, password=PASSWORD)
    deviations.record_closure_summary(deviation, summary="Done.", by=qa_a)
    deviations.close(deviation, by=qa_a, password=PASSWORD)
    assert "data-release-blockers" not in page(client, lot_page)


def test_escalating_to_a_capa(client, qa_a, make_deviation):
    deviation = make_deviation()
    client.force_login(qa_a)
    response = client.post(f"/quality/deviations/{deviation.pk}/escalate/")
    capa = Capa.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quality/capas/{capa.pk}/"
    assert capa.deviation == deviation and capa.source == CapaSource.DEVIATION
    assert deviation.number in capa.problem_statement
    detail = page(client, detail_url(deviation))
    assert f'href="/quality/capas/{capa.pk}/"' in detail and capa.number in detail


def test_a_reader_without_the_roles_sees_no_actions_and_may_take_none(
    client, operator_a, make_user, site_a, make_deviation, qa_a
):
    deviation = make_deviation()
    client.force_login(operator_a)
    detail = page(client, detail_url(deviation))
    assert deviation.number in detail and "data-action" not in detail
    assert "Raise a deviation" not in page(client, LIST)
    assert client.get(NEW).status_code == 403
    assert client.get(f"/quality/deviations/{deviation.pk}/edit/").status_code == 403
    assert act(client, deviation, "cancel", reason="x").status_code == 403
    assert act(client, deviation, "approve", password=PASSWORD).status_code == 403
    assert client.post(f"/quality/deviations/{deviation.pk}/escalate/").status_code == 403
    assess(deviation, qa_a)
    deviations.approve(deviation, by=qa_a, password=PASSWORD)
    summary = f"/quality/deviations/{deviation.pk}/closure-summary/"
    assert client.post(summary, {"summary": "x"}).status_code == 403
    assert status_of(deviation) == DeviationStatus.APPROVED and not Capa.objects.exists()

    # A supervisor raises deviations on the line; QA approves them.
    supervisor = make_user("supervisor-a", (site_a, Role.PRODUCTION_SUPERVISOR))
    client.force_login(supervisor)
    assert client.post(NEW, raised(site_a)).status_code == 302
    mine = Deviation.objects.latest("pk")
    assert "data-action" not in page(client, detail_url(mine))


def test_another_sites_deviation_is_not_found(client, qa_b, stranger, make_deviation):
    deviation = make_deviation()
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(detail_url(deviation)).status_code == 404
        assert act(client, deviation, "cancel", reason="x").status_code == 404
        assert client.post(f"/quality/deviations/{deviation.pk}/escalate/").status_code == 404
        assert deviation.number not in page(client, LIST)
        assert client.get(f"/quality/deviations/{deviation.pk}/edit/").status_code == 404
    assert status_of(deviation) == DeviationStatus.OPEN and not Capa.objects.exists()


def test_visitors_are_sent_to_sign_in(client, make_deviation):
    deviation = make_deviation()
    for url in (LIST, NEW, detail_url(deviation)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
