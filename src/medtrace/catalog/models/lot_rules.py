from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models.items import Item
from medtrace.org.models import Organization


class LotSequenceReset(models.TextChoices):
    """When a rule's {SEQ} starts again from 1. (Kept beside the rule rather than in
    catalog/choices.py: lot numbering is its own module of the catalog.)"""

    DAY = "day", _("Every day")
    MONTH = "month", _("Every month")
    YEAR = "year", _("Every year")
    NEVER = "never", _("Never")


class LotNumberRule(models.Model):
    """How lot numbers of an item are built: a pattern of literal text and tokens ({SITE},
    {YYYY}, {YY}, {MM}, {DD}, {JJJ}, {SEQ:n}; see services.lot_numbers) and when the sequence
    starts again. A rule without an item is the organization's default."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lot_number_rules",
        verbose_name=_("item"),
        help_text=_("Leave empty for the organization's default rule."),
    )
    pattern = models.CharField(
        _("pattern"),
        max_length=100,
        help_text=_("Tokens: {SITE} {YYYY} {YY} {MM} {DD} {JJJ} (day of the year) {SEQ:n}."),
    )
    reset = models.CharField(
        _("sequence restarts"),
        max_length=8,
        choices=LotSequenceReset.choices,
        default=LotSequenceReset.YEAR,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot-number rule")
        verbose_name_plural = _("lot-number rules")
        ordering = ["organization_id", "item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "item"],
                condition=Q(item__isnull=False),
                name="lot_number_rule_one_per_item",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(item__isnull=True),
                name="lot_number_rule_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.item.code if self.item_id else _('default')}: {self.pattern}"


class LotNumberCounter(models.Model):
    """The last sequence number a rule handed out in one period. `period_key` is '20260314'
    for a daily reset, '202603', '2026', or '' for a sequence that never restarts; a pattern
    with {SITE} prefixes it with the site code ('SZ01:2026'), so each site numbers its own."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(
        LotNumberRule, on_delete=models.PROTECT, related_name="counters", verbose_name=_("rule")
    )
    period_key = models.CharField(_("period"), max_length=48, blank=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("lot-number counter")
        verbose_name_plural = _("lot-number counters")
        constraints = [
            models.UniqueConstraint(fields=["rule", "period_key"], name="lot_number_counter_unique")
        ]

    def __str__(self):
        return f"{self.rule} [{self.period_key or '-'}] {self.last_number}"
