"""Master data in a real browser: regulatory affairs adds a device and its GS1 DI, then finds it
by scanning the GTIN into the header's scan box."""

from playwright.sync_api import expect

from medtrace.scan.checks import gs1_check_digit

GTIN13_BODY = "950600010035"
GTIN13 = GTIN13_BODY + gs1_check_digit(GTIN13_BODY)
GTIN14 = "0" + GTIN13


def test_regulatory_adds_a_device_and_its_gtin_then_scans_it(page, demo_plant, sign_in):
    sign_in("regulatory")
    page.get_by_role("link", name="Items and device identifiers").click()
    expect(page.locator("main h1")).to_have_text("Items and device identifiers")
    page.get_by_role("link", name="New item").click()
    page.fill("#id_code", "is-2002")
    page.fill("#id_name", "一次性使用精密过滤输液器")
    page.fill("#id_name_en", "Precision-filter infusion set")
    page.select_option("#id_kind", "finished_device")
    page.fill("#id_shelf_life_days", "1095")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main h1")).to_have_text("IS-2002 · Precision-filter infusion set")

    page.get_by_role("link", name="New device identifier").click()
    page.select_option("#id_issuing_agency", "GS1")
    page.fill("#id_value", GTIN13)
    page.fill("#id_brand", "康滴 KangDrip")
    page.fill("#id_model_number", "IS-2002 (5 µm filter)")
    page.fill("#id_registration_number", "国械注准20243140999")
    page.check("#id_sterile")
    page.select_option("#id_sterilization_method", "eo")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text(f"Device identifier {GTIN14} created.")
    expect(page.get_by_role("table", name="Packaging hierarchy")).to_contain_text(GTIN14)

    page.goto("/")
    page.fill("#scan-input", GTIN14)
    page.press("#scan-input", "Enter")
    page.wait_for_url("**/catalog/items/IS-2002/")
    expect(page.locator("main h1")).to_have_text("IS-2002 · Precision-filter infusion set")
    expect(page.locator("main")).to_contain_text("国械注准20243140999")
