"""An incoming inspection walked in a real browser: the demo inspector starts it from a received
lot's trace page with a small lot (few units to draw), fills the results grid failing enough
units to reject the lot, signs the completion (a wrong password first), sees the verdict and
follows the link to the NCR the rejection opened. Elements are found by id and data
attributes, so the test holds whether or not the new strings are translated yet."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.quality.choices import CharacteristicKind, InspectionStage
from medtrace.quality.models import InspectionPlan, InspectionRecord, Nonconformance
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot

pytestmark = pytest.mark.e2e

SITE = "SZ01"


def received_lots(demo, **filters):
    return (
        Lot.objects.filter(site=demo.sites[SITE], origin=LotOrigin.RECEIVED, **filters)
        .exclude(disposition="non_conformant")
        .order_by("-created_at", "-pk")
    )


def usable(plan) -> bool:
    """A demo plan the inspector can run without instruments and reject by failing units."""
    characteristics = list(plan.characteristics.all())
    return (
        not any(c.equipment_type for c in characteristics)
        and any(c.kind == CharacteristicKind.ATTRIBUTE for c in characteristics)
        and all(Decimal(aql) <= 10 for aql in plan.aqls().values())
    )


def plan_and_lot(demo) -> tuple[InspectionPlan, Lot]:
    """An incoming plan of the demo and a received lot of its item; the demo's own when it has
    one, else one made here through the service (as QA would)."""
    plans = InspectionPlan.objects.filter(
        organization=demo.organization, active=True, stage=InspectionStage.INCOMING
    ).exclude(item=None)
    for plan in plans.order_by("code"):
        lot = received_lots(demo, item=plan.item).first()
        if lot is not None and usable(plan):
            return plan, lot
    lot = received_lots(demo).first()
    plan = inspection_plans.create_plan(
        organization=demo.organization,
        code="IP-E2E-IN",
        name="来料检验 (浏览器测试) Incoming check (browser test)",
        stage=InspectionStage.INCOMING,
        item=lot.item,
        aql_major="1.0",
        aql_minor="4.0",
        characteristics=[
            {"name": "外观 Appearance", "kind": "attribute", "defect_class": "major"},
            {"name": "标签 Label legible", "kind": "attribute", "defect_class": "minor"},
        ],
        by=demo.users["qa"],
    )
    return plan, lot


def test_inspector_rejects_a_received_lot_and_follows_the_ncr(page, base_url, demo_plant, sign_in):
    plan, lot = plan_and_lot(demo_plant)
    started_before = set(InspectionRecord.objects.values_list("pk", flat=True))
    sign_in("inspector")

    page.goto(f"/trace/objects/{lot.pk}/")
    page.locator("[data-action=start-inspection]").click()
    form = page.locator("form#inspection-form")
    expect(form.locator("#id_lot")).not_to_have_value("")
    expect(form.locator("#id_site")).to_have_value(str(demo_plant.sites[SITE].pk))
    form.locator("#id_plan").select_option(str(plan.pk))
    form.locator("#id_lot_size").fill("8")
    form.locator("#inspection-submit").click()

    status = page.locator("#record-state [data-status]")
    expect(status).to_have_attribute("data-status", "in_progress")
    record = InspectionRecord.objects.exclude(pk__in=started_before).get()
    expect(page).to_have_url(f"{base_url}/quality/inspections/{record.pk}/")
    assert record.lot_id == lot.pk and record.sample_size <= 8
    expect(page.locator("#results-grid tbody tr")).to_have_count(record.sample_size)
    missing = inspections.missing_results(record)
    expect(page.locator("#results-progress")).to_have_attribute("data-missing", str(missing))

    # Every unit fails the first pass / fail check, so its class rejects the lot.
    characteristics = list(record.plan.characteristics.all())
    failing = next(c for c in characteristics if c.kind == CharacteristicKind.ATTRIBUTE)
    grid = page.locator("#results-grid")
    for characteristic in characteristics:
        for sample in range(1, inspections.sample_size_of(record, characteristic) + 1):
            cell = f"r-{characteristic.pk}-{sample}"
            if characteristic.kind == CharacteristicKind.VARIABLE:
                within = characteristic.target or characteristic.lower_limit
                grid.locator(f"#{cell}").fill(str(within or characteristic.upper_limit))
            else:
                verdict = "fail" if characteristic == failing else "pass"
                grid.locator(f"#{cell}-{verdict}").check()
    page.locator("#results-save").click()
    expect(page.locator("#results-progress")).to_have_attribute("data-missing", "0")
    expect(page.locator("#results-saved")).to_have_attribute("data-saved", str(missing))
    expect(page.locator("#results-grid td.nc")).to_have_count(
        inspections.sample_size_of(record, failing)
    )

    complete = page.locator("#action-complete")
    complete.locator("summary[data-action=complete]").click()
    expect(complete.locator("#id_complete_meaning")).to_have_value("verified")
    complete.locator("#id_complete_password").fill("not-my-password")
    complete.locator("button[type=submit]").click()
    expect(page.locator("#action-complete .errorlist")).to_be_visible()
    expect(status).to_have_attribute("data-status", "in_progress")

    complete = page.locator("#action-complete")
    complete.locator("#id_complete_password").fill(DEMO_PASSWORD)
    complete.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "completed")
    expect(page.locator("#record-state [data-verdict]")).to_have_attribute(
        "data-verdict", "rejected"
    )
    rejected = page.locator(f"#sampling tr[data-class={failing.defect_class}] [data-verdict]")
    expect(rejected).to_have_attribute("data-verdict", "rejected")
    signatures = page.locator("main .signature-block tr.signature")
    expect(signatures).to_have_count(1)
    expect(signatures.first).to_contain_text("李强 Li Qiang")
    expect(page.locator("#results-form")).to_have_count(0)

    page.locator("[data-link=ncr]").click()
    ncr = Nonconformance.objects.get(inspection=record)
    expect(page).to_have_url(f"{base_url}/quality/ncrs/{ncr.pk}/")
    expect(page.locator("main h1")).to_contain_text(ncr.number)
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute("data-status", "open")
    expect(page.locator("[data-link=inspection]")).to_have_attribute(
        "href", f"/quality/inspections/{record.pk}/"
    )
    expect(page.locator("[data-link=hold]")).to_be_visible()
    assert Lot.objects.get(pk=lot.pk).disposition == "non_conformant"
