"""A week of machine states on the Suzhou floor, as the machines report them: set-up at 07:30,
running from 08:00 with a lunch stop, off at 20:00. The molding machine broke down two days
ago (a hydraulic leak), was repaired and ran again the same afternoon."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from medtrace.demo.plant import DemoPlant
from medtrace.equipment.choices import MachineState, StateSource
from medtrace.equipment.models import Equipment
from medtrace.equipment.services import states

MACHINES = ("IMM-01", "EXT-01", "PS-01")
DAY = [
    (time(7, 30), MachineState.SETUP, "开机点检 Start-up check"),
    (time(8, 0), MachineState.RUNNING, ""),
    (time(12, 0), MachineState.IDLE, "午休 Lunch break"),
    (time(13, 0), MachineState.RUNNING, ""),
    (time(20, 0), MachineState.OFF, ""),
]
BREAKDOWN = [
    (time(14, 10), MachineState.DOWN, "液压油泄漏 Hydraulic oil leak at the clamp cylinder"),
    (time(15, 40), MachineState.MAINTENANCE, "更换密封圈 Replacing the cylinder seal"),
    (time(16, 30), MachineState.RUNNING, ""),
]
DAYS = 7


def build_machine_states(demo: DemoPlant) -> None:
    site = demo.sites["SZ01"]
    zone = ZoneInfo(site.time_zone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    reporter = demo.users["operator"]
    for code in MACHINES:
        machine = Equipment.objects.select_related("site").get(site=site, code=code)
        for back in range(DAYS, -1, -1):
            day = today - timedelta(days=back)
            changes = list(DAY)
            if code == "IMM-01" and back == 2:
                changes = sorted(changes + BREAKDOWN, key=lambda change: change[0])
            for at, state, reason in changes:
                moment = datetime.combine(day, at, tzinfo=zone)
                if moment > now:
                    break
                states.record_state(
                    machine,
                    state=state,
                    at=moment,
                    reason=reason,
                    client_id=f"{code}-{moment:%Y%m%d%H%M}",
                    source=StateSource.MACHINE,
                    by=reporter,
                )
