"""Reportability deadlines of adverse events: the rules table, day counting, calendars, refusals."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from medtrace.quality.reportability import (
    INDIVIDUAL_OUTCOMES,
    RULES,
    AdverseEvent,
    Clock,
    InvalidEvent,
    Outcome,
    Region,
    Report,
    Unit,
    applicable_deadlines,
    deadline,
)
from medtrace.quality.work_calendar import (
    WEEKENDS_ONLY,
    HolidayCalendar,
    add_working_days,
    next_working_day,
    us_federal_holidays,
)

NMPA, FDA, EU = Region.NMPA, Region.FDA, Region.EU
DEATH = Outcome.DEATH
INJURY = Outcome.SERIOUS_INJURY
UNANTICIPATED = Outcome.UNANTICIPATED_SERIOUS_DETERIORATION
MALFUNCTION = Outcome.MALFUNCTION
NON_SERIOUS = Outcome.NON_SERIOUS
THREAT = Outcome.SERIOUS_PUBLIC_HEALTH_THREAT
CLUSTER = Outcome.CLUSTER

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")

US_HOLIDAYS = HolidayCalendar(us_federal_holidays(2024) | us_federal_holidays(2025))
GERMANY_EASTER_2025 = HolidayCalendar({date(2025, 4, 18), date(2025, 4, 21)})
MEASURES = "《医疗器械不良事件监测和再评价管理办法》"
NOT_REPORTABLE = None


def event(aware_at, *outcomes, **flags) -> AdverseEvent:
    return AdverseEvent(aware_at=aware_at, outcomes=frozenset(outcomes), **flags)


# (awareness, outcomes, region, flags, calendar, expected due, expected citation)
# fmt: off
CASES = [
    # --- FDA, 30 calendar days after the day of awareness: 21 CFR 803.50(a)
    pytest.param(
        date(2024, 1, 10), {DEATH}, FDA, {}, None, date(2024, 2, 9), "21 CFR 803.50(a)(1)",
        id="fda-death-30-calendar-days",  # 803.50(a)(1)
    ),
    pytest.param(
        date(2025, 1, 31), {MALFUNCTION}, FDA, {}, None, date(2025, 3, 2), "21 CFR 803.50(a)(2)",
        id="fda-malfunction-month-end-february-28",  # 803.50(a)(2)
    ),
    pytest.param(
        date(2024, 1, 31), {INJURY}, FDA, {}, None, date(2024, 3, 1), "21 CFR 803.50(a)(1)",
        id="fda-serious-injury-leap-year",  # 803.50(a)(1); 2024-02-29 counts
    ),
    pytest.param(
        date(2023, 12, 15), {UNANTICIPATED}, FDA, {}, None, date(2024, 1, 14),
        "21 CFR 803.50(a)(1)",
        id="fda-calendar-days-end-on-a-sunday-unmoved",  # 803.50(a): calendar days, no roll
    ),
    # --- FDA, 5 work days: 803.53, work day per 803.3
    pytest.param(
        date(2025, 1, 15), {INJURY}, FDA, {"remedial_action_needed": True}, None,
        date(2025, 1, 22), "21 CFR 803.53(a)",
        id="fda-5-work-days-weekends-only",  # 803.53(a); default calendar skips weekends only
    ),
    pytest.param(
        date(2025, 1, 15), {INJURY}, FDA, {"remedial_action_needed": True}, US_HOLIDAYS,
        date(2025, 1, 23), "21 CFR 803.53(a)",
        id="fda-5-work-days-skip-mlk-day",  # 803.53(a); 803.3 excludes Federal holidays
    ),
    pytest.param(
        date(2025, 3, 1), {DEATH}, FDA, {"remedial_action_needed": True}, US_HOLIDAYS,
        date(2025, 3, 7), "21 CFR 803.53(a)",
        id="fda-aware-on-saturday-monday-is-work-day-1",  # 803.53(a)
    ),
    pytest.param(
        date(2025, 3, 7), {MALFUNCTION}, FDA, {"fda_requested_five_day_reports": True},
        US_HOLIDAYS, date(2025, 3, 14), "21 CFR 803.53(b)",
        id="fda-written-request-aware-on-friday",  # 803.53(b)
    ),
    pytest.param(
        date(2024, 11, 27), {INJURY}, FDA, {"remedial_action_needed": True}, US_HOLIDAYS,
        date(2024, 12, 5), "21 CFR 803.53(a)",
        id="fda-5-work-days-over-thanksgiving",  # 803.53(a); 2024-11-28 is a holiday
    ),
    pytest.param(
        date(2024, 12, 27), {INJURY}, FDA, {"remedial_action_needed": True}, US_HOLIDAYS,
        date(2025, 1, 6), "21 CFR 803.53(a)",
        id="fda-5-work-days-over-new-year",  # 803.53(a); 2025-01-01 is a holiday
    ),
    pytest.param(
        date(2025, 5, 5), {NON_SERIOUS}, FDA, {"remedial_action_needed": True}, None,
        NOT_REPORTABLE, "21 CFR 803.50(a)",
        id="fda-non-serious-not-reportable-even-with-remedial-action",  # 803.53 needs an MDR event
    ),
    # --- EU, calendar days, last day off work moves on: MDR Art. 87(3)-(5), MDCG 2023-3 Q14
    pytest.param(
        date(2025, 3, 3), {INJURY}, EU, {}, None, date(2025, 3, 18), "MDR Art. 87(3)",
        id="eu-serious-incident-15-days",  # Art. 87(3)
    ),
    pytest.param(
        date(2025, 3, 7), {MALFUNCTION}, EU, {}, None, date(2025, 3, 24), "MDR Art. 87(3)",
        id="eu-15th-day-saturday-moves-to-monday",  # Art. 87(3); MDCG 2023-3 Q14
    ),
    pytest.param(
        date(2024, 2, 20), {DEATH}, EU, {"remedial_action_needed": True}, None,
        date(2024, 3, 1), "MDR Art. 87(5)",
        id="eu-death-10-days-leap-year",  # Art. 87(5); 2024-02-29 counts; FDA flag ignored
    ),
    pytest.param(
        date(2025, 2, 20), {UNANTICIPATED}, EU, {}, None, date(2025, 3, 3), "MDR Art. 87(5)",
        id="eu-unanticipated-deterioration-month-end-sunday",  # Art. 87(5): 03-02 is a Sunday
    ),
    pytest.param(
        date(2025, 6, 2), {MALFUNCTION, THREAT}, EU, {}, None, date(2025, 6, 4), "MDR Art. 87(4)",
        id="eu-public-health-threat-2-days",  # Art. 87(4) beats 87(3)
    ),
    pytest.param(
        date(2025, 6, 6), {INJURY, THREAT}, EU, {}, None, date(2025, 6, 9), "MDR Art. 87(4)",
        id="eu-2-days-from-friday-end-monday",  # Art. 87(4); MDCG 2023-3 Q14
    ),
    pytest.param(
        date(2025, 4, 19), {INJURY, THREAT}, EU, {}, GERMANY_EASTER_2025, date(2025, 4, 22),
        "MDR Art. 87(4)",
        id="eu-2-days-over-easter-monday",  # Art. 87(4); Member State holiday from the calendar
    ),
    pytest.param(
        date(2025, 3, 3), {NON_SERIOUS}, EU, {}, None, NOT_REPORTABLE, "MDR Art. 88",
        id="eu-non-serious-trended-not-reported",  # Art. 88
    ),
    pytest.param(
        date(2025, 3, 3), {INJURY}, EU, {"expected_side_effect": True}, None, NOT_REPORTABLE,
        "MDR Art. 87(1)(a)",
        id="eu-expected-side-effect-trended",  # Art. 87(1)(a) exception, Art. 88
    ),
    # --- NMPA, calendar days, never moved: 第二十五条, 第二十七条, 第十八条
    pytest.param(
        date(2025, 1, 28), {DEATH}, NMPA, {}, None, date(2025, 2, 4), f"{MEASURES}第二十五条",
        id="nmpa-death-7-days-through-spring-festival",  # 第二十五条; calendar days
    ),
    pytest.param(
        date(2024, 2, 15), {INJURY}, NMPA, {}, None, date(2024, 3, 6), f"{MEASURES}第二十五条",
        id="nmpa-serious-injury-20-days-leap-year",  # 第二十五条
    ),
    pytest.param(
        date(2025, 1, 31), {MALFUNCTION}, NMPA, {}, None, date(2025, 2, 20),
        f"{MEASURES}第二十五条",
        id="nmpa-could-cause-serious-injury-20-days",  # 第二十五条 可能导致严重伤害或者死亡
    ),
    pytest.param(
        date(2025, 3, 1), {DEATH}, NMPA, {}, None, date(2025, 3, 8), f"{MEASURES}第二十五条",
        id="nmpa-7th-day-saturday-unmoved",  # 第二十五条: no roll-forward stated
    ),
    pytest.param(
        date(2025, 1, 31), {DEATH}, NMPA, {"occurred_outside_china": True}, None,
        date(2025, 3, 2), f"{MEASURES}第二十七条",
        id="nmpa-death-abroad-30-days",  # 第二十七条
    ),
    pytest.param(
        date(2025, 3, 3), {NON_SERIOUS}, NMPA, {}, None, NOT_REPORTABLE, f"{MEASURES}第十八条",
        id="nmpa-non-serious-not-reportable",  # 第十八条
    ),
    pytest.param(
        date(2025, 3, 3), {NON_SERIOUS, CLUSTER}, NMPA, {"occurred_outside_china": True}, None,
        NOT_REPORTABLE, f"{MEASURES}第十八条",
        id="nmpa-no-cluster-clock-abroad",  # 第十八条; the cluster clocks are for China
    ),
]
# fmt: on


@pytest.mark.parametrize(
    ("aware_at", "outcomes", "region", "flags", "calendar", "due", "citation"), CASES
)
def test_individual_report_deadline(aware_at, outcomes, region, flags, calendar, due, citation):
    found = deadline(
        event(aware_at, *outcomes, **flags), region, calendar=calendar or WEEKENDS_ONLY
    )
    assert (found.due, found.citation) == (due, citation)
    assert found.reportable is (due is not NOT_REPORTABLE)
    assert found.region is region
    assert found.report is Report.INDIVIDUAL


def test_units_say_calendar_or_work_days():
    injury = event(date(2025, 1, 15), INJURY, remedial_action_needed=True)
    assert (deadline(injury, FDA).unit, deadline(injury, FDA).amount) == (Unit.WORK_DAYS, 5)
    assert (deadline(injury, EU).unit, deadline(injury, EU).amount) == (Unit.CALENDAR_DAYS, 15)
    assert (deadline(injury, NMPA).unit, deadline(injury, NMPA).amount) == (Unit.CALENDAR_DAYS, 20)
    assert deadline(event(date(2025, 1, 15), NON_SERIOUS), FDA).unit is None


def test_eu_keeps_the_day_before_it_moved():
    found = deadline(event(date(2025, 3, 7), MALFUNCTION), EU)  # 15th day is Saturday 22 March
    assert (found.nominal_due, found.due) == (date(2025, 3, 22), date(2025, 3, 24))
    assert deadline(event(date(2025, 3, 3), MALFUNCTION), EU).nominal_due is None


def test_the_stricter_rule_governs_and_names_the_ones_it_superseded():
    found = deadline(event(date(2025, 1, 15), DEATH, remedial_action_needed=True), FDA)
    assert found.rule_id == "FDA-803.53(a)"
    assert found.superseded == ("FDA-803.50(a)(1)",)
    threat = deadline(event(date(2025, 6, 2), DEATH, THREAT), EU)
    assert threat.rule_id == "EU-87(4)"
    assert set(threat.superseded) == {"EU-87(5)"}


# --- Time zones and hour clocks ---------------------------------------------------------------


def test_nmpa_cluster_12_hour_alert_24_hour_case_reports_7_day_investigation():
    # 第三十一条 / 第三十二条: the hour clocks run from the awareness instant, past midnight.
    aware = datetime(2025, 3, 10, 20, 0, tzinfo=SHANGHAI)
    found = {d.report: d for d in applicable_deadlines(event(aware, INJURY, CLUSTER), [NMPA])}
    assert found[Report.CLUSTER_ALERT].due == datetime(2025, 3, 11, 8, 0, tzinfo=SHANGHAI)
    assert found[Report.CLUSTER_ALERT].unit is Unit.HOURS
    assert found[Report.CLUSTER_ALERT].citation == f"{MEASURES}第三十一条"
    assert found[Report.INDIVIDUAL].due == datetime(2025, 3, 11, 20, 0, tzinfo=SHANGHAI)
    assert found[Report.INDIVIDUAL].superseded == ("NMPA-25-SERIOUS",)
    assert found[Report.CLUSTER_INVESTIGATION].due == date(2025, 3, 17)
    assert found[Report.CLUSTER_INVESTIGATION].citation == f"{MEASURES}第三十二条"


def test_a_non_serious_cluster_still_needs_its_case_reports():
    # 第三十一条: every event of a cluster is reported as an individual case within 24 hours.
    aware = datetime(2025, 3, 10, 9, 0, tzinfo=SHANGHAI)
    found = deadline(event(aware, NON_SERIOUS, CLUSTER), NMPA)
    assert (found.reportable, found.due) == (True, aware + timedelta(hours=24))


def test_hour_clocks_count_elapsed_hours_across_a_daylight_saving_change():
    # A manufacturer in New York learns of a cluster in China the evening before clocks go
    # forward (9 March 2025, 02:00 EST -> 03:00 EDT): 12 elapsed hours end at 09:00 EDT.
    aware = datetime(2025, 3, 8, 20, 0, tzinfo=NEW_YORK)
    found = {d.report: d for d in applicable_deadlines(event(aware, DEATH, CLUSTER), [NMPA])}
    alert = found[Report.CLUSTER_ALERT].due
    assert alert == datetime(2025, 3, 9, 9, 0, tzinfo=NEW_YORK)
    # (Subtracting two datetimes of one zone compares wall clocks, 13 h here: go through UTC.)
    assert alert.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=12)
    assert alert.astimezone(UTC) == datetime(2025, 3, 9, 13, 0, tzinfo=UTC)


def test_an_hour_clock_refuses_a_date_without_time():
    with pytest.raises(InvalidEvent, match="hour clock needs the time") as refused:
        applicable_deadlines(event(date(2025, 3, 10), INJURY, CLUSTER), [NMPA])
    assert refused.value.field == "aware_at"


def test_eu_2_day_clock_counts_from_the_local_day_of_awareness():
    # MDR Art. 87(4): 00:30 on Monday in Berlin is still Sunday in UTC; day 0 is the local day.
    berlin = datetime(2025, 6, 2, 0, 30, tzinfo=BERLIN)
    assert deadline(event(berlin, MALFUNCTION, THREAT), EU).due == date(2025, 6, 4)
    same_instant_in_utc = berlin.astimezone(UTC)
    assert deadline(event(same_instant_in_utc, MALFUNCTION, THREAT), EU).due == date(2025, 6, 3)


def test_fda_work_days_count_from_the_local_day_of_awareness():
    # 803.53(a): Friday 23:30 in Los Angeles (Saturday in UTC) is a Friday awareness.
    friday_night = datetime(2025, 3, 7, 23, 30, tzinfo=LOS_ANGELES)
    found = deadline(event(friday_night, INJURY, remedial_action_needed=True), FDA)
    assert found.due == date(2025, 3, 14)


# --- Field safety corrective actions (MDR Art. 87(1)(b), 87(8)) ----------------------------------


def test_eu_fsca_is_reported_before_it_starts():
    on_a_day = event(date(2025, 7, 1), MALFUNCTION, fsca_start=date(2025, 7, 10))
    fsca = next(d for d in applicable_deadlines(on_a_day, [EU]) if d.report is Report.FSCA)
    assert (fsca.due, fsca.citation) == (date(2025, 7, 9), "MDR Art. 87(1)(b), 87(8)")
    start = datetime(2025, 7, 10, 9, 0, tzinfo=BERLIN)
    at_a_time = event(date(2025, 7, 1), MALFUNCTION, fsca_start=start)
    found = [d.due for d in applicable_deadlines(at_a_time, [EU]) if d.report is Report.FSCA]
    assert found == [start]  # reported before that instant


def test_an_urgent_fsca_is_due_without_undue_delay_and_sorts_first():
    urgent = event(date(2025, 7, 1), NON_SERIOUS, fsca_start=date(2025, 7, 1), fsca_urgent=True)
    found = applicable_deadlines(urgent, [EU, FDA])
    assert [(d.rule_id, d.reportable, d.due) for d in found] == [
        ("EU-87(8)-URGENT", True, None),
        ("FDA-803.50-NOT-REPORTABLE", False, None),
        ("EU-88-NOT-REPORTABLE", False, None),
    ]


def test_fsca_is_an_eu_report_only():
    with_fsca = event(date(2025, 7, 1), MALFUNCTION, fsca_start=date(2025, 7, 10))
    assert {d.report for d in applicable_deadlines(with_fsca, [FDA, NMPA])} == {Report.INDIVIDUAL}


# --- Across markets -----------------------------------------------------------------------------


def test_all_markets_sorted_by_due_date_not_reportable_last():
    aware = datetime(2025, 3, 10, 20, 0, tzinfo=SHANGHAI)
    death_in_a_cluster = event(aware, DEATH, CLUSTER, fsca_start=date(2025, 4, 1))
    found = applicable_deadlines(death_in_a_cluster, ["fda", EU, NMPA, EU])
    assert [(d.rule_id, d.due) for d in found] == [
        ("NMPA-31-CLUSTER-ALERT", datetime(2025, 3, 11, 8, 0, tzinfo=SHANGHAI)),
        ("NMPA-31-CLUSTER-CASES", datetime(2025, 3, 11, 20, 0, tzinfo=SHANGHAI)),
        ("NMPA-32-CLUSTER-INVESTIGATION", date(2025, 3, 17)),
        ("EU-87(5)", date(2025, 3, 20)),
        ("EU-87(8)", date(2025, 3, 31)),
        ("FDA-803.50(a)(1)", date(2025, 4, 9)),
    ]
    non_serious = applicable_deadlines(event(date(2025, 3, 3), NON_SERIOUS), [EU, NMPA, FDA])
    assert [d.reportable for d in non_serious] == [False, False, False]
    assert [d.region for d in non_serious] == [NMPA, FDA, EU]


def test_each_market_uses_its_own_calendar():
    injury = event(date(2025, 4, 18), INJURY, THREAT, remedial_action_needed=True)
    found = applicable_deadlines(
        injury, [FDA, EU], calendars={EU: GERMANY_EASTER_2025, FDA: US_HOLIDAYS}
    )
    # EU: 2 days -> Sunday 20 April -> Easter Monday is a German holiday -> Tuesday 22 April.
    # FDA: Good Friday is no federal holiday; 5 work days after Friday 18 April is 25 April.
    assert [(d.region, d.due) for d in found] == [
        (EU, date(2025, 4, 22)),
        (FDA, date(2025, 4, 25)),
    ]


# --- Refusals -------------------------------------------------------------------------------


def test_a_naive_datetime_is_refused():
    with pytest.raises(InvalidEvent, match="time zone") as refused:
        event(datetime(2025, 3, 10, 9, 0), DEATH)
    assert refused.value.field == "aware_at"
    with pytest.raises(InvalidEvent, match="time zone") as refused:
        event(date(2025, 3, 10), DEATH, fsca_start=datetime(2025, 4, 1, 9, 0))
    assert refused.value.field == "fsca_start"


@pytest.mark.parametrize("aware_at", ["2025-03-10", 20250310, None])
def test_awareness_must_be_a_date_or_datetime(aware_at):
    with pytest.raises(InvalidEvent, match="date or a datetime"):
        event(aware_at, DEATH)


@pytest.mark.parametrize(
    "outcomes",
    [
        set(),  # nothing said
        {THREAT},  # a qualifier alone describes nothing FDA or NMPA can classify
        {CLUSTER},
        {NON_SERIOUS, DEATH},  # contradiction
        {NON_SERIOUS, THREAT},
        {"fatal"},  # not an outcome
    ],
)
def test_outcomes_that_say_nothing_or_contradict_are_refused(outcomes):
    with pytest.raises(InvalidEvent) as refused:
        AdverseEvent(aware_at=date(2025, 3, 10), outcomes=outcomes)
    assert refused.value.field == "outcomes"


def test_one_outcome_may_be_given_alone_or_by_value():
    assert AdverseEvent(date(2025, 3, 10), DEATH).outcomes == frozenset({DEATH})
    assert AdverseEvent(date(2025, 3, 10), ["death", "cluster"]).outcomes == {DEATH, CLUSTER}


def test_awareness_after_now_is_refused_up_to_now_is_allowed():
    # Decision: awareness is a past fact; a future one is a typing or zone slip.
    now = datetime(2025, 3, 10, 12, 0, tzinfo=SHANGHAI)
    assert deadline(event(now, DEATH), NMPA, now=now).due == date(2025, 3, 17)
    assert deadline(event(date(2025, 3, 10), DEATH), NMPA, now=now).due == date(2025, 3, 17)
    with pytest.raises(InvalidEvent, match="after now") as refused:
        deadline(event(now + timedelta(minutes=1), DEATH), NMPA, now=now)
    assert refused.value.field == "aware_at"
    with pytest.raises(InvalidEvent, match="after now"):
        applicable_deadlines(event(date(2025, 3, 11), DEATH), [FDA], now=now)
    with pytest.raises(InvalidEvent, match="time zone") as refused:
        deadline(event(date(2025, 3, 10), DEATH), NMPA, now=datetime(2025, 3, 10, 12, 0))
    assert refused.value.field == "now"


# --- Calendars ----------------------------------------------------------------------------------


def test_china_make_up_working_days_count_and_holidays_do_not():
    # Spring Festival 2025 as published by the State Council: 28 Jan - 4 Feb off, Sunday 26 Jan
    # and Saturday 8 Feb worked. The data is the test's own; the app injects the real calendar.
    spring_festival = HolidayCalendar(
        holidays={date(2025, 1, 28) + timedelta(days=n) for n in range(8)},
        extra_working_days={date(2025, 1, 26), date(2025, 2, 8)},
    )
    assert spring_festival.is_working_day(date(2025, 1, 26))  # a Sunday
    assert not spring_festival.is_working_day(date(2025, 1, 29))  # a Wednesday
    assert add_working_days(date(2025, 1, 24), 1, spring_festival) == date(2025, 1, 26)
    assert add_working_days(date(2025, 1, 27), 1, spring_festival) == date(2025, 2, 5)
    assert add_working_days(date(2025, 1, 27), 4, spring_festival) == date(2025, 2, 8)
    assert next_working_day(date(2025, 2, 1), spring_festival) == date(2025, 2, 5)


def test_us_federal_holidays_as_opm_lists_them():
    # OPM 2023: New Year's Day (Sunday) observed Monday 2 Jan, Veterans Day (Saturday) Friday 10
    # Nov.
    assert us_federal_holidays(2023) == {
        date(2023, 1, 2),
        date(2023, 1, 16),
        date(2023, 2, 20),
        date(2023, 5, 29),
        date(2023, 6, 19),
        date(2023, 7, 4),
        date(2023, 9, 4),
        date(2023, 10, 9),
        date(2023, 11, 10),
        date(2023, 11, 23),
        date(2023, 12, 25),
    }
    holidays_2022 = us_federal_holidays(2022)
    assert date(2021, 12, 31) in holidays_2022  # 1 Jan 2022 was a Saturday
    assert {date(2022, 6, 20), date(2022, 12, 26)} <= holidays_2022  # Sundays -> Mondays
    with pytest.raises(ValueError, match="Juneteenth"):
        us_federal_holidays(2020)


def test_calendar_misuse_is_refused():
    with pytest.raises(ValueError, match="both holiday and working day"):
        HolidayCalendar(holidays={date(2025, 1, 26)}, extra_working_days={date(2025, 1, 26)})
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(date(2025, 1, 1), 0)

    class NeverWorks:
        def is_working_day(self, day):
            return False

    with pytest.raises(ValueError, match="no working day"):
        add_working_days(date(2025, 1, 1), 1, NeverWorks())


# --- The rules table ----------------------------------------------------------------------------


def test_the_rules_table_is_well_formed():
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.citation and rule.explanation
        assert (rule.clock is Clock.AFTER_AWARENESS) == (rule.amount is not None)
        assert rule.roll_forward <= (rule.region is EU)
        if rule.unit is Unit.WORK_DAYS:
            assert rule.region is FDA  # the only regime counting work days today


# --- Properties -----------------------------------------------------------------------------

ZONES = st.sampled_from([UTC, SHANGHAI, BERLIN, NEW_YORK, LOS_ANGELES])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
SERIOUS = sorted(INDIVIDUAL_OUTCOMES - {NON_SERIOUS})


@st.composite
def outcome_sets(draw):
    qualifiers = draw(st.sets(st.sampled_from([THREAT, CLUSTER])))
    if draw(st.booleans()):
        return {NON_SERIOUS} | (qualifiers - {THREAT})
    return draw(st.sets(st.sampled_from(SERIOUS), min_size=1)) | qualifiers


@st.composite
def calendars(draw, around: date):
    near = st.dates(min_value=around, max_value=around + timedelta(days=40))
    holidays = draw(st.sets(near, max_size=12))
    extra = draw(st.sets(near, max_size=4)) - holidays
    return HolidayCalendar(holidays, extra)


@st.composite
def events(draw):
    aware = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)))
    aware_at = aware.replace(tzinfo=draw(ZONES))
    return AdverseEvent(
        aware_at=aware_at if draw(st.booleans()) else aware_at.date(),
        outcomes=draw(outcome_sets()),
        remedial_action_needed=draw(st.booleans()),
        fda_requested_five_day_reports=draw(st.booleans()),
        expected_side_effect=draw(st.booleans()),
        occurred_outside_china=draw(st.booleans()),
    )


@given(events(), st.data())
def test_every_event_gets_one_answer_per_market_never_due_before_awareness(an_event, data):
    hour_clock = CLUSTER in an_event.outcomes and not an_event.occurred_outside_china
    assume(isinstance(an_event.aware_at, datetime) or not hour_clock)
    calendar = data.draw(calendars(an_event.day0))
    found = applicable_deadlines(an_event, list(Region), calendars=dict.fromkeys(Region, calendar))
    individual = [d for d in found if d.report is Report.INDIVIDUAL]
    assert sorted(d.region for d in individual) == sorted(Region)
    for d in found:
        assert d.reportable == (d.due is not None)
        if isinstance(d.due, datetime):
            assert d.due > an_event.aware_at
        elif d.due is not None:
            assert d.due > an_event.day0


@given(DAYS, st.data())
def test_fda_work_day_deadlines_fall_on_the_fifth_working_day(day0, data):
    calendar = data.draw(calendars(day0))
    found = deadline(event(day0, INJURY, remedial_action_needed=True), FDA, calendar=calendar)
    assert calendar.is_working_day(found.due)
    between = [day0 + timedelta(days=n) for n in range(1, (found.due - day0).days + 1)]
    assert sum(calendar.is_working_day(day) for day in between) == 5


@given(DAYS, st.sampled_from([INJURY, DEATH, THREAT]), st.data())
def test_eu_deadlines_end_on_a_working_day_after_the_nominal_one(day0, outcome, data):
    calendar = data.draw(calendars(day0))
    found = deadline(event(day0, MALFUNCTION, outcome), EU, calendar=calendar)
    nominal = day0 + timedelta(days=found.amount)
    assert calendar.is_working_day(found.due)
    assert (found.nominal_due is None) == (found.due == nominal)
    skipped = [nominal + timedelta(days=n) for n in range((found.due - nominal).days)]
    assert not any(calendar.is_working_day(day) for day in skipped)


@given(DAYS, ZONES, st.sampled_from(sorted(Region)), st.sampled_from(SERIOUS))
def test_a_datetime_gives_the_deadline_of_its_local_day(day0, zone, region, outcome):
    noon = datetime(day0.year, day0.month, day0.day, 12, 0, tzinfo=zone)
    from_time = deadline(event(noon, outcome, remedial_action_needed=True), region)
    from_day = deadline(event(day0, outcome, remedial_action_needed=True), region)
    assert from_time == from_day


@given(events())
def test_deadlines_come_soonest_first(an_event):
    assume(isinstance(an_event.aware_at, datetime))
    found = applicable_deadlines(an_event, list(Region))
    zone = an_event.aware_at.tzinfo

    def instant(d):
        if isinstance(d.due, datetime):
            return d.due
        return datetime(d.due.year, d.due.month, d.due.day, tzinfo=zone) + timedelta(days=1)

    dated = [instant(d) for d in found if d.due is not None]
    assert dated == sorted(dated)
    reportable = [d.reportable for d in found]
    assert reportable == sorted(reportable, reverse=True)
