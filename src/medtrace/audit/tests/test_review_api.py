"""Audit-trail reviews over the REST API: opened and corrected through the same services as the
review pages, with the same permissions and site scoping, and refusals that write nothing."""

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_api_token
from medtrace.audit import reviews
from medtrace.audit.choices import AuditAction, ReviewConclusion, SignatureMeaning
from medtrace.audit.models import AuditChain, AuditEntry, AuditReview
from medtrace.audit.signatures import sign

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/reviews"


def bearer(user, site, *, write=True):
    _token, plaintext = create_api_token(
        user=user, name="t", sites=[site], can_write=write, expires_in_days=1, by=user
    )
    return {"Authorization": f"Bearer {plaintext}"}


def post(client, headers, body):
    return client.post(URL, body, content_type="application/json", headers=headers)


def patch(client, headers, review, body):
    return client.patch(
        f"{URL}/{review.pk}", body, content_type="application/json", headers=headers
    )


def error_code(response) -> str:
    return response.json()["error"]["code"]


def last_entry_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def head(organization) -> AuditChain:
    return AuditChain.objects.get(organization=organization)


@pytest.fixture
def review(qa_a, site_a):
    return reviews.create_review(
        site=site_a, findings="", conclusion=ReviewConclusion.NO_FINDINGS, by=qa_a
    )


@pytest.fixture
def auditor_a(make_user, site_a):
    return make_user("auditor-a", (site_a, Role.AUDITOR))


# Opening a review


@pytest.mark.parametrize("via", ["page", "api"])
def test_opening_a_review_writes_what_the_page_writes(client, qa_a, site_a, organization, via):
    findings = "Two sign-ins from an unknown address."
    if via == "page":
        client.force_login(qa_a)
    else:
        headers = bearer(qa_a, site_a)
    chain = head(organization)  # after signing in and creating the token: both are audited
    if via == "page":
        response = client.post(
            "/audit/reviews/new/",
            {"site": site_a.pk, "conclusion": "findings_recorded", "findings": findings},
        )
        assert response.status_code == 302
    else:
        response = post(
            client,
            headers,
            {"site": "a1", "conclusion": "findings_recorded", "findings": f"  {findings}\n"},
        )
        assert response.status_code == 201, response.content
    review = AuditReview.objects.get()
    assert (review.site, review.created_by, review.organization) == (site_a, qa_a, organization)
    assert (review.findings, review.conclusion) == (findings, "findings_recorded")
    assert (review.reviewed_from, review.reviewed_to) == (1, chain.last_sequence)
    assert review.head_hash == chain.last_hash
    assert (
        review.entries_reviewed
        == reviews.entries_in(organization.pk, site_a, 1, chain.last_sequence).count()
    )
    created = AuditEntry.objects.get(object_type="audit.auditreview", object_id=str(review.pk))
    assert (created.action, created.actor) == (AuditAction.CREATE, qa_a)
    assert created.changes["findings"] == [None, findings]
    assert created.changes["reviewed_to"] == [None, chain.last_sequence]
    assert (created.api_token != "") == (via == "api")
    if via == "api":
        body = response.json()
        assert body["id"] == review.pk and body["site"] == "A1"
        assert (body["reviewed_from"], body["reviewed_to"]) == (1, chain.last_sequence)
        assert (body["findings"], body["conclusion"]) == (findings, "findings_recorded")
        assert body["created_by"] == "qa-a" and body["signatures"] == []
        assert body["head_hash"] == chain.last_hash and body["period_end"] is not None


def test_the_next_review_starts_after_the_last_and_can_start_later(client, review, qa_a, site_a):
    headers = bearer(qa_a, site_a)
    response = post(client, headers, {"site": "A1", "conclusion": "no_findings"})
    assert response.status_code == 201, response.content
    assert response.json()["reviewed_from"] == review.reviewed_to + 1
    later = response.json()["reviewed_to"]
    response = post(
        client, headers, {"site": "A1", "conclusion": "no_findings", "reviewed_from": later}
    )
    assert response.status_code == 201, response.content
    assert response.json()["reviewed_from"] == later


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"site": "A1", "conclusion": "findings_recorded", "findings": "  "},
            422,
            "validation_error",
        ),
        ({"site": "A1", "conclusion": "maybe"}, 422, "validation_error"),
        ({"site": "A1"}, 422, "validation_error"),
        ({"site": "A1", "conclusion": "no_findings", "reviewed_from": 0}, 422, "validation_error"),
        ({"site": "A1", "conclusion": "no_findings", "reviewed_from": 10**9}, 409, "invalid_state"),
        ({"site": "ZZ", "conclusion": "no_findings"}, 404, "not_found"),
    ],
)
def test_refused_openings_write_nothing(client, qa_a, site_a, body, status, code):
    headers = bearer(qa_a, site_a)
    before = last_entry_pk()
    response = post(client, headers, body)
    assert response.status_code == status, response.content
    assert error_code(response) == code
    assert not AuditReview.objects.exists()
    assert last_entry_pk() == before


