"""A nonconformance walked in a real browser, in Chinese: the QA manager reports it from a
received lot's trace page (the lot is held), starts the MRB review, records the disposition
and signs its approval and the closure. Elements are found by id and data attributes, so the
test holds whether or not the new strings are translated yet."""

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.quality.models import Nonconformance
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot

pytestmark = pytest.mark.e2e


def test_qa_walks_an_ncr_to_signed_approval_in_chinese(page, base_url, demo_plant, sign_in):
    lot = (
        Lot.objects.filter(
            site=demo_plant.sites["SZ01"],
            origin=LotOrigin.RECEIVED,
            nonconformances__isnull=True,
        )
        .exclude(disposition="non_conformant")
        .order_by("-created_at", "-pk")
        .first()
    )
    reported_before = set(Nonconformance.objects.values_list("pk", flat=True))
    sign_in("qa")
    with page.expect_navigation():
        page.select_option("select#language-switch", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    if lot is not None:
        page.goto(f"/trace/objects/{lot.pk}/")
        page.locator("[data-action=report-ncr]").click()
        expect(page.locator("#id_lot")).not_to_have_value("")
    else:  # a demo without received lots: the NCR is reported without one
        page.goto("/quality/ncrs/new/")
    form = page.locator("form#ncr-form")
    expect(form.locator("#id_hold")).to_be_checked()
    form.locator("#id_site").select_option(str(demo_plant.sites["SZ01"].pk))
    form.locator("#id_title").fill("来料外观不良 黑点")
    form.locator("#id_description").fill("抽样 80 件, 4 件有黑点。")
    form.locator("#id_source").select_option("incoming")
    form.locator("#id_severity").select_option("major")
    form.locator("#id_quantity").fill("25")
    form.locator("#id_uom").fill("kg")
    form.locator("#ncr-submit").click()

    status = page.locator("main h1 + p [data-status]")
    expect(status).to_have_attribute("data-status", "open")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    ncr = Nonconformance.objects.exclude(pk__in=reported_before).get()
    expect(page).to_have_url(f"{base_url}/quality/ncrs/{ncr.pk}/")
    expect(page.locator("main h1")).to_contain_text(ncr.number)
    if lot is not None:
        expect(page.locator("[data-link=hold]")).to_be_visible()
        assert Lot.objects.get(pk=lot.pk).disposition == "non_conformant"

    page.locator("button[data-action=start_review]").click()
    expect(status).to_have_attribute("data-status", "under_review")

    disposition = page.locator("form#disposition-form")
    disposition.locator("#id_disposition_decision").select_option("return_to_supplier")
    disposition.locator("#id_disposition_quantity").fill("25")
    disposition.locator("#id_disposition_justification").fill("整批退回供应商更换。")
    disposition.locator("button[type=submit]").click()
    expect(page.locator("#dispositions tr[data-decision=return_to_supplier]")).to_be_visible()

    approve = page.locator("#action-approve_dispositions")
    approve.locator("summary[data-action=approve_dispositions]").click()
    expect(approve.locator("#id_approve_dispositions_meaning")).to_have_value("approved")
    approve.locator("#id_approve_dispositions_password").fill("not-my-password")
    approve.locator("button[type=submit]").click()
    expect(page.locator("#action-approve_dispositions .errorlist")).to_be_visible()
    expect(status).to_have_attribute("data-status", "under_review")

    approve = page.locator("#action-approve_dispositions")
    approve.locator("#id_approve_dispositions_password").fill(DEMO_PASSWORD)
    approve.locator("#id_approve_dispositions_reason").fill("MRB 同意")
    approve.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "dispositioned")
    signatures = page.locator("main .signature-block tr.signature")
    expect(signatures).to_have_count(1)
    expect(signatures.first).to_contain_text("王静 Wang Jing")
    expect(signatures.first.locator(".badge.ok")).to_be_visible()

    waiting = page.locator("form[id^=execute-]")
    for remaining in reversed(range(waiting.count())):
        form = waiting.first
        form.locator("textarea").fill("已按处置执行")
        form.locator("button[data-execute]").click()
        expect(waiting).to_have_count(remaining)
    expect(page.locator("#dispositions [data-executed=no]")).to_have_count(0)

    close = page.locator("#action-close")
    close.locator("summary[data-action=close]").click()
    close.locator("#id_close_password").fill(DEMO_PASSWORD)
    close.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "closed")
    expect(signatures).to_have_count(2)
    expect(page.locator("main .signature-block .badge.ok")).to_have_count(2)
    expect(page.locator("[data-action]")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
