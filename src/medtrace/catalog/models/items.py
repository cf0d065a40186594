from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import ItemKind, Tracking, UnitOfMeasure
from medtrace.org.models import BilingualName, Organization, code_validator


class Item(BilingualName):
    """Anything the plant buys, makes, stores or ships, from PVC pellets to a finished catheter
    kit. Master data of the whole organization: every site uses the same item codes."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    unit = models.CharField(
        _("unit of measure"), max_length=8, choices=UnitOfMeasure.choices, default=UnitOfMeasure.EA
    )
    tracking = models.CharField(
        _("tracking"), max_length=10, choices=Tracking.choices, default=Tracking.LOT
    )
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    storage_conditions = models.CharField(
        _("storage conditions"),
        max_length=200,
        blank=True,
        help_text=_("As on the label, e.g. “2-8 °C, keep dry”."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="item_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"
