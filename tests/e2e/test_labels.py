"""Labels in a real browser: an operator opens the demo infusion set's case DI, fills the label
form and gets the PDF, whose GS1 DataMatrix reads back to what was typed."""

import pypdfium2
import zxingcpp
from playwright.sync_api import expect

from medtrace.catalog.choices import PackagingLevel
from medtrace.demo.catalog import gtin14
from medtrace.scan import parse

CASE_GTIN = gtin14("10011", PackagingLevel.CASE)


def decoded(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=400 / 72).to_pil()
    document.close()
    codes = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    return parse([code.symbology_identifier + code.text for code in codes])


def test_operator_prints_a_case_label_from_the_device_identifier_page(page, demo_plant, sign_in):
    sign_in("operator")
    page.get_by_role("link", name="Items and device identifiers").click()
    page.get_by_role("link", name="IS-2001").first.click()
    page.get_by_role("table", name="Packaging hierarchy").get_by_role(
        "link", name=CASE_GTIN
    ).click()
    expect(page.locator("main h1")).to_contain_text(CASE_GTIN)

    # Chromium shows a PDF in its viewer, and the page's response body is the viewer's; the
    # route keeps the bytes the server sent, and hands them on unchanged.
    printed = {}

    def keep_the_pdf(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch()
        printed.update(status=response.status, headers=response.headers, body=response.body())
        return route.fulfill(response=response)

    page.route("**/labels/device-identifiers/*/", keep_the_pdf)
    form = page.get_by_role("form", name="Print label")
    form.get_by_label("Lot").fill("SZ01-24015-001")
    form.get_by_label("Use-by date").fill("2027-01-31")
    form.get_by_label("Date of manufacture").fill("2024-01-15")
    with page.expect_response(
        lambda response: (
            "/labels/device-identifiers/" in response.url and response.request.method == "POST"
        )
    ) as answer:
        form.get_by_role("button", name="Print label (PDF)").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"] == "application/pdf"
    assert printed["headers"]["content-disposition"].startswith("inline;")
    label = decoded(printed["body"])
    assert (label.gtin, label.lot) == (CASE_GTIN, "SZ01-24015-001")
    assert (str(label.expiry), str(label.production_date)) == ("2027-01-31", "2024-01-15")


def test_a_refused_label_comes_back_as_the_form_with_the_rule(page, demo_plant, sign_in):
    sign_in("operator")
    page.goto("/labels/sscc/")
    page.locator("#id_sscc").fill("106141411234567890")  # check digit should be 7
    page.get_by_role("button", name="Print label (PDF)").click()
    expect(page.locator("main")).to_contain_text("check digit")
    expect(page.locator("#id_sscc")).to_have_value("106141411234567890")
