"""The machine-state log: what each machine was doing from when, as machines and MES report it
or an operator enters it. Rows are facts in the order they happened (`at`), whatever the order
they arrived in: the state at a moment is the last change at or before it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import MACHINE_STATE_BADGE, MachineState, StateSource
from medtrace.equipment.models.equipment import Equipment
from medtrace.org.models import Organization, Site


class MachineStateChange(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="state_changes",
        verbose_name=_("equipment"),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=12, choices=MachineState.choices)
    at = models.DateTimeField(_("from"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=StateSource.choices)
    # The machine's own ID for the report: the same ID again is the same report (a retry).
    client_id = models.CharField(_("client ID"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("machine state change")
        verbose_name_plural = _("machine state changes")
        ordering = ["equipment", "at", "pk"]
        indexes = [models.Index(fields=["equipment", "at"], name="machine_state_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "client_id"],
                condition=~models.Q(client_id=""),
                name="machine_state_client_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.equipment.code} {self.state} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def badge(self) -> str:
        return MACHINE_STATE_BADGE[MachineState(self.state)]
