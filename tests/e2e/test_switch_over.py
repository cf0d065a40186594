"""The Shenzhen QA manager takes on a lot counted in the finished-goods store: the opening
balance is checked, applied, and the lot is then in stock, available, at that location."""

from decimal import Decimal

from playwright.sync_api import expect

from medtrace.inventory.models import Stock

HEADER = (
    "site,location,item,lot_number,serial,quantity,status,expires_on,manufactured_on,supplier,"
    "supplier_lot_number,as_of\r\n"
)


def test_qa_takes_on_an_opening_balance(page, demo_plant, sign_in):
    sign_in("sz-qa")
    page.goto("/exchange/")
    page.select_option("#id_kind", "opening_balances")
    rows = "SZ02,FG,ST-1001,SZ2-ST-2409,,1200,available,2028-09-30,2024-09-30,,,\r\n"
    page.set_input_files(
        "#id_file",
        {"name": "stock.csv", "mimeType": "text/csv", "buffer": (HEADER + rows).encode()},
    )
    page.fill("#id_reason", "期初库存补录 / Late take-on")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#summary")).to_contain_text("1 to create, 0 to update, 0 unchanged")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Imported: every row was written.")
    stock = Stock.objects.get(lot__lot_number="SZ2-ST-2409")
    assert stock.quantity == Decimal("1200") and stock.location.code == "FG"
