"""Working days for the regulatory clocks: Monday to Friday less holidays, plus the make-up
working days some countries (China, 调休) move onto weekends; and the US federal holidays that
21 CFR 803's "work days" leave out."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol


class WorkCalendar(Protocol):
    def is_working_day(self, day: date, /) -> bool: ...


@dataclass(frozen=True)
class HolidayCalendar:
    """Monday to Friday, less `holidays`, plus `extra_working_days` (China's make-up working days
    on weekends, 调休). With nothing given it counts weekends only."""

    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        if both := self.holidays & self.extra_working_days:
            raise ValueError(f"Days both holiday and working day: {sorted(both)}")

    def is_working_day(self, day: date, /) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays


WEEKENDS_ONLY = HolidayCalendar()
_SEARCH_LIMIT = timedelta(days=3660)  # a calendar without a working day in ten years is broken


def next_working_day(day: date, calendar: WorkCalendar = WEEKENDS_ONLY) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    candidate = day
    while not calendar.is_working_day(candidate):
        candidate += timedelta(days=1)
        if candidate - day > _SEARCH_LIMIT:
            raise ValueError(f"The calendar has no working day in ten years after {day}.")
    return candidate


def add_working_days(day0: date, count: int, calendar: WorkCalendar = WEEKENDS_ONLY) -> date:
    """The `count`-th working day after `day0`; `day0` itself never counts."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = day0
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1), calendar)
    return day


def us_federal_holidays(year: int) -> frozenset[date]:
    """The eleven legal public holidays of `year` (5 U.S.C. 6103(a)) on the days federal offices
    observe them: one falling on a Saturday is observed the Friday before (6103(b)), one on a
    Sunday the Monday after (E.O. 11582). New Year's Day of a year starting on a Saturday is
    observed on 31 December of the year before, and is listed under its own year."""
    if year < 2021:
        raise ValueError(
            "Juneteenth is a federal holiday from 2021; earlier years are not covered."
        )

    def nth(month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def last(month: int, weekday: int) -> date:
        end = date(year, month + 1, 1) - timedelta(days=1)
        return end - timedelta(days=(end.weekday() - weekday) % 7)

    def observed(day: date) -> date:
        shift = {5: -1, 6: 1}.get(day.weekday(), 0)  # Saturday: Friday before; Sunday: Monday
        return day + timedelta(days=shift)

    monday, thursday = 0, 3
    fixed = (date(year, 1, 1), date(year, 6, 19), date(year, 7, 4), date(year, 11, 11))
    return frozenset(
        {observed(day) for day in (*fixed, date(year, 12, 25))}
        | {
            nth(1, monday, 3),  # Birthday of Martin Luther King, Jr.
            nth(2, monday, 3),  # Washington's Birthday
            last(5, monday),  # Memorial Day
            nth(9, monday, 1),  # Labor Day
            nth(10, monday, 2),  # Columbus Day
            nth(11, thursday, 4),  # Thanksgiving Day
        }
    )
