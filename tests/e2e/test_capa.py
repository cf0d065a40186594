"""A CAPA walked in a real browser on the demo plant: the QA manager escalates an NCR to a CAPA,
writes the investigation (containment, whys, fishbone, root cause, effectiveness criteria),
plans an action they own, starts implementing, marks the action done with its evidence, signs
the verification, records the check as effective and signs the closure. Elements are found by
id and data attributes, so the test holds whether or not the new strings are translated."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.quality.choices import NcrSource, NcrStatus, Severity
from medtrace.quality.models import Capa, Nonconformance
from medtrace.quality.services import nonconformance as ncrs

pytestmark = pytest.mark.e2e


def ncr_without_capa(demo_plant) -> Nonconformance:
    """An NCR of the demo's plant that no CAPA names yet (the demo escalates some of them);
    one is reported here when there is none."""
    site = demo_plant.sites["SZ01"]
    found = (
        Nonconformance.objects.filter(site=site, capas__isnull=True)
        .exclude(status=NcrStatus.CANCELLED)
        .order_by("-pk")
        .first()
    )
    if found is not None:
        return found
    return ncrs.open_nonconformance(
        site=site,
        title="外箱标签错印 Misprinted case label",
        description="One case label shows an expiry date other than the batch record's.",
        source=NcrSource.FINAL,
        severity=Severity.MINOR,
        by=demo_plant.users["qa"],
    )


def test_qa_escalates_an_ncr_and_closes_its_capa(page, base_url, demo_plant, sign_in):
    ncr = ncr_without_capa(demo_plant)
    qa = demo_plant.users["qa"]
    sign_in("qa")
    page.goto(f"/quality/ncrs/{ncr.pk}/")
    with page.expect_navigation():
        page.locator("#ncr-escalate").click()
    capa = Capa.objects.get(nonconformance=ncr)
    expect(page).to_have_url(f"{base_url}/quality/capas/{capa.pk}/")
    expect(page.locator("main h1")).to_contain_text(capa.number)
    status = page.locator("main h1 + p [data-status]")
    expect(status).to_have_attribute("data-status", "open")
    expect(page.locator("[data-link=ncr]")).to_be_visible()

    investigation = page.locator("form#investigation-form")
    investigation.locator("#id_investigation_containment").fill("同批次全部隔离。All lots held.")
    whys = [
        "标签有效期错误 The label shows the wrong expiry",
        "打印模板未更新 The print template was not updated",
        "变更未通知包装线 Packaging was not told of the change",
    ]
    for number, why in enumerate(whys, start=1):
        investigation.locator(f"#id_investigation_why_{number}").fill(why)
    investigation.locator("#id_investigation_fishbone_method").fill(
        "模板变更无审核 template change not reviewed\n无首件核对 no first-label check"
    )
    investigation.locator("#id_investigation_fishbone_man").fill("新员工 new operator")
    investigation.locator("#id_investigation_root_cause").fill(
        "标签模板变更未纳入变更控制。Label template changes bypass change control."
    )
    investigation.locator("#id_investigation_effectiveness_criteria").fill(
        "后续 20 批标签首件核对无差错。The next 20 lots' first labels match their records."
    )
    investigation.locator("#investigation-submit").click()
    expect(page.locator("#id_investigation_why_3")).to_have_value(whys[2])
    expect(page.locator("#id_investigation_fishbone_method")).to_have_value(
        "模板变更无审核 template change not reviewed\n无首件核对 no first-label check"
    )

    add = page.locator("#add-action")
    expect(add).to_have_attribute("open", "")
    add.locator("#id_action_kind").select_option("corrective")
    add.locator("#id_action_description").fill(
        "标签模板纳入变更控制。Put label templates under change control."
    )
    add.locator("#id_action_owner").select_option(str(qa.pk))
    add.locator("#id_action_due_on").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    add.locator("#action-submit").click()
    actions = page.locator("#capa-actions tr[data-capa-action]")
    expect(actions).to_have_count(1)
    expect(actions.first).to_have_attribute("data-done", "false")

    page.locator("button[data-action=start_implementation]").click()
    expect(status).to_have_attribute("data-status", "implementing")

    row = page.locator("#capa-actions tr[data-capa-action]").first
    row.locator("textarea[name=evidence]").fill("CR-2026-031 approved; template v7 released.")
    row.locator("button[data-action=done]").click()
    expect(page.locator("#capa-actions tr[data-capa-action]").first).to_have_attribute(
        "data-done", "true"
    )

    verify = page.locator("#action-verify_implementation")
    verify.locator("summary[data-action=verify_implementation]").click()
    expect(verify.locator("#id_verify_implementation_meaning")).to_have_value("verified")
    verify.locator("#id_verify_implementation_password").fill(DEMO_PASSWORD)
    verify.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "effectiveness_check")
    signatures = page.locator("main .signature-block tr.signature")
    expect(signatures).to_have_count(1)

    check = page.locator("form#effectiveness-form")
    check.locator("input[name=effectiveness][value=effective]").check()
    check.locator("#id_effectiveness_effectiveness_note").fill("20 of 20 first labels matched.")
    check.locator("#effectiveness-submit").click()
    expect(page.locator("[data-effectiveness-result=effective]")).to_be_visible()

    close = page.locator("#action-close")
    close.locator("summary[data-action=close]").click()
    close.locator("#id_close_password").fill(DEMO_PASSWORD)
    close.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "closed")
    expect(signatures).to_have_count(2)
    expect(signatures.last).to_contain_text("王静 Wang Jing")
    expect(signatures.last.locator(".badge.ok")).to_be_visible()
    expect(page.locator("[data-action]")).to_have_count(0)

    page.goto(f"/quality/ncrs/{ncr.pk}/")
    expect(page.locator(f"[data-link=capa][href='/quality/capas/{capa.pk}/']")).to_be_visible()
    expect(page.locator("#ncr-escalate")).to_have_count(0)
