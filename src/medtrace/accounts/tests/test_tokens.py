from datetime import timedelta

import pytest
from django.utils import timezone

from medtrace.accounts.models import ApiToken
from medtrace.accounts.roles import Role
from medtrace.accounts.services import (
    authenticate_api_token,
    create_api_token,
    revoke_api_token,
)
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Location

pytestmark = pytest.mark.django_db


def token_for(user, sites, *, write=False, days=30):
    return create_api_token(
        user=user, name="script", sites=sites, can_write=write, expires_in_days=days, by=user
    )


def bearer(plaintext):
    return {"Authorization": f"Bearer {plaintext}"}


def test_token_is_stored_as_digest_and_shown_once(qa_a, site_a):
    token, plaintext = token_for(qa_a, [site_a])
    assert plaintext.startswith(f"mt_{token.prefix}_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert plaintext not in {stored.digest, stored.prefix, stored.name}
    assert authenticate_api_token(plaintext) == token


@pytest.mark.parametrize("tamper", ["", "mt_", "mt_00000000_x", "Bearer", "xx_a_b"])
def test_malformed_or_unknown_tokens_are_refused(qa_a, site_a, tamper):
    token_for(qa_a, [site_a])
    assert authenticate_api_token(tamper) is None


def test_wrong_secret_with_a_real_prefix_is_refused(qa_a, site_a):
    _token, plaintext = token_for(qa_a, [site_a])
    assert authenticate_api_token(plaintext[:-2] + "zz") is None


def test_expired_revoked_and_inactive_user_tokens_are_refused(qa_a, site_a):
    token, plaintext = token_for(qa_a, [site_a])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate_api_token(plaintext) is None

    token, plaintext = token_for(qa_a, [site_a])
    revoke_api_token(token=token, by=qa_a)
    assert authenticate_api_token(plaintext) is None
    with pytest.raises(DomainError) as refused:
        revoke_api_token(token=token, by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE

    token, plaintext = token_for(qa_a, [site_a])
    qa_a.is_active = False
    qa_a.save()
    assert authenticate_api_token(plaintext) is None


def test_token_cannot_reach_a_site_where_the_user_holds_no_role(qa_a, site_a, site_b):
    with pytest.raises(DomainError) as refused:
        token_for(qa_a, [site_a, site_b])
    assert refused.value.code == ErrorCode.SITE_NOT_ALLOWED
    assert "B1" in str(refused.value.message)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 367])
def test_token_expiry_must_be_bounded(qa_a, site_a, days):
    with pytest.raises(DomainError) as refused:
        token_for(qa_a, [site_a], days=days)
    assert refused.value.code == ErrorCode.VALIDATION


def test_tokens_are_personal(qa_a, admin_a, site_a):
    with pytest.raises(DomainError):
        create_api_token(
            user=qa_a, name="x", sites=[site_a], can_write=False, expires_in_days=1, by=admin_a
        )


def test_read_only_token_cannot_write_and_says_why(client, make_user, site_a):
    clerk = make_user("clerk", (site_a, Role.WAREHOUSE_CLERK))
    _token, plaintext = token_for(clerk, [site_a])
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "NEW", "name": "新库位", "kind": "stock"},
        content_type="application/json",
        headers=bearer(plaintext),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert not Location.objects.filter(code="NEW").exists()


def test_read_write_token_writes_within_the_roles(client, make_user, site_a):
    clerk = make_user("clerk", (site_a, Role.WAREHOUSE_CLERK))
    _token, plaintext = token_for(clerk, [site_a], write=True)
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "NEW", "name": "新库位", "kind": "stock"},
        content_type="application/json",
        headers=bearer(plaintext),
    )
    assert response.status_code == 201, response.content
    assert response.json()["path"] == "NEW"


def test_bad_token_answers_401_with_the_error_body(client, qa_a, site_a):
    response = client.get("/api/v1/me", headers=bearer("mt_nope_nope"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_names_the_token_and_its_sites(client, make_user, site_a, site_b):
    both = make_user("both", (site_a, Role.AUDITOR), (site_b, Role.AUDITOR))
    token, plaintext = token_for(both, [site_b])
    body = client.get("/api/v1/me", headers=bearer(plaintext)).json()
    assert body["username"] == "both"
    assert body["token"] == token.prefix
    assert body["sites"] == [{"site": "B1", "roles": ["auditor"]}]


def test_token_page_creates_shows_once_and_revokes(client, qa_a, site_a):
    client.force_login(qa_a)
    response = client.post(
        "/accounts/tokens/",
        {"name": "LIMS export", "sites": [site_a.pk], "expires_in_days": 30},
    )
    page = response.content.decode()
    token = ApiToken.objects.get(user=qa_a)
    assert f"mt_{token.prefix}_" in page
    assert f"mt_{token.prefix}_" not in client.get("/accounts/tokens/").content.decode()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_page_cannot_revoke_someone_elses_token(client, qa_a, admin_a, site_a):
    token, _plaintext = token_for(admin_a, [site_a])
    client.force_login(qa_a)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_lists_and_revokes_own_tokens(client, qa_a, site_a):
    token, plaintext = token_for(qa_a, [site_a], write=True)
    listed = client.get("/api/v1/tokens", headers=bearer(plaintext)).json()
    assert [row["prefix"] for row in listed] == [token.prefix]
    assert listed[0]["sites"] == ["A1"]
    response = client.post(f"/api/v1/tokens/{token.pk}/revoke", headers=bearer(plaintext))
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
