"""Recalls: the scope is the forward trace broken down by where each affected lot and unit is;
approval (signed) puts exactly what is in our stock on status recalled, in one transaction, and
picking or shipping it is refused naming the recall; the scope is widened or narrowed with a
reason and its difference kept; the regulators' clocks run from the approval; a drill holds
nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.inventory.choices import Operation, StockStatus
from medtrace.inventory.services import moves
from medtrace.inventory.statuses import status_of
from medtrace.quality.work_calendar import us_federal_holidays
from medtrace.recall.choices import Place, RecallStatus
from medtrace.recall.models import Recall
from medtrace.recall.services import deadlines, recalls
from medtrace.trace.engine import trace_forward

pytestmark = pytest.mark.django_db


def _open(site, by, roots, **fields):
    values = {
        "title": "管路破裂", "reason": "供应商管路批次爆破压力不合格", "depth": "user",
        "strategy": "removal", "nmpa_class": "II", **fields,
    }  # fmt: skip
    return recalls.open_recall(site=site, roots=roots, by=by, **values)


def _where(snapshot):
    return sorted(
        (entry.lot.lot_number, entry.place, plain(entry.quantity))
        for entry in snapshot.entries.select_related("lot")
    )


def test_the_scope_is_the_forward_trace_by_place(made_and_shipped, site_a, qa_a):
    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    recall = _open(site_a, qa_a, [tube])
    scope = recall.current_scope()
    forward = trace_forward(tube)
    expected = {tube.identifier} | {obj.identifier for obj in (*forward.lots, *forward.units)}
    assert set(scope.summary["objects"]) == expected
    assert _where(scope) == sorted(
        [
            ("T-001", Place.WIP, "300"),
            (product.lot_number, Place.STOCK, "70"),
            (product.lot_number, Place.CONSIGNEE, "30"),
        ]
    )
    consignee = scope.entries.get(place=Place.CONSIGNEE)
    assert consignee.party.identifier.endswith("6901234567892") and consignee.shipment
    assert recall.number.startswith("RCL") and recall.status == RecallStatus.DRAFT
    assert AuditEntry.objects.filter(object_id=str(recall.pk), action="create").exists()


def test_approval_recalls_exactly_what_is_in_our_stock(made_and_shipped, site_a, qa_a, bins):
    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    recall = _open(site_a, qa_a, [tube])
    assert status_of(product).status == StockStatus.AVAILABLE
    recall = recalls.approve(recall, by=qa_a, password=PASSWORD)
    assert recall.status == RecallStatus.APPROVED and recall.approved_at is not None
    assert Signature.objects.filter(object_id=str(recall.pk), meaning="approved").exists()
    for lot in (tube, product):
        info = status_of(lot)
        assert info.status == StockStatus.RECALLED and recall.number in info.reason
    with pytest.raises(DomainError, match=recall.number):
        moves.move(
            site=site_a, lines=[moves.Line(product, 1)], operation=Operation.PICK,
            biz_step="picking", source=bins["A-01"], destination=bins["SHP"], by=qa_a,
        )  # fmt: skip


def test_a_drill_holds_nothing(made_and_shipped, site_a, qa_a):
    drill = _open(site_a, qa_a, [made_and_shipped["tube"]], drill=True, nmpa_class="")
    assert drill.number.startswith("DRL")
    recalls.approve(drill, by=qa_a, password=PASSWORD)
    assert status_of(made_and_shipped["product"]).status == StockStatus.AVAILABLE


def test_the_scope_widens_and_narrows_with_a_reason(made_and_shipped, site_a, qa_a, make_lot):
    from medtrace.catalog.models import Item

    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    recall = _open(site_a, qa_a, [product])
    assert tube.identifier not in recall.current_scope().summary["objects"]
    with pytest.raises(DomainError, match="Say why"):
        recalls.rescope(recall, by=qa_a, reason="", add=[tube])
    wider = recalls.rescope(recall, by=qa_a, reason="同批管路", add=[tube])
    assert wider.version == 2 and wider.diff == {"added": [tube.identifier], "removed": []}
    narrower = recalls.rescope(recall, by=qa_a, reason="管路另行处理", remove=[tube])
    assert narrower.diff == {"added": [], "removed": [tube.identifier]}
    assert recall.scopes.count() == 3
    assert AuditEntry.objects.filter(object_id=str(recall.pk), reason="同批管路").exists()
    # Approval holds only what is in scope: a lot outside it stays as it was.
    spare = make_lot(Item.objects.get(code="CMP-SPIKE"), "S-009")
    recalls.approve(recall, by=qa_a, password=PASSWORD)
    assert status_of(spare).status != StockStatus.RECALLED


def test_an_approved_recall_holds_what_the_wider_scope_adds(
    made_and_shipped, site_a, qa_a, put, bins
):
    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    recall = recalls.approve(_open(site_a, qa_a, [product]), by=qa_a, password=PASSWORD)
    assert status_of(tube).status == StockStatus.AVAILABLE
    recalls.rescope(recall, by=qa_a, reason="同批管路", add=[tube])
    assert status_of(tube).status == StockStatus.RECALLED


def test_refusals_name_the_rule_and_write_nothing(made_and_shipped, site_a, qa_a, operator_a):
    tube = made_and_shipped["tube"]
    with pytest.raises(DomainError, match="starts from"):
        _open(site_a, qa_a, [])
    with pytest.raises(DomainError, match="Classify"):
        _open(site_a, qa_a, [tube], nmpa_class="")
    with pytest.raises(DomainError) as refused:
        _open(site_a, operator_a, [tube])
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not Recall.objects.exists()


def test_the_clocks_run_from_the_approval(made_and_shipped, site_a, qa_a):
    recall = _open(site_a, qa_a, [made_and_shipped["tube"]], fda_class="II", eu_fsca=True)
    assert all(deadline.due is None for deadline in deadlines.deadlines(recall))
    recall = recalls.approve(recall, by=qa_a, password=PASSWORD)
    found = {(d.regime, str(d.what)): d for d in deadlines.deadlines(recall)}
    notify = found["NMPA", "Notify the distributors and users"]
    assert notify.due - recall.approved_at == timedelta(days=3)
    assert "医疗器械召回管理办法" in notify.rule
    fda = found["FDA", "Report the correction or removal (21 CFR 806)"]
    # 10 working days after the approval day: weekdays that are not US federal holidays.
    approved = recall.approved_at.astimezone(fda.due.tzinfo).date()
    holidays = {*us_federal_holidays(approved.year), *us_federal_holidays(approved.year + 1)}
    days = [approved + timedelta(days=n) for n in range(1, (fda.due.date() - approved).days + 1)]
    assert [day.weekday() < 5 and day not in holidays for day in days].count(True) == 10
    assert fda.due.date().weekday() < 5 and fda.due.date() not in holidays
    assert found["EU", "Report the FSCA to the competent authority"].due == recall.approved_at
    assert not notify.overdue() and notify.overdue(timezone.now() + timedelta(days=4))
    report = found["NMPA", "Submit the recall event report form (召回事件报告表)"]
    assert report.due == recall.approved_at and not report.overdue(timezone.now())


def test_a_supplier_lot_recalls_our_lots_of_it(site_a, qa_a, organization, make_lot):
    from medtrace.catalog.models import Item
    from medtrace.partners.models import Supplier
    from medtrace.trace.services import objects

    supplier = Supplier.objects.create(organization=organization, code="SUP-9", name="管路厂")
    item = Item.objects.create(
        organization=organization, code="CMP-T9", name="管", kind="component"
    )
    ours = objects.create_lot(
        item=item, lot_number="R-77", site=site_a, supplier=supplier,
        supplier_lot_number="SL-2026-5",
    )  # fmt: skip
    assert recalls.supplier_lots(organization, supplier, " sl-2026-5 ") == [ours]
    recall = _open(site_a, qa_a, recalls.supplier_lots(organization, supplier, "SL-2026-5"))
    assert recall.current_scope().summary["objects"] == [ours.identifier]


def test_scope_quantities_add_up_to_what_was_made(made_and_shipped, site_a, qa_a):
    product = made_and_shipped["product"]
    entries = _open(site_a, qa_a, [product]).current_scope().entries.filter(lot=product)
    assert sum(entry.quantity for entry in entries) == Decimal(100)


def test_only_a_root_is_removed(made_and_shipped, site_a, qa_a):
    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    recall = _open(site_a, qa_a, [product])
    with pytest.raises(DomainError, match="not a root"):
        recalls.rescope(recall, by=qa_a, reason="x", remove=[tube])
    assert recall.scopes.count() == 1
