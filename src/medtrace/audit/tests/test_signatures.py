"""Electronic signatures (Part 11 §11.50/11.70/11.200) and the audit-trail review they sign."""

import json

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_api_token
from medtrace.audit import reviews
from medtrace.audit.choices import AuditAction, ReviewConclusion, SignatureMeaning
from medtrace.audit.models import AuditEntry, AuditReview, Signature
from medtrace.audit.signatures import content_hash, is_valid, sign, signatures_of
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Location

pytestmark = pytest.mark.django_db

INVALID = "Invalid: the record changed after signing"


@pytest.fixture
def review(qa_a, site_a):
    return reviews.create_review(
        site=site_a, findings="", conclusion=ReviewConclusion.NO_FINDINGS, by=qa_a
    )


def refused(call):
    with pytest.raises(DomainError) as error:
        call()
    return error.value


def new_entries(after: int):
    return list(AuditEntry.objects.filter(pk__gt=after).order_by("pk"))


def last_entry_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_review_covers_the_chain_up_to_its_head(review, site_a):
    head = AuditEntry.objects.filter(pk__lt=AuditEntry.objects.latest("pk").pk).latest("pk")
    assert review.reviewed_from == 1
    assert (review.reviewed_to, review.head_hash) == (head.sequence, head.entry_hash)
    assert review.entries_reviewed > 0
    created = AuditEntry.objects.latest("pk")
    assert (created.action, created.object_id) == (AuditAction.CREATE, str(review.pk))


def test_sign_with_the_right_password(review, qa_a):
    signature = sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD, reason="ok")
    assert signature.signer_name == "Qa-A"
    assert signature.content_hash == content_hash(review)
    assert signature.site_id == review.site_id
    entry = signature.audit_entry
    assert (entry.action, entry.object_type, entry.object_id) == (
        AuditAction.SIGN,
        "audit.auditreview",
        str(review.pk),
    )
    assert signature.signed_at == entry.at
    assert entry.changes["meaning"] == [None, "reviewed"]
    assert is_valid(signature, review)
    assert list(signatures_of(review)) == [signature]


def test_what_is_signed_is_what_is_stored_not_the_callers_copy(review, qa_a):
    review.findings = "edited in memory, never saved"
    signature = sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    review.refresh_from_db()
    assert is_valid(signature, review)


def test_wrong_password_is_audited_and_nothing_else_is_written(review, qa_a):
    before = last_entry_pk()
    error = refused(
        lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password="Wrong-password-1")
    )
    assert error.code == ErrorCode.SIGNATURE_REFUSED
    assert error.details["cause"] == "wrong_password"
    assert not Signature.objects.exists()
    [entry] = new_entries(before)
    assert entry.action == AuditAction.SIGN_FAILED
    assert entry.actor_id == qa_a.pk and entry.object_id == str(review.pk)
    assert "Wrong-password-1" not in json.dumps(entry.changes) + entry.reason
    qa_a.refresh_from_db()
    assert qa_a.failed_signatures == 1 and qa_a.locked_at is None


def test_the_refusal_entry_outlives_the_refusal_inside_a_caller_transaction(review, qa_a):
    with pytest.raises(DomainError), transaction.atomic():
        sign(review, SignatureMeaning.REVIEWED, by=qa_a, password="nope")
    # The caller let the error roll its transaction back: that is the caller's choice; called
    # on its own (as views and the API do), the entry is committed before the error.
    before = last_entry_pk()
    with pytest.raises(DomainError):
        sign(review, SignatureMeaning.REVIEWED, by=qa_a, password="nope")
    assert [entry.action for entry in new_entries(before)] == [AuditAction.SIGN_FAILED]


def test_repeated_wrong_passwords_lock_the_account(review, qa_a, settings):
    settings.SIGNATURE_MAX_FAILURES = 3
    for _attempt in range(2):
        refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password="nope"))
    before = last_entry_pk()
    error = refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password="nope"))
    assert error.details["locked"] is True
    assert [entry.action for entry in new_entries(before)] == [
        AuditAction.SIGN_FAILED,
        AuditAction.ACCOUNT_LOCKED,
    ]
    qa_a.refresh_from_db()
    assert qa_a.locked_at is not None
    error = refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD))
    assert error.details["cause"] == "locked"
    assert not Signature.objects.exists()


def test_a_good_signature_ends_a_run_of_failures(review, qa_a):
    refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password="nope"))
    sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    qa_a.refresh_from_db()
    assert qa_a.failed_signatures == 0


