"""Subscriptions and EPCIS named queries: create, change, switch on and off, rotate the secret,
send a delivery again. Every write is audited; the signing secret never enters the trail."""

import re
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.integration import outbox, signing
from medtrace.integration.choices import REDELIVERABLE, DeliveryStatus
from medtrace.integration.models import Delivery, EpcisQuery, OutboxMessage, Subscription
from medtrace.integration.topics import is_known
from medtrace.org.access import site_ids_with_perm
from medtrace.org.models import Site

QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")
PING = "medtrace.ping"
MIN_SECRET_LENGTH = 16


def _invalid(field: str, message) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, fields={field: [str(message)]})


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("Give the subscription a name."))
    if len(name) > Subscription._meta.get_field("name").max_length:
        raise _invalid("name", _("The name is longer than 100 characters."))
    return name


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid("url", _("The address must be an http:// or https:// URL with a host."))
    if len(url) > Subscription._meta.get_field("url").max_length:
        raise _invalid("url", _("The address is longer than 500 characters."))
    return url


def _checked_topics(topics, query) -> list[str]:
    topics = sorted({str(topic).strip() for topic in topics or () if str(topic).strip()})
    unknown = [topic for topic in topics if not is_known(topic)]
    if unknown:
        raise _invalid("topics", _("Unknown events: %(topics)s.") % {"topics": ", ".join(unknown)})
    if not topics and query is None:
        raise _invalid("topics", _("Choose at least one kind of event to subscribe to."))
    return topics


def _checked_sites(sites, *, organization, by, perm: str) -> list[Site]:
    sites = list(sites or ())
    if not sites:
        raise _invalid("sites", _("Choose at least one site whose events are sent."))
    allowed = site_ids_with_perm(by, perm)
    refused = [
        site.code
        for site in sites
        if site.organization_id != organization.pk or site.pk not in allowed
    ]
    if refused:
        raise DomainError(
            ErrorCode.SITE_NOT_ALLOWED,
            _("You may not manage subscriptions of site %(sites)s.")
            % {"sites": ", ".join(refused)},
            fields={"sites": [str(_("Not one of your sites."))]},
        )
    return sorted(sites, key=lambda site: site.pk)


def _checked_secret(secret: str | None) -> str:
    if secret is None or not secret.strip():
        return signing.new_secret()
    secret = secret.strip()
    if not MIN_SECRET_LENGTH <= len(secret) <= Subscription._meta.get_field("secret").max_length:
        raise _invalid(
            "secret",
            _("A signing secret has from %(min)s to 128 characters.") % {"min": MIN_SECRET_LENGTH},
        )
    return secret


def _shown(subscription: Subscription) -> dict:
    return {
        **audit.snapshot(subscription),
        "sites": sorted(subscription.sites.values_list("code", flat=True)),
    }


@transaction.atomic
def create_subscription(
    *,
    organization,
    name: str,
    url: str,
    topics,
    sites,
    by,
    query: EpcisQuery | None = None,
    secret: str | None = None,
) -> Subscription:
    """A new subscription; its secret (generated unless given) is on the returned object."""
    subscription = Subscription(
        organization=organization,
        name=_checked_name(name),
        url=_checked_url(url),
        topics=_checked_topics(topics, query),
        query=query,
        secret=_checked_secret(secret),
        created_by=by,
    )
    chosen = _checked_sites(
        sites, organization=organization, by=by, perm="integration.add_subscription"
    )
    subscription.save()
    subscription.sites.set(chosen)
    audit.record(
        AuditAction.CREATE,
        subscription,
        by=by,
        changes={name: [None, value] for name, value in _shown(subscription).items() if value},
        site_id=chosen[0].pk if len(chosen) == 1 else None,
    )
    return subscription


@transaction.atomic
def change_subscription(
    subscription: Subscription, *, name: str, url: str, topics, sites, by
) -> Subscription:
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    before = _shown(subscription)
    subscription.name = _checked_name(name)
    subscription.url = _checked_url(url)
    subscription.topics = _checked_topics(topics, subscription.query)
    chosen = _checked_sites(
        sites, organization=subscription.organization, by=by, perm="integration.change_subscription"
    )
    subscription.save(update_fields=["name", "url", "topics"])
    subscription.sites.set(chosen)
    changes = audit.diff(before, _shown(subscription))
    if changes:
        audit.record(AuditAction.CHANGE, subscription, by=by, changes=changes)
    return subscription


@transaction.atomic
def set_active(subscription: Subscription, *, active: bool, by, reason: str = "") -> Subscription:
    """Switch a subscription on or off. Off, nothing new is queued for it and nothing queued is
    sent; on again, what was queued before is sent."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.is_active == active:
        state = _("active") if active else _("inactive")
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Subscription %(name)s is already %(state)s.")
            % {"name": subscription.name, "state": state},
        )
    subscription.is_active = active
    subscription.save(update_fields=["is_active"])
    audit.record(
        AuditAction.TRANSITION,
        subscription,
        by=by,
        changes={"is_active": [not active, active]},
        reason=reason,
    )
    return subscription


@transaction.atomic
def rotate_secret(subscription: Subscription, *, by) -> Subscription:
    """A new signing secret, in force for every delivery sent from now on."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    old_hint = subscription.secret_hint
    subscription.secret = signing.new_secret()
    subscription.save(update_fields=["secret"])
    audit.record(
        AuditAction.CHANGE,
        subscription,
        by=by,
        changes={"secret": [old_hint, subscription.secret_hint]},
    )
    return subscription


