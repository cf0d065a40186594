"""Adverse-event reportability: which reports an event found in a complaint needs in each market
it is sold in (China NMPA, US FDA, EU MDR), and by when.

Pure Python but for its refusals' wording, translated for the reader: the quality app stores
events and calls `applicable_deadlines`; nothing here touches the database. Every rule is
declared once, in `RULES`, with its citation; the functions only match the table against the
event and count days.

How the clocks count
--------------------
Every clock starts when the manufacturer becomes aware of the event (`aware_at`), and the day of
awareness is day 0: "30 calendar days after the day that you ... become aware" (21 CFR 803.50(a)),
"not later than 15 days after they become aware" (MDR Art. 87(3); the day of the event is not
counted, Regulation (EEC, Euratom) No 1182/71 Art. 3(1)), "7日内" from the day of 发现或者获知
(NMPA; 开始的当日不计入, as the Civil Code counts periods, Art. 201). Awareness on a Monday with a
2-day clock is due on Wednesday.

  FDA   30 *calendar* days (803.50(a)) or 5 *work* days (803.53). "Work day means Monday through
        Friday, except Federal holidays" (803.3). Work days are counted after day 0, so awareness
        on a Saturday makes Monday work day 1. Holidays come from the injected calendar; the
        default counts weekends only: pass `HolidayCalendar(us_federal_holidays(year) | ...)`
        (quality.work_calendar).
  EU    calendar days, weekends and holidays included. When the last day is a Saturday, Sunday or
        public holiday the period ends on the next working day (MDCG 2023-3 Rev.2 Q14, applying
        Regulation 1182/71 Art. 3(4)); the unextended day stays in `Deadline.nominal_due`, so the
        app can aim for it. The Member State's holidays come from the injected calendar.
  NMPA  calendar days (日), never moved: the Measures state no roll-forward (the Civil Code,
        Art. 203, moves a civil period ending on a statutory holiday; whether that reaches these
        reports is unsettled), so the earlier day is kept. The cluster clocks are 12 and 24
        *hours* of elapsed time from the awareness instant, so they need a datetime. NMPA rules
        use no working days today; the calendar still takes China's make-up working days (调休)
        for the clocks that will (recalls).

A day deadline is a `date`: the report is due by the end of that day in the zone of awareness
(the zone of the `aware_at` datetime, or the local date the app recorded). An hour deadline is an
aware `datetime` in the zone of awareness.

What is refused (`InvalidEvent`)
--------------------------------
- A naive datetime: without its zone it cannot be placed on any clock.
- Awareness after `now`, when the caller passes `now`: awareness is a past fact, so a future one is
  a typing or zone slip, never a real event. Without `now` nothing is checked and the functions
  stay deterministic.
- Outcomes that do not say what happened: one of the individual outcomes (death, serious injury,
  unanticipated serious deterioration, malfunction, non-serious) is required. A serious public
  health threat and an NMPA cluster qualify an event; on their own they describe nothing that the
  other regimes can classify.
- An hour clock (NMPA cluster) with only a date of awareness.

Not covered here: FDA Part 806 corrections and removals, NMPA recalls (召回管理办法), follow-up and
final reports, NMPA Art. 18's rule that innovative devices report every adverse event during
their first registration period, and which EU incidents outside the Union are reportable.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _

from medtrace.quality.work_calendar import (
    WEEKENDS_ONLY,
    WorkCalendar,
    add_working_days,
    next_working_day,
)


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


# --- The rules ----------------------------------------------------------------------------------

_FLAGS = (
    "remedial_action_needed",
    "fda_requested_five_day_reports",
    "expected_side_effect",
    "occurred_outside_china",
    "fsca_planned",
    "fsca_urgent",
)


@dataclass(frozen=True)
class When:
    """A rule's condition: the event has any of `outcomes` (none given: any event) and every flag
    that is not None has that value."""

    outcomes: frozenset[Outcome] = frozenset()
    remedial_action_needed: bool | None = None
    fda_requested_five_day_reports: bool | None = None
    expected_side_effect: bool | None = None
    occurred_outside_china: bool | None = None
    fsca_planned: bool | None = None
    fsca_urgent: bool | None = None

    def matches(self, event: AdverseEvent) -> bool:
        if self.outcomes and not self.outcomes & event.outcomes:
            return False
        return all(
            getattr(self, flag) is None or getattr(event, flag) == getattr(self, flag)
            for flag in _FLAGS
        )

    def __str__(self) -> str:
        parts = []
        if self.outcomes:
            parts.append(" or ".join(sorted(o.value for o in self.outcomes)))
        parts += [
            flag if wanted else f"not {flag}"
            for flag in _FLAGS
            if (wanted := getattr(self, flag)) is not None
        ]
        return "; ".join(parts) or "any event"


@dataclass(frozen=True)
class Rule:
    id: str
    region: Region
    report: Report
    when: When
    clock: Clock
    citation: str
    explanation: str
    amount: int | None = None
    unit: Unit | None = None
    roll_forward: bool = False  # EU: a last day off work moves to the next working day

    def __post_init__(self):
        counted = self.clock is Clock.AFTER_AWARENESS
        if counted != (self.amount is not None and self.unit is not None):
            raise ValueError(f"{self.id}: amount and unit go with, and only with, a counted clock")

    @property
    def reportable(self) -> bool:
        return self.clock is not Clock.NOT_REPORTABLE


_MEASURES = "《医疗器械不良事件监测和再评价管理办法》"
_NMPA_CLUSTER = When(outcomes=frozenset({Outcome.CLUSTER}), occurred_outside_china=False)

RULES: tuple[Rule, ...] = (
    # --- China. SAMR/NHC Order No. 1, in force 1 January 2019. Art. 25 and 27 checked against the
    # NMPA English text (english.nmpa.gov.cn/2019-12/16/c_432476_2.htm), Art. 18 against the
    # codex-sci bilingual text. The cluster duties (12 h alert, 24 h case reports, 7-day
    # investigation report) are checked against secondary quotations of the Chinese text; their
    # article numbers (31, 32) are recalled from the 2019 text, not seen in a source: verify.
    Rule(
        "NMPA-25-DEATH",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.DEATH}), occurred_outside_china=False),
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第二十五条",
        "Death: investigate at once and report within 7 days of learning of it.",
        7,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-25-SERIOUS",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset(
                {
                    Outcome.SERIOUS_INJURY,
                    Outcome.UNANTICIPATED_SERIOUS_DETERIORATION,
                    Outcome.MALFUNCTION,
                }
            ),
            occurred_outside_china=False,
        ),
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第二十五条",
        "Serious injury, or an event that could cause serious injury or death: report within "
        "20 days of learning of it.",
        20,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-27-ABROAD",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(outcomes=_SERIOUS_OR_COULD_BE, occurred_outside_china=True),
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第二十七条",
        "Event abroad that caused or could cause serious injury or death, with a device also "
        "sold in China: report within 30 days of learning of it.",
        30,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-31-CLUSTER-CASES",
        Region.NMPA,
        Report.INDIVIDUAL,
        _NMPA_CLUSTER,
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第三十一条",
        "Cluster: report each event of it as an individual case within 24 hours.",
        24,
        Unit.HOURS,
    ),
    Rule(
        "NMPA-31-CLUSTER-ALERT",
        Region.NMPA,
        Report.CLUSTER_ALERT,
        _NMPA_CLUSTER,
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第三十一条",
        "Cluster: within 12 hours, tell the drug regulator and the health authority of the "
        "province where it happened by phone or fax, and enter its basic facts in the national "
        "monitoring system.",
        12,
        Unit.HOURS,
    ),
    Rule(
        "NMPA-32-CLUSTER-INVESTIGATION",
        Region.NMPA,
        Report.CLUSTER_INVESTIGATION,
        _NMPA_CLUSTER,
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第三十二条",
        "Cluster: stop production and sales at once, tell users to stop using the device, "
        "investigate and self-inspect the quality system, and report within 7 days to the "
        "provincial regulators and monitoring centres of your site and of the event.",
        7,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-18-NOT-REPORTABLE",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.NON_SERIOUS})),
        Clock.NOT_REPORTABLE,
        f"{_MEASURES}第十八条",
        "Neither caused nor could cause serious injury or death: not individually reportable "
        "(innovative devices in their first registration period report every event).",
    ),
    # --- United States. 21 CFR 803.50(a) and 803.53 checked against the eCFR text
    # (law.cornell.edu, lawstack.com) and the summary in 803.10(c); the work-day definition of
    # 803.3 as quoted in a public regulatory analysis.
    Rule(
        "FDA-803.53(a)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=_SERIOUS_OR_COULD_BE, remedial_action_needed=True),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.53(a)",
        "Reportable event needing remedial action to prevent an unreasonable risk of "
        "substantial harm to the public health: 5-day report within 5 work days after the day "
        "of awareness.",
        5,
        Unit.WORK_DAYS,
    ),
    Rule(
        "FDA-803.53(b)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=_SERIOUS_OR_COULD_BE, fda_requested_five_day_reports=True),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.53(b)",
        "FDA asked in writing for 5-day reports of such events: report within 5 work days "
        "after the day of awareness.",
        5,
        Unit.WORK_DAYS,
    ),
    Rule(
        "FDA-803.50(a)(1)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=_DEATH_OR_SERIOUS_INJURY),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.50(a)(1)",
        "The device may have caused or contributed to a death or serious injury: MDR report "
        "within 30 calendar days after the day of awareness.",
        30,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "FDA-803.50(a)(2)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.MALFUNCTION})),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.50(a)(2)",
        "Malfunction likely to cause or contribute to a death or serious injury if it recurred: "
        "MDR report within 30 calendar days after the day of awareness.",
        30,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "FDA-803.50-NOT-REPORTABLE",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.NON_SERIOUS})),
        Clock.NOT_REPORTABLE,
        "21 CFR 803.50(a)",
        "No death or serious injury, and no malfunction likely to cause one if it recurred: no "
        "MDR report.",
    ),
    # --- European Union. MDR Art. 87 checked against its text (medicaldevicehq.com, tuvsud.com);
    # the counting and roll-forward against MDCG 2023-3 Rev.2 Q14 as quoted in a public
    # regulatory analysis, and Regulation 1182/71 Art. 3(4) (EUR-Lex quotations).
    Rule(
        "EU-87(4)",
        Region.EU,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset({Outcome.SERIOUS_PUBLIC_HEALTH_THREAT}),
            expected_side_effect=False,
        ),
        Clock.AFTER_AWARENESS,
        "MDR Art. 87(4)",
        "Serious public health threat: report immediately, not later than 2 days after awareness.",
        2,
        Unit.CALENDAR_DAYS,
        roll_forward=True,
    ),
    Rule(
        "EU-87(5)",
        Region.EU,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset({Outcome.DEATH, Outcome.UNANTICIPATED_SERIOUS_DETERIORATION}),
            expected_side_effect=False,
        ),
        Clock.AFTER_AWARENESS,
        "MDR Art. 87(5)",
        "Death or unanticipated serious deterioration in health: report as soon as a causal "
        "relationship is established or suspected, not later than 10 days after awareness.",
        10,
        Unit.CALENDAR_DAYS,
        roll_forward=True,
    ),
    Rule(
        "EU-87(3)",
        Region.EU,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset({Outcome.SERIOUS_INJURY, Outcome.MALFUNCTION}),
            expected_side_effect=False,
        ),
        Clock.AFTER_AWARENESS,
        "MDR Art. 87(3)",
        "Serious incident: report immediately once a causal relationship with the device is "
        "established or reasonably possible, not later than 15 days after awareness.",
        15,
        Unit.CALENDAR_DAYS,
        roll_forward=True,
    ),
    Rule(
        "EU-87(1)(a)-EXPECTED",
        Region.EU,
        Report.INDIVIDUAL,
        When(outcomes=_EU_SERIOUS_INCIDENT, expected_side_effect=True),
        Clock.NOT_REPORTABLE,
        "MDR Art. 87(1)(a)",
        "Expected side-effect, documented in the product information and quantified in the "
        "technical documentation: not reported one by one, but trended under Art. 88.",
    ),
    Rule(
        "EU-88-NOT-REPORTABLE",
        Region.EU,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.NON_SERIOUS})),
        Clock.NOT_REPORTABLE,
        "MDR Art. 88",
        "Not a serious incident: not reported one by one; count it for trend reporting, which "
        "is due on a statistically significant increase, with no date set by the regulation.",
    ),
    Rule(
        "EU-87(8)",
        Region.EU,
        Report.FSCA,
        When(fsca_planned=True),
        Clock.BEFORE_FSCA,
        "MDR Art. 87(1)(b), 87(8)",
        "Field safety corrective action: report it without undue delay and before it is "
        "undertaken.",
    ),
    Rule(
        "EU-87(8)-URGENT",
        Region.EU,
        Report.FSCA,
        When(fsca_urgent=True),
        Clock.WITHOUT_UNDUE_DELAY,
        "MDR Art. 87(8)",
        "Urgent field safety corrective action undertaken at once: report it without undue delay.",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
if len(RULES_BY_ID) != len(RULES):
    raise ValueError("Rule ids must be unique")


# --- The deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One report an event needs in one region, or the rule by which it needs none.

    `due` is a date (report by the end of that day, in the zone of awareness), an aware datetime
    (hour clocks; an FSCA starting at a given time) or None (not reportable, or "without undue
    delay"). `nominal_due` is the EU day before it moved off a weekend or holiday.
    `superseded` names the rules that also applied but give a later date.
    """

    region: Region
    report: Report
    rule_id: str
    citation: str
    explanation: str
    reportable: bool
    due: date | datetime | None
    unit: Unit | None
    amount: int | None
    nominal_due: date | None = None
    superseded: tuple[str, ...] = ()


