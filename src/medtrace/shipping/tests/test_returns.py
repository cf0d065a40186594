"""Returns: only what went to that customer on that shipment comes back; it arrives in
quarantine at the returns location and QA restocks, scraps or opens an NCR."""

from decimal import Decimal

import pytest

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.quality.models import Nonconformance
from medtrace.shipping.choices import ReturnStatus
from medtrace.shipping.services import packing, picking, returns, shipment

pytestmark = pytest.mark.django_db


def on_hand(obj) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=obj)}


@pytest.fixture
def shipped(make_order, catheter, infusion, units, lots, clerk_a):
    order = make_order((catheter, 2), (infusion, 10))
    for unit in units[:2]:
        picking.pick(order, obj=unit, by=clerk_a)
    picking.pick(order, obj=lots["early"], quantity=10, by=clerk_a)
    packing.pack_case(order, by=clerk_a)
    packing.finish_packing(order, by=clerk_a)
    return shipment.ship(order, by=clerk_a)


def test_a_returned_unit_comes_back_into_quarantine_and_is_restocked(
    shipped, units, qa_a, clerk_a, bins
):
    rma = returns.create_return(shipped, lines=[(units[0], None)], reason="外包装破损", by=qa_a)
    assert rma.number.startswith("RMA-") and rma.status == ReturnStatus.AUTHORIZED
    rma = returns.receive_return(rma, by=clerk_a, key="rma-scan-1")
    assert returns.receive_return(rma, by=clerk_a, key="rma-scan-1").pk == rma.pk
    assert on_hand(units[0]) == {"RET": Decimal(1)}
    assert status_of(units[0]).status == StockStatus.QUARANTINE
    document = rma.received_event.document
    assert document["disposition"].endswith("returned")
    assert any(entry["type"] == "rma" for entry in document["bizTransactionList"])
    line = rma.lines.get()
    with pytest.raises(DomainError) as refused:
        returns.decide_line(
            line, decision="restock", by=clerk_a, reason="ok", location=bins["A-01"]
        )
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    line = returns.decide_line(
        line,
        decision="restock",
        by=qa_a,
        reason="检验合格 / inspected, fine",
        location=bins["A-01"],
    )
    assert on_hand(units[0]) == {"A-01": Decimal(1)}
    assert status_of(units[0]).status == StockStatus.AVAILABLE
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CLOSED
    assert AuditEntry.objects.filter(
        object_type="shipping.returnline", object_id=str(line.pk), reason__startswith="检验合格"
    ).exists()


def test_what_never_went_to_that_customer_cannot_come_back(shipped, units, lots, qa_a):
    with pytest.raises(DomainError) as refused:
        returns.create_return(shipped, lines=[(units[2], None)], reason="?", by=qa_a)
    assert refused.value.code == ErrorCode.VALIDATION
    assert "was not shipped to H-RUIJIN on" in str(refused.value.message)
    with pytest.raises(DomainError, match="was not shipped"):
        returns.create_return(shipped, lines=[(lots["late"], 1)], reason="?", by=qa_a)
    with pytest.raises(DomainError, match=r"10 EA shipped on .* may still come back; 11 asked"):
        returns.create_return(shipped, lines=[(lots["early"], 11)], reason="?", by=qa_a)
    returns.create_return(shipped, lines=[(lots["early"], 6)], reason="过量", by=qa_a)
    with pytest.raises(DomainError, match=r"4 EA shipped on .* may still come back; 5 asked"):
        returns.create_return(shipped, lines=[(lots["early"], 5)], reason="?", by=qa_a)


def test_return_of_part_of_a_lot_scrap_and_ncr(shipped, units, lots, qa_a, clerk_a):
    rma = returns.create_return(
        shipped, lines=[(lots["early"], 4), (units[1], None)], reason="运输受潮", by=qa_a
    )
    rma = returns.receive_return(rma, by=clerk_a)
    assert on_hand(lots["early"]) == {"A-01": Decimal(90), "RET": Decimal(4)}
    # The rest of lot E1 is still in stock: it stays available (the return is quarantined
    # by its place).
    assert status_of(lots["early"]).status == StockStatus.AVAILABLE
    lot_line = rma.lines.get(object=lots["early"])
    unit_line = rma.lines.get(object=units[1])
    returns.decide_line(lot_line, decision="scrap", by=qa_a, reason="受潮报废")
    assert on_hand(lots["early"]) == {"A-01": Decimal(90)}
    unit_line = returns.decide_line(unit_line, decision="ncr", by=qa_a, reason="调查")
    ncr = Nonconformance.objects.get(pk=unit_line.ncr_id)
    assert ncr.source == "customer_return" and rma.number in ncr.title
    assert on_hand(units[1]) == {"RET": Decimal(1)}
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CLOSED
    with pytest.raises(DomainError, match="is Closed"):
        returns.decide_line(unit_line, decision="scrap", by=qa_a, reason="x")


def test_returns_need_a_shipped_order(make_order, infusion, lots, qa_a):
    order = make_order((infusion, 1))
    with pytest.raises(DomainError, match="only what was shipped can come back"):
        returns.create_return(order, lines=[(lots["early"], 1)], reason="x", by=qa_a)
