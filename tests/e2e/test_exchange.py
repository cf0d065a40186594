"""Import in a real browser: a sheet with one bad row is reported and nothing is written; the
corrected sheet is applied."""

from playwright.sync_api import expect

from medtrace.catalog.models import Item

HEADER = "code,name,name_en,kind,unit,tracking,shelf_life_days\r\n"
GOOD_ROW = "CP-VALVE,单向阀,Check valve,component,EA,lot,1825\r\n"


def csv_file(rows: str) -> dict:
    return {"name": "items.csv", "mimeType": "text/csv", "buffer": (HEADER + rows).encode()}


def test_qa_imports_items_sees_the_bad_row_fixes_it_and_applies(page, demo_plant, sign_in):
    sign_in("qa")
    page.get_by_role("link", name="Import and export").click()
    expect(page.locator("main h1")).to_have_text("Import and export")

    page.select_option("#id_kind", "items")
    page.set_input_files("#id_file", csv_file(GOOD_ROW + "CP-SEAL,密封圈,Seal,gasket,EA,lot,\r\n"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".messages")).to_contain_text("Nothing was imported")
    problems = page.get_by_role("table", name="Problems")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody tr td").nth(0)).to_have_text("3")
    expect(problems.locator("tbody tr td").nth(1)).to_have_text("kind")
    expect(problems.locator("tbody tr td").nth(3)).to_have_text("choice")
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
    assert not Item.objects.filter(code__in=["CP-VALVE", "CP-SEAL"]).exists()

    page.get_by_role("link", name="All imports").click()
    page.select_option("#id_kind", "items")
    page.set_input_files(
        "#id_file", csv_file(GOOD_ROW + "CP-SEAL,密封圈,Seal,component,EA,lot,\r\n")
    )
    page.fill("#id_reason", "新零件首批建档")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#summary")).to_contain_text("2 to create, 0 to update, 0 unchanged")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Imported: every row was written.")
    expect(page.locator("main h1")).to_contain_text("Applied")
    assert set(
        Item.objects.filter(code__in=["CP-VALVE", "CP-SEAL"]).values_list("code", flat=True)
    ) == {"CP-VALVE", "CP-SEAL"}
