from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Organization


class RecordCounter(models.Model):
    """The last number handed out per organization, kind of record (NCR, DEV, CAPA, CMP) and
    year: numbers are gap-free and never reused, so a missing number means a missing record."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("record counter")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "prefix", "year"], name="record_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"
