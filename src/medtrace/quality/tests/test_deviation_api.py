"""/api/v1/quality/deviations: raising one with lots, equipment and a window; filters; changes
while open by PATCH; the walk through signed approval, the closure summary and signed
closure; escalation to a CAPA; site scope, permissions and refusals that change nothing."""

import zoneinfo
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import DeviationKind, DeviationStatus
from medtrace.quality.models import Capa, Deviation, RecordCounter
from medtrace.quality.services import deviation as deviations
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

API = "/api/v1/quality/deviations"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


def new_deviation(lots=(), **overrides):
    return {
        "site": "A1",
        "kind": "unplanned",
        "title": "EO 灭菌周期温度偏低",
        "description": "Cycle 2611-07 held 48 °C for 20 min (spec 50-60 °C).",
        "lot_ids": [lot.pk for lot in lots],
    } | overrides


@pytest.fixture
def make_deviation(site_a, qa_a, received_lot):
    def make(**overrides):
        fields = {
            "site": site_a, "kind": DeviationKind.UNPLANNED, "title": "Cycle ran cold",
            "description": "48 °C for 20 min.", "lots": [received_lot], "by": qa_a,
        }  # fmt: skip
        return deviations.open_deviation(**(fields | overrides))

    return make


def test_raising_a_deviation_through_the_api(client, qa_a, received_lot, molder):
    client.force_login(qa_a)
    body = new_deviation(
        [received_lot],
        equipment_id=molder.pk,
        operation="EO sterilization",
        window_start="2026-03-01T08:00:00",
        window_end="2026-03-01T04:30:00Z",
        risk_level="high",
        impact_assessment="BI incubation pending.",
    )
    response = post(client, "", body)
    assert response.status_code == 201, response.content
    found = response.json()
    assert found["status"] == "open" and found["number"].startswith("DEV-")
    assert found["lots"] == [
        {"id": received_lot.pk, "lot_number": "PC2611A", "item_id": received_lot.item_id,
         "item": "RM-PC-01", "release_blocked_by": [found["number"]]},
    ]  # fmt: skip
    assert found["equipment"] == "IMM-01" and found["risk_level"] == "high"
    assert {a["name"] for a in found["allowed_actions"]} == {"approve", "cancel"}
    deviation = Deviation.objects.get()
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    assert deviation.window_start == datetime(2026, 3, 1, 8, 0, tzinfo=shanghai)  # site time
    assert deviation.window_end == datetime(2026, 3, 1, 12, 30, tzinfo=shanghai)  # UTC given
    assert list(deviations.blocking_release(received_lot)) == [deviation]


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"window_start": "2026-03-02T00:00:00Z", "window_end": "2026-03-01T00:00:00Z"},
         422, "window_end"),
        ({"title": ""}, 422, "title"),
    ],
)  # fmt: skip
def test_a_refused_deviation_leaves_nothing(client, qa_a, received_lot, overrides, status, field):
    client.force_login(qa_a)
    response = post(client, "", new_deviation([received_lot], **overrides))
    assert response.status_code == status
    assert field in response.json()["error"]["details"]["fields"]
    assert not Deviation.objects.exists()
    assert not RecordCounter.objects.filter(last__gt=0).exists()


def test_a_lot_of_another_site_is_refused_or_not_found(
    client, qa_a, qa_b, make_user, site_a, site_b, resin
):
    from medtrace.accounts.roles import Role

    lot_b = objects.create_lot(
        item=resin, lot_number="PC-B-01", site=site_b, origin=LotOrigin.RECEIVED
    )
    client.force_login(qa_a)
    assert post(client, "", new_deviation([lot_b])).status_code == 404  # not visible
    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(both)
    response = post(client, "", new_deviation([lot_b]))
    assert response.status_code == 422
    assert "is not at site A1" in response.json()["error"]["message"]
    assert not Deviation.objects.exists()


