"""Two-factor sign-in in the browser: the second step, setting up (and being made to), the
profile and user pages, and the attempt limits on sign-in and API tokens."""

import time

import pytest
from django.core.cache import cache
from django.views.debug import ExceptionReporter

from conftest import PASSWORD
from medtrace.accounts import mfa_services
from medtrace.accounts.mfa_views import PENDING_KEY, SECRET_KEY
from medtrace.accounts.models import User
from medtrace.accounts.services import create_api_token
from medtrace.accounts.tests.mfa_helpers import code_now, enrolled
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SETUP = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def password_step(client, username="qa-a", password=PASSWORD, next_url=""):
    return client.post(LOGIN, {"username": username, "password": password, "next": next_url})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# The second step of signing in


def test_without_an_authenticator_the_password_signs_in(client, qa_a):
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] != VERIFY
    assert signed_in(client)


def test_with_one_the_password_alone_does_not(client, qa_a):
    secret, _codes = enrolled(qa_a)
    response = password_step(client, next_url="/trace/")
    assert response["Location"] == VERIFY and not signed_in(client)
    assert client.get("/trace/")["Location"].startswith(LOGIN)
    page = client.get(VERIFY)
    assert page.status_code == 200 and b'autocomplete="one-time-code"' in page.content
    response = client.post(VERIFY, {"code": code_now(secret, 1)})
    assert response["Location"] == "/trace/" and signed_in(client)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, object_id=str(qa_a.pk)).exists()


def test_a_recovery_code_signs_in_too(client, qa_a):
    _secret, codes = enrolled(qa_a)
    password_step(client)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302 and signed_in(client)


def test_wrong_codes_count_towards_the_lockout(client, qa_a, settings):
    enrolled(qa_a)
    settings.LOGIN_MAX_FAILURES = 3
    password_step(client)
    for _attempt in range(2):
        response = client.post(VERIFY, {"code": "000000"})
        assert response.status_code == 422 and b"The code does not match." in response.content
    response = client.post(VERIFY, {"code": "000000"})
    assert response["Location"] == LOGIN and not signed_in(client)
    qa_a.refresh_from_db()
    assert qa_a.is_locked and qa_a.failed_logins == 3
    assert PENDING_KEY not in client.session


def test_the_second_step_expires(client, qa_a):
    secret, _codes = enrolled(qa_a)
    password_step(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": time.time() - 301}
    session.save()
    response = client.post(VERIFY, {"code": code_now(secret, 1)})
    assert response["Location"] == LOGIN and not signed_in(client)


def test_the_second_step_does_not_redirect_off_site(client, qa_a):
    secret, _codes = enrolled(qa_a)
    password_step(client, next_url="https://evil.example/")
    response = client.post(VERIFY, {"code": code_now(secret, 1)})
    assert response.status_code == 302 and "evil" not in response["Location"]


# Setting up


def test_setting_up_from_the_page_shows_the_codes_once(client, qa_a):
    client.force_login(qa_a)
    page = client.get(SETUP)
    assert page.status_code == 200 and b"<svg" in page.content
    secret = client.session[SECRET_KEY]
    assert secret[:4].encode() in page.content
    wrong = client.post(SETUP, {"code": "000000"})
    assert wrong.status_code == 422 and mfa_services.device_of(qa_a) is None
    response = client.post(SETUP, {"code": code_now(secret)})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    shown = response.content.decode().count("<li><code>")
    assert shown == 10 and mfa_services.device_of(qa_a).secret == secret
    assert SECRET_KEY not in client.session


def test_roles_that_require_it_see_only_the_set_up_page(client, qa_a, operator_a, settings):
    settings.MFA_REQUIRED_ROLES = ["qa_manager"]
    client.force_login(qa_a)
    assert client.get("/trace/")["Location"] == SETUP
    assert client.get(SETUP).status_code == 200
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["details"]["cause"] == "mfa_not_set_up"
    htmx = client.get("/trace/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == SETUP
    client.post(SETUP, {"code": code_now(client.session[SECRET_KEY])})
    assert client.get("/trace/").status_code == 200
    client.force_login(operator_a)
    assert client.get("/trace/").status_code == 200


def test_the_profile_offers_codes_and_turning_off(client, qa_a):
    client.force_login(qa_a)
    assert b"Set up two-factor sign-in" in client.get("/accounts/profile/").content
    enrolled(qa_a)
    profile = client.get("/accounts/profile/").content.decode()
    assert "10 recovery codes left." in profile and "Turn off" in profile
    response = client.post("/accounts/two-factor/recovery-codes/")
    assert response.content.decode().count("<li><code>") == 10
    assert client.post("/accounts/two-factor/remove/")["Location"] == "/accounts/profile/"
    assert mfa_services.device_of(qa_a) is None


def test_an_administrator_removes_a_lost_authenticator_on_the_user_page(client, qa_a, admin_a):
    enrolled(qa_a)
    client.force_login(admin_a)
    page = client.get(f"/accounts/users/{qa_a.pk}/").content.decode()
    assert "Remove authenticator" in page
    url = f"/accounts/users/{qa_a.pk}/two-factor/remove/"
    client.post(url, {"reason": ""})
    assert mfa_services.device_of(qa_a) is not None
    client.post(url, {"reason": "Phone lost"})
    assert mfa_services.device_of(qa_a) is None


def test_an_operator_cannot_remove_anyones(client, qa_a, operator_a):
    enrolled(qa_a)
    client.force_login(operator_a)
    response = client.post(f"/accounts/users/{qa_a.pk}/two-factor/remove/", {"reason": "x"})
    assert response.status_code == 403 and mfa_services.device_of(qa_a) is not None


# Attempt limits


def test_failed_sign_ins_from_one_address_are_slowed(client, qa_a, make_user, settings):
    settings.RATE_LIMIT_SIGN_INS = 3
    settings.LOGIN_MAX_FAILURES = 100
    for username in ("qa-a", "nobody", "someone"):
        assert password_step(client, username=username, password="wrong").status_code == 200
    response = password_step(client)
    assert response.status_code == 429 and not signed_in(client)
    assert b"Too many attempts" in response.content
    # the refused attempt did not even check the password
    assert User.objects.get(pk=qa_a.pk).failed_logins == 1


def test_unknown_api_tokens_from_one_address_are_slowed(client, qa_a, site_a, settings):
    settings.RATE_LIMIT_TOKENS = 2
    _token, plaintext = create_api_token(
        user=qa_a, name="t", sites=[site_a], can_write=False, expires_in_days=1, by=qa_a
    )
    for _attempt in range(2):
        bad = client.get("/api/v1/me", headers={"Authorization": "Bearer mt_nope_nope"})
        assert bad.status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"


def test_an_api_token_never_reaches_an_error_report(client, qa_a, site_a, caplog, monkeypatch):
    """A crash while the token is checked: the report Django mails to the administrators (built
    from the logged record) shows neither the header nor the frames' copies of the token."""
    _token, plaintext = create_api_token(
        user=qa_a, name="t", sites=[site_a], can_write=False, expires_in_days=1, by=qa_a
    )

    def broken(secret):
        raise RuntimeError("digest store unavailable")

    monkeypatch.setattr("medtrace.accounts.services._digest", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 500
    record = next(r for r in caplog.records if r.name == "django.request" and r.exc_info)
    report = ExceptionReporter(record.request, *record.exc_info)
    text = report.get_traceback_text() + report.get_traceback_html()
    assert "HTTP_AUTHORIZATION" in text and "authenticate_api_token" in text
    assert plaintext.split("_", 2)[2] not in text
