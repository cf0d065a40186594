"""Adverse-event reportability: which reports an event found in a complaint needs in each market
it is sold in (China NMPA, US FDA, EU MDR), and by when.

Pure Python but for its refusals' wording, translated for the reader: the quality app stores
events and calls `applicable_deadlines`; nothing here touches the database. Every rule is
declared once, in `RULES` (quality.reportability_rules), with its citation; the event is
quality.adverse_events; the functions here only match the table against the event and count
days.

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

from django.utils.translation import gettext as _

# The event and the rules live in their own modules; callers import them from here.
from medtrace.quality.adverse_events import (  # noqa: F401
    INDIVIDUAL_OUTCOMES,
    AdverseEvent,
    Clock,
    InvalidEvent,
    Outcome,
    Region,
    Report,
    Unit,
    _check_moment,
)
from medtrace.quality.reportability_rules import RULES, RULES_BY_ID, Rule  # noqa: F401
from medtrace.quality.work_calendar import (
    WEEKENDS_ONLY,
    WorkCalendar,
    add_working_days,
    next_working_day,
)

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
        assert rule.amount is not None  # nosec B101 # type narrowing: Rule.__post_init__ ensures it
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
        if start is None:  # a rule-table bug: a before-FSCA clock on an event without an FSCA
            raise AssertionError(f"{rule.id}: the event has no fsca_start")
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
