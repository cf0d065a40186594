"""The status rules the system applies by itself: equipment in service whose calibration due
date has passed at its site today goes out of service, with a reason naming the rule and no
user (the system). Idempotent: equipment already out of service is left as it is."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.models import Equipment
from medtrace.equipment.services import ledger, usability
from medtrace.org.models import Site


def take_overdue_out_of_service(now=None) -> list[Equipment]:
    """The equipment taken out of service now, each in its own transaction (one refusal does
    not undo the others)."""
    now = now or timezone.now()
    taken = []
    for site in Site.objects.filter(is_active=True).order_by("pk"):
        today = usability.site_day(site, now)
        candidates = Equipment.objects.filter(
            site=site,
            status=EquipmentStatus.IN_SERVICE,
            calibration_required=True,
            calibration_due_on__lt=today,
        ).order_by("code")
        for equipment in candidates:
            equipment.site = site
            state = usability.calibration_state(equipment, today)
            if state.ok:
                continue
            reason = str(
                _("Taken out of service by the scheduled calibration check: %(why)s")
                % {"why": usability.calibration_message(equipment, state)}
            )
            changed = ledger.change_equipment_status(
                equipment=equipment, status=EquipmentStatus.OUT_OF_SERVICE, reason=reason
            )
            changed.site = site
            taken.append(changed)
    return taken