def test_changes_while_open_then_the_walk_to_closure(client, qa_a, make_deviation, received_lot):
    deviation = make_deviation()
    client.force_login(qa_a)
    path = f"/{deviation.pk}"
    response = post(client, f"{path}/actions/approve", {"password": PASSWORD})
    assert response.status_code == 409
    assert response.json()["error"]["details"]["fields"].keys() == {
        "impact_assessment", "risk_level",
    }  # fmt: skip
    response = patch(
        client, path,
        {"impact_assessment": "BI pending.", "risk_level": "medium", "lot_ids": [],
         "reason": "The lot was not in the load after all."},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["lots"] == [] and response.json()["risk_level"] == "medium"
    entry = AuditEntry.objects.filter(object_type="quality.deviation").latest("pk")
    assert entry.reason == "The lot was not in the load after all."
    assert not deviations.blocking_release(received_lot).exists()

    response = post(client, f"{path}/actions/approve", {"password": "nope"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "signature_refused"
    assert Deviation.objects.get(pk=deviation.pk).status == DeviationStatus.OPEN
    response = post(client, f"{path}/actions/approve", {"password": PASSWORD})
    assert response.json()["status"] == "approved"
    assert patch(client, path, {"title": "Too late"}).status_code == 409

    response = post(client, f"{path}/actions/close", {"password": PASSWORD})
    assert response.status_code == 409
    assert "closure_summary" in response.json()["error"]["details"]["fields"]
    response = post(client, f"{path}/closure-summary", {"summary": "BIs negative."})
    assert response.status_code == 200 and response.json()["closure_summary"] == "BIs negative."
    response = post(client, f"{path}/actions/close", {"password": PASSWORD, "reason": "BI ok"})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["allowed_actions"] == [] and response.json()["closed_at"]
    assert Signature.objects.count() == 2


def test_cancelling_needs_a_reason_and_unknown_actions_are_named(client, qa_a, make_deviation):
    deviation = make_deviation()
    client.force_login(qa_a)
    response = post(client, f"/{deviation.pk}/actions/cancel", {})
    assert response.status_code == 422 and response.json()["error"]["code"] == "reason_required"
    response = post(client, f"/{deviation.pk}/actions/release", {})
    assert response.status_code == 422 and "release" in response.json()["error"]["message"]
    response = post(client, f"/{deviation.pk}/actions/cancel", {"reason": "Raised twice."})
    assert response.json()["status"] == "cancelled"


def test_escalating_to_a_capa(client, qa_a, make_deviation):
    deviation = make_deviation()
    client.force_login(qa_a)
    response = post(client, f"/{deviation.pk}/escalate", {})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "deviation" and body["deviation"] == deviation.number
    assert client.get(f"{API}/{deviation.pk}").json()["capas"] == [
        {"id": body["id"], "number": body["number"], "status": "open"}
    ]


def test_an_operator_reads_but_may_not_decide(client, operator_a, make_deviation):
    deviation = make_deviation()
    client.force_login(operator_a)
    body = client.get(f"{API}/{deviation.pk}").json()
    assert body["number"] == deviation.number and body["allowed_actions"] == []
    assert post(client, "", new_deviation()).status_code == 404  # no site to raise it at
    assert patch(client, f"/{deviation.pk}", {"title": "x"}).status_code == 403
    assert post(client, f"/{deviation.pk}/actions/cancel", {"reason": "x"}).status_code == 403
    assert post(client, f"/{deviation.pk}/closure-summary", {"summary": "x"}).status_code == 403
    assert post(client, f"/{deviation.pk}/escalate", {}).status_code == 403
    assert Deviation.objects.get(pk=deviation.pk).title == "Cycle ran cold"
    assert not Capa.objects.exists()


def test_another_sites_deviation_is_not_found_and_not_listed(
    client, qa_b, stranger, make_deviation
):
    deviation = make_deviation()
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/{deviation.pk}").status_code == 404
        assert client.get(API).json()["items"] == []
        assert patch(client, f"/{deviation.pk}", {"title": "x"}).status_code == 404
        assert post(client, f"/{deviation.pk}/actions/cancel", {"reason": "x"}).status_code == 404
        assert post(client, f"/{deviation.pk}/escalate", {}).status_code == 404


def test_filters(client, qa_a, make_deviation, received_lot):
    unplanned = make_deviation()
    planned = make_deviation(kind=DeviationKind.PLANNED, lots=[], risk_level="low",
                             impact_assessment="x")  # fmt: skip
    deviations.cancel(planned, by=qa_a, reason="Not needed.")
    client.force_login(qa_a)
    ids = lambda query: [row["id"] for row in client.get(API + query).json()["items"]]  # noqa: E731
    assert set(ids("")) == {unplanned.pk, planned.pk}
    assert ids("?open=true") == [unplanned.pk]
    assert ids("?kind=planned") == [planned.pk]
    assert ids("?risk_level=low") == [planned.pk]
    assert ids(f"?lot_id={received_lot.pk}") == [unplanned.pk]
    assert ids("?status=approved") == []
    assert ids("?site=b1") == []


def test_the_list_costs_the_same_queries_whatever_its_length(client, qa_a, make_deviation, molder):
    client.force_login(qa_a)
    make_deviation()
    client.get(API)
    with CaptureQueriesContext(connection) as one:
        client.get(API)
    for number in range(4):
        make_deviation(title=f"Deviation {number}", equipment=molder)
    with CaptureQueriesContext(connection) as five:
        response = client.get(API)
    assert len(response.json()["items"]) == 5
    assert len(five) == len(one)
