"""Drills: the timing KPIs read from the recorded times (time to scope, to the first notice, to
every consignee accounted for) against the targets from MEDTRACE_DRILL_TARGETS and the
previous five drills; the drill report as a page and a PDF (drills only); the recovery, drill
report and CAPA link endpoints of the API with their scope and refusals."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import PASSWORD
from medtrace import conf
from medtrace.audit.models import AuditEntry
from medtrace.org.models import Site
from medtrace.quality.choices import CapaSource
from medtrace.quality.services.capa import open_capa
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall
from medtrace.recall.services import acknowledgements, delivery, drills, notices, recalls

pytestmark = pytest.mark.django_db

API = "/api/v1/recalls"


def test_targets_are_read_from_the_environment(monkeypatch):
    name, default = "MEDTRACE_DRILL_TARGETS", "scope=15m,notice=2h,accounted=24h"
    monkeypatch.delenv(name, raising=False)
    assert conf.env_durations(name, default) == {
        "scope": timedelta(minutes=15),
        "notice": timedelta(hours=2),
        "accounted": timedelta(hours=24),
    }
    monkeypatch.setenv(name, " notice = 90m, accounted=1.5d ,")
    found = conf.env_durations(name, default)
    assert found["notice"] == timedelta(minutes=90) and found["accounted"] == timedelta(hours=36)
    assert found["scope"] == timedelta(minutes=15)  # left out: its default
    for bad, words in [
        ("scope=15", "name=duration pairs"),
        ("scope=-1m", "name=duration pairs"),
        ("scope=0s", "name=duration pairs"),
        ("15m", "name=duration pairs"),
        ("speed=1h", "unknown 'speed'; expected accounted, notice, scope"),
    ]:
        monkeypatch.setenv(name, bad)
        with pytest.raises(conf.ConfigError, match=name) as refused:
            conf.env_durations(name, default)
        assert words in str(refused.value)


def test_durations_are_written_for_people():
    seconds = (None, 4.25, 40, 250, 900, 5400, 7200, 108000, 86400)
    assert [drills.duration_text(s) for s in seconds] == [
        "—", "4.2 s", "40 s", "4 min 10 s", "15 min", "1 h 30 min", "2 h", "1 d 6 h", "1 d",
    ]  # fmt: skip


@pytest.fixture
def drill(made_and_shipped, open_from, qa_a):
    """An approved drill of the shipped lot, its notice (to the drill mailbox) sent."""
    found = open_from([made_and_shipped["product"]], drill=True, nmpa_class="", title="年度演练")
    found = recalls.approve(found, by=qa_a, password=PASSWORD)
    notices.prepare(found, by=qa_a)
    delivery.send_prepared(found, by=qa_a)
    return found


def timed(drill, *, scope_s=40, elapsed_ms=1200, notice_s=5400, days_ago=3):
    """Set the drill's recorded times: opened `days_ago`, scope and first notice after it."""
    opened = timezone.now() - timedelta(days=days_ago)
    Recall.objects.filter(pk=drill.pk).update(opened_at=opened)
    drill.scopes.filter(version=1).update(
        computed_at=opened + timedelta(seconds=scope_s), elapsed_ms=elapsed_ms
    )
    drill.notices.update(sent_at=opened + timedelta(seconds=notice_s))
    return Recall.objects.get(pk=drill.pk)


def acknowledged(drill, after: timedelta):
    notice = drill.notices.get()
    line = notice.lines.get()
    quantities = {line.pk: {"on_hand": line.quantity, "used": 0, "to_return": 0}}
    acknowledgements.acknowledge(notice, name="演练联系人", quantities=quantities)
    drill.notices.update(acknowledged_at=drill.opened_at + after)


def test_kpis_come_from_the_recorded_times(drill, settings):
    assert drill.notices.get().recipient_email == settings.DRILL_MAILBOX
    drill = timed(drill)
    found = drills.kpis(drill)
    assert (found.scope.seconds, found.scope.met) == (40, True)
    assert (found.notice.seconds, found.notice.met) == (5400, True)
    assert (found.accounted.seconds, found.accounted.met) == (None, None)
    assert not found.met

    acknowledged(drill, timedelta(hours=30))
    found = drills.kpis(drill)
    assert (found.accounted.seconds, found.accounted.met) == (30 * 3600, False)
    settings.DRILL_TARGETS = {"accounted": timedelta(hours=36), "scope": timedelta(seconds=30)}
    found = drills.kpis(drill)
    assert found.accounted.met is True and found.scope.met is False
    assert found.notice.target == timedelta(hours=2)  # not configured: the default
    # A scope recorded at the opening's instant still took its computation time.
    drill = timed(drill, scope_s=0, elapsed_ms=1200)
    assert drills.kpis(drill).scope.seconds == 1.2


def test_the_report_compares_with_the_last_five_drills(drill, open_from, made_and_shipped):
    drill = timed(drill, days_ago=1)
    earlier = []
    for n in range(7):
        other = open_from([made_and_shipped["product"]], drill=True, nmpa_class="")
        Recall.objects.filter(pk=other.pk).update(
            opened_at=drill.opened_at - timedelta(days=10 * (n + 1))
        )
        earlier.append(other)
    Recall.objects.filter(pk=earlier[1].pk).update(status=RecallStatus.CANCELLED)
    later = open_from([made_and_shipped["product"]], drill=True, nmpa_class="")
    real = open_from([made_and_shipped["product"]])
    found = drills.report(drill)
    numbers = [kpis.recall.number for kpis in found.previous]
    assert numbers == [earlier[n].number for n in (0, 2, 3, 4, 5)]
    assert later.number not in numbers and real.number not in numbers
    assert found.previous[0].notice.seconds is None  # never sent a notice
    assert [row.notice.number for row in found.timeline] == [drill.notices.get().number]
    assert found.first_scope.version == 1