def deadline(
    event: AdverseEvent,
    region: Region,
    *,
    calendar: WorkCalendar = WEEKENDS_ONLY,
    now: datetime | None = None,
) -> Deadline:
    """The individual report (FDA MDR report, EU MIR, NMPA 个例报告) of `event` in `region`:
    its deadline, or the rule by which it is not reportable."""
    return _deadlines(event, Region(region), calendar, now)[Report.INDIVIDUAL]


def applicable_deadlines(
    event: AdverseEvent,
    regions: Iterable[Region],
    *,
    calendars: Mapping[Region, WorkCalendar] | None = None,
    now: datetime | None = None,
) -> list[Deadline]:
    """Every report `event` needs in the markets `regions`, soonest first: "without undue delay"
    first, then by due instant; answers that a report is not needed come last, so the record
    shows by which rule each region was ruled out."""
    calendars = calendars or {}
    found = [
        each
        for region in dict.fromkeys(Region(r) for r in regions)
        for each in _deadlines(event, region, calendars.get(region, WEEKENDS_ONLY), now).values()
    ]
    zone = _zone(event)
    regions_order, reports_order = list(Region), list(Report)
    return sorted(
        found,
        key=lambda d: (
            _urgency(d, zone),
            regions_order.index(d.region),
            reports_order.index(d.report),
        ),
    )


