"""Sending deliveries: claim one with a conditional UPDATE, POST it signed, record the answer.

At least once: an attempt row is written before the POST, and a delivery whose worker died
mid-POST (it stays `sending`) goes back to the queue once it is older than the stale limit.
The receiver may then see a message twice; it de-duplicates by the `webhook-id` header, which
is the message ID and the same on every attempt. Back-off doubles from 10 s to an hour; after
the last attempt the delivery is a dead letter, kept with every attempt until someone sends it
again."""

import json
import logging
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from medtrace.integration import signing
from medtrace.integration.choices import CLAIMABLE, DeliveryStatus
from medtrace.integration.models import Delivery, DeliveryAttempt, Subscription
from medtrace.jobs.services import retry_delay

logger = logging.getLogger("medtrace.integration")

CLAIM_CANDIDATES = 20
RESPONSE_EXCERPT = 1000
ERROR_LENGTH = 2000
USER_AGENT = "medtrace-webhooks/1"
# Webhooks go to http(s) addresses only. services refuses other URLs, but one stored past it
# (a shell; the model's URLField allows ftp:) would be opened by urllib as it is (file:, ftp:,
# data:), and urllib follows a receiver's redirect to ftp: too: both are refused here.
WEB_SCHEMES = ("http", "https")


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, to http(s) addresses only; any other answers as the redirect."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in WEB_SCHEMES:
            raise urllib.error.HTTPError(
                newurl, code, f"{msg} - redirect to a non-http(s) address refused", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_WebOnlyRedirects)


def deliver_due(worker_id: str, *, stop: threading.Event | None = None, now=None) -> int:
    """Send every delivery that is due; returns how many were attempted."""
    recover_stale(now=now)
    sent = 0
    while stop is None or not stop.is_set():
        delivery = claim_next(worker_id, now=now)
        if delivery is None:
            break
        send(delivery, worker_id=worker_id)
        sent += 1
    return sent


def claim_next(worker_id: str, *, now: datetime | None = None) -> Delivery | None:
    now = now or timezone.now()
    candidates = (
        Delivery.objects.filter(
            status__in=CLAIMABLE, next_attempt_at__lte=now, subscription__is_active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "status")[:CLAIM_CANDIDATES]
    )
    for pk, status in candidates:
        claimed = Delivery.objects.filter(pk=pk, status=status, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        if claimed:
            return Delivery.objects.select_related("subscription__query", "message").get(pk=pk)
    return None


def request_of(delivery: Delivery, *, timestamp: int | None = None) -> tuple[bytes, dict]:
    """The body and headers of a delivery's POST."""
    from medtrace.trace.epcis_query import results_document

    subscription, message = delivery.subscription, delivery.message
    if subscription.is_epcis:
        content = results_document(
            [message.payload["event"]],
            query_name=subscription.query.name,
            subscription_id=str(subscription.public_id),
        )
        content_type = "application/ld+json"
    else:
        content = {**message.payload, "sequence": delivery.sequence}
        content_type = "application/json"
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    headers = signing.headers(
        subscription.secret, str(message.message_id), body, timestamp=timestamp
    )
    if subscription.is_epcis:
        headers["GS1-Signature"] = headers["webhook-signature"]
    headers.update(
        {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            "Medtrace-Event": message.event_type,
            "Medtrace-Sequence": str(delivery.sequence),
            "Medtrace-Subscription": str(subscription.public_id),
        }
    )
    return body, headers


def send(delivery: Delivery, *, worker_id: str) -> Delivery:
    """POST a claimed delivery and record how it went."""
    attempt = DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts_made.count() + 1,
        worker=worker_id,
        started_at=timezone.now(),
    )
    body, headers = request_of(delivery)
    status_code, excerpt, error = _post(delivery.subscription.url, body, headers)
    return _record(delivery, attempt, status_code=status_code, excerpt=excerpt, error=error)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
        return None, "", "ValueError: not an http:// or https:// address"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            return answer.status, _excerpt(answer), ""
    except urllib.error.HTTPError as answer:
        return answer.code, _excerpt(answer), ""
    except (urllib.error.URLError, OSError, ValueError) as failure:
        reason = getattr(failure, "reason", failure)
        return None, "", f"{type(failure).__name__}: {reason}"[:ERROR_LENGTH]


def _excerpt(answer) -> str:
    try:
        return answer.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
    except OSError:
        return ""


@transaction.atomic
def _record(delivery, attempt, *, status_code, excerpt, error) -> Delivery:
    now = timezone.now()
    attempt.finished_at = now
    attempt.status_code = status_code
    attempt.response_excerpt = excerpt
    attempt.error = error
    attempt.save(update_fields=["finished_at", "status_code", "response_excerpt", "error"])
    succeeded = status_code is not None and 200 <= status_code < 300
    if succeeded:
        changes = {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "last_error": ""}
    else:
        problem = error or f"HTTP {status_code}"
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            changes = {"status": DeliveryStatus.DEAD, "last_error": problem}
        else:
            changes = {
                "status": DeliveryStatus.RETRYING,
                "next_attempt_at": now + retry_delay(delivery.attempts),
                "last_error": problem,
            }
    ours = Delivery.objects.filter(
        pk=delivery.pk,
        status=DeliveryStatus.SENDING,
        claimed_by=delivery.claimed_by,
        attempts=delivery.attempts,
    )
    if ours.update(last_status_code=status_code, **changes) and succeeded:
        Subscription.objects.filter(pk=delivery.subscription_id).update(last_delivered_at=now)
    # A failure is news to whoever reads the worker's log; a success is not.
    logger.log(
        logging.DEBUG if succeeded else logging.INFO,
        "delivery %s #%s attempt %s: %s",
        delivery.subscription_id,
        delivery.sequence,
        delivery.attempts,
        status_code or error,
    )
    return Delivery.objects.get(pk=delivery.pk)


def recover_stale(*, now: datetime | None = None) -> int:
    """Send again the deliveries whose worker stopped mid-POST (killed, lost its machine)."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.WEBHOOK_STALE_SECONDS)
    recovered = 0
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=limit)
    for delivery in stale.order_by("pk"):
        with transaction.atomic():
            dead = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
            problem = f"worker {delivery.claimed_by} stopped before the receiver answered"
            moved = Delivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
            ).update(
                status=DeliveryStatus.DEAD if dead else DeliveryStatus.RETRYING,
                next_attempt_at=now,
                last_error=problem,
            )
            if moved:
                DeliveryAttempt.objects.filter(delivery=delivery, finished_at__isnull=True).update(
                    finished_at=now, error=problem
                )
                recovered += 1
    return recovered
