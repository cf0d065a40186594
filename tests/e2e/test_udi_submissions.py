"""Regulatory affairs opens the UDI database submissions: EUDAMED names the catheter kit's
missing EMDN code; GUDID shows the infusion set changed since its accepted submission, so they
prepare the update file, download it, and record the database's acknowledgement."""

import pytest
from playwright.sync_api import expect

from medtrace.udi.models import Submission

pytestmark = pytest.mark.e2e


def test_regulatory_affairs_submits_a_changed_device_to_gudid(page, demo_plant, sign_in):
    sign_in("regulatory")
    page.goto("/udi/")
    page.locator("[data-database=eudamed]").click()
    kit = page.locator("tbody tr", has_text="CVC-3001")
    expect(kit).to_contain_text("EUDAMED needs “EMDNCode”.")
    expect(page.locator("tbody tr", has_text="IS-2001")).to_contain_text("awaiting its outcome")

    page.goto("/udi/")
    page.locator("[data-database=gudid]").click()
    infusion_set = page.locator("tbody tr", has_text="IS-2001")
    expect(infusion_set).to_contain_text("Changed since the last submission")
    expect(infusion_set.locator("input[name=device]")).to_be_checked()
    expect(page.locator("tbody tr", has_text="CVC-3001")).to_contain_text("Up to date")
    page.get_by_role("button", name="Prepare submission file").click()

    expect(page.locator(".messages")).to_contain_text("FDA GUDID (United States) #2 prepared")
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert download.value.suggested_filename.startswith("gudid-0002-")
    page.get_by_label("Acknowledgement").fill("GUDID-SUB-0007802")
    page.get_by_role("button", name="Record as accepted").click()
    expect(page.locator(".messages")).to_contain_text("Recorded as accepted.")

    page.goto("/udi/gudid/")
    expect(page.locator("tbody tr", has_text="IS-2001")).to_contain_text("Up to date")
    assert Submission.objects.get(database="gudid", number=2).reference == "GUDID-SUB-0007802"
