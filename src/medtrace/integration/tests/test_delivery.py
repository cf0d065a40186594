from datetime import timedelta

import pytest
from django.utils import timezone

from medtrace.integration import delivery as sending
from medtrace.integration import services
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import Delivery
from medtrace.partners.models import Supplier
from medtrace.partners.services.suppliers import create_supplier
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests.test_recording import receipt, shipping

pytestmark = pytest.mark.django_db


def publish(organization, admin_a, count=1):
    """Create `count` suppliers: each creation is a published change."""
    for _number in range(count):
        code = f"S{Supplier.objects.count() + 1}"
        create_supplier(organization=organization, code=code, name="供应商", by=admin_a)


def test_a_delivery_is_posted_signed_and_logged(organization, admin_a, webhook, receiver):
    publish(organization, admin_a)
    assert sending.deliver_due("w1") == 1
    [received] = receiver.requests
    assert receiver.verified(webhook.secret)
    delivery = Delivery.objects.get()
    assert received.message_id == str(delivery.message.message_id)
    assert received.headers["medtrace-event"] == "partners.supplier.create"
    assert received.headers["medtrace-sequence"] == "1"
    assert received.json["type"] == "partners.supplier.create"
    assert received.json["sequence"] == 1
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at
    [attempt] = delivery.attempts_made.all()
    assert (attempt.number, attempt.status_code, attempt.worker) == (1, 200, "w1")
    assert attempt.response_excerpt == "answer 200"
    webhook.refresh_from_db()
    assert webhook.last_delivered_at == delivery.delivered_at


def test_a_wrong_secret_fails_verification(organization, admin_a, webhook, receiver):
    publish(organization, admin_a)
    sending.deliver_due("w1")
    assert not receiver.verified("whsec_" + "A" * 32)


def test_failures_back_off_then_become_a_dead_letter(
    organization, admin_a, webhook, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 503, 502]
    publish(organization, admin_a)
    sending.deliver_due("w1")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code == 500
    waited = delivery.next_attempt_at - delivery.attempts_made.get().finished_at
    assert waited == timedelta(seconds=10)
    assert sending.deliver_due("w1") == 0  # not due yet
    later = timezone.now() + timedelta(seconds=11)
    sending.deliver_due("w1", now=later)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.RETRYING
    sending.deliver_due("w1", now=later + timedelta(seconds=21))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD and delivery.last_error == "HTTP 502"
    assert list(delivery.attempts_made.values_list("status_code", flat=True)) == [500, 503, 502]
    # A dead letter stays until someone sends it again.
    assert sending.deliver_due("w1", now=later + timedelta(days=1)) == 0
    services.redeliver(delivery, by=admin_a)
    assert sending.deliver_due("w1") == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts_made.count() == 4 and len(receiver.requests) == 4
    assert len(receiver.unique_ids()) == 1


def test_an_unreachable_receiver_is_recorded_as_such(organization, admin_a, site_a, receiver):
    receiver.server.shutdown()
    receiver.server.server_close()
    services.create_subscription(
        organization=organization,
        name="Gone",
        url=receiver.url,
        topics=["partners.supplier"],
        sites=[site_a],
        by=admin_a,
    )
    publish(organization, admin_a)
    sending.deliver_due("w1")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error


def test_a_delivery_left_sending_by_a_vanished_worker_is_sent_again(
    organization, admin_a, webhook, receiver, settings
):
    publish(organization, admin_a)
    claimed = sending.claim_next("dead-worker")
    assert claimed.status == DeliveryStatus.SENDING
    # Another worker does not touch it while it may still be in flight...
    assert sending.deliver_due("w2") == 0
    # ...but once it is older than the stale limit, it goes back to the queue.
    later = timezone.now() + timedelta(seconds=settings.WEBHOOK_STALE_SECONDS + 1)
    assert sending.recover_stale(now=later) == 1
    assert sending.deliver_due("w2", now=later) == 1
    claimed.refresh_from_db()
    assert claimed.status == DeliveryStatus.DELIVERED and receiver.unique_ids()


