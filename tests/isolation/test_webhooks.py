"""Webhooks and feeds: a subscription hears only of its own sites' records (and its own
organization's master data); another site's or organization's subscription hears nothing."""

from django.db import transaction

from medtrace.audit.models import AuditEntry
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.services.ledger import create_equipment
from medtrace.integration.models import Delivery
from medtrace.integration.services import create_subscription
from medtrace.integration.topics import all_topics

EVERYTHING = [topic.code for topic in all_topics()]


def subscribe(site, by, name):
    return create_subscription(
        organization=site.organization,
        name=name,
        url="https://hooks.example.com/medtrace",
        topics=EVERYTHING,
        sites=[site],
        by=by,
    )


def test_a_change_at_a_site_reaches_only_the_subscriptions_of_that_site(demo_plant, people):
    own = subscribe(demo_plant.sites["SZ01"], people.insider, "Insider's ERP")
    neighbours = subscribe(people.neighbour_site, people.neighbour, "Neighbour's ERP")
    foreigners = subscribe(people.foreign_site, people.foreigner, "Outsiders' ERP")
    with transaction.atomic():
        create_equipment(
            site=demo_plant.sites["SZ01"],
            code="ZZ-HOOK-01",
            name="Leak tester 9",
            equipment_type=EquipmentType.values[0],
            by=demo_plant.users["admin"],
        )
    heard = Delivery.objects.filter(message__payload__icontains="ZZ-HOOK-01")
    assert heard.filter(subscription=own).exists(), "a subscription of SZ01 hears of it"
    assert not heard.filter(subscription__in=[neighbours, foreigners]).exists()
    assert not Delivery.objects.filter(subscription__in=[neighbours, foreigners]).exists()


def test_a_record_without_a_site_of_its_own_is_filed_at_its_owners_site(demo_plant):
    """A process reading or a returned line belongs to its order's or RMA's site: filed
    without one, its entry showed in every site's audit log, and (the outbox publishes an entry
    at the entry's site) a reading reached the subscriptions of every site."""
    children = ["production.parameterreading", "shipping.returnline"]
    entries = AuditEntry.objects.filter(object_type__in=children)
    assert set(entries.values_list("object_type", flat=True)) == set(children)
    assert not entries.filter(site__isnull=True).exists()
