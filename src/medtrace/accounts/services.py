"""Users and personal API tokens: the writes, each in one transaction."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from medtrace.accounts import selectors
from medtrace.accounts.models import ApiToken, User
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org import services as org_services

TOKEN_PREFIX = "mt"  # nosec B105 # token prefix, not a password
MAX_TOKEN_DAYS = 366
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def check_password_strength(password: str, user: User) -> None:
    """Refuse a password the validators reject, naming every reason; `user` may be unsaved
    (its name and e-mail must not be guessable from the password)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The password is too weak: %(reasons)s") % {"reasons": " ".join(exc.messages)},
            fields={"password": exc.messages},
        ) from None


@transaction.atomic
def create_user(
    *,
    organization,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    language: str = "",
    by=None,
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            ErrorCode.DUPLICATE,
            _("The username %(username)s is taken; usernames are never reused.")
            % {"username": username},
        )
    user = User(
        organization=organization,
        username=username,
        email=email,
        full_name=full_name,
        language=language,
    )
    check_password_strength(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        AuditAction.CREATE,
        user,
        by=by,
        changes=audit.created(user) | {"password": [None, "(set)"]},
    )
    return user


@transaction.atomic
def enrol_user(
    *, site, role: str, username: str, password: str, email: str = "", full_name: str = "", by
) -> User:
    """A new person of `site`'s organization holding `role` there: how the user pages and the
    API add people, so nobody is created without a role and a refused role creates nobody."""
    user = create_user(
        organization=site.organization,
        username=username,
        password=password,
        email=email,
        full_name=full_name,
        by=by,
    )
    org_services.grant_role(user=user, site=site, role=role, by=by)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@sensitive_variables("secret", "plaintext")
@transaction.atomic
def create_api_token(
    *, user: User, name: str, sites, can_write: bool, expires_in_days: int, by: User
) -> tuple[ApiToken, str]:
    """A new token and its plaintext, which is shown once and never stored."""
    if by != user:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("API tokens are personal."))
    if not name.strip():
        raise DomainError(
            ErrorCode.VALIDATION, _("Give the token a name."), fields={"name": ["required"]}
        )
    if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("A token expires after 1 to %(max)s days.") % {"max": MAX_TOKEN_DAYS},
            fields={"expires_in_days": [str(expires_in_days)]},
        )
    sites = list(sites)
    if not sites:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Choose at least one site for the token."),
            fields={"sites": ["required"]},
        )
    allowed = access.roles_by_site(user)
    outside = [site.code for site in sites if site.pk not in allowed]
    if outside:
        raise DomainError(
            ErrorCode.SITE_NOT_ALLOWED,
            _("You hold no role at %(sites)s, so a token cannot reach it.")
            % {"sites": ", ".join(outside)},
            sites=outside,
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(
        organization_id=user.organization_id or sites[0].organization_id,
        user=user,
        name=name.strip(),
        prefix=prefix,
        digest=_digest(plaintext),
        can_write=can_write,
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    token.sites.set(sites)
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        token,
        by=by,
        changes={
            "prefix": [None, prefix],
            "sites": [None, sorted(site.code for site in sites)],
            "can_write": [None, can_write],
            "expires_at": [None, token.expires_at],
        },
    )
    return token, plaintext


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError(ErrorCode.INVALID_STATE, _("This token was already revoked."))
    if by != token.user and not by.has_perm("accounts.change_apitoken"):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only its owner can revoke this token."))
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        token,
        by=by,
        changes={"revoked_at": [None, token.revoked_at]},
    )
    return token


@sensitive_variables()  # none of its variables, nor of _digest below, in error reports
def authenticate_api_token(plaintext: str) -> ApiToken | None:
    """The usable token matching `plaintext`, or None; constant-time on the secret part."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(plaintext)):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _require_manager(user: User, by: User | None) -> None:
    """Only an administrator of a site where `user` holds a role changes their account (the
    command line, `by` None, is the installation's own administrator)."""
    if by is not None and not selectors.manageable_users(by).filter(pk=user.pk).exists():
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("You administer none of the sites where %(user)s holds a role.")
            % {"user": user.printed_name},
        )