@transaction.atomic
def redeliver(delivery: Delivery, *, by) -> Delivery:
    """Send a delivery again, at once and with a fresh set of attempts (a dead letter after the
    receiver was fixed, or a delivered one the receiver lost)."""
    delivery = (
        Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    )
    if delivery.status not in REDELIVERABLE:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _(
                "Delivery #%(number)s is %(status)s; "
                "only dead, failed or delivered ones are sent again."
            )
            % {"number": delivery.sequence, "status": delivery.get_status_display()},
        )
    before = delivery.status
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit.record(
        AuditAction.TRANSITION,
        delivery,
        by=by,
        changes={"status": [before, DeliveryStatus.PENDING]},
        organization_id=delivery.subscription.organization_id,
    )
    return delivery


@transaction.atomic
def send_test(subscription: Subscription, *, by) -> Delivery:
    """Queue a ping to this subscription alone, to prove the receiver and its secret."""
    if not subscription.is_active:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Subscription %(name)s is inactive; switch it on to send a test.")
            % {"name": subscription.name},
        )
    if subscription.is_epcis:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("An EPCIS subscription receives EPCIS documents only; it has no test message."),
        )
    now = timezone.now()
    message = OutboxMessage(
        organization=subscription.organization,
        topic=PING,
        event_type=PING,
        object_type="integration.subscription",
        object_id=str(subscription.pk),
        object_repr=subscription.name[:200],
        occurred_at=now,
    )
    message.payload = {
        "id": str(message.message_id),
        "type": PING,
        "occurredAt": outbox.utc_text(now),
        "subscription": str(subscription.public_id),
        "sentBy": by.printed_name if by else "",
    }
    message.save()
    outbox.fan_out({subscription.pk: [message]}, [subscription])
    delivery = subscription.deliveries.get(message=message)
    audit.record(
        AuditAction.CREATE,
        delivery,
        by=by,
        changes={"test": True, "message": str(message.message_id)},
        organization_id=subscription.organization_id,
    )
    return delivery


# EPCIS named queries (the REST binding's /queries) -------------------------------------


def _checked_parameters(parameters: dict) -> dict:
    from medtrace.trace import epcis_query
    from medtrace.trace.models import TraceEvent

    if not isinstance(parameters, dict):
        raise _invalid("query", _("The query is an object of EPCIS query parameters."))
    cleaned = {str(key): str(value).strip() for key, value in parameters.items()}
    standing = epcis_query.PAGING & set(cleaned)
    if standing:
        raise _invalid(
            "query",
            _("A standing query has no paging or order: remove %(names)s.")
            % {"names": ", ".join(sorted(standing))},
        )
    # The query's own reader names any parameter it does not support or cannot read.
    epcis_query.filter_events(TraceEvent.objects.none(), cleaned)
    return cleaned


@transaction.atomic
def create_query(*, organization, name: str, parameters: dict, by) -> EpcisQuery:
    name = (name or "").strip()
    if not QUERY_NAME.match(name):
        raise _invalid(
            "name",
            _(
                "A query name has letters, digits, '_', '.' and '-' (at most 100), "
                "e.g. shipped-lots."
            ),
        )
    if EpcisQuery.objects.filter(organization=organization, name=name).exists():
        raise DomainError(
            ErrorCode.DUPLICATE,
            _("There is already a query named %(name)s.") % {"name": name},
            fields={"name": [str(_("Already used."))]},
        )
    query = EpcisQuery.objects.create(
        organization=organization,
        name=name,
        parameters=_checked_parameters(parameters),
        created_by=by,
    )
    audit.record(AuditAction.CREATE, query, by=by, changes=audit.created(query))
    return query


@transaction.atomic
def retire_query(query: EpcisQuery, *, by) -> EpcisQuery:
    """Withdraw a named query and switch off every subscription standing on it (the binding's
    DELETE /queries/{name}; the rows stay, as everything here does)."""
    query = EpcisQuery.objects.select_for_update().get(pk=query.pk)
    if not query.is_active:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Query %(name)s is already withdrawn.") % {"name": query.name},
        )
    query.is_active = False
    query.save(update_fields=["is_active"])
    audit.record(AuditAction.TRANSITION, query, by=by, changes={"is_active": [True, False]})
    for subscription in query.subscriptions.filter(is_active=True):
        set_active(subscription, active=False, by=by, reason=f"query {query.name} withdrawn")
    return query


@transaction.atomic
def subscribe_to_query(
    query: EpcisQuery,
    *,
    dest: str,
    by,
    signature_token: str | None = None,
    stream: bool = False,
    schedule: dict | None = None,
    initial_record_time=None,
) -> Subscription:
    """The REST binding's streaming subscription on a named query: each new matching event of
    the subscriber's sites is POSTed to `dest`. What the binding allows and medtrace does not
    offer (a schedule, back-filling from initialRecordTime) is refused by name."""
    if schedule is not None or not stream:
        raise _invalid(
            "stream",
            _('Only streaming subscriptions are offered: send "stream": true and no schedule.'),
        )
    if initial_record_time is not None:
        raise _invalid(
            "initialRecordTime",
            _("initialRecordTime is not offered: read earlier events from the query's events."),
        )
    if not (dest or "").strip():
        raise _invalid("dest", _("Give the address (dest) the events are sent to."))
    sites = Site.objects.filter(
        organization=query.organization,
        is_active=True,
        pk__in=site_ids_with_perm(by, "integration.add_subscription"),
    )
    return create_subscription(
        organization=query.organization,
        name=f"EPCIS {query.name} → {dest.strip()}"[:100],
        url=dest,
        topics=[],
        query=query,
        sites=list(sites),
        secret=signature_token,
        by=by,
    )