def test_opening_needs_the_permission_at_the_site(
    client, auditor_a, operator_a, qa_a, qa_b, site_a, site_b, stranger
):
    body = {"site": "A1", "conclusion": "no_findings"}
    before = last_entry_pk()
    for user in (auditor_a, operator_a):
        response = post(client, bearer(user, site_a), body)
        assert response.status_code == 403, user
        assert error_code(response) == "permission_denied"
        assert "audit.add_auditreview" in response.json()["error"]["message"]
    # A QA manager of another site, or of another organization: the site is not theirs.
    assert post(client, bearer(qa_b, site_b), body).status_code == 404
    client.force_login(stranger)
    assert post(client, {}, body).status_code == 404
    client.logout()
    response = post(client, bearer(qa_a, site_a, write=False), body)
    assert response.status_code == 403 and error_code(response) == "token_read_only"
    assert post(client, {}, body).status_code == 401
    assert not AuditReview.objects.exists()
    assert all(
        entry.object_type != "audit.auditreview"
        for entry in AuditEntry.objects.filter(pk__gt=before)
    )


def test_a_qa_manager_of_both_sites_opens_only_at_the_tokens_site(
    client, make_user, site_a, site_b
):
    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    headers = bearer(both, site_b)
    assert post(client, headers, {"site": "A1", "conclusion": "no_findings"}).status_code == 404
    assert post(client, headers, {"site": "B1", "conclusion": "no_findings"}).status_code == 201
    assert AuditReview.objects.get().site == site_b


# Correcting a review


def test_correction_writes_what_the_page_writes_and_shows_the_signature_invalid(
    client, review, qa_a, site_a
):
    sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    headers = bearer(qa_a, site_a)
    findings = "An unexplained deletion attempt."
    response = patch(
        client,
        headers,
        review,
        {"findings": findings, "conclusion": "findings_recorded", "reason": "Found later"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["findings"], body["conclusion"]) == (findings, "findings_recorded")
    assert [(row["signer"], row["valid"]) for row in body["signatures"]] == [("qa-a", False)]
    review.refresh_from_db()
    assert (review.findings, review.conclusion) == (findings, "findings_recorded")
    changed = AuditEntry.objects.filter(action=AuditAction.CHANGE, object_id=str(review.pk)).get()
    assert changed.object_type == "audit.auditreview" and changed.actor == qa_a
    assert changed.reason == "Found later" and changed.api_token != ""
    assert changed.changes == {
        "findings": ["", findings],
        "conclusion": ["no_findings", "findings_recorded"],
    }


def test_fields_left_out_stay_as_they_are(client, qa_a, site_a):
    review = reviews.create_review(
        site=site_a, findings="First note.", conclusion=ReviewConclusion.FINDINGS_RECORDED, by=qa_a
    )
    headers = bearer(qa_a, site_a)
    response = patch(client, headers, review, {"findings": "Second note.", "reason": "Typo"})
    assert response.status_code == 200, response.content
    review.refresh_from_db()
    assert (review.findings, review.conclusion) == ("Second note.", "findings_recorded")
    response = patch(client, headers, review, {"conclusion": "no_findings", "reason": "Checked"})
    assert response.status_code == 200, response.content
    review.refresh_from_db()
    assert (review.findings, review.conclusion) == ("Second note.", "no_findings")
    entries = AuditEntry.objects.filter(action=AuditAction.CHANGE, object_id=str(review.pk))
    assert [entry.changes for entry in entries.order_by("pk")] == [
        {"findings": ["First note.", "Second note."]},
        {"conclusion": ["findings_recorded", "no_findings"]},
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"findings": "x"}, 422, "validation_error"),
        ({"findings": "x", "reason": "  "}, 422, "reason_required"),
        ({"conclusion": "findings_recorded", "reason": "r"}, 422, "validation_error"),
        (
            {"findings": " ", "conclusion": "findings_recorded", "reason": "r"},
            422,
            "validation_error",
        ),
        ({"conclusion": "maybe", "reason": "r"}, 422, "validation_error"),
        ({"findings": "", "reason": "nothing new"}, 409, "invalid_state"),
        ({"reason": "nothing at all"}, 409, "invalid_state"),
    ],
)
def test_refused_corrections_write_nothing(client, review, qa_a, site_a, body, status, code):
    headers = bearer(qa_a, site_a)
    before = last_entry_pk()
    response = patch(client, headers, review, body)
    assert response.status_code == status, response.content
    assert error_code(response) == code
    review.refresh_from_db()
    assert (review.findings, review.conclusion) == ("", "no_findings")
    assert last_entry_pk() == before


