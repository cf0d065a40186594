import pytest

from medtrace.audit.models import AuditEntry
from medtrace.integration import delivery as sending
from medtrace.integration import services
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import EpcisQuery, Subscription
from medtrace.integration.tests.test_delivery import publish

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_then_only_its_hint(client, admin_a, site_a, receiver):
    client.force_login(admin_a)
    page = client.get("/integration/new/")
    assert page.status_code == 200 and "trace.lot" in page.content.decode()
    response = client.post(
        "/integration/new/",
        {
            "name": "ERP",
            "url": receiver.url,
            "topics": ["quality.nonconformance", "epcis.event"],
            "sites": [site_a.pk],
        },
    )
    subscription = Subscription.objects.get()
    assert response.status_code == 302
    assert response.url == f"/integration/{subscription.pk}/"
    first = client.get(response.url).content.decode()
    assert subscription.secret in first and "not shown again" in first
    second = client.get(response.url).content.decode()
    assert subscription.secret not in second and subscription.secret_hint in second
    entry = AuditEntry.objects.get(object_type="integration.subscription")
    assert "secret" not in entry.changes and entry.changes["sites"] == [None, [site_a.code]]


def test_a_refused_form_names_the_rule_and_saves_nothing(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/integration/new/",
        {"name": "Bad", "url": "ftp://example.com/x", "topics": [], "sites": [site_a.pk]},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "http:// or https://" in body
    assert not Subscription.objects.exists()
    response = client.post("/integration/new/", {"name": "Bad", "url": "", "sites": [site_a.pk]})
    assert "Choose at least one kind of event" in response.content.decode()


def test_deliveries_attempts_and_sending_again(
    client, admin_a, organization, webhook, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500]
    publish(organization, admin_a)
    sending.deliver_due("w1")
    client.force_login(admin_a)
    detail = client.get(f"/integration/{webhook.pk}/", {"status": "dead"}).content.decode()
    assert "partners.supplier.create" in detail and "Dead letter" in detail
    table = client.get(
        f"/integration/{webhook.pk}/", {"status": "delivered"}, HTTP_HX_REQUEST="true"
    )
    assert "Nothing sent yet" in table.content.decode()
    attempt = client.get(f"/integration/{webhook.pk}/deliveries/1/").content.decode()
    assert "HTTP 500" in attempt and "answer 500" in attempt and "Send again" in attempt
    client.post(f"/integration/{webhook.pk}/deliveries/1/redeliver/")
    sending.deliver_due("w1")
    assert webhook.deliveries.get().status == DeliveryStatus.DELIVERED
    assert client.get(f"/integration/{webhook.pk}/", {"status": "bogus"}).status_code == 404


def test_switch_off_rotate_and_test_message(client, admin_a, webhook, receiver):
    client.force_login(admin_a)
    old_secret = webhook.secret
    client.post(f"/integration/{webhook.pk}/rotate-secret/")
    webhook.refresh_from_db()
    assert webhook.secret != old_secret
    assert webhook.secret in client.get(f"/integration/{webhook.pk}/").content.decode()
    client.post(f"/integration/{webhook.pk}/test/")
    sent = AuditEntry.objects.filter(object_type="integration.delivery").latest("pk")
    assert (sent.action, sent.actor, sent.changes["test"]) == ("create", admin_a, True)
    sending.deliver_due("w1")
    assert receiver.requests[0].json["type"] == "medtrace.ping"
    assert receiver.verified(webhook.secret)
    client.post(f"/integration/{webhook.pk}/activity/", {"active": "0", "reason": "ERP upgrade"})
    webhook.refresh_from_db()
    assert not webhook.is_active
    refused = client.post(f"/integration/{webhook.pk}/test/", follow=True).content.decode()
    assert "inactive" in refused


def test_other_sites_subscriptions_are_out_of_sight(
    client, organization, site_b, make_user, webhook
):
    admin_b = make_user("admin-b", (site_b, "system_admin"))
    client.force_login(admin_b)
    assert webhook.name not in client.get("/integration/").content.decode()
    for path in ("", "edit/", "deliveries/1/"):
        assert client.get(f"/integration/{webhook.pk}/{path}").status_code == 404
    assert client.post(f"/integration/{webhook.pk}/rotate-secret/").status_code == 404


def test_people_without_the_role_are_refused(client, qa_a, webhook):
    client.force_login(qa_a)
    assert client.get("/integration/").status_code == 403
    assert client.get(f"/integration/{webhook.pk}/").status_code == 403


def test_named_queries_are_checked_by_the_epcis_reader(client, admin_a):
    client.force_login(admin_a)
    bad = client.post(
        "/integration/queries/new/", {"name": "odd", "parameters": "EQ_colour=red"}
    ).content.decode()
    assert "EQ_colour" in bad and not EpcisQuery.objects.exists()
    client.post(
        "/integration/queries/new/",
        {"name": "shipped", "parameters": "EQ_bizStep=shipping\neventType=ObjectEvent"},
    )
    query = EpcisQuery.objects.get()
    assert query.parameters == {"EQ_bizStep": "shipping", "eventType": "ObjectEvent"}
    listing = client.get("/integration/queries/").content.decode()
    assert "EQ_bizStep=shipping&amp;eventType=ObjectEvent" in listing
    client.post(f"/integration/queries/{query.pk}/retire/")
    query.refresh_from_db()
    assert not query.is_active


def test_withdrawing_a_query_switches_off_its_subscriptions(organization, site_a, admin_a):
    query = services.create_query(
        organization=organization, name="q", parameters={"EQ_bizStep": "shipping"}, by=admin_a
    )
    subscription = services.create_subscription(
        organization=organization,
        name="s",
        url="",
        topics=[],
        query=query,
        sites=[site_a],
        by=admin_a,
    )
    services.retire_query(query, by=admin_a)
    subscription.refresh_from_db()
    assert not subscription.is_active


def test_editing_changes_events_and_sites_and_is_audited(client, admin_a, site_a, webhook):
    client.force_login(admin_a)
    form = client.get(f"/integration/{webhook.pk}/edit/").content.decode()
    assert webhook.url in form
    response = client.post(
        f"/integration/{webhook.pk}/edit/",
        {"name": "ERP (new)", "url": "", "topics": ["recall.recall"], "sites": [site_a.pk]},
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.is_feed, webhook.topics) == ("ERP (new)", True, ["recall.recall"])
    entry = AuditEntry.objects.filter(object_type="integration.subscription").latest("pk")
    assert entry.action == "change" and entry.changes["topics"][1] == ["recall.recall"]
    refused = client.post(
        f"/integration/{webhook.pk}/edit/",
        {"name": "", "url": "", "topics": ["recall.recall"], "sites": [site_a.pk]},
    )
    assert refused.status_code == 200
    webhook.refresh_from_db()
    assert webhook.name == "ERP (new)"
