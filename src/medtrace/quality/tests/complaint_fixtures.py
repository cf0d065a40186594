"""The complaint tests' world: a serialized catheter kit with its UDI-DI, a lot of it at
site A with one unit shipped to Ruijin Hospital (a shipping event through the trace core),
a regulatory-affairs user, and `receive` to record a complaint with sensible defaults.
Imported by the complaint test modules (`from ...complaint_fixtures import *`)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import IssuingAgency, ItemKind, Tracking
from medtrace.epcis.model import Event, TypedId
from medtrace.partners import services as partners
from medtrace.partners.choices import CustomerKind
from medtrace.quality.services import complaints
from medtrace.scan.checks import gs1_check_digit
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects
from medtrace.trace.services.recording import record_event

GTIN = "0690123400001" + gs1_check_digit("0690123400001")
SERIAL = "K26000001"
LOT_NUMBER = "KL2601"
INITIALS = "Z.L."
INJURY = "Catheter tip fractured in the vein; retrieved by snare."


@pytest.fixture
def catheter(organization):
    item = catalog.create_item(
        organization=organization,
        code="FG-CVC-01",
        name="中心静脉导管包",
        name_en="Central venous catheter kit",
        kind=ItemKind.FINISHED_DEVICE,
        tracking=Tracking.SERIAL,
        shelf_life_days=1095,
    )
    catalog.create_device_identifier(
        item=item,
        issuing_agency=IssuingAgency.GS1,
        value=GTIN,
        brand="安心 CVC",
        model_number="CVC-7F-20",
        registration_number="国械注准20213140123",
        label_has_serial=True,
    )
    return item


@pytest.fixture
def kit_lot(catheter, site_a):
    return objects.create_lot(
        item=catheter,
        lot_number=LOT_NUMBER,
        site=site_a,
        gtin=GTIN,
        origin=LotOrigin.PRODUCED,
        manufactured_on=date(2026, 1, 12),
        expires_on=date(2029, 1, 11),
    )


@pytest.fixture
def kit_unit(catheter, kit_lot, site_a):
    return objects.create_unit(item=catheter, serial=SERIAL, gtin=GTIN, lot=kit_lot, site=site_a)


@pytest.fixture
def hospital(organization):
    return partners.create_customer(
        organization=organization,
        code="H-RUIJIN",
        name="上海交通大学医学院附属瑞金医院",
        name_en="Ruijin Hospital",
        kind=CustomerKind.HOSPITAL,
        address="上海市瑞金二路 197 号",
    )


@pytest.fixture
def shipped_unit(organization, site_a, kit_unit, hospital, qa_a):
    """The unit shipped to the hospital three weeks ago."""
    party = objects.ensure_party(organization=organization, customer=hospital)
    when = timezone.localtime() - timedelta(days=21)
    event = Event(
        event_type="ObjectEvent",
        event_id="urn:uuid:6f1c8f0e-1a52-4c1e-9a50-3c1d2b7a0001",
        event_time=when,
        event_time_zone_offset="+08:00",
        action="OBSERVE",
        biz_step="shipping",
        disposition="in_transit",
        epc_list=(kit_unit.identifier,),
        destinations=(TypedId("owning_party", party.identifier),),
    )
    record_event(event, organization=organization, site=site_a, by=qa_a)
    return kit_unit


@pytest.fixture
def regulatory_a(make_user, site_a):
    return make_user("regulatory-a", (site_a, Role.REGULATORY_AFFAIRS))


@pytest.fixture
def receive(site_a, qa_a, shipped_unit):
    """receive(**overrides): a complaint on the shipped unit, scanned by its serial; a death
    in China, the US and the EU, learned of two days ago, with the patient involved."""

    def make(**overrides):
        fields = {
            "site": site_a,
            "by": qa_a,
            "channel": "phone",
            "description": "导管尖端断裂 Catheter tip broke off during removal.",
            "aware_on": timezone.localdate() - timedelta(days=2),
            "code": SERIAL,
            "complainant_name": "张医生 Dr Zhang",
            "complainant_contact": "+86 21 6437 0045",
            "outcomes": ["serious_injury"],
            "regions": ["nmpa", "fda", "eu"],
            "patient_involved": True,
            "patient_age": 67,
            "patient_sex": "male",
            "patient_initials": INITIALS,
            "injury_description": INJURY,
        }
        return complaints.receive_complaint(**(fields | overrides))

    return make
