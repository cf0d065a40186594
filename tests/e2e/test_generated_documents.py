"""Generated documents walked in a real browser on the demo plant: the QA manager generates
the quality manual for NMPA, downloads its PDF (the Chinese headings are in its text) and
takes it in as a controlled document's draft; then generates the report of a CAPA from the
CAPA's page, for the FDA file. Elements are found by id and data attributes, so the test holds
whether or not the new strings are translated."""

import hashlib
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from medtrace.documents.models import ControlledDocument, GeneratedDocument
from medtrace.quality.models import Capa

pytestmark = pytest.mark.e2e


def test_qa_generates_the_quality_manual_and_a_capa_report(page, base_url, demo_plant, sign_in):
    site = demo_plant.sites["SZ01"]
    before = set(GeneratedDocument.objects.values_list("pk", flat=True))
    sign_in("qa")

    def settled():
        """htmx has swapped and processed the redrawn form (its select listens again)."""
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )

    page.goto("/documents/generated/new/")
    form = page.locator("#generate-form")
    form.locator("#id_template").select_option("sop-skeleton")
    expect(page.locator("#id_subject")).to_be_visible()  # the form redrawn for its topics
    settled()
    page.locator("#id_template").select_option("quality-manual")
    expect(page.locator("#id_subject")).to_have_count(0)
    settled()
    form = page.locator("#generate-form")
    form.locator("#id_market").select_option("nmpa")
    form.locator("#id_site").select_option(str(site.pk))
    with page.expect_navigation():
        form.locator("#generate-submit").click()
    manual = GeneratedDocument.objects.exclude(pk__in=before).get()
    expect(page).to_have_url(f"{base_url}/documents/generated/{manual.pk}/")
    expect(page.locator("#generated-sha256")).to_have_text(manual.sha256)

    with page.expect_download() as download:
        page.locator("#generated-download").click()
    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115 (a temporary file)
    assert hashlib.sha256(pdf).hexdigest() == manual.sha256
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for heading in ("质量手册", "质量方针", "组织机构与职责", "文件控制"):
        assert heading in text

    page.locator("[data-action=take-in]").click()
    with page.expect_navigation():
        page.locator("#take-in-submit").click()
    manual.refresh_from_db()
    controlled = ControlledDocument.objects.get(pk=manual.document_id)
    expect(page).to_have_url(f"{base_url}/documents/{controlled.pk}/")
    assert controlled.revisions.get().status == "draft"

    capa = Capa.objects.filter(site=site).order_by("pk").first()
    page.goto(f"/quality/capas/{capa.pk}/")
    with page.expect_navigation():
        page.locator("[data-generate-report]").click()
    form = page.locator("#generate-form")
    expect(form.locator("#id_subject")).to_have_value(str(capa.pk))
    form.locator("#id_market").select_option("fda")
    with page.expect_navigation():
        form.locator("#generate-submit").click()
    expect(page.locator("[data-market]")).to_have_attribute("data-market", "fda")
    expect(page.locator("[data-subject]")).to_contain_text(capa.number)
    page.goto("/documents/generated/?template=capa-report")
    expect(page.locator("[data-template=capa-report]").first).to_be_visible()
