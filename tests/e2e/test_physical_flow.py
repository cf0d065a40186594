"""Issue 8's acceptance, on a phone: the warehouse receives stopcocks from a contract maker by
scanning the maker's GS1 label; the lot waits in quarantine while incoming inspection passes;
QA releases it to the finished-goods store by signature; the warehouse picks it first expiry
first out for a hospital, packs it into an SSCC case and ships it; the lot's trace then names
the hospital as consignee."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.partners import services as partners
from medtrace.partners.models import Customer, Supplier
from medtrace.purchasing.models import Receipt
from medtrace.purchasing.services import orders as purchase_orders
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.scan.checks import gs1_check_digit
from medtrace.shipping.models import ShipmentOrder
from medtrace.shipping.services import orders as shipment_orders
from medtrace.trace.models import Lot

PHONE = {"width": 375, "height": 812}
MAKER_GTIN = "0697000111222" + gs1_check_digit("0697000111222")


def scan(page, code: str) -> None:
    box = page.locator("[data-scan-code]")
    box.click()
    box.press_sequentially(code, delay=5)
    box.press("Enter")


def sign_out(page) -> None:
    page.locator("header form[action='/accounts/logout/'] button").click()


def _order_stopcocks(plant):
    """A released order for 200 stopcocks from the needle maker (approved for them as a
    contract maker), and the incoming inspection plan they pass."""
    qa, buyer = plant.users["qa"], plant.users["buyer"]
    stopcock = plant.items["ST-1001"]
    maker = Supplier.objects.get(code="SUP-JSNDL")
    partners.approve_source(supplier=maker, item=stopcock, by=qa)
    inspection_plans.create_plan(
        organization=plant.organization, code="IP-ST-IN", name="三通阀来料检验",
        stage="incoming", item=stopcock, aql_major="1.0",
        characteristics=[{"name": "外观 Visual", "kind": "attribute", "defect_class": "major"}],
        by=qa,
    )  # fmt: skip
    order = purchase_orders.create_order(
        site=plant.sites["SZ01"], supplier=maker, by=buyer,
        lines=[{"item": stopcock, "quantity": "200", "supplier_gtin": MAKER_GTIN,
                "expected_on": timezone.localdate()}],
    )  # fmt: skip
    return purchase_orders.release(order, by=buyer).lines.get()


def _pass_inspection(receipt: Receipt, inspector) -> None:
    record = receipt.inspection
    results = [
        {"characteristic": characteristic, "sample": sample, "passed": True}
        for characteristic in record.plan.characteristics.all()
        for sample in range(1, inspections.sample_size_of(record, characteristic) + 1)
    ]
    inspections.record_results(record, results, by=inspector)
    inspections.complete_inspection(record, by=inspector, password=DEMO_PASSWORD)


def test_receive_inspect_release_pick_pack_ship_on_a_phone(page, demo_plant, sign_in):
    line = _order_stopcocks(demo_plant)
    expiry = timezone.localdate() + timedelta(days=700)
    label = f"(01){MAKER_GTIN}(17){expiry:%y%m%d}(10)JZ2611A07(30)200"
    page.set_viewport_size(PHONE)

    # Receiving: one scan of the maker's label; the lot is made in quarantine.
    sign_in("warehouse")
    page.goto(f"/purchasing/lines/{line.pk}/receive/")
    scan(page, label)
    expect(page.locator("[data-feedback] .scan-ok")).to_be_visible()
    receipt = Receipt.objects.get(line=line)
    lot = Lot.objects.get(pk=receipt.lot_id)
    assert (lot.supplier_lot_number, lot.expires_on, lot.disposition) == (
        "JZ2611A07",
        expiry,
        "in_progress",
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    sign_out(page)

    # Incoming inspection passes; QA releases the lot into the finished-goods store.
    _pass_inspection(Receipt.objects.get(pk=receipt.pk), demo_plant.users["inspector"])
    sign_in("qa")
    page.goto(f"/purchasing/receipts/{receipt.pk}/")
    page.locator("[data-action=release]").click()
    page.select_option("#action-release select[name=location]", label="FG")
    page.fill("#action-release input[name=password]", DEMO_PASSWORD)
    page.locator("#action-release button[type=submit]").click()
    expect(page.locator("[data-status=released]")).to_be_visible()

    # The order desk releases a hospital's order; the warehouse picks, packs and ships it.
    hospital = Customer.objects.get(code="H-SUDA1")
    order = shipment_orders.create_order(
        site=demo_plant.sites["SZ01"], customer=hospital, by=demo_plant.users["qa"],
        lines=[(demo_plant.items["ST-1001"], Decimal(200))],
    )  # fmt: skip
    shipment_orders.release_order(order, by=demo_plant.users["qa"])
    sign_out(page)
    sign_in("warehouse")
    page.goto(f"/shipping/{order.pk}/pick/")
    expect(page.locator("#pick-progress")).to_contain_text(lot.lot_number)  # the FEFO suggestion
    page.fill("input[name=quantity]", "200")
    scan(page, lot.lot_number)
    expect(page.locator("[data-feedback] .scan-ok")).to_contain_text(lot.lot_number)

    page.goto(f"/shipping/{order.pk}/pack/")
    page.get_by_role("button", name="Pack into a new case (ticked lines, or everything)").click()
    expect(page.locator("[data-action=finish_packing]")).to_be_visible()
    page.locator("[data-action=finish_packing]").click()
    page.goto(f"/shipping/{order.pk}/")
    page.locator("[data-action=ship]").click()
    order = ShipmentOrder.objects.get(pk=order.pk)
    assert order.status == "shipped"

    # The lot's trace names the hospital.
    page.goto(f"/trace/objects/{lot.pk}/")
    expect(page.locator("#trace-panel")).to_contain_text(hospital.name_en)  # the page is in English
