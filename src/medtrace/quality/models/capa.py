from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.org.models import Organization, Site
from medtrace.quality.choices import ActionKind, CapaSource, CapaStatus, Effectiveness
from medtrace.quality.models.deviation import Deviation
from medtrace.quality.models.nonconformance import Nonconformance


class Capa(models.Model):
    """A corrective and preventive action (ISO 13485 8.5.2 / 8.5.3): the problem, its
    containment, the root cause found (five whys and a fishbone, as structured data), actions
    with owners and due dates, verification that they were done, and a check that they worked.
    Its status moves only through the CAPA workflow (quality.workflows.CAPA)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="capas", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=CapaSource.choices)
    nonconformance = models.ForeignKey(
        Nonconformance, on_delete=models.PROTECT, null=True, blank=True, related_name="capas",
        verbose_name=_("nonconformance"),
    )  # fmt: skip
    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, null=True, blank=True, related_name="capas",
        verbose_name=_("deviation"),
    )  # fmt: skip
    problem_statement = models.TextField(_("problem statement"))
    containment = models.TextField(_("containment"), blank=True)
    # ["why 1", "why 2", ...]: each answer the cause of the one before.
    five_whys = models.JSONField(_("five whys"), default=list, blank=True)
    # {fishbone category: ["cause", ...]}
    fishbone = models.JSONField(_("fishbone"), default=dict, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CapaStatus.choices,
        default=CapaStatus.OPEN,
        editable=False,
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("owner"),
    )  # fmt: skip
    effectiveness_criteria = models.TextField(_("effectiveness criteria"), blank=True)
    effectiveness_due_on = models.DateField(_("effectiveness check due"), null=True, blank=True)
    effectiveness = models.CharField(
        _("effectiveness"), max_length=14, choices=Effectiveness.choices, blank=True
    )
    effectiveness_note = models.TextField(_("effectiveness result or rationale"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("opened by"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("CAPA")
        verbose_name_plural = _("CAPAs")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="capa_number_unique")
        ]
        permissions = [("approve_capa", "Can verify, close and cancel a CAPA")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def signed_content(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "problem_statement": self.problem_statement,
            "containment": self.containment,
            "five_whys": self.five_whys,
            "fishbone": self.fishbone,
            "root_cause": self.root_cause,
            "actions": [
                [a.kind, a.description, a.owner_id, a.due_on, a.evidence, a.done_at]
                for a in self.actions.order_by("pk")
            ],
            "effectiveness_criteria": self.effectiveness_criteria,
        }

    def signed_content_for(self, meaning) -> dict:
        """Verifying the implementation covers the investigation and the actions; the closure
        (approved) also the effectiveness check's result."""
        content = self.signed_content()
        if meaning == SignatureMeaning.APPROVED:
            content["effectiveness"] = [self.effectiveness, self.effectiveness_note]
        return content


class CapaAction(models.Model):
    capa = models.ForeignKey(Capa, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("kind"), max_length=10, choices=ActionKind.choices)
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner"),
    )  # fmt: skip
    due_on = models.DateField(_("due"))
    evidence = models.TextField(_("evidence"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("CAPA action")
        verbose_name_plural = _("CAPA actions")
        ordering = ["pk"]

    def __str__(self):
        return self.description[:60]
