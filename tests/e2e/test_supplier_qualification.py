"""A supplier qualified in a real browser on the demo plant: the QA manager finishes the
half-answered questionnaire of the ABS supplier under evaluation, writes the conclusion, sees
that nothing is missing any more, and approves the supplier by electronic signature (a wrong
password first, refused beside the field). Elements are found by id and data attributes, so
the test holds whether or not the new strings are translated."""

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.partners.models import QualificationDecision, Supplier
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.partners.readiness import current_evaluation

pytestmark = pytest.mark.e2e


def test_qa_completes_the_evaluation_and_approves_the_supplier_by_signature(
    page, base_url, demo_plant, sign_in
):
    supplier = Supplier.objects.get(code="SUP-GDABS")
    evaluation = current_evaluation(supplier)
    unanswered = [question.code for question in evaluation.unanswered()]
    assert 0 < len(unanswered) < len(QUESTIONS)
    sign_in("qa")
    page.goto("/partners/suppliers/SUP-GDABS/")
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute(
        "data-status", "under_evaluation"
    )
    expect(page.locator("#approval-gaps li")).to_have_count(2)  # questions, conclusion
    with page.expect_navigation():
        page.locator("#evaluation-link").click()
    expect(page).to_have_url(f"{base_url}/partners/evaluations/{evaluation.pk}/")

    form = page.locator("#questionnaire-form")
    for code in unanswered:
        form.locator(f"#id_q_{code}-answer").select_option("yes")
        form.locator(f"#id_q_{code}-score").fill("4")
        form.locator(f"#id_q_{code}-comment").fill("现场文件核对 / documents checked")
    with page.expect_navigation():
        form.locator("#questionnaire-submit").click()
    expect(page.locator("#approval-gaps li")).to_have_count(1)

    details = page.locator("#evaluation-form")
    details.locator("#id_evaluation_conclusion").fill(
        "样品合格, 可作为第二来源。Samples pass: fit as the second ABS source."
    )
    with page.expect_navigation():
        details.locator("#evaluation-submit").click()
    expect(page.locator("#approval-ready")).to_be_visible()

    page.goto("/partners/suppliers/SUP-GDABS/")
    approve = page.locator("#action-approve")
    approve.locator("summary[data-action=approve]").click()
    expect(approve.locator("#id_approve_meaning")).to_have_value("approved")
    approve.locator("#id_approve_password").fill("not-my-password")
    approve.locator("button[type=submit]").click()
    expect(page.locator("#action-approve .errorlist")).to_contain_text("password")
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute(
        "data-status", "under_evaluation"
    )

    approve = page.locator("#action-approve")
    approve.locator("#id_approve_password").fill(DEMO_PASSWORD)
    approve.locator("#id_approve_reason").fill("第二来源评价通过 / second source qualified")
    approve.locator("button[type=submit]").click()
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute("data-status", "approved")
    decision = page.locator("#decisions tr[data-decision=approve]")
    expect(decision).to_contain_text("王静 Wang Jing")
    expect(decision.locator(".badge.ok")).to_be_visible()
    assert QualificationDecision.objects.filter(supplier=supplier, action="approve").exists()
