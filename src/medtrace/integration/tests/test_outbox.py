import pytest
from django.db import transaction

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.integration import services
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import Delivery, OutboxMessage
from medtrace.partners.services.suppliers import create_supplier
from medtrace.trace.models import Lot
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests.test_recording import making, receipt, shipping

pytestmark = pytest.mark.django_db


def supplier(organization, admin_a, code="SUP-1"):
    return create_supplier(organization=organization, code=code, name="供应商", by=admin_a)


def test_a_published_change_is_written_with_one_delivery_per_wanting_subscription(
    organization, admin_a, webhook
):
    made = supplier(organization, admin_a)
    message = OutboxMessage.objects.get()
    assert message.event_type == "partners.supplier.create"
    assert message.payload["object"] == {
        "type": "partners.supplier",
        "id": str(made.pk),
        "display": str(made),
    }
    assert message.payload["changes"]["code"] == [None, "SUP-1"]
    assert message.payload["actor"] == admin_a.printed_name
    assert message.payload["site"] is None
    delivery = Delivery.objects.get()
    assert (delivery.subscription, delivery.sequence, delivery.status) == (
        webhook,
        1,
        DeliveryStatus.PENDING,
    )


def test_nothing_is_published_when_nobody_subscribes(organization, admin_a):
    supplier(organization, admin_a)
    assert not OutboxMessage.objects.exists()


def test_a_rolled_back_change_is_never_published(organization, admin_a, webhook):
    with pytest.raises(RuntimeError), transaction.atomic():
        supplier(organization, admin_a)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the change failed after its audit entry")
    assert not OutboxMessage.objects.exists() and not Delivery.objects.exists()


def test_topics_and_sites_decide_who_gets_what(
    organization, site_a, site_b, admin_a, make_user, webhook
):
    admin_b = make_user("admin-b", (site_b, "system_admin"))
    other = services.create_subscription(
        organization=organization,
        name="Site B lots",
        url="",
        topics=["trace.lot"],
        sites=[site_b],
        by=admin_b,
    )
    record_events([receipt()], organization=organization, site=site_a, create_missing=True)
    lot = Lot.objects.get()
    audit.record(AuditAction.TRANSITION, lot, by=admin_a, changes={"status": ["q", "released"]})
    supplier(organization, admin_a)  # a record of the whole organization, but not B's topic
    assert [d.message.event_type for d in webhook.deliveries.order_by("sequence")] == [
        "trace.lot.transition",
        "partners.supplier.create",
    ]
    assert not other.deliveries.exists()


def test_each_subscription_numbers_its_deliveries_without_gaps(organization, admin_a, webhook):
    feed = services.create_subscription(
        organization=organization,
        name="Feed",
        url="",
        topics=["partners.supplier"],
        sites=list(webhook.sites.all()),
        by=admin_a,
    )
    for number in range(3):
        supplier(organization, admin_a, code=f"SUP-{number}")
    assert list(feed.deliveries.order_by("sequence").values_list("sequence", "status")) == [
        (1, DeliveryStatus.IN_FEED),
        (2, DeliveryStatus.IN_FEED),
        (3, DeliveryStatus.IN_FEED),
    ]
    # Creating the feed (a subscription) is audited but not published: the webhook's own
    # numbers count the three suppliers only.
    assert sorted(webhook.deliveries.values_list("sequence", flat=True)) == [1, 2, 3]


def test_trace_events_reach_the_epcis_topic_and_matching_standing_queries(
    organization, site_a, admin_a
):
    everything = services.create_subscription(
        organization=organization,
        name="All events",
        url="",
        topics=["epcis.event"],
        sites=[site_a],
        by=admin_a,
    )
    query = services.create_query(
        organization=organization,
        name="shipments",
        parameters={"EQ_bizStep": "shipping"},
        by=admin_a,
    )
    shipped = services.create_subscription(
        organization=organization,
        name="Shipments",
        url="",
        topics=[],
        query=query,
        sites=[site_a],
        by=admin_a,
    )
    record_events(
        [receipt(), making(), shipping()],
        organization=organization,
        site=site_a,
        create_missing=True,
    )
    assert everything.deliveries.count() == 3
    [only] = shipped.deliveries.all()
    assert only.message.payload["event"]["bizStep"] == "shipping"
    assert only.message.payload["event"]["type"] == "ObjectEvent"
    # One message per event, shared by both subscriptions.
    assert OutboxMessage.objects.count() == 3


def test_a_complaints_patient_data_never_leaves_in_a_message(organization, site_a, qa_a, admin_a):
    from datetime import date

    from medtrace.quality.services.complaints import receive_complaint

    services.create_subscription(
        organization=organization,
        name="Vigilance system",
        url="",
        topics=["quality.complaint"],
        sites=[site_a],
        by=admin_a,
    )
    receive_complaint(
        site=site_a,
        by=qa_a,
        channel="phone",
        description="The spike came loose during priming.",
        aware_on=date(2026, 3, 2),
        patient_involved=True,
        patient_age=67,
        patient_sex="female",
        patient_initials="LXM",
        injury_description="Needle-stick to the nurse's finger",
    )
    message = OutboxMessage.objects.get(topic="quality.complaint")
    text = str(message.payload)
    assert "The spike came loose" in text
    assert "LXM" not in text and "Needle-stick" not in text
    assert 67 not in message.payload["changes"].get("patient_age", [])
