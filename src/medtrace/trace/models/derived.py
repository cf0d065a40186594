"""State derived from the event log in the same transaction as each event, and rebuilt from
it when a late or corrective event arrives. Rows here may be replaced; the log may not."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Organization
from medtrace.trace.choices import LinkKind, PartyRole
from medtrace.trace.models.events import TraceEvent
from medtrace.trace.models.objects import Party, TraceObject


class GenealogyLink(models.Model):
    """`target` was made from `source` (a transformation's input → output), or is a unit of
    the lot `source` (membership)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=14, choices=LinkKind.choices)
    source = models.ForeignKey(TraceObject, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(TraceObject, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+", null=True)
    event_time = models.DateTimeField(_("event time"))
    quantity = models.DecimalField(max_digits=18, decimal_places=6, null=True)
    uom = models.CharField(max_length=8, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["source", "target"], name="genealogy_forward"),
            models.Index(fields=["target", "source"], name="genealogy_backward"),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_id} ({self.kind})"


class Containment(models.Model):
    """`content` was inside `container` from `valid_from` until `valid_to` (event times; open
    while still packed)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    container = models.ForeignKey(TraceObject, on_delete=models.PROTECT, related_name="+")
    content = models.ForeignKey(TraceObject, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True)
    packed_by = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+")
    unpacked_by = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        indexes = [
            models.Index(fields=["content", "valid_from"], name="containment_by_content"),
            models.Index(fields=["container", "valid_from"], name="containment_by_container"),
        ]

    def __str__(self):
        return f"{self.content_id} in {self.container_id} from {self.valid_from}"


class Consignment(models.Model):
    """An event sent `object` to a destination party (shipping) or received it from a source
    party (receiving)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+")
    event_time = models.DateTimeField()
    object = models.ForeignKey(TraceObject, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="consignments")
    role = models.CharField(max_length=12, choices=PartyRole.choices)
    quantity = models.DecimalField(max_digits=18, decimal_places=6, null=True)

    class Meta:
        indexes = [models.Index(fields=["object", "role"], name="consignment_by_object")]

    def __str__(self):
        return f"{self.object_id} {self.role} {self.party_id}"