def test_inactive_user_cannot_sign(review, qa_a):
    qa_a.is_active = False
    qa_a.save()
    error = refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD))
    assert error.details["cause"] == "inactive"


def test_meaning_must_be_one_the_record_allows(review, qa_a):
    before = last_entry_pk()
    error = refused(lambda: sign(review, SignatureMeaning.RELEASED, by=qa_a, password=PASSWORD))
    assert error.code == ErrorCode.VALIDATION
    assert new_entries(before) == []


def test_signing_needs_the_permission_at_the_records_site(review, make_user, site_a, qa_b):
    operator = make_user("op", (site_a, Role.OPERATOR))
    error = refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=operator, password=PASSWORD))
    assert error.code == ErrorCode.PERMISSION_DENIED
    assert refused(
        lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_b, password=PASSWORD)
    ).code == (ErrorCode.PERMISSION_DENIED)
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).count() == 2


def test_a_record_without_signed_content_cannot_be_signed(qa_a, site_a):
    location = Location.objects.filter(site=site_a).first()
    error = refused(lambda: sign(location, SignatureMeaning.APPROVED, by=qa_a, password=PASSWORD))
    assert (error.code, error.details["cause"]) == (ErrorCode.SIGNATURE_REFUSED, "not_signable")


def test_the_same_signature_twice_is_refused(review, qa_a):
    sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    error = refused(lambda: sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD))
    assert error.code == ErrorCode.INVALID_STATE
    sign(review, SignatureMeaning.APPROVED, by=qa_a, password=PASSWORD)


def test_signature_cannot_be_copied_to_another_record(review, qa_a, site_a):
    signature = sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    other = reviews.create_review(
        site=site_a, findings="", conclusion=ReviewConclusion.NO_FINDINGS, by=qa_a
    )
    for field in ("reviewed_from", "reviewed_to", "head_hash", "findings", "conclusion"):
        setattr(other, field, getattr(review, field))
    assert other.signed_content() == review.signed_content()
    assert content_hash(other) != content_hash(review)
    assert not is_valid(signature, other)
    copied = Signature(
        object_type=signature.object_type,
        object_id=str(other.pk),
        content_hash=signature.content_hash,
    )
    assert not is_valid(copied, other)


def test_amending_after_signing_invalidates_the_signature(review, qa_a):
    signature = sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    reviews.amend_review(
        review,
        findings="Two failed sign-ins by the night shift, explained.",
        conclusion=ReviewConclusion.FINDINGS_RECORDED,
        by=qa_a,
        reason="Missed the lockouts",
    )
    review.refresh_from_db()
    assert not is_valid(signature, review)
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == AuditAction.CHANGE and entry.reason == "Missed the lockouts"
    assert entry.changes["conclusion"] == ["no_findings", "findings_recorded"]


