"""Lot risk signals on the demo plant: the lot genealogy they walk is the forward trace and its
inverse; a finding counts on its lot and, once, on every lot made from it, a complaint on the
sibling lots; the demo's real records give every kind of signal; the list, the lot's page, its
panel on the trace page, the CSV and the API agree; readers see their sites only."""

import csv
import io
from datetime import date

import pytest

from conftest import PASSWORD
from medtrace.accounts.services import create_api_token, create_user
from medtrace.analytics import risk, risk_store
from medtrace.analytics.choices import ASSESS_RISK
from medtrace.audit.models import AuditEntry
from medtrace.jobs import services as job_services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.org.middleware import SESSION_KEY
from medtrace.trace.engine import trace_forward
from medtrace.trace.lineage import lots_downstream, lots_upstream
from medtrace.trace.models import Lot

pytestmark = pytest.mark.django_db

LIST, API = "/analytics/risk/", "/api/v1/analytics/risk/lots"


def test_downstream_is_the_forward_trace_and_upstream_its_inverse(demo_plant):
    lots = list(Lot.objects.all())
    down = lots_downstream([lot.pk for lot in lots])
    up = lots_upstream([lot.pk for lot in lots])
    for lot in lots:
        assert down.get(lot.pk, set()) == {found.pk for found in trace_forward(lot).lots}, lot
    pairs_down = {(source, lot) for source, made in down.items() for lot in made}
    pairs_up = {(source, lot) for lot, sources in up.items() for source in sources}
    assert pairs_down == pairs_up and len(pairs_down) > 100


def _made_from(demo_plant):
    """A received lot, every lot made from it, and one of those with the same chain."""
    down = lots_downstream(Lot.objects.filter(origin="received").values_list("pk", flat=True))
    raw_id, made = max(down.items(), key=lambda pair: len(pair[1]))
    return Lot.objects.get(pk=raw_id), made


def test_a_finding_counts_on_its_lot_and_once_on_every_lot_made_from_it(demo_plant, monkeypatch):
    raw, made = _made_from(demo_plant)
    product = Lot.objects.get(pk=min(made))
    ncr = risk.Finding(risk.RULES["open_ncr"], raw.pk, "NCR-T-1", "", "/ncr/1/")
    deviation = risk.RULES["open_deviation"]
    # One deviation naming the raw lot and the product: on the product it counts once, direct.
    on_raw = risk.Finding(deviation, raw.pk, "DEV-T-1", "", "/dev/1/")
    on_product = risk.Finding(deviation, product.pk, "DEV-T-1", "", "/dev/1/")
    monkeypatch.setattr(
        risk, "findings", lambda user, today, on_lots=None: [ncr, on_raw, on_product]
    )

    found = {row.lot.pk: row for row in risk.assess(demo_plant.users["qa"], date.today())}
    assert set(found) == {raw.pk, *made}
    assert (found[raw.pk].score, found[raw.pk].level) == (6, "high")
    signals = {s.finding.record: (s.weight, s.via) for s in found[product.pk].signals}
    assert signals == {"NCR-T-1": (2, raw), "DEV-T-1": (3, None)}
    assert found[product.pk].level == "medium"
    for lot_id in made - {product.pk}:
        assert found[lot_id].score == 4 and {s.via for s in found[lot_id].signals} == {raw}
    ordered = [row.score for row in risk.assess(demo_plant.users["qa"], date.today())]
    assert ordered == sorted(ordered, reverse=True)


def test_a_complaint_counts_on_the_lots_of_its_device_made_from_the_same_material(
    demo_plant, monkeypatch
):
    down = lots_downstream(Lot.objects.values_list("pk", flat=True))
    # Not a lot number: the demo numbers its lots by the day it is built (in the plant's zone).
    infusion_sets = set(Lot.objects.filter(item__code="IS-2001").values_list("pk", flat=True))

    def same_material(lot_id):
        return {other for made in down.values() if lot_id in made for other in made} - {lot_id}

    most = max(sorted(infusion_sets), key=lambda pk: len(same_material(pk) & infusion_sets))
    complained = Lot.objects.get(pk=most)
    # By definition: same device, and some lot has both among the lots made from it.
    expected = {
        lot_id
        for made in down.values()
        if complained.pk in made
        for lot_id in made
        if lot_id != complained.pk
    }
    expected = set(
        Lot.objects.filter(pk__in=expected, item=complained.item).values_list("pk", flat=True)
    )
    assert expected
    finding = risk.Finding(risk.RULES["complaint"], complained.pk, "CMP-T-1", "", "/cmp/1/")
    monkeypatch.setattr(risk, "findings", lambda user, today, on_lots=None: [finding])

    found = {row.lot.pk: row for row in risk.assess(demo_plant.users["qa"], date.today())}
    assert set(found) == {complained.pk, *expected}
    assert found[complained.pk].score == 2
    assert all(found[lot_id].signals[0].via == complained for lot_id in expected)
    assert all(found[lot_id].score == 1 for lot_id in expected)


def test_the_demo_records_give_each_kind_of_signal_and_each_comes_from_where_it_says(
    demo_plant,
):
    rows = risk.assess(demo_plant.users["qa"], date.today())
    kinds = {signal.finding.rule.code for row in rows for signal in row.signals}
    expected = {"open_ncr", "open_deviation", "calibration_open", "supplier_conditional"}
    assert expected | {"complaint"} <= kinds
    up = lots_upstream([row.lot.pk for row in rows])
    for row in rows:
        assert row.score == sum(signal.weight for signal in row.signals)
        for signal in row.signals:
            if signal.via is None:
                assert signal.finding.source_id == row.lot.pk
            elif signal.finding.rule.code != "complaint":
                assert signal.via.pk == signal.finding.source_id in up[row.lot.pk]


