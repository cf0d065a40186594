"""Work orders: planned, released to the BOM and routing in force (snapshotted, so a later
version changes nothing), refused with named reasons that write nothing, audited; the kitting
list suggests available stock first expiry first out and flags shortages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medtrace.audit.models import AuditEntry
from medtrace.catalog import selectors as catalog_selectors
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.models import Item
from medtrace.catalog.services import LineIn
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.production import selectors, services
from medtrace.production.choices import WorkOrderStatus
from medtrace.production.models import WorkOrder
from medtrace.production.tests.fixtures import make_bom, make_effective

pytestmark = pytest.mark.django_db


def _entries(order, action):
    return AuditEntry.objects.filter(
        object_id=str(order.pk), object_type__icontains="workorder", action=action
    )


def test_a_planned_order_is_numbered_and_audited(planned, supervisor_a):
    assert planned.number.startswith("WO")
    assert planned.status == WorkOrderStatus.PLANNED
    assert planned.quantity == Decimal("100") and planned.unit == "EA"
    entry = _entries(planned, "create").get()
    assert entry.actor == supervisor_a and entry.changes["quantity"][1] in ("100", "100.000000")


def test_release_snapshots_bom_and_routing(planned, supervisor_a):
    order = services.release(planned, by=supervisor_a)
    assert order.status == WorkOrderStatus.RELEASED
    assert order.bom.version == 1 and order.routing.version == 1
    assert order.released_by == supervisor_a and order.released_at is not None
    lines = order.snapshot["bom"]["lines"]
    assert [(line["component"], line["quantity"], line["tolerance_percent"]) for line in lines] == [
        ("CMP-TUBE", "2", "5"),
        ("CMP-SPIKE", "1", "0"),
    ]
    operations = order.snapshot["routing"]["operations"]
    assert [op["name"] for op in operations] == ["注塑", "装配"]
    assert operations[0]["equipment_type"] == "injection_molding"
    assert operations[0]["parameters"][0]["upper_limit"] == "240"
    assert "documents" in operations[0]
    assert [(row["component"], row["required"]) for row in order.required()] == [
        ("CMP-TUBE", Decimal("200")),
        ("CMP-SPIKE", Decimal("100")),
    ]
    entry = _entries(order, "transition").get()
    assert entry.changes["status"] == ["planned", "released"]
    assert entry.changes["bom"] == [None, "BOM FG-IV-01 v1"]


def test_a_later_bom_version_does_not_change_a_released_order(
    planned, supervisor_a, site_a, engineer_a, qa_a, product
):
    services.release(planned, by=supervisor_a)
    v2 = make_bom(product, engineer_a, [LineIn("CMP-TUBE", 3), LineIn("CMP-CLAMP", 1)])
    make_effective(site_a, engineer_a, qa_a, boms=[v2])
    assert catalog_selectors.effective_bom(product).version == 2
    order = WorkOrder.objects.get(pk=planned.pk)
    assert order.bom.version == 1
    assert [row["component"] for row in order.required()] == ["CMP-TUBE", "CMP-SPIKE"]
    # an order released now takes version 2
    fresh = services.create_work_order(site=site_a, item=product, quantity=10, by=supervisor_a)
    fresh = services.release(fresh, by=supervisor_a)
    assert fresh.bom.version == 2
    assert [(r["component"], r["required"]) for r in fresh.required()] == [
        ("CMP-TUBE", Decimal("30")),
        ("CMP-CLAMP", Decimal("10")),
    ]


def test_required_quantities_round_up(site_a, supervisor_a, product):
    order = services.create_work_order(site=site_a, item=product, quantity="2.5", by=supervisor_a)
    order = services.release(order, by=supervisor_a)
    assert [r["required"] for r in order.required()] == [Decimal("5"), Decimal("3")]


def _nothing_written(before_orders, before_audit):
    assert WorkOrder.objects.count() == before_orders
    assert AuditEntry.objects.count() == before_audit


def test_release_without_an_effective_bom_is_refused_and_writes_nothing(
    organization, site_a, supervisor_a
):
    item = catalog.create_item(
        organization=organization, code="SA-NEW", name="新组件", kind=ItemKind.SUB_ASSEMBLY
    )
    order = services.create_work_order(site=site_a, item=item, quantity=5, by=supervisor_a)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.release(order, by=supervisor_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "no approved BOM" in str(refused.value.message)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED and order.snapshot == {} and order.bom is None
    assert AuditEntry.objects.count() == before


def test_release_without_an_effective_routing_is_refused(
    infusion_set, site_a, engineer_a, qa_a, supervisor_a
):
    bom = make_bom(infusion_set, engineer_a, [LineIn("CMP-TUBE", 1)])
    make_effective(site_a, engineer_a, qa_a, boms=[bom])
    order = services.create_work_order(site=site_a, item=infusion_set, quantity=5, by=supervisor_a)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError, match="no approved routing"):
        services.release(order, by=supervisor_a)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED and order.bom is None
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("quantity", ["0", "-3", "abc", "1.1234567", "1e20", "NaN"])
def test_a_bad_quantity_is_refused_and_writes_nothing(product, site_a, supervisor_a, quantity):
    counts = WorkOrder.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.create_work_order(site=site_a, item=product, quantity=quantity, by=supervisor_a)
    assert refused.value.code == ErrorCode.VALIDATION
    assert "quantity" in refused.value.details["fields"]
    _nothing_written(*counts)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=12))
def test_any_text_quantity_is_either_a_valid_order_or_a_named_refusal(
    product, site_a, supervisor_a, text
):
    try:
        order = services.create_work_order(
            site=site_a, item=product, quantity=text, by=supervisor_a
        )
    except DomainError as error:
        assert error.code == ErrorCode.VALIDATION
    else:
        assert order.quantity > 0


def test_raw_materials_are_not_made(organization, site_a, supervisor_a, resin):
    with pytest.raises(DomainError, match="only devices"):
        services.create_work_order(site=site_a, item=resin, quantity=1, by=supervisor_a)
    assert not WorkOrder.objects.exists()


def test_an_operator_may_not_plan_or_release(planned, site_a, operator_a, product):
    counts = WorkOrder.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.create_work_order(site=site_a, item=product, quantity=1, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as refused:
        services.release(planned, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    _nothing_written(*counts)
    planned.refresh_from_db()
    assert planned.status == WorkOrderStatus.PLANNED


def test_another_sites_supervisor_may_neither_plan_here_nor_release(
    planned, site_a, supervisor_b, product
):
    counts = WorkOrder.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.create_work_order(site=site_a, item=product, quantity=1, by=supervisor_b)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as refused:
        services.release(planned, by=supervisor_b)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    _nothing_written(*counts)
    assert not selectors.visible_work_orders(supervisor_b).exists()


def test_cancel_needs_a_reason_and_is_audited(planned, supervisor_a):
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.cancel(planned, by=supervisor_a, reason="  ")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert AuditEntry.objects.count() == before
    order = services.cancel(planned, by=supervisor_a, reason="客户取消订单")
    assert order.status == WorkOrderStatus.CANCELLED and order.cancel_reason == "客户取消订单"
    entry = _entries(order, "transition").get()
    assert entry.reason == "客户取消订单"
    with pytest.raises(DomainError) as refused:
        services.release(order, by=supervisor_a)
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_a_released_order_may_be_cancelled(planned, supervisor_a):
    order = services.release(planned, by=supervisor_a)
    assert services.cancel(order, by=supervisor_a, reason="Line down").status == "cancelled"


def test_the_planned_end_may_not_precede_the_start(product, site_a, supervisor_a):
    today = timezone.localdate()
    with pytest.raises(DomainError, match="before the planned start"):
        services.create_work_order(
            site=site_a, item=product, quantity=1, by=supervisor_a,
            planned_start=today, planned_end=today - timedelta(days=1),
        )  # fmt: skip


@pytest.fixture
def stocked(product, bins, make_lot, put):
    """CMP-TUBE: 120 expiring later at A-01, 50 expiring sooner at A-02, 500 held;
    CMP-SPIKE: 30 only."""
    tube, spike = (Item.objects.get(code=c) for c in ("CMP-TUBE", "CMP-SPIKE"))
    today = timezone.localdate()
    later = make_lot(tube, "T-LATE", expires_on=today + timedelta(days=300))
    sooner = make_lot(tube, "T-SOON", expires_on=today + timedelta(days=30))
    held = make_lot(tube, "T-HELD", expires_on=today + timedelta(days=5))
    put(later, bins["A-01"], 120)
    put(sooner, bins["A-02"], 50)
    put(held, bins["A-01"], 500, disposition="non_conformant")
    put(make_lot(spike, "S-1"), bins["A-01"], 30)


def test_the_kitting_list_picks_fefo_and_flags_shortages(planned, supervisor_a, stocked):
    assert selectors.kitting_list(planned) == []  # not released yet
    order = services.release(planned, by=supervisor_a)
    tube, spike = selectors.kitting_list(order)
    assert [(p.stock.lot.lot_number, p.quantity) for p in tube.picks] == [
        ("T-SOON", Decimal("50")),
        ("T-LATE", Decimal("120")),
    ]
    assert tube.line["required"] == Decimal("200") and tube.shortage == Decimal("30")
    assert [(p.stock.lot.lot_number, p.quantity) for p in spike.picks] == [("S-1", Decimal("30"))]
    assert spike.shortage == Decimal("70")


def test_the_kitting_list_stops_when_covered(site_a, supervisor_a, product, stocked):
    order = services.create_work_order(site=site_a, item=product, quantity=20, by=supervisor_a)
    tube, spike = selectors.kitting_list(services.release(order, by=supervisor_a))
    assert [(p.stock.lot.lot_number, p.quantity) for p in tube.picks] == [("T-SOON", Decimal("40"))]
    assert tube.shortage == 0 and spike.shortage == 0


def test_a_change_to_the_product_lists_its_open_orders(planned, engineer_a, qa_a, site_a, client):
    from django.urls import reverse

    from medtrace.changes.impact import impact_of
    from medtrace.changes.services import changes
    from medtrace.quality.choices import RiskLevel

    bom = catalog.create_bom_draft(
        item=planned.item, by=engineer_a, copy_from=catalog_selectors.effective_bom(planned.item)
    )
    change = changes.open_change(
        site=site_a, by=engineer_a, title="Tube", kind="standard", reason="x", description="x",
        risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.set_scope(change, by=engineer_a, boms=[bom])
    assert impact_of(change, user=qa_a).work_orders == [planned]
    assert impact_of(change, user=qa_a).as_dict()["work_orders"][0]["number"] == planned.number
    client.force_login(qa_a)
    page = client.get(reverse("changes:change-detail", args=[change.pk])).content.decode()
    assert f'data-work-order="{planned.number}"' in page
