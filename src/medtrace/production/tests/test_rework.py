"""Disassembly and rework: a component taken back out returns to stock with its history (the
link to what it was in stays, the consumption is marked returned), a returned unit waits in
quarantine and may be consumed again once released; the reworked unit keeps its serial."""

import pytest

from medtrace.catalog import services as catalog
from medtrace.catalog.services import LineIn, OperationIn
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.production import services
from medtrace.production.services import consumption, operations, outputs, rework
from medtrace.production.tests.fixtures import make_bom, make_effective, op_of
from medtrace.trace.models import GenealogyLink
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def pump_order(catheter, organization, site_a, engineer_a, qa_a, supervisor_a, bins, put, product):
    """CVC-9 kits, each with one serialized pump unit built in per serial at operation 10;
    pumps P1 and P2 available at the line."""
    pump = catalog.create_item(
        organization=organization, code="CMP-PUMP", name="输液泵芯", kind="component",
        tracking="serial", by=engineer_a,
    )  # fmt: skip
    bom = make_bom(catheter, engineer_a, [LineIn("CMP-PUMP", 1)])
    routing = catalog.create_routing_draft(item=catheter, by=engineer_a)
    catalog.set_routing_operations(
        routing=routing, operations=[OperationIn(name="组装", per_unit=True)], by=engineer_a
    )
    make_effective(site_a, engineer_a, qa_a, boms=[bom], routings=[routing])
    pumps = [objects.create_unit(item=pump, serial=f"P{n}", site=site_a) for n in (1, 2)]
    for each in pumps:
        put(each, bins["PRD"])
    order = services.create_work_order(site=site_a, item=catheter, quantity=2, by=supervisor_a)
    return services.release(order, by=supervisor_a), pumps


def test_a_unit_reworked_keeps_its_serial_and_the_removed_pump_its_history(
    pump_order, operator_a, bins
):
    order, (first_pump, second_pump) = pump_order
    kit = outputs.record(order, generate=1, by=operator_a).outputs[0].unit
    operations.start(op_of(order, 10), by=operator_a)
    used = consumption.consume(order, scanned=first_pump, into_unit=kit, by=operator_a)
    with pytest.raises(DomainError) as twice:
        consumption.consume(order, scanned=first_pump, into_unit=kit, by=operator_a)
    assert twice.value.code == ErrorCode.CONFLICT
    returned = rework.disassemble(
        used, by=operator_a, reason="泵芯漏液, 返工更换", location=bins["QUA"]
    )
    assert returned.returned_event.biz_step == "dismantling"
    assert Stock.objects.get(object=first_pump).location == bins["QUA"]
    assert status_of(first_pump).status == StockStatus.QUARANTINE
    consumption.consume(order, scanned=second_pump, into_unit=kit, by=operator_a)
    sources = set(
        GenealogyLink.objects.filter(target=kit, kind="transformation").values_list(
            "source_id", flat=True
        )
    )
    assert sources == {first_pump.pk, second_pump.pk}  # the first was in it, for a while
    assert kit.serial == order.lot.units.get().serial
    with pytest.raises(DomainError, match="cannot be consumed"):
        consumption.consume(order, scanned=first_pump, into_unit=kit, by=operator_a)
    with pytest.raises(DomainError) as again:
        rework.disassemble(used, by=operator_a, reason="再次", location=bins["QUA"])
    assert again.value.code == ErrorCode.CONFLICT


def test_a_lot_quantity_comes_back_to_stock(released, operator_a, components, bins):
    used = consumption.consume(released, scanned=components["tube"], quantity="20", by=operator_a)
    with pytest.raises(DomainError, match="Say why"):
        rework.disassemble(used, by=operator_a, reason=" ", location=bins["A-01"])
    rework.disassemble(used, by=operator_a, reason="多领退回", location=bins["A-01"])
    stock = Stock.objects.get(object=components["tube"], location=bins["A-01"])
    assert stock.quantity == 20
    assert status_of(components["tube"]).status == StockStatus.AVAILABLE
    assert consumption.consumed_of(released, "CMP-TUBE") == 0


def test_a_component_is_taken_back_out_from_the_page(
    client, released, operator_a, components, bins
):
    from django.urls import reverse

    used = consumption.consume(released, scanned=components["tube"], quantity="5", by=operator_a)
    client.force_login(operator_a)
    page = client.get(reverse("production:workorder-detail", args=[released.pk])).content.decode()
    assert f'data-take-back="{used.pk}"' in page
    url = reverse("production:consumption-take-back", args=[released.pk, used.pk])
    refused = client.post(url, {"location": bins["A-01"].pk, "reason": ""})
    assert refused.status_code == 422
    done = client.post(url, {"location": bins["A-01"].pk, "reason": "领多了"})
    assert done.status_code == 302
    used.refresh_from_db()
    assert used.returned_event is not None
    page = client.get(reverse("production:workorder-detail", args=[released.pk])).content.decode()
    assert f'data-take-back="{used.pk}"' not in page


def test_a_component_is_taken_back_out_over_the_api(client, released, operator_a, components):
    used = consumption.consume(released, scanned=components["tube"], quantity="5", by=operator_a)
    client.force_login(operator_a)
    url = f"/api/v1/production/work-orders/{released.pk}/consumptions/{used.pk}/take-back"
    body = {"location": "a-01", "reason": "领多了", "key": "tb-1"}
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["returned"] is True
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 200  # the same key: answered once
    other = client.post(url, {**body, "key": "tb-2"}, content_type="application/json")
    assert other.status_code == 409
    missing = client.post(url, {**body, "location": "NOPE"}, content_type="application/json")
    assert missing.status_code == 404
