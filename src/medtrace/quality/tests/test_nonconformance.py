from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality.choices import Decision, NcrStatus
from medtrace.quality.models import Nonconformance
from medtrace.quality.services import nonconformance as ncrs
from medtrace.quality.workflows import NCR
from medtrace.trace.models import Lot, TraceEvent

pytestmark = pytest.mark.django_db


def entries(ncr):
    return list(
        AuditEntry.objects.filter(object_type="quality.nonconformance", object_id=str(ncr.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_an_ncr_on_a_received_lot_links_its_item_supplier_and_supplier_lot(make_ncr, resin):
    ncr = make_ncr()
    assert ncr.number.startswith("NCR-") and ncr.number.endswith("-0001")
    assert ncr.item == resin
    assert ncr.supplier.code == "SUP-PC"
    assert ncr.supplier_lot_number == "HS-55102"
    assert ncr.status == NcrStatus.OPEN
    assert entries(ncr) == [AuditAction.CREATE]


def test_opening_an_ncr_holds_the_lot_through_the_trace_core(make_ncr, received_lot):
    ncr = make_ncr()
    hold = TraceEvent.objects.get(pk=ncr.hold_event_id)
    assert (hold.biz_step, hold.disposition) == ("holding", "non_conformant")
    assert Lot.objects.get(pk=received_lot.pk).disposition == "non_conformant"
    assert ncr.number in hold.reason


def test_an_ncr_may_be_opened_without_holding(make_ncr, received_lot):
    ncr = make_ncr(hold=False)
    assert ncr.hold_event is None
    assert Lot.objects.get(pk=received_lot.pk).disposition == ""


def test_the_equipment_state_is_copied_when_the_ncr_is_opened(make_ncr, molder):
    ncr = make_ncr(equipment=molder)
    assert ncr.equipment_status == "in_service"
    assert str(ncr.equipment_calibration_due_on) == "2026-11-28"


def test_numbers_are_consecutive_and_a_refused_ncr_takes_none(make_ncr):
    first = make_ncr()
    with pytest.raises(DomainError) as refused:
        make_ncr(title="")
    assert refused.value.code == ErrorCode.VALIDATION
    assert "title" in refused.value.details["fields"]
    second = make_ncr(hold=False)
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1
    assert Nonconformance.objects.count() == 2


def test_a_lot_of_another_site_is_refused(make_ncr, site_b, received_lot):
    with pytest.raises(DomainError) as refused:
        make_ncr(site=site_b)
    assert refused.value.details["fields"] == {"lot": [refused.value.message]}
    assert not Nonconformance.objects.exists()
    assert not TraceEvent.objects.exists()


def test_a_quantity_needs_its_unit(make_ncr):
    with pytest.raises(DomainError) as refused:
        make_ncr(uom="")
    assert "uom" in refused.value.details["fields"]


def test_the_ncr_walks_from_review_to_closure_with_signatures(make_ncr, qa_a):
    ncr = make_ncr()
    ncr = ncrs.start_review(ncr, by=qa_a)
    ncrs.add_disposition(
        ncr, decision=Decision.RETURN_TO_SUPPLIER, quantity=Decimal("450"),
        justification="Specks throughout the lot; supplier to replace.", by=qa_a,
    )  # fmt: skip
    ncrs.add_disposition(
        ncr, decision=Decision.SCRAP, quantity=Decimal("50"),
        justification="Opened bags for sampling.", by=qa_a,
    )  # fmt: skip
    ncr = ncrs.approve_dispositions(ncr, by=qa_a, password=PASSWORD)
    assert ncr.status == NcrStatus.DISPOSITIONED
    with pytest.raises(DomainError) as refused:
        ncrs.close(ncr, by=qa_a, password=PASSWORD)
    assert "2 dispositions" in refused.value.message
    for row in ncr.dispositions.all():
        ncrs.execute_disposition(row, note="Done as decided.", by=qa_a)
    ncr = ncrs.close(ncr, by=qa_a, password=PASSWORD)
    assert ncr.status == NcrStatus.CLOSED and ncr.closed_at is not None
    meanings = set(Signature.objects.values_list("meaning", flat=True))
    assert meanings == {SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED}
    assert entries(ncr).count(AuditAction.TRANSITION) == 3


def test_dispositions_must_cover_the_whole_quantity_before_approval(make_ncr, qa_a):
    ncr = ncrs.start_review(make_ncr(), by=qa_a)
    ncrs.add_disposition(
        ncr, decision=Decision.SCRAP, quantity=Decimal("100"), justification="x", by=qa_a
    )
    with pytest.raises(DomainError) as refused:
        ncrs.approve_dispositions(ncr, by=qa_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "100" in refused.value.message and "500" in refused.value.message
    assert Nonconformance.objects.get(pk=ncr.pk).status == NcrStatus.UNDER_REVIEW
    assert not Signature.objects.exists()


def test_dispositions_cannot_exceed_the_quantity(make_ncr, qa_a):
    ncr = ncrs.start_review(make_ncr(), by=qa_a)
    with pytest.raises(DomainError) as refused:
        ncrs.add_disposition(
            ncr, decision=Decision.USE_AS_IS, quantity=Decimal("501"), justification="x", by=qa_a
        )
    assert "quantity" in refused.value.details["fields"]
    assert not ncr.dispositions.exists()


def test_a_disposition_needs_a_justification_and_the_review(make_ncr, qa_a):
    ncr = make_ncr()
    with pytest.raises(DomainError) as refused:
        ncrs.add_disposition(
            ncr, decision=Decision.SCRAP, quantity=Decimal(1), justification="x", by=qa_a
        )
    assert refused.value.code == ErrorCode.INVALID_STATE
    ncr = ncrs.start_review(ncr, by=qa_a)
    with pytest.raises(DomainError) as refused:
        ncrs.add_disposition(
            ncr, decision=Decision.SCRAP, quantity=Decimal(1), justification="  ", by=qa_a
        )
    assert "justification" in refused.value.details["fields"]


def test_a_wrong_password_leaves_the_ncr_under_review(make_ncr, qa_a):
    ncr = ncrs.start_review(make_ncr(), by=qa_a)
    ncrs.add_disposition(
        ncr, decision=Decision.SCRAP, quantity=Decimal(500), justification="x", by=qa_a
    )
    with pytest.raises(DomainError) as refused:
        ncrs.approve_dispositions(ncr, by=qa_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    assert Nonconformance.objects.get(pk=ncr.pk).status == NcrStatus.UNDER_REVIEW
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).count() == 1


def test_an_inspector_may_open_but_not_review_or_approve(make_ncr, make_user, site_a, qa_a):
    inspector = make_user("inspector", (site_a, Role.QA_INSPECTOR))
    ncr = make_ncr(by=inspector)
    assert [t.name for t in NCR.allowed(ncr, inspector)] == []
    assert {t.name for t in NCR.allowed(ncr, qa_a)} == {"start_review", "cancel"}
    with pytest.raises(DomainError) as refused:
        ncrs.start_review(ncr, by=inspector)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_a_qa_manager_of_another_site_may_not_act(make_ncr, qa_b):
    ncr = make_ncr()
    with pytest.raises(DomainError) as refused:
        ncrs.start_review(ncr, by=qa_b)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_a_closed_ncr_refuses_every_action_naming_its_state(make_ncr, qa_a):
    ncr = ncrs.cancel(make_ncr(), by=qa_a, reason="Duplicate of an earlier report.")
    assert ncr.status == NcrStatus.CANCELLED
    with pytest.raises(DomainError) as refused:
        ncrs.start_review(ncr, by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "Cancelled" in refused.value.message


def test_cancelling_needs_a_reason(make_ncr, qa_a):
    with pytest.raises(DomainError) as refused:
        ncrs.cancel(make_ncr(), by=qa_a, reason=" ")
    assert refused.value.code == ErrorCode.REASON_REQUIRED


def test_the_hold_is_stamped_in_the_sites_time_zone_with_an_id_of_its_ncr(make_ncr, site_a):
    ncr = make_ncr()
    hold = ncr.hold_event
    assert hold.event_time_zone_offset == "+08:00"  # site A: Asia/Shanghai
    assert hold.event_id.startswith("urn:uuid:")
    assert make_ncr(hold=True).hold_event.event_id != hold.event_id


def test_carrying_out_a_return_ships_the_lot_to_its_supplier(make_ncr, qa_a, received_lot):
    from medtrace.trace.engine import trace_forward

    ncr = ncrs.start_review(make_ncr(), by=qa_a)
    returned = ncrs.add_disposition(
        ncr, decision=Decision.RETURN_TO_SUPPLIER, quantity=Decimal(450), justification="x",
        by=qa_a,
    )  # fmt: skip
    scrapped = ncrs.add_disposition(
        ncr, decision=Decision.SCRAP, quantity=Decimal(50), justification="y", by=qa_a
    )
    with pytest.raises(DomainError) as refused:
        ncrs.execute_disposition(returned, note="early", by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    ncrs.approve_dispositions(ncr, by=qa_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        ncrs.execute_disposition(returned, note="  ", by=qa_a)
    assert "note" in refused.value.details["fields"]
    returned = ncrs.execute_disposition(returned, note="Shipped back, DN 88123.", by=qa_a)
    assert (returned.event.biz_step, returned.event.disposition) == ("shipping", "returned")
    destinations = trace_forward(Lot.objects.get(pk=received_lot.pk)).parties
    assert [party.supplier.code for party in destinations] == ["SUP-PC"]
    scrapped = ncrs.execute_disposition(scrapped, note="Into the scrap bin.", by=qa_a)
    assert scrapped.event.disposition == "destroyed"
    with pytest.raises(DomainError):
        ncrs.execute_disposition(scrapped, note="again", by=qa_a)


def test_a_decision_without_a_lot_is_carried_out_without_a_trace_event(site_a, qa_a):
    ncr = ncrs.open_nonconformance(
        site=site_a, title="Scratches", description="Housings.", source="final",
        severity="minor", quantity=Decimal(12), uom="EA", by=qa_a,
    )  # fmt: skip
    ncr = ncrs.start_review(ncr, by=qa_a)
    row = ncrs.add_disposition(
        ncr, decision=Decision.REWORK, quantity=Decimal(12), justification="Polish.", by=qa_a
    )
    ncrs.approve_dispositions(ncr, by=qa_a, password=PASSWORD)
    row = ncrs.execute_disposition(row, note="Polished and re-inspected.", by=qa_a)
    assert row.event is None and row.executed_at is not None
