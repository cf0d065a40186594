"""How the demo history writes its events: working days and times drawn from the plant's
seeded generator (so the same seed gives the same history), lots as EPCIS quantities and
ILMD, and a month's events collected per phase of work, then recorded through the one
recording service as the user who did that work."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from medtrace.demo.plant import DemoPlant
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.equipment.models import read_point_of
from medtrace.org.models import Site
from medtrace.trace import services as trace
from medtrace.trace.identifiers import location_identifier
from medtrace.trace.models import Lot

ZONE = ZoneInfo("Asia/Shanghai")
OFFSET = "+08:00"
# UN/ECE Rec. 20 codes for the catalog's measured units; counted units go without one.
UOM = {"KG": "KGM", "M": "MTR"}


def quantity(lot: Lot, amount) -> QuantityElement:
    return QuantityElement(
        epc_class=lot.identifier, quantity=Decimal(amount), uom=UOM.get(lot.item.unit)
    )


def ilmd(lot: Lot) -> dict:
    """The lot's master data as commissioning events carry it."""
    data = {"cbvmda:lotNumber": lot.lot_number}
    if lot.expires_on:
        data["cbvmda:itemExpirationDate"] = lot.expires_on.isoformat()
    return data


def workday(day: date) -> date:
    return day + timedelta(days=1) if day.weekday() == 6 else day  # Sundays off


class MonthLog:
    """The events of one month at a site, by phase: `phases` is [(phase, username, reason)]
    in the order the work was recorded."""

    def __init__(self, demo: DemoPlant, site: Site, phases: list[tuple[str, str, str]]):
        self.demo = demo
        self.rng = demo.rng
        self.site = site
        self.phases = phases
        self.batches: dict[str, list[Event]] = {}

    def start(self) -> None:
        self.batches = {phase: [] for phase, _user, _reason in self.phases}

    def record(self) -> None:
        for phase, username, reason in self.phases:
            if self.batches[phase]:
                trace.record_events(
                    self.batches[phase],
                    organization=self.site.organization,
                    site=self.site,
                    by=self.demo.users[username],
                    reason=reason,
                    audit_each=True,
                )

    def day(self, start: date, earliest: int, latest: int) -> date:
        return workday(start + timedelta(days=self.rng.randint(earliest, latest)))

    def later(self, day: date, earliest: int, latest: int) -> date:
        return workday(day + timedelta(days=self.rng.randint(earliest, latest)))

    def at(self, day: date, hour: int, hours: int) -> datetime:
        """A time within `hours` from `hour` o'clock that day."""
        minutes = self.rng.randrange(60 * hours)
        return datetime.combine(day, time(hour), tzinfo=ZONE) + timedelta(minutes=minutes)

    def place(self, code: str) -> str:
        return location_identifier(site_code=self.site.code, code=code)

    def add(self, phase: str, event_type: str, when: datetime, *, location: str, **what):
        """An event of `phase` at one of the site's locations (by code); `what` holds the
        event's action, biz_step, disposition, parent, epcs, quantities, inputs, outputs,
        sources, destinations, ilmd, `equipment`: the code of the equipment that did the
        step, whose read point the event carries, `source` / `destination`: the codes of the
        locations the goods leave and reach (the stock ledger follows them), and `event_id`
        when it is not drawn from the generator."""

        def listed(name):
            return tuple(what.get(name, ()))

        ends = {
            name: (TypedId("location", self.place(what[name])),) if what.get(name) else ()
            for name in ("source", "destination")
        }
        event_id = what.get("event_id") or (
            f"urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
        )
        self.batches[phase].append(
            Event(
                event_type=event_type,
                event_id=event_id,
                event_time=when,
                event_time_zone_offset=OFFSET,
                action=what.get("action"),
                biz_step=what["biz_step"],
                disposition=what.get("disposition"),
                biz_location=self.place(location),
                read_point=(
                    read_point_of(self.site.code, what["equipment"])
                    if what.get("equipment")
                    else None
                ),
                parent_id=what.get("parent"),
                epc_list=listed("epcs"),
                quantity_list=listed("quantities"),
                input_quantity_list=listed("inputs"),
                output_quantity_list=listed("outputs"),
                sources=listed("sources") + ends["source"],
                destinations=listed("destinations") + ends["destination"],
                ilmd=what.get("ilmd") or {},
            )
        )
