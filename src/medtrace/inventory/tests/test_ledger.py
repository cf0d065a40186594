"""The stock ledger follows the events: receipts, transfers, shipments of cases, retractions;
never negative, not even under concurrent picks of the last units."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import ErrorDeclaration, Event, QuantityElement
from medtrace.inventory.choices import Operation, StockStatus
from medtrace.inventory.models import Stock, StockMove
from medtrace.inventory.services import moves
from medtrace.inventory.statuses import status_of
from medtrace.trace.models import Consignment, TraceEvent
from medtrace.trace.services import objects as trace_objects
from medtrace.trace.services.recording import record_event

pytestmark = pytest.mark.django_db


def on_hand(obj, location=None) -> dict:
    rows = Stock.objects.filter(object=obj)
    if location is not None:
        rows = rows.filter(location=location)
    return {row.location.code: row.quantity for row in rows}


def transfer(site, obj, source, destination, quantity=None, *, by, operation=Operation.TRANSFER):
    return moves.move(
        site=site,
        lines=[moves.Line(obj, None if quantity is None else Decimal(quantity))],
        operation=operation,
        biz_step="storing",
        source=source,
        destination=destination,
        by=by,
    )


def test_receipt_and_transfers_add_up_per_location(site_a, bins, resin, make_lot, put, clerk_a):
    lot = make_lot(resin, "R1")
    event = put(lot, bins["RCV"], "250.5")
    assert on_hand(lot) == {"RCV": Decimal("250.5")}
    assert StockMove.objects.get(event=event).quantity == Decimal("250.5")
    transfer(site_a, lot, bins["RCV"], bins["A-01"], "200", by=clerk_a)
    transfer(site_a, lot, bins["RCV"], bins["A-02"], by=clerk_a)  # the rest
    assert on_hand(lot) == {"A-01": Decimal(200), "A-02": Decimal("50.5")}
    assert sum(StockMove.objects.filter(object=lot).values_list("quantity", flat=True)) == Decimal(
        "250.5"
    )
    # The event carries both ends: the stock can be derived from the log alone.
    last = TraceEvent.objects.order_by("-pk").first().document
    assert {"type": "location", "source": "urn:medtrace:location:A1:RCV"} in last["sourceList"]
    # Our own locations are not parties: a transfer is no consignment.
    assert not Consignment.objects.filter(object=lot).exists()


def test_taking_more_than_is_there_is_refused_and_writes_nothing(
    site_a, bins, resin, make_lot, put, clerk_a
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 10)
    events = TraceEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        transfer(site_a, lot, bins["A-01"], bins["A-02"], "10.5", by=clerk_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert str(refused.value.message) == "Only 10 KG of lot R1 at A-01; 10.5 asked."
    assert TraceEvent.objects.count() == events
    assert on_hand(lot) == {"A-01": Decimal(10)}


def test_units_and_a_shipped_case_leave_with_their_contents(
    site_a, bins, catheter, make_lot, put, clerk_a, organization
):
    lot = make_lot(catheter, "C1")
    units = [
        trace_objects.create_unit(item=catheter, serial=f"S{n}", lot=lot, site=site_a)
        for n in range(3)
    ]
    for unit in units:
        put(unit, bins["SHP"])
    assert Stock.objects.filter(lot=lot).count() == 3
    case = trace_objects.create_container(organization=organization, sscc="106141411234567897")
    record_event(
        Event(
            event_type="AggregationEvent",
            event_id="urn:uuid:5b2c1f6e-0c43-4b8e-9a57-4d1a0d6f0001",
            event_time=timezone.now() - timedelta(minutes=5),
            event_time_zone_offset="+08:00",
            action="ADD",
            biz_step="packing",
            parent_id=case.identifier,
            epc_list=tuple(unit.identifier for unit in units[:2]),
        ),
        organization=organization,
        site=site_a,
    )
    moves.move(
        site=site_a,
        lines=[moves.Line(case)],
        operation=Operation.SHIP,
        biz_step="shipping",
        disposition="in_transit",
        source=bins["SHP"],
        by=clerk_a,
    )
    assert [row.object_id for row in Stock.objects.filter(lot=lot)] == [units[2].pk]
    # The shipped units' status names the shipment, which reached them through their case.
    info = status_of(units[0])
    assert info.status == StockStatus.IN_TRANSIT and info.set_by == clerk_a.printed_name


def test_a_retracted_event_gives_its_stock_back(site_a, bins, resin, make_lot, put, organization):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 40)
    shipped = moves.move(
        site=site_a,
        lines=[moves.Line(lot, Decimal(15))],
        operation=Operation.SHIP,
        biz_step="shipping",
        source=bins["A-01"],
        by=None,
    )
    assert on_hand(lot) == {"A-01": Decimal(25)}
    record_event(
        Event(
            event_type="ObjectEvent",
            event_id=shipped.event_id,
            event_time=shipped.event_time,
            event_time_zone_offset="+08:00",
            action="OBSERVE",
            quantity_list=(QuantityElement(lot.identifier),),
            error_declaration=ErrorDeclaration(declaration_time=timezone.now(), reason="mis-scan"),
        ),
        organization=organization,
        site=site_a,
    )
    assert on_hand(lot) == {"A-01": Decimal(40)}


@pytest.mark.parametrize(
    ("disposition", "status"),
    [
        ("in_progress", StockStatus.QUARANTINE),
        ("non_conformant", StockStatus.ON_HOLD),
        ("destroyed", StockStatus.REJECTED),
        ("recalled", StockStatus.RECALLED),
        ("urn:epcglobal:cbv:disp:expired", StockStatus.EXPIRED),
    ],
)
def test_only_available_stock_is_picked_and_the_refusal_says_who_set_the_status(
    site_a, bins, resin, make_lot, put, clerk_a, admin_a, disposition, status
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 5, disposition=disposition)
    assert status_of(lot).status == status
    before = (TraceEvent.objects.count(), on_hand(lot))
    for operation in (Operation.ISSUE, Operation.PICK, Operation.SHIP):
        with pytest.raises(DomainError) as refused:
            transfer(site_a, lot, bins["A-01"], bins["SHP"], 1, by=clerk_a, operation=operation)
        message = str(refused.value.message)
        assert message.startswith(
            f"Lot R1 of PVC-100 has status {status.label} (set by {admin_a.printed_name} on "
        )
        assert refused.value.details["status"] == status
    assert (TraceEvent.objects.count(), on_hand(lot)) == before
    # Moving it aside (to quarantine, to the MRB cage) is how it is dealt with.
    transfer(site_a, lot, bins["A-01"], bins["QUA"], by=clerk_a)
    assert on_hand(lot) == {"QUA": Decimal(5)}


def test_a_lot_past_its_expiry_date_is_expired_before_the_job_runs(
    site_a, bins, resin, make_lot, put, clerk_a
):
    lot = make_lot(resin, "R1", expires_on=date(2026, 1, 31))
    put(lot, bins["A-01"], 5, at=timezone.now() - timedelta(days=400))
    info = status_of(lot, today=date(2026, 2, 1))
    assert info.status == StockStatus.EXPIRED and info.expired_on == date(2026, 1, 31)
    with pytest.raises(DomainError, match=r"has status Expired \(expiry date "):
        transfer(site_a, lot, bins["A-01"], bins["SHP"], 1, by=clerk_a, operation=Operation.PICK)


def test_a_client_key_records_once(site_a, bins, resin, make_lot, put, clerk_a):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 8)
    first = moves.move(
        site=site_a, lines=[moves.Line(lot, Decimal(3))], operation=Operation.PICK,
        biz_step="picking", source=bins["A-01"], destination=bins["SHP"], by=clerk_a,
        key="scan-7f3a",
    )  # fmt: skip
    again = moves.move(
        site=site_a, lines=[moves.Line(lot, Decimal(3))], operation=Operation.PICK,
        biz_step="picking", source=bins["A-01"], destination=bins["SHP"], by=clerk_a,
        key="scan-7f3a",
    )  # fmt: skip
    assert again.pk == first.pk
    assert on_hand(lot) == {"A-01": Decimal(5), "SHP": Decimal(3)}


def test_a_serialized_item_moves_by_unit_not_by_quantity(site_a, bins, catheter, make_lot, put):
    lot = make_lot(catheter, "C1")
    with pytest.raises(DomainError, match="CVC-9 is serialized"):
        put(lot, bins["A-01"], 2)


@given(st.one_of(st.text(max_size=12), st.decimals(allow_nan=True, allow_infinity=True)))
def test_a_quantity_is_positive_finite_and_at_most_six_decimals(value):
    try:
        number = moves.quantity(value)
    except DomainError as refused:
        assert refused.code == ErrorCode.VALIDATION
        assert refused.details["fields"]["quantity"]
    else:
        assert number > 0 and number.is_finite() and -number.as_tuple().exponent <= 6


PICKERS = 6


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL run only"
)
def test_concurrent_picks_of_the_last_units_never_go_negative(
    transactional_db, site_a, bins, resin, make_lot, put, clerk_a
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 4)
    start = threading.Barrier(PICKERS)
    picked, refused, errors = [], [], []

    def picker():
        try:
            start.wait()
            transfer(
                site_a, lot, bins["A-01"], bins["SHP"], 1, by=clerk_a, operation=Operation.PICK
            )
            picked.append(1)
        except DomainError as exc:
            refused.append(exc)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=picker) for _ in range(PICKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(picked) == 4 and len(refused) == PICKERS - 4
    assert on_hand(lot) == {"SHP": Decimal(4)}


def test_an_imported_shipment_of_a_held_lot_is_refused_like_one_on_the_floor(
    site_a, bins, resin, make_lot, put, organization, clerk_a
):
    from medtrace.epcis import codec
    from medtrace.epcis.model import TypedId
    from medtrace.inventory.ledger import location_uri
    from medtrace.trace.services.capture import capture

    held, good = make_lot(resin, "H1"), make_lot(resin, "G1")
    put(held, bins["SHP"], 5, disposition="non_conformant")
    put(good, bins["SHP"], 5)

    def shipment(lot, number):
        return Event(
            event_type="ObjectEvent",
            event_id=f"urn:uuid:5b2c1f6e-0c43-4b8e-9a57-4d1a0d6f01{number:02d}",
            event_time=timezone.now() - timedelta(minutes=1),
            event_time_zone_offset="+08:00",
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            quantity_list=(QuantityElement(lot.identifier, Decimal(5)),),
            sources=(TypedId("location", location_uri(bins["SHP"])),),
        )

    events = TraceEvent.objects.count()
    document = codec.to_document([shipment(good, 1), shipment(held, 2)])
    with pytest.raises(DomainError) as refused:
        capture(document, organization=organization, site=site_a, by=clerk_a)
    assert refused.value.details["event_index"] == 1
    assert "Lot H1 of PVC-100 has status On hold" in str(refused.value.message)
    assert TraceEvent.objects.count() == events
    assert on_hand(good) == {"SHP": Decimal(5)}
    capture(codec.to_document([shipment(good, 1)]), organization=organization, site=site_a)
    assert on_hand(good) == {}