def test_two_workers_never_claim_the_same_delivery(organization, admin_a, webhook):
    publish(organization, admin_a, count=2)
    first, second = sending.claim_next("w1"), sending.claim_next("w2")
    assert {first.pk, second.pk} == set(Delivery.objects.values_list("pk", flat=True))
    assert sending.claim_next("w3") is None


def test_an_inactive_subscription_keeps_its_queue_until_switched_on(
    organization, admin_a, webhook, receiver
):
    services.set_active(webhook, active=False, by=admin_a, reason="receiver maintenance")
    services.set_active(webhook, active=True, by=admin_a)
    services.set_active(webhook, active=False, by=admin_a)
    publish(organization, admin_a)
    assert not Delivery.objects.exists()  # nothing queued while off
    services.set_active(webhook, active=True, by=admin_a)
    publish(organization, admin_a)
    services.set_active(webhook, active=False, by=admin_a)
    assert sending.deliver_due("w1") == 0
    services.set_active(webhook, active=True, by=admin_a)
    assert sending.deliver_due("w1") == 1 and len(receiver.requests) == 1


def test_an_epcis_subscription_gets_query_documents_signed_for_gs1(
    organization, site_a, admin_a, receiver
):
    from medtrace.epcis import schema

    query = services.create_query(
        organization=organization, name="shipped", parameters={"EQ_bizStep": "shipping"}, by=admin_a
    )
    subscription = services.create_subscription(
        organization=organization,
        name="Distributor",
        url=receiver.url,
        topics=[],
        query=query,
        sites=[site_a],
        secret="13df38d8275b13f05704629e5f1cf3d45d6132d5",
        by=admin_a,
    )
    record_events(
        [receipt(), shipping()], organization=organization, site=site_a, create_missing=True
    )
    assert sending.deliver_due("w1") == 1
    [received] = receiver.requests
    assert received.headers["gs1-signature"] == received.headers["webhook-signature"]
    assert receiver.verified(subscription.secret)
    document = received.json
    assert document["type"] == "EPCISQueryDocument"
    results = document["epcisBody"]["queryResults"]
    assert results["queryName"] == "shipped"
    assert results["subscriptionID"] == str(subscription.public_id)
    [event] = results["resultsBody"]["eventList"]
    assert event["bizStep"] == "shipping"
    assert schema.errors(document) == []


def test_pruning_keeps_dead_letters_and_what_still_waits(
    organization, admin_a, site_a, webhook, receiver, settings
):
    from medtrace.integration import selectors
    from medtrace.integration.models import DeliveryAttempt, OutboxMessage

    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [200, 500]
    publish(organization, admin_a, count=3)
    sending.deliver_due("w1")  # #1 delivered, #2 dead, #3 delivered
    feed = services.create_subscription(
        organization=organization,
        name="Feed",
        url="",
        topics=["partners.supplier"],
        sites=[site_a],
        by=admin_a,
    )
    publish(organization, admin_a)  # #4 to the webhook (pending) and to the feed
    assert selectors.prune(now=timezone.now() + timedelta(days=29)) == 0
    deleted = selectors.prune(now=timezone.now() + timedelta(days=31))
    assert deleted == 2  # the two delivered messages, with their attempts
    left = sorted(webhook.deliveries.values_list("sequence", "status"))
    assert left == [(2, DeliveryStatus.DEAD), (4, DeliveryStatus.PENDING)]
    assert feed.deliveries.count() == 1 and OutboxMessage.objects.count() == 2
    assert DeliveryAttempt.objects.count() == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/hook", "data:,x"])
def test_only_http_addresses_are_opened(url):
    assert sending._post(url, b"{}", {}) == (
        None,
        "",
        "ValueError: not an http:// or https:// address",
    )


def test_a_redirect_away_from_http_is_not_followed():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1:9/hook")  # urllib would follow it
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host, port = server.server_address[:2]
        status, _excerpt, error = sending._post(f"http://{host}:{port}/hook", b"{}", {})
    finally:
        server.shutdown()
        server.server_close()
    assert (status, error) == (302, "")