@transaction.atomic
def set_user_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate or reactivate; users are never deleted so their records keep a name."""
    if user == by and not active:
        raise DomainError(ErrorCode.INVALID_STATE, _("You cannot deactivate yourself."))
    _require_manager(user, by)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active != active:
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            user,
            by=by,
            changes={"is_active": [user.is_active, active]},
        )
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def record_sign_in(*, user: User) -> None:
    """Audit a sign-in; it ends a run of failed attempts."""
    with transaction.atomic():
        if user.failed_logins:
            User.objects.filter(pk=user.pk).update(failed_logins=0)
            user.failed_logins = 0
        audit.record(AuditAction.LOGIN, user, by=user)


def record_sign_out(*, user: User, reason: str = "") -> None:
    """Audit a sign-out; `reason` says why the system ended the session (idle, locked)."""
    audit.record(AuditAction.LOGOUT, user, by=user, changes={"reason": reason} if reason else {})


@transaction.atomic
def record_failed_sign_in(*, username: str) -> None:
    """Audit a refused sign-in, the username kept as typed, known user or not; the
    LOGIN_MAX_FAILURES-th failure in a row locks the account."""
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    audit.record(
        AuditAction.LOGIN_FAILED,
        user,
        object_type="" if user else "accounts.user",
        object_repr=username[:200],
        changes={"username": username[:150]},
    )
    if user is not None and user.is_active and not user.is_locked:
        _count_failure(user, "failed_logins", settings.LOGIN_MAX_FAILURES)


@transaction.atomic
def record_failed_signature(*, user: User) -> bool:
    """Count a signature refused for a wrong password; the SIGNATURE_MAX_FAILURES-th in a row
    locks the account. True when the account is locked now."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_locked:
        return True
    return _count_failure(user, "failed_signatures", settings.SIGNATURE_MAX_FAILURES)


def reset_signature_failures(*, user: User) -> None:
    User.objects.filter(pk=user.pk, failed_signatures__gt=0).update(failed_signatures=0)


LOCK_REASONS = {
    "failed_logins": "{count} failed sign-ins in a row",
    "failed_signatures": "{count} failed signature attempts in a row",
}


def _count_failure(user: User, counter: str, limit: int) -> bool:
    """Add one to the user's `counter` (the row is locked by the caller); lock at `limit`."""
    before = getattr(user, counter)
    setattr(user, counter, before + 1)
    fields = [counter]
    locked = before + 1 >= limit
    if locked:
        user.locked_at = timezone.now()
        fields.append("locked_at")
    user.save(update_fields=fields)
    if locked:
        # Written by the system, not by whoever typed the password: the actor stays empty.
        audit.record(
            AuditAction.ACCOUNT_LOCKED,
            user,
            changes={"locked_at": [None, user.locked_at], counter: [before, before + 1]},
            reason=LOCK_REASONS[counter].format(count=before + 1),
        )
    return locked


@transaction.atomic
def unlock_user(*, user: User, by: User | None, actor_name: str = "") -> User:
    """An administrator lets a locked user sign in again; both failure counts restart. From
    the command line `by` is None and `actor_name` says so in the trail."""
    _require_manager(user, by)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_locked:
        raise DomainError(
            ErrorCode.INVALID_STATE, _("%(user)s is not locked.") % {"user": user.printed_name}
        )
    changes = {"locked_at": [user.locked_at, None]}
    for counter in ("failed_logins", "failed_signatures"):
        if getattr(user, counter):
            changes[counter] = [getattr(user, counter), 0]
    user.locked_at = None
    user.failed_logins = 0
    user.failed_signatures = 0
    user.save(update_fields=["locked_at", "failed_logins", "failed_signatures"])
    audit.record(AuditAction.ACCOUNT_UNLOCKED, user, by=by, changes=changes, actor_name=actor_name)
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> User:
    """Set a new password (already validated by the form) and audit it, never its value."""
    changed_before = user.password_changed_at
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(
        AuditAction.CHANGE,
        user,
        by=user,
        changes={
            "password": ["(old)", "(changed)"],
            "password_changed_at": [changed_before, user.password_changed_at],
        },
    )
    return user
