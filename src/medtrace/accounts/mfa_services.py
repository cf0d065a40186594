"""Two-factor sign-in: setting up an authenticator, recovery codes, checking a second factor at
sign-in and at signing, and removing it. Each write in one transaction, audited on the user."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.accounts import mfa
from medtrace.accounts.models import RecoveryCode, TotpDevice, User
from medtrace.accounts.services import _require_manager
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Membership


def device_of(user: User) -> TotpDevice | None:
    """The authenticator `user` has in use, if any."""
    return TotpDevice.objects.filter(user=user, removed_at__isnull=True).first()


def required_for(user: User) -> bool:
    """Whether a role `user` holds anywhere is one that must sign in with a second factor
    (settings.MFA_REQUIRED_ROLES: by default the roles that sign or administer)."""
    roles = settings.MFA_REQUIRED_ROLES
    return bool(roles) and (
        Membership.objects.filter(user=user, role__in=roles, revoked_at__isnull=True).exists()
    )


def unused_recovery_codes(device: TotpDevice) -> int:
    return device.recovery_codes.filter(used_at__isnull=True, voided_at__isnull=True).count()


def _wrong_code() -> DomainError:
    return DomainError(
        ErrorCode.VALIDATION,
        _("The code does not match; enter the 6 digits your authenticator app shows now."),
        fields={"code": [_("The code does not match.")]},
    )


def _issue_codes(device: TotpDevice, now) -> list[str]:
    device.recovery_codes.filter(used_at__isnull=True, voided_at__isnull=True).update(voided_at=now)
    codes = mfa.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=mfa.recovery_digest(code), created_at=now)
        for code in codes
    )
    return codes


@transaction.atomic
def enrol(*, user: User, secret: str, code: str) -> list[str]:
    """Put the authenticator holding `secret` in use for `user`, once they show a code it makes
    (so a mistyped secret never locks them out); it replaces the one in use. Returns the new
    recovery codes, to be shown once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    step = mfa.matching_step(secret, code, after=None)
    if step is None:
        raise _wrong_code()
    now = timezone.now()
    replaced = TotpDevice.objects.filter(user=user, removed_at__isnull=True).update(removed_at=now)
    device = TotpDevice.objects.create(
        user=user, secret=secret, confirmed_at=now, last_used_step=step, last_used_at=now
    )
    codes = _issue_codes(device, now)
    audit.record(
        AuditAction.MFA_ENROLLED,
        user,
        by=user,
        changes={"authenticator": [None, device.pk], "replaced": bool(replaced)},
    )
    return codes


@transaction.atomic
def issue_recovery_codes(*, user: User) -> list[str]:
    """A new set of recovery codes for `user`'s authenticator; the unused old ones stop working."""
    User.objects.select_for_update().get(pk=user.pk)
    device = device_of(user)
    if device is None:
        raise DomainError(
            ErrorCode.INVALID_STATE, _("Set up an authenticator before asking for recovery codes.")
        )
    codes = _issue_codes(device, timezone.now())
    audit.record(AuditAction.RECOVERY_CODES_ISSUED, user, by=user, changes={"count": len(codes)})
    return codes


@transaction.atomic
def remove(*, user: User, by: User | None, reason: str = "", actor_name: str = "") -> None:
    """Stop asking `user` for a second factor. They may do it themselves unless their roles
    require one; an administrator of a site where they hold a role may, with a reason (a lost
    phone), and so may the command line (`by` None). They set up a new one at next sign-in."""
    reason = reason.strip()
    if by is not None and by.pk == user.pk:
        if required_for(user):
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _(
                    "Your roles require two-factor sign-in; set up a new authenticator "
                    "instead of removing it."
                ),
            )
    else:
        _require_manager(user, by)
        if not reason:
            raise DomainError(
                ErrorCode.REASON_REQUIRED,
                _("Say why the authenticator is removed (for example, a lost phone)."),
                fields={"reason": [_("This field is required.")]},
            )
    user = User.objects.select_for_update().get(pk=user.pk)
    device = device_of(user)
    if device is None:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(user)s has no authenticator set up.") % {"user": user.printed_name},
        )
    now = timezone.now()
    device.removed_at = now
    device.save(update_fields=["removed_at"])
    device.recovery_codes.filter(used_at__isnull=True, voided_at__isnull=True).update(voided_at=now)
    audit.record(
        AuditAction.MFA_REMOVED,
        user,
        by=by,
        actor_name=actor_name,
        changes={"authenticator": [device.pk, None]},
        reason=reason,
    )


@transaction.atomic
def verify_sign_in(*, user: User, code: str) -> bool:
    """Whether `code` is `user`'s second factor now: a fresh authenticator code, or an unused
    recovery code (then used up, and audited with how many are left)."""
    User.objects.select_for_update().get(pk=user.pk)
    device = device_of(user)
    if device is None or not code:
        return False
    if _use_totp(device, code):
        return True
    recovery = device.recovery_codes.filter(
        digest=mfa.recovery_digest(code), used_at__isnull=True, voided_at__isnull=True
    ).first()
    if recovery is None:
        return False
    recovery.used_at = timezone.now()
    recovery.save(update_fields=["used_at"])
    audit.record(
        AuditAction.RECOVERY_CODE_USED,
        user,
        by=user,
        changes={"recovery_codes_left": unused_recovery_codes(device)},
    )
    return True


def signing_refusal(signer: User, code: str) -> tuple[str, str] | None:
    """Why `signer`'s second factor does not hold for a signature now, as (cause, message), or
    None. Recovery codes sign nobody in to a signature: they are for getting back in. The
    caller holds the signer's row locked; no side effects (see use_signing_code)."""
    device = device_of(signer)
    if device is None:
        if required_for(signer):
            return "mfa_not_set_up", _(
                "Your roles require two-factor sign-in: set up an authenticator (your profile) "
                "before signing."
            )
        return None
    if not code:
        return "otp_required", _("Enter the code from your authenticator app as well.")
    if mfa.matching_step(device.secret, code, after=device.last_used_step) is None:
        return "wrong_otp", _(
            "The authenticator code is wrong or already used; the record was not signed."
        )
    return None


def use_signing_code(signer: User, code: str) -> None:
    """Use up the code a signature was just accepted with (signing_refusal passed)."""
    device = device_of(signer)
    if device is not None:
        _use_totp(device, code)


def _use_totp(device: TotpDevice, code: str) -> bool:
    step = mfa.matching_step(device.secret, code, after=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.last_used_at = timezone.now()
    device.save(update_fields=["last_used_step", "last_used_at"])
    return True