def test_the_drill_report_page_and_pdf(drill, client, qa_a, open_from, made_and_shipped):
    drill = timed(drill)
    acknowledged(drill, timedelta(hours=30))
    previous = open_from([made_and_shipped["product"]], drill=True, nmpa_class="")
    Recall.objects.filter(pk=previous.pk).update(opened_at=drill.opened_at - timedelta(days=90))
    client.force_login(qa_a)
    detail = client.get(f"/recall/{drill.pk}/").content.decode()
    assert f'href="/recall/{drill.pk}/drill-report/"' in detail

    page = client.get(f"/recall/{drill.pk}/drill-report/").content.decode()
    assert 'data-kpi="scope" data-seconds="40.0" data-met="met"' in page
    assert 'data-kpi="notice" data-seconds="5400.0" data-met="met"' in page
    assert 'data-kpi="accounted" data-seconds="108000.0" data-met="missed"' in page
    assert f'data-drill="{previous.number}"' in page
    notice = drill.notices.get()
    assert f'data-notice="{notice.number}"' in page and "1 of 1 consignees" in page

    response = client.get(f"/recall/{drill.pk}/drill-report.pdf")
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    text = "".join(page.extract_text() for page in pages).replace("\n", "")
    for words in (f"Drill report {drill.number}", "Time to scope", "40 s", "15 min", "missed",
                  "1 d 6 h", previous.number, notice.number):  # fmt: skip
        assert words in text, words
    assert AuditEntry.objects.filter(
        object_id=str(drill.pk), action="export", changes__document="drill_report"
    ).exists()

    real = open_from([made_and_shipped["product"]])
    assert client.get(f"/recall/{real.pk}/drill-report/").status_code == 404
    assert client.get(f"/recall/{real.pk}/drill-report.pdf").status_code == 404
    assert "drill-report" not in client.get(f"/recall/{real.pk}/").content.decode()


def test_the_api_reads_effectiveness_and_the_drill_report(drill, client, qa_a, qa_b, stranger):
    drill = timed(drill)
    client.force_login(qa_a)
    body = client.get(f"{API}/{drill.number.lower()}/effectiveness").json()
    assert (body["number"], body["level"], body["consignees_total"]) == (drill.number, "A", 1)
    assert (body["contacted"], body["responded"], body["level_met"]) == (1, 0, False)
    consignee = body["consignees"][0]
    assert consignee["status"] == "contacted" and consignee["notice"] == drill.notices.get().number
    assert float(consignee["shipped"]) == float(consignee["lots"][0]["shipped"]) == 30
    assert [item["rule"] for item in body["closure_open"]] == ["effectiveness"]
    assert client.get(f"{API}/{drill.pk}/effectiveness").json()["number"] == drill.number

    report = client.get(f"{API}/{drill.number}/drill-report").json()
    assert [(k["name"], k["seconds"], k["met"]) for k in report["kpis"]] == [
        ("scope", 40.0, True),
        ("notice", 5400.0, True),
        ("accounted", None, None),
    ]
    assert report["kpis"][0]["target_seconds"] == 900.0
    assert report["scope"]["version"] == 1 and report["scope"]["consignees"] == 1
    assert report["timeline"][0]["sent_at"] is not None and report["previous"] == []

    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/{drill.number}/effectiveness").status_code == 404
        assert client.get(f"{API}/{drill.number}/drill-report").status_code == 404
    client.force_login(qa_a)
    assert client.get(f"{API}/DRL-1999-0001/effectiveness").status_code == 404


def test_the_api_links_a_capa(
    made_and_shipped, open_from, client, qa_a, operator_a, stranger, site_a
):
    recall = open_from([made_and_shipped["product"]])
    ours = open_capa(
        site=site_a, title="管路", source=CapaSource.COMPLAINT, problem_statement="x", by=qa_a
    )
    for title in ("外部一", "外部二"):  # their numbering is their own: theirs is -0002
        theirs = open_capa(
            site=Site.objects.get(code="X1"), title=title, source=CapaSource.COMPLAINT,
            problem_statement="y", by=stranger,
        )  # fmt: skip
    assert theirs.number != ours.number
    url = f"{API}/{recall.number}/capa"
    client.force_login(operator_a)
    response = client.post(url, {"capa": ours.number}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(qa_a)
    response = client.post(url, {"capa": theirs.number}, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert Recall.objects.get(pk=recall.pk).capa is None
    response = client.post(
        url, {"capa": ours.number, "reason": "根本原因"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"number": recall.number, "capa": ours.number, "capa_title": "管路"}
    assert Recall.objects.get(pk=recall.pk).capa == ours
    response = client.get(f"{API}/{recall.number}/drill-report")
    assert response.status_code == 404 and "not a drill" in response.json()["error"]["message"]
    recalls.cancel(recall, by=qa_a, reason="误报")
    response = client.post(url, {"capa": ours.number}, content_type="application/json")
    assert response.status_code == 409


def test_the_openapi_document_lists_the_endpoints(client, qa_a):
    client.force_login(qa_a)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("effectiveness", "drill-report", "capa"):
        assert f"/api/v1/recalls/{{ref}}/{path}" in paths
    responses = paths["/api/v1/recalls/{ref}/capa"]["post"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(responses)
