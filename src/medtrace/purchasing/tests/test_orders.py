"""Purchase orders: drafted with lines, released only when every line's source allows it (a
conditional source only with the QA manager's signed exception), cancelled and closed; each
refusal writes nothing."""

from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import services as partners
from medtrace.purchasing.choices import PurchaseOrderStatus
from medtrace.purchasing.models import PurchaseOrder, SourceException
from medtrace.purchasing.services import orders
from medtrace.purchasing.tests.conftest import days

pytestmark = pytest.mark.django_db


def entries(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).values_list("action", flat=True)
    )


def test_a_draft_gets_its_number_lines_and_audit(draft, resin):
    order = draft(quantity="250.5")
    assert order.number.startswith("PO-") and order.status == PurchaseOrderStatus.DRAFT
    line = order.lines.get()
    assert (line.position, line.item, line.quantity, line.uom) == (1, resin, Decimal("250.5"), "KG")
    assert entries(order) == ["create", "change"]


def test_release_with_an_approved_source(draft, buyer_a):
    order = orders.release(draft(), by=buyer_a)
    assert order.status == PurchaseOrderStatus.RELEASED
    assert entries(order)[-1] == "transition"


def test_an_unapproved_source_is_refused_naming_supplier_item_and_reason(
    draft, buyer_a, organization, qa_a
):
    other = partners.create_supplier(organization=organization, code="SUP-NEW", name="新供应商")
    order = draft(supplier=other)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        orders.release(order, by=buyer_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert str(refused.value.message) == (
        "Line 1: Supplier SUP-NEW is Prospective, not approved: nothing may be bought from it."
    )
    assert refused.value.details["supplier"] == "SUP-NEW"
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.DRAFT
    assert AuditEntry.objects.count() == before


def test_a_conditional_source_needs_the_qa_managers_signed_exception(
    draft, buyer_a, qa_a, conditional_supplier
):
    order = draft(supplier=conditional_supplier)
    line = order.lines.get()
    with pytest.raises(DomainError) as refused:
        orders.release(order, by=buyer_a)
    assert "A QA manager's signed exception" in str(refused.value.message)
    assert "100 % incoming inspection" in str(refused.value.message)
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.DRAFT
    exception = orders.grant_exception(
        line, by=qa_a, password=PASSWORD, reason="Only source; full inspection agreed"
    )
    signature = Signature.objects.get(object_type="purchasing.sourceexception")
    assert (signature.object_id, signature.meaning) == (str(exception.pk), "approved")
    assert exception.conditions == "100 % incoming inspection"
    assert orders.release(order, by=buyer_a).status == PurchaseOrderStatus.RELEASED


def test_a_refused_exception_signature_keeps_only_its_failure(draft, qa_a, conditional_supplier):
    order = draft(supplier=conditional_supplier)
    with pytest.raises(DomainError) as refused:
        orders.grant_exception(order.lines.get(), by=qa_a, password="wrong", reason="Needed")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    assert not SourceException.objects.exists()
    assert not Signature.objects.filter(object_type="purchasing.sourceexception").exists()
    assert entries(order)[-1] == "sign_failed"


def test_only_a_qa_manager_signs_an_exception(draft, buyer_a, conditional_supplier):
    order = draft(supplier=conditional_supplier)
    with pytest.raises(DomainError) as refused:
        orders.grant_exception(order.lines.get(), by=buyer_a, password=PASSWORD, reason="x")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not SourceException.objects.exists()


def test_an_exception_needs_a_reason_and_a_conditional_verdict(draft, qa_a):
    line = draft().lines.get()
    with pytest.raises(DomainError) as refused:
        orders.grant_exception(line, by=qa_a, password=PASSWORD, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    with pytest.raises(DomainError) as refused:
        orders.grant_exception(line, by=qa_a, password=PASSWORD, reason="why not")
    assert "needs no exception" in str(refused.value.message)
    assert not SourceException.objects.exists()


def test_an_exception_for_other_conditions_does_not_cover(
    draft, buyer_a, qa_a, conditional_supplier, resin
):
    order = draft(supplier=conditional_supplier)
    orders.grant_exception(order.lines.get(), by=qa_a, password=PASSWORD, reason="Agreed")
    source = conditional_supplier.approved_sources.get(item=resin)
    source.status, source.note = "conditional", "Trial lots only"
    source.save()
    with pytest.raises(DomainError):
        orders.release(order, by=buyer_a)


def test_only_purchasing_orders_and_only_at_their_sites(
    site_a, site_b, resin, resin_supplier, clerk_a, buyer_b
):
    for user, site in ((clerk_a, site_a), (buyer_b, site_a)):
        with pytest.raises(DomainError) as refused:
            orders.create_order(site=site, supplier=resin_supplier, by=user)
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not PurchaseOrder.objects.exists()


def test_lines_only_on_a_draft_and_an_empty_order_is_not_released(
    site_a, resin_supplier, buyer_a, resin, released
):
    with pytest.raises(DomainError) as refused:
        orders.add_line(released.order, item=resin, quantity=1, expected_on=days(3), by=buyer_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    empty = orders.create_order(site=site_a, supplier=resin_supplier, by=buyer_a)
    with pytest.raises(DomainError) as refused:
        orders.release(empty, by=buyer_a)
    assert "has no lines" in str(refused.value.message)


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1.1234567"])
def test_a_line_quantity_is_checked(draft, quantity):
    with pytest.raises(DomainError) as refused:
        draft(quantity=quantity)
    assert refused.value.code == ErrorCode.VALIDATION
    assert not PurchaseOrder.objects.exists()


def test_a_wrong_supplier_gtin_is_refused(draft):
    with pytest.raises(DomainError) as refused:
        draft(supplier_gtin="09506000990012")
    assert "check digit" in str(refused.value.message)


def test_cancel_needs_a_reason_and_no_receipts(draft, buyer_a):
    order = draft()
    with pytest.raises(DomainError) as refused:
        orders.cancel(order, by=buyer_a, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert (
        orders.cancel(order, by=buyer_a, reason="Duplicate").status == PurchaseOrderStatus.CANCELLED
    )
