"""A complaint walked in a real browser by regulatory affairs: the device is identified by
typing a demo catheter kit's serial into the intake's scan box, the page shows the hospital
the trace says it was shipped to, the investigation is recorded, the event decided reportable
(and the decision signed), the NMPA deadline shown with its rule and citation, and the NMPA
report draft generated and downloaded as a PDF. Elements are found by id and data attributes,
so the test holds whether or not the new strings are translated yet."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.quality.models import Complaint
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import Containment, Unit

pytestmark = pytest.mark.e2e


def shipped_kit(site):
    """A serialized kit of the demo plant that was shipped to a customer and has no complaint
    yet, with that customer's code."""
    packed = Containment.objects.values("content_id")
    kits = Unit.objects.filter(site=site, pk__in=packed, complaints__isnull=True).order_by("pk")
    for unit in kits[:60]:
        customers = [p.customer for p in trace_forward(unit).parties if p.customer_id]
        if customers:
            return unit, customers[0].code
    pytest.fail("The demo plant shipped no serialized kit to a customer.")


def test_regulatory_takes_a_complaint_by_scan_to_a_report_draft(
    page, base_url, demo_plant, sign_in
):
    site = demo_plant.sites["SZ01"]
    unit, customer = shipped_kit(site)
    before = set(Complaint.objects.values_list("pk", flat=True))
    sign_in("regulatory")
    page.goto("/quality/complaints/")
    page.locator("#complaint-new").click()

    form = page.locator("form#complaint-form")
    form.locator("#id_site").select_option(str(site.pk))
    form.locator("#id_code").fill(unit.serial)  # typed, as a scanner would
    form.locator("#id_channel").select_option("phone")
    form.locator("#id_description").fill("拔管时导管尖端断裂 Tip separated on removal.")
    aware = form.locator("#id_aware_on").input_value()
    form.locator("input[name=outcomes][value=serious_injury]").check()
    for region in ("nmpa", "fda", "eu"):
        form.locator(f"input[name=regions][value={region}]").check()
    form.locator("#id_patient_involved").check()
    form.locator("#id_patient_age").fill("58")
    form.locator("#id_patient_initials").fill("L.M.")
    form.locator("#complaint-submit").click()

    status = page.locator("main h1 + p [data-status]")
    expect(status).to_have_attribute("data-status", "received")
    complaint = Complaint.objects.exclude(pk__in=before).get()
    expect(page).to_have_url(f"{base_url}/quality/complaints/{complaint.pk}/")
    assert complaint.unit_id == unit.pk
    expect(page.locator(f"#shipments tr[data-customer='{customer}']")).to_be_visible()
    expect(page.locator("[data-link=unit]")).to_contain_text(unit.serial)

    page.locator("button[data-action=start_investigation]").click()
    expect(status).to_have_attribute("data-status", "investigating")
    page.locator("#complaint-edit").click()
    page.locator("#id_investigation").fill("退回样品断口位于粘接处。Break at the hub bond.")
    page.locator("#id_reason").fill("退回样品检验 Returned sample examined")
    page.locator("#complaint-save").click()
    expect(status).to_have_attribute("data-status", "investigating")

    decision = page.locator("form#decision-form")
    decision.locator("input[name=reportable][value=yes]").check()
    decision.locator("#id_decision_justification").fill("严重伤害 Serious injury.")
    decision.locator("button[type=submit]").click()
    expect(page.locator("#decision [data-reportable]")).to_have_attribute("data-reportable", "yes")

    nmpa = page.locator("#deadlines tr[data-region=nmpa][data-reportable=yes]")
    expect(nmpa).to_have_attribute("data-rule", "NMPA-25-SERIOUS")
    expect(nmpa.locator("[data-citation]")).to_contain_text("第二十五条")
    due = (date.fromisoformat(aware) + timedelta(days=20)).isoformat()
    expect(nmpa.locator("[data-due]")).to_have_attribute("data-due", due)
    expect(page.locator("#deadlines tr[data-region=fda] [data-citation]").first).to_contain_text(
        "21 CFR 803.50"
    )

    approve = page.locator("#action-approve_decision")
    approve.locator("summary[data-action=approve_decision]").click()
    approve.locator("#id_approve_decision_password").fill(DEMO_PASSWORD)
    approve.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "decided")
    expect(page.locator("main .signature-block tr.signature")).to_have_count(1)

    page.locator("button[data-generate=nmpa]").click()
    download = page.locator("a[data-report-pdf=nmpa_ae]")
    expect(download).to_be_visible()
    expect(page.locator("#deadlines tr[data-region=nmpa] [data-drafted]")).to_be_visible()
    response = page.request.get(base_url + download.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
