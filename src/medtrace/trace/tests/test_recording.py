"""The one recording service: idempotent on event ID, all or nothing, events applied in event
time order, error declarations retract without deleting, derived state kept in step, the log
append-only, every recorded event audited."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import ErrorDeclaration, TypedId
from medtrace.trace.choices import ObjectRole
from medtrace.trace.models import (
    Consignment,
    Containment,
    EventObject,
    GenealogyLink,
    Lot,
    TraceEvent,
    TraceObject,
    Unit,
)
from medtrace.trace.services.recording import record_event, record_events
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import event

RAW = corpus.lot_id(corpus.RAW_GTIN, "R1")
SUB = corpus.lot_id(corpus.SUB_GTIN, "B1")
CASE = corpus.sscc_id(1)
HOSPITAL = corpus.party_id(100)
SUPPLIER = corpus.party_id(1)


def at(minutes: int):
    return corpus.START + timedelta(minutes=minutes)


def receipt(event_id="urn:uuid:receipt-1", minutes=0, lot=RAW):
    return event(
        "ObjectEvent",
        event_id,
        at(minutes),
        action="ADD",
        biz_step="receiving",
        disposition="in_progress",
        quantities=[(lot, "100")],
        sources=[SUPPLIER],
    )


def making(event_id="urn:uuid:make-1", minutes=10, inputs=(RAW,), output=SUB):
    return event(
        "TransformationEvent",
        event_id,
        at(minutes),
        biz_step="commissioning",
        input_quantities=[(lot, "5") for lot in inputs],
        output_quantities=[(output, "50")],
    )


def commissioning(serials, minutes=20, lot_number="B1"):
    gtin = corpus.SUB_GTIN
    return event(
        "ObjectEvent",
        f"urn:uuid:commission-{minutes}",
        at(minutes),
        action="ADD",
        biz_step="commissioning",
        disposition="active",
        epcs=[f"https://id.gs1.org/01/{gtin}/21/{serial}" for serial in serials],
        ilmd={"cbvmda:lotNumber": lot_number},
    )


def shipping(event_id="urn:uuid:ship-1", minutes=40, epcs=(CASE,), quantities=()):
    return event(
        "ObjectEvent",
        event_id,
        at(minutes),
        biz_step="shipping",
        disposition="in_transit",
        epcs=epcs,
        quantities=quantities,
        destinations=[HOSPITAL],
    )


def declaration(original, reason="incorrect_data"):
    return replace(
        original,
        error_declaration=ErrorDeclaration(
            declaration_time=original.event_time + timedelta(days=1),
            reason=reason,
            corrective_event_ids=(),
        ),
    )


@pytest.fixture
def record(organization, site_a):
    def record(*events, create_missing=True):
        return record_events(
            list(events), organization=organization, site=site_a, create_missing=create_missing
        )

    return record


def test_an_event_is_stored_with_its_objects_and_derived_links(record, organization):
    record(receipt(), making())
    made = TraceEvent.objects.get(event_id="urn:uuid:make-1")
    roles = dict(EventObject.objects.filter(event=made).values_list("identifier", "role"))
    assert roles == {RAW: ObjectRole.INPUT, SUB: ObjectRole.OUTPUT}
    link = GenealogyLink.objects.get(event=made)
    assert (link.source.identifier, link.target.identifier) == (RAW, SUB)
    assert link.quantity == 5
    raw = Lot.objects.get(identifier=RAW)
    assert (raw.lot_number, raw.gtin, raw.item.code) == (
        "R1",
        corpus.RAW_GTIN,
        f"GTIN-{corpus.RAW_GTIN}",
    )
    assert Consignment.objects.get(object=raw).party.identifier == SUPPLIER


def test_recording_the_same_event_again_changes_nothing(record):
    first = record(receipt())
    again = record(receipt())
    assert [e.pk for e in again] == [e.pk for e in first]
    assert TraceEvent.objects.count() == 1
    assert Consignment.objects.count() == 1


def test_a_different_event_under_a_recorded_id_is_refused(record):
    record(receipt())
    changed = replace(receipt(), disposition="damaged")
    with pytest.raises(DomainError) as refused:
        record(changed)
    assert refused.value.code == ErrorCode.CONFLICT
    assert "urn:uuid:receipt-1" in refused.value.message


def test_one_bad_event_records_nothing_of_its_batch(record):
    unknown_internal = event(
        "ObjectEvent", "urn:uuid:bad", at(5), epcs=["urn:medtrace:unit:NO-SUCH-ITEM:1"]
    )
    with pytest.raises(DomainError) as refused:
        record(receipt(), unknown_internal)
    assert refused.value.details["event_id"] == "urn:uuid:bad"
    assert refused.value.details["event_index"] == 1
    assert not TraceEvent.objects.exists()
    assert not TraceObject.objects.exists()


def test_unknown_identifiers_are_refused_by_name_without_create_missing(record):
    with pytest.raises(DomainError) as refused:
        record(receipt(), create_missing=False)
    assert refused.value.code == ErrorCode.NOT_FOUND
    assert RAW in refused.value.message
    assert not TraceEvent.objects.exists()


def test_units_commissioned_with_a_lot_number_belong_to_that_lot(record):
    record(receipt(), making(), commissioning(["S1", "S2"]))
    units = Unit.objects.order_by("serial")
    assert [(unit.serial, unit.lot.identifier) for unit in units] == [("S1", SUB), ("S2", SUB)]


def test_late_events_are_applied_in_event_time_order(record):
    pack = event(
        "AggregationEvent", "urn:uuid:pack", at(30), action="ADD", parent=CASE,
        epcs=[f"https://id.gs1.org/01/{corpus.SUB_GTIN}/21/S1"],
    )  # fmt: skip
    unpack = event(
        "AggregationEvent", "urn:uuid:unpack", at(35), action="DELETE", parent=CASE, epcs=[]
    )
    record(receipt(), making(), commissioning(["S1"]))
    record(unpack)  # arrives first
    record(pack)  # happened first
    [interval] = Containment.objects.all()
    assert (interval.valid_from, interval.valid_to) == (at(30), at(35))


def test_an_error_declaration_retracts_the_event_but_keeps_it(record):
    record(receipt(), making())
    record(declaration(making()))
    assert TraceEvent.objects.filter(event_id="urn:uuid:make-1").count() == 2
    assert not GenealogyLink.objects.filter(kind="transformation").exists()
    declared = TraceEvent.objects.get(event_id="urn:uuid:make-1", declares__isnull=False)
    assert declared.reason == "incorrect_data"
    record(declaration(making()))  # again: nothing more
    assert TraceEvent.objects.filter(event_id="urn:uuid:make-1").count() == 2


def test_declaring_an_unrecorded_event_erroneous_is_refused(record):
    with pytest.raises(DomainError) as refused:
        record(declaration(making()))
    assert refused.value.code == ErrorCode.NOT_FOUND


def test_current_disposition_follows_the_latest_event_in_force(record):
    record(receipt(), making(), shipping(quantities=[(SUB, "50")]))
    assert TraceObject.objects.get(identifier=SUB).disposition == "in_transit"
    record(declaration(shipping(quantities=[(SUB, "50")])))
    sub = TraceObject.objects.get(identifier=SUB)
    assert sub.disposition == ""  # the transformation set none; the shipment is retracted
    assert not Consignment.objects.filter(object=sub).exists()


def test_a_lot_level_event_counts_for_each_unit_of_the_lot(record):
    record(receipt(), making(), commissioning(["S1"]))
    record(shipping(minutes=50, quantities=[(SUB, "1")]))
    assert Unit.objects.get(serial="S1").disposition == "in_transit"


def test_each_recorded_event_is_audited_in_the_same_transaction(organization, site_a, qa_a):
    recorded = record_event(
        receipt(), organization=organization, site=site_a, by=qa_a, create_missing=True
    )
    entry = AuditEntry.objects.get(object_type="trace.traceevent", object_id=str(recorded.pk))
    assert entry.changes["event"][1]["eventID"] == "urn:uuid:receipt-1"
    assert entry.actor == qa_a


def test_the_event_log_refuses_update_and_delete(organization, site_a):
    recorded = record_event(receipt(), organization=organization, site=site_a, create_missing=True)
    for change in (
        lambda: TraceEvent.objects.filter(pk=recorded.pk).update(reason="edited"),
        lambda: EventObject.objects.filter(event=recorded).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert TraceEvent.objects.get(pk=recorded.pk).reason == ""


def test_what_a_shipped_container_holds_ships_with_it(record):
    unit = f"https://id.gs1.org/01/{corpus.SUB_GTIN}/21/S1"
    pallet = corpus.sscc_id(50)
    record(receipt(), making(), commissioning(["S1", "S2"]))
    record(
        event("AggregationEvent", "urn:uuid:case", at(30), action="ADD", parent=CASE, epcs=[unit]),
        event(
            "AggregationEvent", "urn:uuid:pallet", at(31), action="ADD", parent=pallet, epcs=[CASE]
        ),
    )
    record(shipping(minutes=40, epcs=[pallet]))
    assert Unit.objects.get(serial="S1").disposition == "in_transit"
    assert TraceObject.objects.get(identifier=CASE).disposition == "in_transit"
    assert Unit.objects.get(serial="S2").disposition == "active"  # not on the pallet


def test_a_transformation_sets_the_state_of_what_it_made_not_of_what_it_used(record):
    record(receipt())
    record(
        replace(making(), disposition="in_progress", biz_location="urn:medtrace:location:X:LINE")
    )
    raw, sub = TraceObject.objects.get(identifier=RAW), TraceObject.objects.get(identifier=SUB)
    assert (raw.disposition, raw.biz_location) == ("in_progress", "")  # from its receipt
    assert (sub.disposition, sub.biz_location) == ("in_progress", "urn:medtrace:location:X:LINE")


def test_a_return_is_no_source_of_the_goods(record):
    record(receipt(), making(), commissioning(["S1"]))
    unit = f"https://id.gs1.org/01/{corpus.SUB_GTIN}/21/S1"
    record(shipping(minutes=40, epcs=[unit]))
    returned = event(
        "ObjectEvent", "urn:uuid:return", at(60), action="OBSERVE", biz_step="receiving",
        disposition="returned", epcs=[unit], sources=[HOSPITAL],
    )  # fmt: skip
    record(returned)
    obj = TraceObject.objects.get(identifier=unit)
    assert obj.disposition == "returned"
    assert not Consignment.objects.filter(object=obj, role="source").exists()
    assert Consignment.objects.filter(object=obj, role="destination").count() == 1


def test_a_lot_split_over_cases_is_in_each_until_each_is_unpacked(record):
    from medtrace.trace.engine import trace_forward

    other_case, other_hospital = corpus.sscc_id(2), corpus.party_id(101)
    record(receipt(), making())
    record(
        event("AggregationEvent", "urn:uuid:c1", at(20), action="ADD", parent=CASE,
              quantities=[(SUB, "25")]),
        event("AggregationEvent", "urn:uuid:c2", at(21), action="ADD", parent=other_case,
              quantities=[(SUB, "25")]),
    )  # fmt: skip
    record(shipping("urn:uuid:s1", minutes=30, epcs=[CASE]))
    second = replace(
        shipping("urn:uuid:s2", minutes=31, epcs=[other_case]),
        destinations=(TypedId("owning_party", other_hospital),),
    )
    record(second)
    open_cases = Containment.objects.filter(content__identifier=SUB, valid_to__isnull=True)
    assert open_cases.count() == 2
    sub = TraceObject.objects.get(identifier=SUB)
    assert {party.identifier for party in trace_forward(sub).parties} == {
        HOSPITAL,
        other_hospital,
    }


def test_a_party_met_in_events_is_tied_to_the_customer_with_its_gln(record, organization, qa_a):
    from medtrace.partners.choices import CustomerKind
    from medtrace.partners.services import create_customer
    from medtrace.trace.models import Party
    from medtrace.trace.services import ensure_party

    record(receipt(), making(), shipping(quantities=[(SUB, "50")]))
    party = Party.objects.get(identifier=HOSPITAL)
    assert party.customer is None
    assert AuditEntry.objects.filter(object_type="trace.party", object_id=str(party.pk)).exists()
    customer = create_customer(
        organization=organization,
        code="H-100",
        name="测试医院",
        kind=CustomerKind.HOSPITAL,
        gln=HOSPITAL.rsplit("/", 1)[1],
        by=qa_a,
    )
    assert ensure_party(organization=organization, customer=customer, by=qa_a).pk == party.pk
    party.refresh_from_db()
    assert party.customer == customer and party.name == customer.display_name
    change = AuditEntry.objects.filter(object_type="trace.party", action="change").get()
    assert change.changes == {"customer": [None, "H-100"]} and change.actor == qa_a