def test_correcting_needs_the_permission_and_the_site(
    client, review, auditor_a, operator_a, qa_a, qa_b, site_a, site_b, stranger
):
    body = {"findings": "x", "conclusion": "findings_recorded", "reason": "r"}
    before = last_entry_pk()
    for user in (auditor_a, operator_a):
        response = patch(client, bearer(user, site_a), review, body)
        assert response.status_code == 403, user
        assert "audit.change_auditreview" in response.json()["error"]["message"]
    response = patch(client, bearer(qa_a, site_a, write=False), review, body)
    assert response.status_code == 403 and error_code(response) == "token_read_only"
    response = patch(client, bearer(qa_b, site_b), review, body)
    assert response.status_code == 404 and error_code(response) == "not_found"
    client.force_login(stranger)
    response = patch(client, {}, review, body)
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert client.patch(f"{URL}/999999", body, content_type="application/json").status_code == 404
    review.refresh_from_db()
    assert (review.findings, review.conclusion) == ("", "no_findings")
    # Only the tokens and the sign-in were recorded since.
    assert not AuditEntry.objects.filter(pk__gt=before, object_type="audit.auditreview").exists()


# Reading reviews


def test_list_and_detail_are_scoped_to_the_callers_sites(
    client, review, auditor_a, qa_a, qa_b, site_a, site_b, stranger, operator_a
):
    other = reviews.create_review(
        site=site_b, findings="", conclusion=ReviewConclusion.NO_FINDINGS, by=qa_b
    )
    client.force_login(auditor_a)
    body = client.get(URL).json()
    assert body["count"] == 1 and [row["id"] for row in body["items"]] == [review.pk]
    detail = client.get(f"{URL}/{review.pk}").json()
    assert detail["site"] == "A1" and detail["entries_reviewed"] == review.entries_reviewed
    assert detail["period_start"] is not None and detail["period_end"] is not None
    assert client.get(f"{URL}/{other.pk}").status_code == 404
    client.force_login(qa_b)
    assert [row["id"] for row in client.get(URL).json()["items"]] == [other.pk]
    assert client.get(f"{URL}/{review.pk}").status_code == 404
    client.force_login(stranger)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}/{review.pk}").status_code == 404
    client.force_login(operator_a)
    for url in (URL, f"{URL}/{review.pk}"):
        response = client.get(url)
        assert response.status_code == 403
        assert "audit.view_auditreview" in response.json()["error"]["message"]


def test_list_is_newest_first_and_filters(client, review, make_user, qa_a, site_a, site_b):
    second = reviews.create_review(
        site=site_a,
        findings="Noted.",
        conclusion=ReviewConclusion.FINDINGS_RECORDED,
        by=qa_a,
    )
    both = make_user("aud-ab", (site_a, Role.AUDITOR), (site_b, Role.AUDITOR))
    client.force_login(both)
    assert [row["id"] for row in client.get(URL).json()["items"]] == [second.pk, review.pk]
    found = client.get(URL, {"conclusion": "findings_recorded"}).json()["items"]
    assert [row["id"] for row in found] == [second.pk]
    assert client.get(URL, {"site": "b1"}).json()["count"] == 0
    assert client.get(URL, {"site": "a1", "page_size": 1}).json()["count"] == 2
    assert client.get(URL, {"conclusion": "maybe"}).status_code == 422