def _deadlines(
    event: AdverseEvent, region: Region, calendar: WorkCalendar, now: datetime | None
) -> dict[Report, Deadline]:
    _check_now(event, now)
    matched: dict[Report, list[Rule]] = {}
    for rule in RULES:
        if rule.region is region and rule.when.matches(event):
            matched.setdefault(rule.report, []).append(rule)
    if Report.INDIVIDUAL not in matched:  # the table covers every valid event: a bug if not
        raise AssertionError(f"No {region} rule for {sorted(event.outcomes)}")
    zone = _zone(event)
    chosen = {}
    for report, rules in matched.items():
        # A reportable rule beats "not reportable"; among reportable ones the earliest date
        # governs (MDCG 2023-3 Q14; an FDA 5-day report is the MDR report for the event).
        candidates = [_compute(rule, event, calendar) for rule in rules if rule.reportable]
        candidates = candidates or [_compute(rule, event, calendar) for rule in rules]
        first = min(candidates, key=lambda d: _urgency(d, zone))
        superseded = tuple(d.rule_id for d in candidates if d is not first)
        chosen[report] = replace(first, superseded=superseded)
    return chosen


def _compute(rule: Rule, event: AdverseEvent, calendar: WorkCalendar) -> Deadline:
    due: date | datetime | None = None
    nominal = None
    if rule.clock is Clock.AFTER_AWARENESS:
        assert rule.amount is not None
        if rule.unit is Unit.HOURS:
            aware = event.aware_at
            if not isinstance(aware, datetime):
                raise InvalidEvent(
                    _(
                        "%(citation)s: the %(hours)s-hour clock needs the time of awareness "
                        "with its zone, not only the date."
                    )
                    % {"citation": rule.citation, "hours": rule.amount},
                    field="aware_at",
                )
            # Elapsed hours: add them in UTC so a daylight-saving change is counted right.
            due = (aware.astimezone(UTC) + timedelta(hours=rule.amount)).astimezone(aware.tzinfo)
        elif rule.unit is Unit.WORK_DAYS:
            due = add_working_days(event.day0, rule.amount, calendar)
        else:
            due = event.day0 + timedelta(days=rule.amount)
            if rule.roll_forward and (moved := next_working_day(due, calendar)) != due:
                nominal, due = due, moved
    elif rule.clock is Clock.BEFORE_FSCA:
        start = event.fsca_start
        assert start is not None
        due = start if isinstance(start, datetime) else start - timedelta(days=1)
    return Deadline(
        region=rule.region,
        report=rule.report,
        rule_id=rule.id,
        citation=rule.citation,
        explanation=rule.explanation,
        reportable=rule.reportable,
        due=due,
        unit=rule.unit,
        amount=rule.amount,
        nominal_due=nominal,
    )


def _zone(event: AdverseEvent):
    aware = event.aware_at
    return aware.tzinfo if isinstance(aware, datetime) else UTC


def _urgency(d: Deadline, zone) -> tuple[int, datetime]:
    if not d.reportable:
        return (2, datetime.max.replace(tzinfo=UTC))
    if d.due is None:
        return (0, datetime.min.replace(tzinfo=UTC))
    if isinstance(d.due, datetime):
        return (1, d.due)
    return (1, datetime.combine(d.due + timedelta(days=1), time(), tzinfo=zone))  # end of day


def _check_now(event: AdverseEvent, now: datetime | None) -> None:
    if now is None:
        return
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InvalidEvent("now must be a datetime with its time zone.", field="now")
    aware = event.aware_at
    future = aware > now if isinstance(aware, datetime) else aware > now.date()
    if future:
        raise InvalidEvent(
            _(
                "Awareness (%(aware)s) is after now (%(now)s): awareness is a past fact, check "
                "the date and the time zone."
            )
            % {"aware": aware.isoformat(), "now": now.isoformat()},
            field="aware_at",
        )
