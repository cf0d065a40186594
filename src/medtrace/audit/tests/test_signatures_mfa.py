"""A signer with two-factor sign-in gives an authenticator code with the password (§11.200): in
the service, on a page (the form's `otp` field) and in the API (the X-Medtrace-OTP header); and
signatures are limited per minute."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts import mfa, mfa_services
from medtrace.accounts.services import create_api_token
from medtrace.audit import context, reviews
from medtrace.audit.choices import AuditAction, ReviewConclusion, SignatureMeaning
from medtrace.audit.models import AuditEntry, Signature
from medtrace.audit.signatures import sign
from medtrace.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db

REVIEWED = SignatureMeaning.REVIEWED


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def review(qa_a, site_a):
    return reviews.create_review(
        site=site_a, findings="", conclusion=ReviewConclusion.NO_FINDINGS, by=qa_a
    )


@pytest.fixture
def secret(qa_a):
    secret = mfa.new_secret()
    mfa_services.enrol(user=qa_a, secret=secret, code=mfa.code_at(secret, timezone.now()))
    return secret


def next_code(secret: str) -> str:
    """The code of the next step: the current one was used up by setting up."""
    return mfa.code_at(secret, timezone.now() + timedelta(seconds=30))


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as error:
        call()
    return error.value


def failures(user) -> int:
    user.refresh_from_db()
    return user.failed_signatures


def test_the_password_alone_no_longer_signs(review, qa_a, secret):
    error = refusal(lambda: sign(review, REVIEWED, by=qa_a, password=PASSWORD))
    assert (error.code, error.details["cause"]) == (ErrorCode.SIGNATURE_REFUSED, "otp_required")
    assert not Signature.objects.exists()
    entry = AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).get()
    assert entry.changes["cause"] == "otp_required" and failures(qa_a) == 0


def test_a_wrong_code_counts_towards_the_lockout(review, qa_a, secret, settings):
    settings.SIGNATURE_MAX_FAILURES = 2
    wrong = str((int(next_code(secret)) + 1) % 1_000_000).zfill(6)
    error = refusal(lambda: sign(review, REVIEWED, by=qa_a, password=PASSWORD, otp=wrong))
    assert error.details["cause"] == "wrong_otp" and failures(qa_a) == 1
    error = refusal(lambda: sign(review, REVIEWED, by=qa_a, password=PASSWORD, otp=wrong))
    assert error.details.get("locked") is True
    qa_a.refresh_from_db()
    assert qa_a.is_locked


def test_password_and_code_sign_and_the_code_is_used_up(review, qa_a, secret):
    code = next_code(secret)
    signature = sign(review, REVIEWED, by=qa_a, password=PASSWORD, otp=code)
    assert signature.signer == qa_a
    error = refusal(
        lambda: sign(review, SignatureMeaning.APPROVED, by=qa_a, password=PASSWORD, otp=code)
    )
    assert error.details["cause"] == "wrong_otp" and Signature.objects.count() == 1


def test_a_wrong_password_is_refused_before_the_code_is_used(review, qa_a, secret):
    code = next_code(secret)
    error = refusal(lambda: sign(review, REVIEWED, by=qa_a, password="wrong", otp=code))
    assert error.details["cause"] == "wrong_password"
    assert sign(review, REVIEWED, by=qa_a, password=PASSWORD, otp=code)


def test_a_role_that_requires_it_cannot_sign_without_it(review, qa_a, settings):
    settings.MFA_REQUIRED_ROLES = ["qa_manager"]
    error = refusal(lambda: sign(review, REVIEWED, by=qa_a, password=PASSWORD))
    assert error.details["cause"] == "mfa_not_set_up" and not Signature.objects.exists()


def test_signatures_over_the_network_are_limited_per_minute(review, qa_a, settings):
    settings.RATE_LIMIT_SIGNATURES = 2
    token = context.bind(client_ip="192.0.2.7")
    try:
        for _attempt in range(2):
            refusal(lambda: sign(review, REVIEWED, by=qa_a, password="wrong"))
        before = AuditEntry.objects.count()
        error = refusal(lambda: sign(review, REVIEWED, by=qa_a, password=PASSWORD))
    finally:
        context.reset(token)
    assert error.code == ErrorCode.RATE_LIMITED and error.http_status == 429
    assert AuditEntry.objects.count() == before and not Signature.objects.exists()
    # the command line and jobs (no request) sign in bulk, unlimited
    assert sign(review, REVIEWED, by=qa_a, password=PASSWORD)


def test_the_signing_page_takes_the_code(client, review, qa_a, secret):
    client.force_login(qa_a)
    page = client.get(f"/audit/reviews/{review.pk}/").content.decode()
    assert 'name="otp"' in page and 'autocomplete="one-time-code"' in page
    url = f"/audit/sign/audit.auditreview/{review.pk}/"
    client.post(url, {"meaning": "reviewed", "password": PASSWORD})
    assert not Signature.objects.exists()
    client.post(url, {"meaning": "reviewed", "password": PASSWORD, "otp": next_code(secret)})
    assert Signature.objects.get().signer == qa_a


def test_the_api_takes_the_code_in_a_header(client, review, qa_a, site_a, secret):
    _token, plaintext = create_api_token(
        user=qa_a, name="t", sites=[site_a], can_write=True, expires_in_days=1, by=qa_a
    )
    url = f"/api/v1/signatures/audit.auditreview/{review.pk}"
    body = {"meaning": "reviewed", "password": PASSWORD}
    headers = {"Authorization": f"Bearer {plaintext}"}
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["details"]["cause"] == "otp_required"
    response = client.post(
        url,
        body,
        content_type="application/json",
        headers={**headers, "X-Medtrace-OTP": next_code(secret)},
    )
    assert response.status_code == 201, response.content
