"""Two-factor sign-in: the codes (RFC 6238), setting up and removing an authenticator, recovery
codes, the administrator's reset in the API and on the command line, and the settings check."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from medtrace.accounts import mfa, mfa_services
from medtrace.accounts.models import RecoveryCode, TotpDevice
from medtrace.accounts.services import create_api_token
from medtrace.accounts.tests.mfa_helpers import code_now, enrolled
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.cli import app
from medtrace.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db

# RFC 6238 appendix B: the SHA-1 key "12345678901234567890"; at T = 59 s its 8-digit code is
# 94287082, so the 6-digit one is 287082.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_TIME = datetime(1970, 1, 1, 0, 0, 59, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def actions_since(pk: int) -> list[str]:
    return list(AuditEntry.objects.filter(pk__gt=pk).values_list("action", flat=True))


def last_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# The codes


def test_the_rfc_6238_test_vector():
    assert mfa.code_at(RFC_SECRET, RFC_TIME) == "287082"
    assert mfa.matching_step(RFC_SECRET, "287 082", after=None, at=RFC_TIME) == 1


def test_one_step_of_clock_drift_is_accepted_two_are_not():
    at = datetime(2026, 12, 5, 12, 0, 15, tzinfo=UTC)
    for drift, accepted in [(-60, False), (-30, True), (0, True), (30, True), (60, False)]:
        code = mfa.code_at(RFC_SECRET, at + timedelta(seconds=drift))
        step = mfa.matching_step(RFC_SECRET, code, after=None, at=at)
        assert (step is not None) is accepted, drift


def test_a_code_is_not_accepted_for_a_step_already_used():
    step = mfa.matching_step(RFC_SECRET, "287082", after=None, at=RFC_TIME)
    assert mfa.matching_step(RFC_SECRET, "287082", after=step, at=RFC_TIME) is None


@given(st.text(max_size=40))
def test_any_text_is_a_step_only_when_it_is_the_code(text):
    step = mfa.matching_step(RFC_SECRET, text, after=None, at=RFC_TIME)
    drifted = {mfa.code_at(RFC_SECRET, RFC_TIME + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
    assert (step is not None) == (mfa.normalized_code(text) in drifted)


def test_recovery_codes_are_unique_readable_and_kept_as_digests():
    codes = mfa.new_recovery_codes()
    assert len(set(codes)) == mfa.RECOVERY_CODE_COUNT
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    assert mfa.recovery_digest(codes[0]) == mfa.recovery_digest(codes[0].upper().replace("-", " "))


# Setting up


def test_a_wrong_code_sets_nothing_up(qa_a):
    before = last_pk()
    secret = mfa.new_secret()
    wrong = str((int(code_now(secret)) + 1) % 1_000_000).zfill(6)
    with pytest.raises(DomainError) as error:
        mfa_services.enrol(user=qa_a, secret=secret, code=wrong)
    assert error.value.code == ErrorCode.VALIDATION and "code" in error.value.details["fields"]
    assert not TotpDevice.objects.exists() and actions_since(before) == []


def test_setting_up_issues_ten_codes_and_audits_without_the_secret(qa_a):
    before = last_pk()
    secret, codes = enrolled(qa_a)
    device = mfa_services.device_of(qa_a)
    assert device.secret == secret and len(codes) == 10
    assert set(RecoveryCode.objects.values_list("digest", flat=True)) == {
        mfa.recovery_digest(code) for code in codes
    }
    entry = AuditEntry.objects.get(pk__gt=before, action=AuditAction.MFA_ENROLLED)
    assert entry.object_id == str(qa_a.pk) and secret not in str(entry.changes)


def test_a_new_authenticator_replaces_the_old_one_and_its_codes(qa_a):
    old_secret, old_codes = enrolled(qa_a)
    new_secret, _codes = enrolled(qa_a)
    assert TotpDevice.objects.filter(user=qa_a, removed_at__isnull=True).get().secret == new_secret
    assert not mfa_services.verify_sign_in(user=qa_a, code=old_codes[0])
    assert not mfa_services.verify_sign_in(user=qa_a, code=code_now(old_secret, 1))


# Second factor at sign-in


def test_an_authenticator_code_signs_in_once(qa_a):
    secret, _codes = enrolled(qa_a)
    code = code_now(secret, 1)
    assert mfa_services.verify_sign_in(user=qa_a, code=code)
    assert not mfa_services.verify_sign_in(user=qa_a, code=code)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(qa_a):
    _secret, codes = enrolled(qa_a)
    before = last_pk()
    assert mfa_services.verify_sign_in(user=qa_a, code=codes[3].upper())
    assert not mfa_services.verify_sign_in(user=qa_a, code=codes[3])
    entry = AuditEntry.objects.get(pk__gt=before)
    assert (entry.action, entry.changes["recovery_codes_left"]) == (
        AuditAction.RECOVERY_CODE_USED,
        9,
    )


def test_new_recovery_codes_void_the_unused_old_ones(qa_a):
    _secret, old = enrolled(qa_a)
    new = mfa_services.issue_recovery_codes(user=qa_a)
    assert not mfa_services.verify_sign_in(user=qa_a, code=old[0])
    assert mfa_services.verify_sign_in(user=qa_a, code=new[0])


def test_recovery_codes_need_an_authenticator(qa_a):
    with pytest.raises(DomainError) as error:
        mfa_services.issue_recovery_codes(user=qa_a)
    assert error.value.code == ErrorCode.INVALID_STATE


def test_without_an_authenticator_no_code_passes(qa_a):
    assert not mfa_services.verify_sign_in(user=qa_a, code="123456")


# Removing


def test_a_user_turns_it_off_unless_their_roles_require_it(qa_a, settings):
    enrolled(qa_a)
    settings.MFA_REQUIRED_ROLES = ["qa_manager"]
    with pytest.raises(DomainError) as error:
        mfa_services.remove(user=qa_a, by=qa_a)
    assert error.value.code == ErrorCode.INVALID_STATE
    assert mfa_services.device_of(qa_a) is not None
    settings.MFA_REQUIRED_ROLES = ["system_admin"]
    mfa_services.remove(user=qa_a, by=qa_a)
    assert mfa_services.device_of(qa_a) is None


def test_an_administrator_removes_it_with_a_reason(qa_a, admin_a):
    _secret, codes = enrolled(qa_a)
    with pytest.raises(DomainError) as error:
        mfa_services.remove(user=qa_a, by=admin_a, reason=" ")
    assert error.value.code == ErrorCode.REASON_REQUIRED
    mfa_services.remove(user=qa_a, by=admin_a, reason="Phone lost")
    entry = AuditEntry.objects.filter(action=AuditAction.MFA_REMOVED).get()
    assert (entry.actor_id, entry.reason) == (admin_a.pk, "Phone lost")
    assert not mfa_services.verify_sign_in(user=qa_a, code=codes[0])


def test_an_administrator_of_another_site_may_not(qa_a, make_user, site_b):
    from medtrace.accounts.roles import Role

    enrolled(qa_a)
    admin_b = make_user("admin-b", (site_b, Role.SYSTEM_ADMIN))
    with pytest.raises(DomainError) as error:
        mfa_services.remove(user=qa_a, by=admin_b, reason="Phone lost")
    assert error.value.code == ErrorCode.PERMISSION_DENIED
    assert mfa_services.device_of(qa_a) is not None


def test_the_api_shows_and_removes_an_authenticator(client, qa_a, admin_a, site_a):
    _token, plaintext = create_api_token(
        user=admin_a, name="t", sites=[site_a], can_write=True, expires_in_days=1, by=admin_a
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    url = f"/api/v1/users/{qa_a.pk}"
    assert client.get(url, headers=headers).json()["two_factor"] is False
    enrolled(qa_a)
    assert client.get(url, headers=headers).json()["two_factor"] is True
    refused = client.post(
        f"{url}/two-factor/remove", {}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 422 and mfa_services.device_of(qa_a) is not None
    response = client.post(
        f"{url}/two-factor/remove",
        {"reason": "Phone lost"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["two_factor"] is False
    again = client.post(
        f"{url}/two-factor/remove",
        {"reason": "Phone lost"},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409


def test_the_command_line_removes_it_and_names_itself(qa_a):
    enrolled(qa_a)
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["user", "remove-two-factor", "qa-a", "--reason", "Phone lost"])
    assert result.exit_code == 0, result.output
    assert mfa_services.device_of(qa_a) is None
    entry = AuditEntry.objects.get(action=AuditAction.MFA_REMOVED)
    assert entry.actor_id is None and "remove-two-factor" in entry.actor_name
    result = runner.invoke(app, ["user", "remove-two-factor", "qa-a", "--reason", "again"])
    assert result.exit_code == 1 and "no authenticator" in result.output


def test_a_misspelt_required_role_fails_the_system_check(settings):
    settings.MFA_REQUIRED_ROLES = ["qa_manger"]
    with pytest.raises(SystemCheckError, match="qa_manger"):
        call_command("check")


def test_the_secret_is_stored_encrypted(qa_a):
    from django.db import connection

    secret, _codes = enrolled(qa_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice")
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and secret not in stored
    assert mfa_services.device_of(qa_a).secret == secret
