"""A document revision walked in a real browser on the demo plant: the regulatory author
starts a new revision of a procedure in force, edits the draft and signs its submission; the QA
manager sees the approval the route waits for, signs it, and the revision is in force; an
operator then reads it and prints an uncontrolled copy. Elements are found by id and data
attributes, so the test holds whether or not the new strings are translated."""

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import DocumentCopy, DocumentRevision

pytestmark = pytest.mark.e2e


def sign_out(page):
    with page.expect_navigation():
        page.locator("header form[action$='/logout/'] button").click()


def test_a_revision_from_draft_to_in_force(page, base_url, demo_plant, sign_in):
    document = demo_plant.documents["SOP-0002"]
    sign_in("regulatory")
    page.goto(f"/documents/{document.pk}/")
    page.locator("summary[data-action=new-revision]").click()
    page.locator("#id_change_summary").fill("增加让步接收的审批 Adds concession approval.")
    with page.expect_navigation():
        page.locator("#new-revision button[type=submit]").click()
    draft = DocumentRevision.objects.get(document=document, status=RevisionStatus.DRAFT)
    expect(page).to_have_url(f"{base_url}/documents/revisions/{draft.pk}/")
    body = page.locator("#draft-form #id_body")
    body.fill(body.input_value() + "\n4. 让步接收须经 QA 经理批准\n")
    with page.expect_navigation():
        page.locator("#draft-submit").click()
    expect(page.locator("#document-body")).to_contain_text("让步接收须经 QA 经理批准")

    page.locator("summary[data-action=submit]").click()
    page.locator("#action-submit input[type=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#action-submit button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "in_review")

    sign_out(page)
    sign_in("qa")
    page.goto(f"/documents/revisions/{draft.pk}/")
    expect(page.locator("[data-approval=qa_manager]")).to_be_visible()
    page.locator("summary[data-action=approve]").click()
    page.locator("#action-approve input[type=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#action-approve button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "effective")

    sign_out(page)
    sign_in("operator")
    page.goto(f"/documents/{document.pk}/")
    expect(page.locator("[data-in-force]")).to_be_visible()
    expect(page.locator("#document-body")).to_contain_text("让步接收须经 QA 经理批准")
    page.locator("summary[data-action=print]").click()
    with page.expect_popup() as popup:
        page.locator("#print button[name=print]").click()
    popup.value.close()
    copy = DocumentCopy.objects.get(revision=draft)
    assert not copy.controlled and copy.printed_by.username == "operator"
