import pytest

from medtrace.accounts.services import create_api_token
from medtrace.integration import delivery as sending
from medtrace.integration.models import Subscription
from medtrace.integration.tests.test_delivery import publish
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests.test_recording import making, receipt, shipping

pytestmark = pytest.mark.django_db
BASE = "/api/v1/integration"


def test_topics_list_every_published_record_and_epcis(client, admin_a):
    client.force_login(admin_a)
    codes = [topic["code"] for topic in client.get(f"{BASE}/topics").json()]
    assert codes[0] == "epcis.event"
    assert {"quality.nonconformance", "recall.recall", "trace.lot"} <= set(codes)


def test_create_change_and_switch_a_webhook(client, admin_a, site_a, receiver):
    client.force_login(admin_a)
    created = client.post(
        f"{BASE}/subscriptions",
        {"name": "ERP", "url": receiver.url, "topics": ["trace.lot"], "sites": [site_a.code]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["sites"] == [site_a.code]
    shown = client.get(f"{BASE}/subscriptions/{body['id']}").json()
    assert "secret" not in shown and shown["secret_hint"] == body["secret_hint"]
    changed = client.put(
        f"{BASE}/subscriptions/{body['id']}",
        {"name": "ERP 2", "url": "", "topics": ["recall.recall"], "sites": [site_a.code]},
        content_type="application/json",
    ).json()
    assert changed["is_feed"] and changed["topics"] == ["recall.recall"]
    off = client.post(
        f"{BASE}/subscriptions/{body['id']}/deactivate",
        {"reason": "moving"},
        content_type="application/json",
    )
    assert off.status_code == 200 and not off.json()["is_active"]
    again = client.post(
        f"{BASE}/subscriptions/{body['id']}/deactivate", {}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    on = client.post(
        f"{BASE}/subscriptions/{body['id']}/activate", {}, content_type="application/json"
    )
    assert on.status_code == 200 and on.json()["is_active"]
    rotated = client.post(f"{BASE}/subscriptions/{body['id']}/rotate-secret").json()
    assert rotated["secret"] != body["secret"]


def test_refusals_name_the_field(client, admin_a, site_a, site_b):
    client.force_login(admin_a)

    def create(**fields):
        payload = {"name": "x", "url": "https://e.example/h", "topics": ["trace.lot"]}
        payload |= {"sites": [site_a.code]} | fields
        return client.post(f"{BASE}/subscriptions", payload, content_type="application/json")

    bad_topic = create(topics=["trace.nothing"])
    assert bad_topic.status_code == 422
    assert "topics" in bad_topic.json()["error"]["details"]["fields"]
    assert create(url="javascript:alert(1)").status_code == 422
    assert create(sites=[]).status_code == 422
    assert create(sites=["NOPE"]).status_code == 404
    other_site = create(sites=[site_b.code])
    assert other_site.status_code == 403
    assert other_site.json()["error"]["code"] == "site_not_allowed"
    assert not Subscription.objects.exists()


def test_deliveries_and_redelivery(client, admin_a, organization, webhook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [410]
    publish(organization, admin_a)
    sending.deliver_due("w1")
    client.force_login(admin_a)
    listed = client.get(f"{BASE}/subscriptions/{webhook.pk}/deliveries", {"status": "dead"}).json()
    assert listed["count"] == 1 and listed["items"][0]["last_status_code"] == 410
    one = client.get(f"{BASE}/subscriptions/{webhook.pk}/deliveries/1").json()
    assert one["attempt_log"][0]["response_excerpt"] == "answer 410"
    assert one["payload"]["type"] == "partners.supplier.create"
    again = client.post(f"{BASE}/subscriptions/{webhook.pk}/deliveries/1/redeliver")
    assert again.status_code == 200 and again.json()["status"] == "pending"
    twice = client.post(f"{BASE}/subscriptions/{webhook.pk}/deliveries/1/redeliver")
    assert twice.status_code == 409
    assert client.get(f"{BASE}/subscriptions/{webhook.pk}/deliveries/9").status_code == 404


def test_a_feed_is_read_by_cursor_without_gaps(client, admin_a, organization, site_a):
    client.force_login(admin_a)
    feed = client.post(
        f"{BASE}/subscriptions",
        {"name": "Feed", "url": "", "topics": ["epcis.event"], "sites": [site_a.code]},
        content_type="application/json",
    ).json()
    record_events(
        [receipt(), making()], organization=organization, site=site_a, create_missing=True
    )
    first = client.get(f"{BASE}/subscriptions/{feed['id']}/feed", {"limit": 1}).json()
    assert [item["sequence"] for item in first["items"]] == [1] and first["next_after"] == 1
    record_events([shipping()], organization=organization, site=site_a, create_missing=True)
    rest = client.get(f"{BASE}/subscriptions/{feed['id']}/feed", {"after": 1}).json()
    assert [item["sequence"] for item in rest["items"]] == [2, 3]
    assert rest["items"][-1]["body"]["event"]["bizStep"] == "shipping"
    empty = client.get(f"{BASE}/subscriptions/{feed['id']}/feed", {"after": 3}).json()
    assert empty["items"] == [] and empty["next_after"] == 3
    assert client.get(f"{BASE}/subscriptions/{feed['id']}/feed", {"after": -1}).status_code == 422


def test_other_sites_and_read_only_tokens(client, admin_a, site_a, site_b, make_user, webhook):
    admin_b = make_user("admin-b", (site_b, "system_admin"))
    client.force_login(admin_b)
    assert client.get(f"{BASE}/subscriptions").json()["count"] == 0
    assert client.get(f"{BASE}/subscriptions/{webhook.pk}").status_code == 404
    assert client.get(f"{BASE}/subscriptions/{webhook.pk}/feed").status_code == 404
    client.logout()
    _token, secret = create_api_token(
        user=admin_a, name="ro", sites=[site_a], can_write=False, expires_in_days=1, by=admin_a
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(f"{BASE}/subscriptions/{webhook.pk}", **auth).status_code == 200
    refused = client.post(f"{BASE}/subscriptions/{webhook.pk}/rotate-secret", **auth)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "token_read_only"


EPCIS = "/api/v1/epcis"


def test_epcis_named_queries_and_streaming_subscriptions(
    client, admin_a, organization, site_a, receiver
):
    client.force_login(admin_a)
    created = client.post(
        f"{EPCIS}/queries",
        {"name": "shipped", "query": {"EQ_bizStep": "shipping"}},
        content_type="application/json",
    )
    assert created.status_code == 201 and created["Location"].endswith("/queries/shipped")
    duplicate = client.post(
        f"{EPCIS}/queries", {"name": "shipped", "query": {}}, content_type="application/json"
    )
    assert duplicate.status_code == 409
    unsupported = client.post(
        f"{EPCIS}/queries",
        {"name": "x", "query": {"EQ_colour": "red"}},
        content_type="application/json",
    )
    assert unsupported.status_code == 422 and "EQ_colour" in unsupported.json()["error"]["message"]
    assert [q["name"] for q in client.get(f"{EPCIS}/queries").json()] == ["shipped"]
    one = client.get(f"{EPCIS}/queries/shipped").json()
    assert one["query"] == {"EQ_bizStep": "shipping"} and one["active"]
    no_dest = client.post(
        f"{EPCIS}/queries/shipped/subscriptions",
        {"dest": " ", "stream": True},
        content_type="application/json",
    )
    assert no_dest.status_code == 422 and "dest" in no_dest.json()["error"]["details"]["fields"]
    backfill = client.post(
        f"{EPCIS}/queries/shipped/subscriptions",
        {"dest": receiver.url, "stream": True, "initialRecordTime": "2026-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert backfill.status_code == 422

    scheduled = client.post(
        f"{EPCIS}/queries/shipped/subscriptions",
        {"dest": receiver.url, "schedule": {"hour": "1"}},
        content_type="application/json",
    )
    assert scheduled.status_code == 422
    subscribed = client.post(
        f"{EPCIS}/queries/shipped/subscriptions",
        {
            "dest": receiver.url,
            "signatureToken": "13df38d8275b13f05704629e5f1cf3d4",
            "stream": True,
        },
        content_type="application/json",
    )
    assert subscribed.status_code == 201
    subscription_id = subscribed.json()["subscriptionID"]
    assert subscribed["Location"].endswith(f"/subscriptions/{subscription_id}")
    record_events(
        [receipt(), making(), shipping()],
        organization=organization,
        site=site_a,
        create_missing=True,
    )
    sending.deliver_due("w1")
    [received] = receiver.requests
    assert received.json["epcisBody"]["queryResults"]["subscriptionID"] == subscription_id
    assert receiver.verified("13df38d8275b13f05704629e5f1cf3d4")

    results = client.get(f"{EPCIS}/queries/shipped/events").json()
    assert results["epcisBody"]["queryResults"]["queryName"] == "shipped"
    assert len(results["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1
    detail = client.get(f"{EPCIS}/queries/shipped/subscriptions/{subscription_id}").json()
    assert detail["dest"] == receiver.url and detail["lastNotifiedAt"]
    gone = client.delete(f"{EPCIS}/queries/shipped/subscriptions/{subscription_id}")
    assert gone.status_code == 204
    assert client.get(f"{EPCIS}/queries/shipped/subscriptions").json() == []
    assert client.delete(f"{EPCIS}/queries/shipped").status_code == 204
    assert client.get(f"{EPCIS}/queries/shipped").status_code == 404