def test_amending_needs_a_reason_and_consistent_findings(review, qa_a):
    error = refused(lambda: reviews.amend_review(review, findings="x", by=qa_a, reason=" "))
    assert error.code == ErrorCode.REASON_REQUIRED
    error = refused(
        lambda: reviews.amend_review(
            review,
            findings="",
            conclusion=ReviewConclusion.FINDINGS_RECORDED,
            by=qa_a,
            reason="r",
        )
    )
    assert error.code == ErrorCode.VALIDATION
    review.refresh_from_db()
    assert review.findings == "" and review.conclusion == ReviewConclusion.NO_FINDINGS


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_signature SET reason = 'forged'", "DELETE FROM audit_signature"]
)
def test_database_refuses_update_and_delete_of_signatures(review, qa_a, sql):
    sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD, reason="real")
    with (
        pytest.raises((DatabaseError, IntegrityError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Signature.objects.get().reason == "real"


# Pages


def test_signed_then_amended_review_shows_its_signature_invalid_on_the_page(client, review, qa_a):
    client.force_login(qa_a)
    url = f"/audit/reviews/{review.pk}/"
    response = client.post(
        f"/audit/sign/audit.auditreview/{review.pk}/",
        {"meaning": "reviewed", "password": PASSWORD, "reason": "", "next": url},
    )
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Qa-A" in page and "Reviewed" in page
    assert "Asia/Shanghai (UTC+08:00)" in page
    assert 'class="badge ok">Valid' in page and INVALID not in page

    response = client.post(
        f"/audit/reviews/{review.pk}/amend/",
        {
            "findings": "An unexplained deletion attempt.",
            "conclusion": "findings_recorded",
            "reason": "Found later",
        },
    )
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert f'class="badge bad">{INVALID}' in page


def test_wrong_password_on_the_page_says_so_and_stores_no_password(client, review, qa_a):
    client.force_login(qa_a)
    url = f"/audit/reviews/{review.pk}/"
    response = client.post(
        f"/audit/sign/audit.auditreview/{review.pk}/",
        {"meaning": "reviewed", "password": "Typo-password-7", "next": url},
        follow=True,
    )
    assert "The password is wrong" in response.content.decode()
    assert not Signature.objects.exists()
    stored = json.dumps(list(AuditEntry.objects.values("changes", "reason")))
    assert "Typo-password-7" not in stored


def test_review_pages_follow_the_roles(client, review, make_user, site_a, qa_b):
    auditor = make_user("aud", (site_a, Role.AUDITOR))
    client.force_login(auditor)
    assert client.get("/audit/reviews/").status_code == 200
    page = client.get(f"/audit/reviews/{review.pk}/").content.decode()
    assert "Sign this record" not in page and "Correct the findings" not in page
    assert client.get("/audit/reviews/new/").status_code == 403
    sign_url = f"/audit/sign/audit.auditreview/{review.pk}/"
    assert client.post(sign_url, {"meaning": "reviewed", "password": PASSWORD}).status_code == 403
    client.force_login(qa_b)
    assert client.get(f"/audit/reviews/{review.pk}/").status_code == 404
    assert client.post(sign_url, {"meaning": "reviewed", "password": PASSWORD}).status_code == 404


def test_qa_manager_opens_a_review_from_the_page(client, qa_a, site_a):
    client.force_login(qa_a)
    response = client.post(
        "/audit/reviews/new/",
        {"site": site_a.pk, "conclusion": "findings_recorded", "findings": ""},
    )
    assert "Describe the findings" in response.content.decode()
    response = client.post(
        "/audit/reviews/new/",
        {"site": site_a.pk, "conclusion": "no_findings", "findings": ""},
    )
    review = AuditReview.objects.get()
    assert response["Location"] == f"/audit/reviews/{review.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Not signed yet." in page and "Sign this record" in page
    assert f"/audit/reviews/{review.pk}/" in client.get("/audit/reviews/").content.decode()


# API


def bearer(user, site, *, write):
    _token, plaintext = create_api_token(
        user=user, name="t", sites=[site], can_write=write, expires_in_days=1, by=user
    )
    return {"Authorization": f"Bearer {plaintext}"}


def test_api_signs_and_lists_with_validity(client, review, qa_a, site_a):
    headers = bearer(qa_a, site_a, write=True)
    url = f"/api/v1/signatures/audit.auditreview/{review.pk}"
    response = client.post(
        url,
        {"meaning": "approved", "password": PASSWORD, "reason": "by script"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["meaning"], body["signer"], body["valid"]) == ("approved", "qa-a", True)
    assert AuditEntry.objects.get(action=AuditAction.SIGN).api_token != ""
    reviews.amend_review(review, findings="Late note.", by=qa_a, reason="Added a note")
    listed = client.get(url, headers=headers).json()
    assert [(row["signer_name"], row["valid"]) for row in listed] == [("Qa-A", False)]


def test_api_refuses_a_wrong_password_and_a_read_only_token(client, review, qa_a, site_a):
    url = f"/api/v1/signatures/audit.auditreview/{review.pk}"
    body = {"meaning": "reviewed", "password": "nope"}
    response = client.post(
        url, body, content_type="application/json", headers=bearer(qa_a, site_a, write=True)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "signature_refused"
    before = last_entry_pk()
    response = client.post(
        url,
        {**body, "password": PASSWORD},
        content_type="application/json",
        headers=bearer(qa_a, site_a, write=False),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert not Signature.objects.exists()
    assert all(entry.action != AuditAction.SIGN_FAILED for entry in new_entries(before))


def test_api_hides_records_of_other_sites_and_unknown_types(client, review, qa_b, site_b):
    headers = bearer(qa_b, site_b, write=True)
    assert (
        client.get(f"/api/v1/signatures/audit.auditreview/{review.pk}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/signatures/org.location/1", headers=headers).status_code == 404
    assert (
        client.get("/api/v1/signatures/audit.auditreview/not-a-number", headers=headers).status_code
        == 404
    )
