"""The password policy (21 CFR 11.300): complexity and no reuse as Django password validators
(registered in settings.AUTH_PASSWORD_VALIDATORS next to Django's length, similarity and
common-password checks), and password ageing, enforced by PasswordExpiryMiddleware.

Each rule is configured from the environment (README, Configuration).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = 4


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and symbols the password uses."""
    return sum(
        (
            any(char.islower() for char in password),
            any(char.isupper() for char in password),
            any(char.isdigit() for char in password),
            any(not char.isalnum() for char in password),
        )
    )


class ComplexityValidator:
    """At least `classes` of the four: lower case, upper case, digits, symbols."""

    def __init__(self, classes: int = 3):
        self.classes = max(1, min(classes, CHARACTER_CLASSES))

    def validate(self, password, user=None):
        if character_classes(password) < self.classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must mix at least %(count)s of: lower-case letters, upper-case "
            "letters, digits and symbols."
        ) % {"count": self.classes}


class HistoryValidator:
    """Refuses the user's current password and the `keep` before it; records each new one."""

    def __init__(self, keep: int = 5):
        self.keep = max(1, keep)

    def _recent_hashes(self, user) -> list[str]:
        from medtrace.accounts.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self.keep
            ]
        )
        return [user.password, *hashes] if user.password else hashes

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(
                ngettext(
                    "You cannot reuse your last password.",
                    "You cannot reuse any of your last %(count)s passwords.",
                    self.keep,
                )
                % {"count": self.keep},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        """Called by Django after a user with a new password was saved."""
        from medtrace.accounts.models import PasswordHistory

        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        stale = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            self.keep :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return ngettext(
            "Your password cannot be your last password.",
            "Your password cannot be any of your last %(count)s passwords.",
            self.keep,
        ) % {"count": self.keep}


def expires_at(user):
    """When the user's password expires, or None when ageing is off."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return None
    return user.password_changed_at + timedelta(days=days)


def password_expired(user, now=None) -> bool:
    deadline = expires_at(user)
    return deadline is not None and deadline <= (now or timezone.now())