def test_the_list_the_lot_page_its_panel_the_csv_and_the_api_agree(client, demo_plant):
    client.force_login(demo_plant.users["qa"])
    page = client.get(LIST)
    listed = page.context["page"].paginator.count
    api = client.get(API).json()
    assert listed == len(api) > 0
    top = api[0]
    assert top["score"] == sum(signal["weight"] for signal in top["signals"])

    high = client.get(LIST, {"level": "high"}).context["page"].paginator.count
    assert high == len(client.get(API, {"level": "high"}).json())
    assert high == sum(1 for row in api if row["level"] == "high")

    lot_page = client.get(f"/analytics/risk/lots/{top['lot_id']}/").content.decode()
    for signal in top["signals"]:
        assert f'href="{signal["url"]}"' in lot_page
    assert 'id="risk-rules"' in lot_page
    trace_page = client.get(f"/trace/objects/{top['lot_id']}/").content.decode()
    assert f'hx-get="/analytics/risk/lots/{top["lot_id"]}/panel/"' in trace_page
    panel = client.get(f"/analytics/risk/lots/{top['lot_id']}/panel/").content.decode()
    assert f'data-level="{top["level"]}"' in panel
    assert client.get(f"{API}/{top['lot_id']}").json() == top

    rows = list(csv.reader(io.StringIO(client.get(LIST, {"format": "csv"}).content.decode())))
    assert len(rows) == listed + 1 and rows[1][1] == top["lot"]


def test_a_lot_without_signals_says_so_and_a_bad_level_is_refused(client, demo_plant):
    client.force_login(demo_plant.users["qa"])
    at_risk = {row["lot_id"] for row in client.get(API).json()}
    calm = Lot.objects.exclude(pk__in=at_risk).first()
    assert client.get(f"{API}/{calm.pk}").json()["signals"] == []
    assert "No risk signal" in client.get(f"/analytics/risk/lots/{calm.pk}/").content.decode()
    assert client.get(API, {"level": "bogus"}).status_code == 422


def test_readers_see_the_lots_of_their_sites_and_others_are_refused(client, demo_plant):
    client.force_login(demo_plant.users["sz-qa"])
    sites = {row["site"] for row in client.get(API).json()}
    assert sites <= {"SZ02"}
    sz01_lot = Lot.objects.filter(site__code="SZ01").first()
    assert client.get(f"{API}/{sz01_lot.pk}").status_code == 404
    assert client.get(f"/analytics/risk/lots/{sz01_lot.pk}/").status_code == 404

    qa = demo_plant.users["qa"]
    client.force_login(qa)
    session = client.session
    session[SESSION_KEY] = demo_plant.sites["SZ02"].pk
    session.save()
    assert {row.lot.site.code for row in client.get(LIST).context["page"].object_list} <= {"SZ02"}

    nobody = create_user(
        organization=demo_plant.organization, username="no-roles", password=PASSWORD
    )
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.get(API).status_code == 403


def test_one_lot_read_alone_has_the_signals_the_whole_list_gives_it(demo_plant):
    qa, today = demo_plant.users["qa"], date.today()

    def signals(row):
        return sorted((s.finding.record, s.weight, s.via and s.via.pk) for s in row.signals)

    everything = {row.lot.pk: signals(row) for row in risk.assess(qa, today)}
    for lot in Lot.objects.all():
        assert signals(risk.of_lot(qa, lot.pk, today)) == everything.get(lot.pk, []), lot


def test_the_api_queues_the_assessment_as_the_page_does(client, qa_a, organization):
    client.force_login(qa_a)
    response = client.post("/api/v1/analytics/risk/assess")
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(name=ASSESS_RISK)
    assert body["id"] == job.pk and body["name"] == ASSESS_RISK
    assert body["status"] == JobStatus.QUEUED and body["started_at"] is None
    assert (job.created_by, job.organization) == (qa_a, organization)
    entry = AuditEntry.objects.get(object_type="jobs.job", object_id=job.pk)
    assert entry.action == "create" and entry.changes == {"name": [None, ASSESS_RISK]}
    assert client.post("/api/v1/analytics/risk/assess").json()["id"] == job.pk
    assert Job.objects.filter(name=ASSESS_RISK).count() == 1
    assert risk_store.last_assessment(organization.pk) is None
    done = job_services.run_claimed(job_services.claim_next("test-worker"))
    assert done.status == JobStatus.SUCCEEDED
    assert risk_store.last_assessment(organization.pk) is not None


def test_the_api_assessment_is_refused_without_the_role_or_with_a_read_only_token(
    client, make_user, qa_a, site_a
):
    client.force_login(make_user("no-roles"))
    refused = client.post("/api/v1/analytics/risk/assess")
    assert refused.status_code == 403
    assert risk.PERM in refused.json()["error"]["message"]
    client.logout()
    _token, secret = create_api_token(
        user=qa_a, name="ro", sites=[site_a], can_write=False, expires_in_days=1, by=qa_a
    )
    refused = client.post(
        "/api/v1/analytics/risk/assess", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "token_read_only"
    assert not Job.objects.exists()
    assert not AuditEntry.objects.filter(object_type="jobs.job").exists()
