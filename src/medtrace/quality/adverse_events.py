"""An adverse event as the reportability rules read it: its outcomes, markets, flags and the
moment of awareness, checked (quality.reportability says how the clocks count)."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.utils.translation import gettext as _


class Region(StrEnum):
    NMPA = "nmpa"  # China, 《医疗器械不良事件监测和再评价管理办法》 (SAMR/NHC Order No. 1, 2019)
    FDA = "fda"  # United States, 21 CFR Part 803
    EU = "eu"  # European Union, Regulation (EU) 2017/745 (MDR)


class Outcome(StrEnum):
    DEATH = "death"
    # FDA serious injury (803.3), EU serious deterioration in state of health that was anticipated
    # (15-day clock), NMPA 严重伤害.
    SERIOUS_INJURY = "serious_injury"
    # EU Art. 87(5): 10-day clock. FDA and NMPA treat it as a serious injury.
    UNANTICIPATED_SERIOUS_DETERIORATION = "unanticipated_serious_deterioration"
    # No one was harmed, but the malfunction would be likely to cause or contribute to a death or
    # serious injury if it recurred (FDA 803.50(a)(2); EU "might have led"; NMPA 可能导致).
    MALFUNCTION = "malfunction"
    NON_SERIOUS = "non_serious"
    # Qualifiers: they come with one of the outcomes above.
    SERIOUS_PUBLIC_HEALTH_THREAT = "serious_public_health_threat"  # MDR Art. 2(66), Art. 87(4)
    CLUSTER = "cluster"  # NMPA 群体医疗器械不良事件


INDIVIDUAL_OUTCOMES = frozenset(
    {
        Outcome.DEATH,
        Outcome.SERIOUS_INJURY,
        Outcome.UNANTICIPATED_SERIOUS_DETERIORATION,
        Outcome.MALFUNCTION,
        Outcome.NON_SERIOUS,
    }
)
_DEATH_OR_SERIOUS_INJURY = frozenset(
    {Outcome.DEATH, Outcome.SERIOUS_INJURY, Outcome.UNANTICIPATED_SERIOUS_DETERIORATION}
)
_SERIOUS_OR_COULD_BE = _DEATH_OR_SERIOUS_INJURY | {Outcome.MALFUNCTION}
_EU_SERIOUS_INCIDENT = _SERIOUS_OR_COULD_BE | {Outcome.SERIOUS_PUBLIC_HEALTH_THREAT}


class Report(StrEnum):
    INDIVIDUAL = "individual"  # FDA MDR report, EU MIR, NMPA 个例报告
    CLUSTER_ALERT = "cluster_alert"  # NMPA: phone or fax to the provincial authorities
    CLUSTER_INVESTIGATION = "cluster_investigation"  # NMPA: investigation and self-inspection
    FSCA = "fsca"  # EU field safety corrective action


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORK_DAYS = "work_days"
    HOURS = "hours"


class Clock(StrEnum):
    AFTER_AWARENESS = "after_awareness"  # `amount` `unit`s after awareness
    BEFORE_FSCA = "before_fsca"  # before the field safety corrective action starts
    WITHOUT_UNDUE_DELAY = "without_undue_delay"  # reportable, no date to count to
    NOT_REPORTABLE = "not_reportable"


class InvalidEvent(ValueError):
    """The event cannot be put on a clock; `message` says why and `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- The event ----------------------------------------------------------------------------------


def _check_moment(value: object, field: str) -> None:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidEvent(
                _("%(field)s: a time without its time zone cannot be placed on a reporting clock.")
                % {"field": field},
                field=field,
            )
    elif not isinstance(value, date):
        raise InvalidEvent(
            _("%(field)s must be a date or a datetime.") % {"field": field}, field=field
        )


@dataclass(frozen=True)
class AdverseEvent:
    """What the reportability decision needs to know about one event.

    `outcomes` takes one Outcome or several (a death that is also part of an NMPA cluster).
    `remedial_action_needed`: the event needs remedial action to prevent an unreasonable risk of
    substantial harm to the public health (FDA 5-day report, 803.53(a)).
    `fda_requested_five_day_reports`: FDA asked in writing for 5-day reports of such events
    (803.53(b)).
    `expected_side_effect`: clearly documented in the product information and quantified in the
    technical documentation, so the EU trends it instead (MDR Art. 87(1)(a), Art. 88).
    `occurred_outside_china`: NMPA Art. 27 (30 days) instead of Art. 25; no cluster clock.
    `fsca_start`: when an EU field safety corrective action will be undertaken;
    `fsca_urgent`: it must be undertaken at once (the Art. 87(8) exception).
    """

    aware_at: date | datetime
    outcomes: frozenset[Outcome]
    remedial_action_needed: bool = False
    fda_requested_five_day_reports: bool = False
    expected_side_effect: bool = False
    occurred_outside_china: bool = False
    fsca_start: date | datetime | None = None
    fsca_urgent: bool = False

    def __post_init__(self):
        _check_moment(self.aware_at, "aware_at")
        if self.fsca_start is not None:
            _check_moment(self.fsca_start, "fsca_start")
        given = self.outcomes
        try:
            outcomes = frozenset(
                {Outcome(given)} if isinstance(given, str) else {Outcome(o) for o in given}
            )
        except (TypeError, ValueError) as error:
            raise InvalidEvent(
                _("Unknown outcome: %(error)s") % {"error": error}, field="outcomes"
            ) from error
        object.__setattr__(self, "outcomes", outcomes)
        if not outcomes & INDIVIDUAL_OUTCOMES:
            raise InvalidEvent(
                _(
                    "Say what happened: death, serious injury, unanticipated serious "
                    "deterioration, malfunction or non-serious; a public health threat or a "
                    "cluster only qualifies it."
                ),
                field="outcomes",
            )
        if Outcome.NON_SERIOUS in outcomes and outcomes & _EU_SERIOUS_INCIDENT:
            raise InvalidEvent(
                _("An event cannot be non-serious and serious at once."), field="outcomes"
            )

    @property
    def day0(self) -> date:
        """The day of awareness, in the zone of awareness."""
        aware = self.aware_at
        return aware.date() if isinstance(aware, datetime) else aware

    @property
    def fsca_planned(self) -> bool:
        return self.fsca_start is not None and not self.fsca_urgent
