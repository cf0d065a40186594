from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.keys.fields import EncryptedTextField


class User(AbstractUser):
    """A person who signs in. Part 11 §11.100: a username is never reused or reassigned,
    so users are deactivated, never deleted."""

    organization = models.ForeignKey(
        "org.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organization"),
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    # Part 11 §11.300: password ageing and detection of unauthorised attempts (see
    # accounts.passwords and the lockout services).
    password_changed_at = models.DateTimeField(_("password changed"), default=timezone.now)
    failed_logins = models.PositiveIntegerField(_("failed sign-ins in a row"), default=0)
    failed_signatures = models.PositiveIntegerField(
        _("failed signature attempts in a row"), default=0
    )
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    audit_exclude = ("password", "last_login")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @property
    def printed_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def __str__(self):
        return self.printed_name

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def save(self, *args, **kwargs):
        # set_password() leaves the new raw password in _password until saved; a re-hash on
        # a hasher upgrade clears it first, so only a real change moves the ageing clock.
        if self._password is not None:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so they cannot be reused (the newest
    PASSWORD_HISTORY are kept; see accounts.passwords.HistoryValidator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("password history")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A personal API token: shown once, stored as a SHA-256 digest, scoped to sites and to
    read or read-write, with an expiry; revoked, never deleted."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    sites = models.ManyToManyField("org.Site", related_name="+", verbose_name=_("sites"))
    can_write = models.BooleanField(_("can write"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and self.expires_at > now
            and self.user.is_active
            and not self.user.is_locked
        )

    @property
    def status(self) -> str:
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("active")


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238), the second factor of sign-in and signing. A
    user has at most one in use; a replaced or removed one is kept, with when and why."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="totp_devices",
        verbose_name=_("user"),
    )
    # Encrypted at rest like personal data: a database copy must not let anyone make codes.
    secret = EncryptedTextField(max_length=64)
    confirmed_at = models.DateTimeField(_("set up"), default=timezone.now)
    # The newest time step a code was accepted for: no code is accepted twice.
    last_used_step = models.BigIntegerField(null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    audit_exclude = ("secret", "last_used_step", "last_used_at")

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")
        ordering = ["-confirmed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_authenticator_in_use",
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.confirmed_at:%Y-%m-%d}"


class RecoveryCode(models.Model):
    """A single-use sign-in code for when the authenticator is lost, kept as a SHA-256 digest;
    issuing a new set voids the unused ones."""

    device = models.ForeignKey(TotpDevice, on_delete=models.PROTECT, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.device.user} recovery code {self.pk}"
