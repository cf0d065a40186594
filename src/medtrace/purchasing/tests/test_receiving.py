"""Receiving against a purchase order line: the supplier's label scanned or typed, checked
against the order, the lot created and received into quarantine at RCV through the stock
ledger, the incoming inspection started; every refusal writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medtrace.audit.models import AuditEntry
from medtrace.catalog.services.lot_numbers import create_lot_rule
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.purchasing.choices import PurchaseOrderStatus
from medtrace.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from medtrace.purchasing.services import orders, receiving
from medtrace.purchasing.tests.conftest import SUPPLIER_GTIN, days, label
from medtrace.quality.choices import InspectionStage
from medtrace.quality.services import inspection_plans
from medtrace.trace.models import Lot, TraceEvent

pytestmark = pytest.mark.django_db


def counts() -> tuple:
    return (
        Receipt.objects.count(),
        Lot.objects.count(),
        TraceEvent.objects.count(),
        Stock.objects.count(),
        AuditEntry.objects.count(),
        tuple(PurchaseOrderLine.objects.values_list("received_quantity", flat=True)),
        tuple(PurchaseOrder.objects.values_list("status", flat=True)),
    )


def refused_without_writing(line, by, error_code=None, **fields) -> DomainError:
    before = counts()
    with pytest.raises(DomainError) as refused:
        receiving.receive(line, by=by, **fields)
    assert counts() == before
    if error_code is not None:
        assert refused.value.code == error_code
    return refused.value


def test_a_scanned_label_receives_the_lot_into_quarantine_at_rcv(released, clerk_a, bins):
    expiry, made = days(400), days(-30)
    receipt = receiving.receive(
        released, by=clerk_a, quantity="60", code=label(expiry=expiry, made=made)
    )
    lot = receipt.lot
    assert (lot.supplier_lot_number, lot.expires_on, lot.manufactured_on) == (
        "KS2611-01", expiry, made,
    )  # fmt: skip
    assert lot.origin == "received" and lot.supplier == released.order.supplier
    assert lot.gtin == SUPPLIER_GTIN and receipt.gtin == SUPPLIER_GTIN
    stock = Stock.objects.get(object=lot)
    assert (stock.location.code, stock.quantity) == ("RCV", Decimal(60))
    assert status_of(lot).status == StockStatus.QUARANTINE
    event = receipt.event.document
    assert event["action"] == "ADD" and event["bizStep"].endswith("receiving")
    assert event["disposition"].endswith("in_progress")
    assert {"type": "po", "bizTransaction": released.order.urn} in [
        {"type": t.get("type"), "bizTransaction": t.get("bizTransaction")}
        for t in event["bizTransactionList"]
    ]
    assert any(s["type"] == "owning_party" for s in event["sourceList"])
    assert event["ilmd"]["cbvmda:itemExpirationDate"] == expiry.isoformat()
    assert receipt.number.startswith("GR-") and receipt.mismatches == []
    released.refresh_from_db()
    assert released.received_quantity == Decimal(60)
    assert released.order.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert AuditEntry.objects.filter(
        object_type="purchasing.receipt", object_id=str(receipt.pk), action="create"
    ).exists()


def test_the_rest_completes_the_order(released, clerk_a):
    receiving.receive(released, by=clerk_a, quantity="60", supplier_lot="A1")
    receiving.receive(released, by=clerk_a, quantity="40", supplier_lot="A2")
    assert PurchaseOrder.objects.get().status == PurchaseOrderStatus.RECEIVED


def test_our_lot_number_comes_from_the_catalog_rule(released, clerk_a, organization):
    create_lot_rule(organization=organization, pattern="R{YY}-{SEQ:4}")
    receipt = receiving.receive(released, by=clerk_a, quantity="5", supplier_lot="KS-1")
    assert receipt.lot.lot_number.startswith("R") and receipt.lot.lot_number.endswith("-0001")
    assert receipt.lot.supplier_lot_number == "KS-1"


def test_a_certificate_of_analysis_is_kept_with_its_hash(released, clerk_a):
    coa = SimpleUploadedFile("coa.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    receipt = receiving.receive(
        released, by=clerk_a, quantity="5", supplier_lot="KS-1", certificate=coa
    )
    assert receipt.certificate_name == "coa.pdf"
    assert len(receipt.certificate_sha256) == 64 and receipt.certificate.read().startswith(b"%PDF")


def test_a_retry_with_the_same_key_answers_the_first_receipt(released, clerk_a):
    first = receiving.receive(released, by=clerk_a, quantity="5", supplier_lot="K", key="k-1")
    before = counts()
    again = receiving.receive(released, by=clerk_a, quantity="5", supplier_lot="K", key="k-1")
    assert again.pk == first.pk and counts() == before


def test_over_receipt_needs_a_reason(released, clerk_a):
    error = refused_without_writing(
        released, clerk_a, ErrorCode.REASON_REQUIRED, quantity="101", supplier_lot="K"
    )
    assert "more than the 100 KG still open" in str(error.message)
    receipt = receiving.receive(
        released, by=clerk_a, quantity="101", supplier_lot="K", reason="Full bags only"
    )
    assert [m["kind"] for m in receipt.mismatches] == ["over_receipt"]
    assert receipt.reason == "Full bags only"


def test_within_the_tolerance_no_reason_is_needed(draft, buyer_a, clerk_a):
    order = orders.release(draft(tolerance_percent=5), by=buyer_a)
    receipt = receiving.receive(order.lines.get(), by=clerk_a, quantity="105", supplier_lot="K")
    assert receipt.mismatches == []


def test_a_bad_scan_is_refused(released, clerk_a):
    error = refused_without_writing(
        released, clerk_a, ErrorCode.VALIDATION, quantity="5", code="0109506000990013"
    )
    assert error.details["fields"]["code"]


def test_a_gtin_of_another_product_is_refused(released, clerk_a):
    error = refused_without_writing(
        released, clerk_a, ErrorCode.VALIDATION, quantity="5",
        code=label(gtin="09506000134352"),
    )  # fmt: skip
    assert str(error.message) == (
        f"GTIN 09506000134352 is not PVC-100, the item of {released.order.number} line 1."
    )


def test_expired_material_is_refused(released, clerk_a):
    error = refused_without_writing(
        released, clerk_a, ErrorCode.VALIDATION, quantity="5",
        code=label(expiry=days(-1)),
    )  # fmt: skip
    assert "expired on" in str(error.message)


def test_typed_values_must_agree_with_the_label(released, clerk_a):
    error = refused_without_writing(
        released, clerk_a, ErrorCode.VALIDATION, quantity="5", code=label(lot="A"),
        supplier_lot="B",
    )  # fmt: skip
    assert str(error.message) == "The label says lot A; B was typed."


def test_shelf_life_items_need_an_expiry_and_enough_of_it(draft, buyer_a, clerk_a, resin):
    resin.shelf_life_days = 730
    resin.save()
    line = orders.release(draft(min_remaining_days=180), by=buyer_a).lines.get()
    error = refused_without_writing(line, clerk_a, ErrorCode.REASON_REQUIRED, quantity="5",
                                    supplier_lot="K")  # fmt: skip
    assert "no expiry date" in str(error.message)
    error = refused_without_writing(
        line, clerk_a, ErrorCode.REASON_REQUIRED, quantity="5", code=label(expiry=days(90))
    )
    assert "180 required" in str(error.message)
    receipt = receiving.receive(
        line, by=clerk_a, quantity="5", code=label(expiry=days(90)), reason="Used within 60 days"
    )
    assert [m["kind"] for m in receipt.mismatches] == ["short_shelf_life"]


def test_only_a_released_order_is_received(draft, clerk_a):
    line = draft().lines.get()
    refused_without_writing(line, clerk_a, ErrorCode.INVALID_STATE, quantity="5",
                            supplier_lot="K")  # fmt: skip


def test_receiving_needs_the_role_at_the_orders_site(released, clerk_b, buyer_a):
    for user in (clerk_b, buyer_a):
        refused_without_writing(released, user, ErrorCode.PERMISSION_DENIED, quantity="5",
                                supplier_lot="K")  # fmt: skip


def test_a_supplier_disqualified_since_release_is_refused(released, clerk_a, qa_a):
    from conftest import PASSWORD
    from medtrace.partners import services as partners

    partners.disqualify(released.order.supplier, by=qa_a, password=PASSWORD, reason="Fraud")
    error = refused_without_writing(released, clerk_a, ErrorCode.INVALID_STATE, quantity="5",
                                    supplier_lot="K")  # fmt: skip
    assert "disqualified" in str(error.message)


def test_an_item_with_an_incoming_plan_starts_its_inspection(
    released, clerk_a, resin, organization, qa_a
):
    plan = inspection_plans.create_plan(
        organization=organization, code="IP-RES", name="来料", stage=InspectionStage.INCOMING,
        item=resin, aql_major="1.0",
        characteristics=[{"name": "Specks", "kind": "attribute", "defect_class": "major"}],
        by=qa_a,
    )  # fmt: skip
    receipt = receiving.receive(released, by=clerk_a, quantity="80.5", supplier_lot="K")
    record = receipt.inspection
    assert (record.plan, record.lot, record.lot_size) == (plan, receipt.lot, 81)
    assert record.sample_size > 0 and record.stage == "incoming"


@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    code=st.one_of(
        st.text(max_size=60),
        st.from_regex(r"\A(01\d{14})?(17\d{6})?(10[A-Za-z0-9]{0,25})?\Z"),
        st.from_regex(r"\A\+[A-Z0-9]{4,30}\Z"),
        st.from_regex(r"\Ahttps://id\.gs1\.org/01/\d{14}(/10/[A-Za-z0-9]{1,20})?\Z"),
    )
)
def test_any_scanned_text_is_received_or_refused_cleanly(released, clerk_a, code):
    before = counts()
    try:
        receipt = receiving.receive(
            released, by=clerk_a, quantity="1", code=code, reason="robustness"
        )
    except DomainError as error:
        assert str(error.message)
        assert counts() == before
    else:
        assert receipt.lot.supplier_lot_number
        assert receipt.scanned == code.strip()
        assert receipt.expires_on is None or receipt.expires_on >= datetime.date.today() - (
            datetime.timedelta(days=1)
        )


def test_an_hibc_label_is_checked_against_the_suppliers_item_code(draft, buyer_a, clerk_a):
    from medtrace.scan.checks import hibc_check_character

    line = orders.release(draft(supplier_item_code="+A99912345"), by=buyer_a).lines.get()
    data = f"+A99912345/$$3{days(400):%y%m%d}LOTH1"
    receipt = receiving.receive(
        line, by=clerk_a, quantity="3", code=data + hibc_check_character(data)
    )
    assert (receipt.supplier_lot_number, receipt.expires_on) == ("LOTH1", days(400))
    other = "+B11198765/$$3" + f"{days(400):%y%m%d}LOTH2"
    error = refused_without_writing(
        line, clerk_a, ErrorCode.VALIDATION, quantity="3",
        code=other + hibc_check_character(other),
    )  # fmt: skip
    assert "is not PVC-100" in str(error.message)


def test_a_digital_link_label_is_read(released, clerk_a):
    code = f"https://id.gs1.org/01/{SUPPLIER_GTIN}/10/DL-7?17={days(365):%y%m%d}"
    receipt = receiving.receive(released, by=clerk_a, quantity="2", code=code)
    assert (receipt.supplier_lot_number, receipt.expires_on) == ("DL-7", days(365))
