from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.org.choices import LocationKind, SiteKind

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_.-]{0,31}$",
    _("Use 1-32 upper-case letters, digits, '.', '_' or '-', starting with a letter or digit."),
)


class BilingualName(models.Model):
    """A local (Chinese) name and an optional English one; pages show the one that matches
    the reader's language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and not (get_language() or "").startswith("zh"):
            return self.name_en
        return self.name


class Organization(BilingualName):
    """The device maker. Every operational table carries organization_id so a distributed
    PostgreSQL can shard by it (DESIGN rule 8)."""

    slug = models.SlugField(_("slug"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")


class Site(BilingualName):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sites", verbose_name=_("organization")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="site_code_unique")
        ]

    def local_date(self, at: datetime | None = None) -> date:
        """The calendar day at the site at `at` (default: now)."""
        return (at or timezone.now()).astimezone(ZoneInfo(self.time_zone)).date()


class Location(BilingualName):
    """A place that can hold stock: a bin, a cage, a line. Locations form a tree per site;
    `path` (codes joined by '/') orders the tree and names a location unambiguously."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="locations", verbose_name=_("site")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    path = models.CharField(_("path"), max_length=400, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["site__code", "path"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="location_code_unique_per_site")
        ]


class Membership(models.Model):
    """A role granted to a user at one site."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("user"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("site")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Revoked grants stay, so who could do what on a given day can always be answered.
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["site__code", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="membership_active_unique",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.site.code} · {self.get_role_display()}"
