"""Releasing a received lot: QA's signature (meaning released) once the incoming inspection is
completed and accepted, recorded as a trace event that makes the lot available (and puts it
away when a stock location is named); a rejected lot is held by its NCR and not released."""

from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.purchasing.choices import ReceiptStatus
from medtrace.purchasing.models import Receipt
from medtrace.purchasing.services import receiving
from medtrace.purchasing.services import release as releasing
from medtrace.quality.choices import InspectionStage
from medtrace.quality.models import Nonconformance
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(released, clerk_a):
    return receiving.receive(released, by=clerk_a, quantity="60", supplier_lot="KS-1")


@pytest.fixture
def plan(organization, resin, qa_a):
    return inspection_plans.create_plan(
        organization=organization, code="IP-RES", name="来料", stage=InspectionStage.INCOMING,
        item=resin, aql_major="1.0",
        characteristics=[{"name": "Specks", "kind": "attribute", "defect_class": "major"}],
        by=qa_a,
    )  # fmt: skip


def inspect(record, by, failing=0):
    characteristic = record.plan.characteristics.get()
    size = inspections.sample_size_of(record, characteristic)
    inspections.record_results(
        record,
        [
            {"characteristic": characteristic, "sample": n, "passed": n > failing}
            for n in range(1, size + 1)
        ],
        by=by,
    )
    return inspections.complete_inspection(record, by=by, password=PASSWORD)


def state():
    return (
        TraceEvent.objects.count(),
        Signature.objects.filter(object_type="purchasing.receipt").count(),
        list(Receipt.objects.values_list("status", flat=True)),
        list(Stock.objects.values_list("location__code", "quantity")),
    )


def test_without_a_plan_qa_releases_directly_with_a_signature(receipt, qa_a):
    released = releasing.release(receipt, by=qa_a, password=PASSWORD, reason="CoA checked")
    assert released.status == ReceiptStatus.RELEASED
    assert status_of(receipt.lot).status == StockStatus.AVAILABLE
    signature = Signature.objects.get(object_type="purchasing.receipt")
    assert signature.meaning == "released" and signature.signer == qa_a
    event = released.release_event.document
    assert event["bizStep"].endswith("accepting") and event["disposition"].endswith("available")
    assert Stock.objects.get(object=receipt.lot).location.code == "RCV"  # not moved
    assert AuditEntry.objects.filter(
        object_type="purchasing.receipt", object_id=str(receipt.pk), action="transition"
    ).exists()


def test_a_release_may_put_the_lot_away(receipt, inspector_a, bins):
    releasing.release(receipt, by=inspector_a, password=PASSWORD, location=bins["A-01"])
    stock = Stock.objects.get(object=receipt.lot)
    assert (stock.location.code, stock.quantity) == ("A-01", Decimal(60))
    assert status_of(receipt.lot).status == StockStatus.AVAILABLE


def test_release_waits_for_an_accepted_inspection(plan, released, clerk_a, inspector_a):
    receipt = receiving.receive(released, by=clerk_a, quantity="60", supplier_lot="KS-1")
    before = state()
    with pytest.raises(DomainError) as refused:
        releasing.release(receipt, by=inspector_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "is In progress" in str(refused.value.message)
    assert state() == before
    inspect(receipt.inspection, inspector_a)
    assert releasing.release(receipt, by=inspector_a, password=PASSWORD).status == "released"


def test_a_rejected_lot_is_held_by_its_ncr_and_not_released(plan, released, clerk_a, inspector_a):
    receipt = receiving.receive(released, by=clerk_a, quantity="60", supplier_lot="KS-1")
    inspect(receipt.inspection, inspector_a, failing=5)
    ncr = Nonconformance.objects.get(lot=receipt.lot)
    assert status_of(receipt.lot).status == StockStatus.ON_HOLD
    before = state()
    with pytest.raises(DomainError) as refused:
        releasing.release(receipt, by=inspector_a, password=PASSWORD)
    assert "rejected lot" in str(refused.value.message)
    assert state() == before and ncr.inspection == receipt.inspection


def test_only_qa_at_the_site_releases(receipt, clerk_a, qa_b):
    before = state()
    for user in (clerk_a, qa_b):
        with pytest.raises(DomainError) as refused:
            releasing.release(receipt, by=user, password=PASSWORD)
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert state() == before


def test_a_wrong_password_releases_nothing(receipt, qa_a):
    before = state()
    with pytest.raises(DomainError) as refused:
        releasing.release(receipt, by=qa_a, password="nope")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    assert state() == before
    assert AuditEntry.objects.filter(
        object_type="purchasing.receipt", action="sign_failed"
    ).exists()


def test_put_away_only_to_a_stock_location(receipt, qa_a, bins):
    before = state()
    with pytest.raises(DomainError) as refused:
        releasing.release(receipt, by=qa_a, password=PASSWORD, location=bins["SHP"])
    assert "not a stock location" in str(refused.value.message)
    assert state() == before
