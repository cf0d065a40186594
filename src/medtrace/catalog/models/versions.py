"""What BOMs and routings share: numbered versions per product, drafted, released by a change
request (ECO) whose approvals are signed, and made obsolete when a later version is released.
Only a draft's content can change; at most one version of a product is approved (effective)
at a time, and each remembers from when until when it was."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models.items import Item
from medtrace.org.models import Organization


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    OBSOLETE = "obsolete", _("Obsolete")


class ProductVersion(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("product")
    )
    version = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateTimeField(_("effective from"), null=True, blank=True)
    # Until when it was the effective version (a later one replaced it, or it was withdrawn).
    effective_until = models.DateTimeField(_("effective until"), null=True, blank=True)
    # The change request (ECO) under whose signatures it took effect.
    released_under = models.CharField(_("released under"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["item__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "version"], name="%(class)s_item_version_unique"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="approved"),
                name="%(class)s_one_approved_per_item",
            ),
        ]

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def versions(self):
        """Every version of this product's record, this one included."""
        return type(self).objects.filter(item_id=self.item_id)
