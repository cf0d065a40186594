"""Part 11 §11.300 access controls: password policy, history, ageing, lockout, idle sessions."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import PASSWORD
from medtrace import conf
from medtrace.accounts.middleware import LAST_SEEN_KEY
from medtrace.accounts.models import PasswordHistory, User
from medtrace.accounts.passwords import ComplexityValidator, HistoryValidator
from medtrace.accounts.services import authenticate_api_token, create_api_token, unlock_user
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


def refusals(password, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [item.code for item in error.error_list]
    return []


# Password policy


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab1-xyz", "password_too_short"),
        ("only-lower-case-letters", "password_too_simple"),
        ("ONLYUPPER12345", "password_too_simple"),
        ("ONLYUPPER-12345", None),
        ("Password123", "password_too_common"),
        ("48213957204812", "password_entirely_numeric"),
    ],
)
def test_each_password_rule(password, code):
    found = refusals(password)
    assert (code in found) if code else not found, found


def test_complexity_counts_four_kinds_of_characters():
    three = ComplexityValidator(classes=3)
    three.validate("lower-UPPER")
    three.validate("lower1UPPER")
    with pytest.raises(ValidationError):
        three.validate("lowerupper1")
    ComplexityValidator(classes=4).validate("aB3$")
    with pytest.raises(ValidationError):
        ComplexityValidator(classes=4).validate("aB3c")


def test_minimum_length_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDTRACE_PASSWORD_MIN_LENGTH", "4")
    with pytest.raises(conf.ConfigError, match="at least 8"):
        conf.env_int("MEDTRACE_PASSWORD_MIN_LENGTH", 10, minimum=8)
    monkeypatch.setenv("MEDTRACE_PASSWORD_MIN_LENGTH", "14")
    assert conf.env_int("MEDTRACE_PASSWORD_MIN_LENGTH", 10, minimum=8) == 14


def change(client, old, new):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_last_passwords_cannot_be_reused(client, qa_a):
    with pytest.raises(ValidationError):
        HistoryValidator(keep=5).validate(PASSWORD, qa_a)
    client.force_login(qa_a)
    passwords = [f"Rotation-{number}-pass" for number in range(1, 6)]
    old = PASSWORD
    for new in passwords:
        assert change(client, old, new).status_code == 302
        old = new
    assert PasswordHistory.objects.filter(user=qa_a).count() == 5
    response = change(client, old, passwords[1])
    assert "You cannot reuse any of your last 5 passwords." in response.content.decode()
    # The one before the last five may come back.
    qa_a.refresh_from_db()
    assert not refusals(PASSWORD, qa_a)


def test_a_password_change_is_audited_and_restarts_the_clock(qa_a):
    from medtrace.accounts.services import change_password

    old = qa_a.password_changed_at
    change_password(user=qa_a, new_password="Another-good-one-2")
    qa_a.refresh_from_db()
    assert qa_a.password_changed_at > old
    entry = AuditEntry.objects.latest("pk")
    assert entry.changes["password"] == ["(old)", "(changed)"]


# Password ageing


def test_expired_password_leads_to_the_change_page_and_nowhere_else(client, qa_a, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 180
    User.objects.filter(pk=qa_a.pk).update(password_changed_at=timezone.now() - timedelta(days=181))
    response = client.post("/accounts/login/", {"username": "qa-a", "password": PASSWORD})
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/password/"
    assert client.get("/accounts/users/")["Location"] == "/accounts/password/"
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["details"]["cause"] == (
        "password_expired"
    )
    assert client.get("/accounts/password/").status_code == 200
    new = "Fresh-password-2026"
    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert client.get("/").status_code == 200


def test_ageing_can_be_turned_off(client, qa_a, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    User.objects.filter(pk=qa_a.pk).update(password_changed_at=timezone.now() - timedelta(3650))
    client.force_login(qa_a)
    assert client.get("/").status_code == 200


# Lockout after failed sign-ins


def test_failed_sign_ins_lock_the_account_until_an_administrator_unlocks_it(
    client, qa_a, admin_a, site_a, settings
):
    settings.LOGIN_MAX_FAILURES = 5
    _token, plaintext = create_api_token(
        user=qa_a, name="t", sites=[site_a], can_write=False, expires_in_days=1, by=qa_a
    )
    for _attempt in range(5):
        client.post("/accounts/login/", {"username": "QA-A", "password": "wrong"})
    qa_a.refresh_from_db()
    assert qa_a.locked_at is not None and qa_a.failed_logins == 5
    locked = AuditEntry.objects.get(action=AuditAction.ACCOUNT_LOCKED)
    assert locked.object_id == str(qa_a.pk) and "5 failed sign-ins" in locked.reason

    response = client.post("/accounts/login/", {"username": "qa-a", "password": PASSWORD})
    assert "This account is locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert authenticate_api_token(plaintext) is None

    client.force_login(admin_a)
    home = client.get("/").content.decode()
    assert "Security notices" in home and "qa-a" in home
    detail = client.get(f"/accounts/users/{qa_a.pk}/").content.decode()
    assert "locked since" in detail and ">Unlock</button>" in detail
    response = client.post(f"/accounts/users/{qa_a.pk}/unlock/", {"next": "/"})
    assert response["Location"] == "/"
    qa_a.refresh_from_db()
    assert (qa_a.locked_at, qa_a.failed_logins) == (None, 0)
    unlocked = AuditEntry.objects.get(action=AuditAction.ACCOUNT_UNLOCKED)
    assert unlocked.actor_id == admin_a.pk
    assert "Security notices" not in client.get("/").content.decode()
    assert authenticate_api_token(plaintext) is not None

    client.logout()
    response = client.post("/accounts/login/", {"username": "qa-a", "password": PASSWORD})
    assert response["Location"] == "/"


def test_a_successful_sign_in_ends_a_run_of_failures(client, qa_a):
    client.post("/accounts/login/", {"username": "qa-a", "password": "wrong"})
    qa_a.refresh_from_db()
    assert qa_a.failed_logins == 1
    client.post("/accounts/login/", {"username": "qa-a", "password": PASSWORD})
    qa_a.refresh_from_db()
    assert qa_a.failed_logins == 0


def test_only_administrators_of_the_users_sites_unlock(client, qa_a, qa_b, make_user, site_b):
    User.objects.filter(pk=qa_a.pk).update(locked_at=timezone.now())
    client.force_login(qa_b)
    assert client.post(f"/accounts/users/{qa_a.pk}/unlock/").status_code == 403
    admin_b = make_user("admin-b", (site_b, "system_admin"))
    client.force_login(admin_b)
    assert client.post(f"/accounts/users/{qa_a.pk}/unlock/").status_code == 404
    assert "Security notices" not in client.get("/").content.decode()
    with pytest.raises(DomainError) as refused:
        unlock_user(user=qa_b, by=admin_b)
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_the_command_line_unlocks_and_says_so_in_the_trail(qa_a):
    User.objects.filter(pk=qa_a.pk).update(locked_at=timezone.now(), failed_signatures=3)
    unlock_user(user=qa_a, by=None, actor_name="command line")
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.actor_id, entry.actor_name) == (
        AuditAction.ACCOUNT_UNLOCKED,
        None,
        "command line",
    )
    assert entry.changes["failed_signatures"] == [3, 0]


def test_a_locked_users_session_ends(client, qa_a):
    client.force_login(qa_a)
    User.objects.filter(pk=qa_a.pk).update(locked_at=timezone.now())
    response = client.get("/accounts/profile/")
    assert response["Location"].startswith("/accounts/login/")
    entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT).latest("pk")
    assert entry.changes == {"reason": "locked"}


# Idle sessions


def test_an_idle_session_is_signed_out_and_audited(client, qa_a, settings):
    settings.IDLE_MINUTES = 30
    client.force_login(qa_a)
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN_KEY] == pytest.approx(time.time(), abs=5)

    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get("/").status_code == 200

    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/accounts/profile/")
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT).latest("pk")
    assert (entry.actor_id, entry.changes) == (qa_a.pk, {"reason": "idle"})
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_htmx_requests_of_an_idle_session_go_to_the_login_page(client, qa_a):
    client.force_login(qa_a)
    client.get("/")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 24 * 3600
    session.save()
    response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/login/"
