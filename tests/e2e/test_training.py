"""Training walked in a real browser on the demo plant: the operator opens My training, reads
the nonconforming-product SOP revised today, comes back, first mistypes the password (the
refusal shows beside the field), then signs that they read and understood it; the training
matrix of their plant then shows them trained on it. Elements are found by id and data
attributes, so the test holds whether or not the new strings are translated."""

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.training.models import TrainingAssignment, TrainingRecord

pytestmark = pytest.mark.e2e


def test_an_operator_signs_the_revised_sop_and_the_matrix_shows_them_trained(
    page, base_url, demo_plant, sign_in
):
    operator = demo_plant.users["operator"]
    revision = demo_plant.documents["SOP-0002"].revisions.get(status="effective")
    assignment = TrainingAssignment.objects.get(trainee=operator, revision=revision, status="open")
    sign_in("operator")
    page.goto("/training/mine/")
    card = page.locator(f"[data-assignment='{assignment.pk}']")
    expect(card).to_be_visible()

    with page.expect_navigation():
        card.locator("a[data-link=revision]").click()
    expect(page).to_have_url(f"{base_url}/documents/revisions/{revision.pk}/")
    expect(page.locator("main > h1")).to_contain_text("SOP-0002")
    page.go_back()

    card = page.locator(f"[data-assignment='{assignment.pk}']")
    card.locator("summary[data-action=read-and-understood]").click()
    password = card.locator(f"#id_read_{assignment.pk}_password")
    password.fill("not-my-password")
    card.locator("button[type=submit]").click()
    card = page.locator(f"[data-assignment='{assignment.pk}']")
    expect(card.locator(f"#id_read_{assignment.pk}_password_error")).to_be_visible()
    assert not TrainingRecord.objects.filter(assignment=assignment).exists()

    card.locator(f"#id_read_{assignment.pk}_password").fill(DEMO_PASSWORD)
    card.locator(f"#id_read_{assignment.pk}_note").fill("已阅读第 4 条 Read step 4.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(page.locator(f"[data-assignment='{assignment.pk}']")).to_have_count(0)
    expect(page.locator("#training-records tr[data-document='SOP-0002']").first).to_be_visible()

    page.goto("/training/")
    cell = page.locator("#training-matrix tr[data-person=operator] td[data-document='SOP-0002']")
    expect(cell).to_have_attribute("data-status", "trained")
    expect(cell).to_have_attribute("title", f"Trained: {revision} · trained " + _today(revision))
    expect(page.locator("#matrix-legend [data-legend=trained]")).to_be_visible()


def _today(revision) -> str:
    """The day as the matrix shows it (the plant's), and the qualification's end."""
    record = TrainingRecord.objects.get(revision=revision, trainee__username="operator")
    site = revision.document.site
    return (
        f"{site.local_date(record.completed_at).isoformat()} · qualified until "
        f"{record.valid_until.isoformat()}"
    )
