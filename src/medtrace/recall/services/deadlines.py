"""The clocks a recall starts, per regime, each with the rule it comes from. They run from the
approval (the recall decision); before it, they are shown as periods.

- NMPA, 医疗器械召回管理办法 (CFDA Order No. 29, 2017): the distributors and users (and, where
  needed, the patients) notified within 1 day (一级), 3 days (二级), 7 days (三级) of the recall
  decision; the recall event report form (召回事件报告表) submitted at once, the investigation and
  assessment report and the recall plan within 5 working days.
- FDA, 21 CFR 806.10(b): a report of a correction or removal within 10 working days of starting
  it (US federal holidays excluded).
- EU MDR Article 89(8) with 87(1)(b): a field safety corrective action reported to the competent
  authority before it is undertaken; the field safety notice to users without delay.

Days are calendar days in the responsible site's time zone unless the rule says working days."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from medtrace.quality.work_calendar import (
    WEEKENDS_ONLY,
    HolidayCalendar,
    add_working_days,
    us_federal_holidays,
)
from medtrace.recall.choices import RecallClass, RecallStatus
from medtrace.recall.models import Recall

NMPA_NOTICE_DAYS = {RecallClass.I: 1, RecallClass.II: 3, RecallClass.III: 7}
NMPA_RULE = "医疗器械召回管理办法 (CFDA Order No. 29, 2017)"
FDA_RULE = "21 CFR 806.10(b)"
EU_RULE = "EU MDR 2017/745 Art. 89(8), 87(1)(b)"


@dataclass(frozen=True)
class Deadline:
    regime: str  # "NMPA", "FDA", "EU"
    what: Promise | str
    rule: str
    period: Promise | str  # e.g. "3 days"
    due: datetime | None  # None until the recall is approved
    # Due with the decision itself ("at once", "before it is undertaken"): never overdue until
    # recording that a deadline was met exists (the notices and reports slice).
    with_decision: bool = False

    def overdue(self, now: datetime | None = None) -> bool:
        if self.with_decision or self.due is None:
            return False
        return (now or timezone.now()) > self.due


def _end_of_day(day, zone) -> datetime:
    return datetime.combine(day, datetime.max.time(), tzinfo=zone)


def deadlines(recall: Recall) -> list[Deadline]:
    zone = ZoneInfo(recall.site.time_zone)
    start = (
        timezone.localtime(recall.approved_at, zone)
        if recall.approved_at and recall.status != RecallStatus.DRAFT
        else None
    )
    found = []
    if recall.nmpa_class:
        days = NMPA_NOTICE_DAYS[RecallClass(recall.nmpa_class)]
        found.append(
            Deadline(
                "NMPA", _("Notify the distributors and users"), NMPA_RULE,
                _("%(days)s day(s)") % {"days": days},
                start + timedelta(days=days) if start else None,
            )
        )  # fmt: skip
        found.append(
            Deadline(
                "NMPA",
                _("Submit the recall event report form (召回事件报告表)"),
                NMPA_RULE,
                _("at once"),
                start,
                with_decision=True,
            )
        )
        found.append(
            Deadline(
                "NMPA", _("Submit the assessment report and the recall plan"), NMPA_RULE,
                _("%(days)s working days") % {"days": 5},
                _end_of_day(add_working_days(start.date(), 5, WEEKENDS_ONLY), zone)
                if start else None,
            )
        )  # fmt: skip
    if recall.fda_class:
        calendar = None
        if start:
            years = {start.year, start.year + 1}
            calendar = HolidayCalendar(
                holidays=frozenset().union(*(us_federal_holidays(year) for year in years))
            )
        found.append(
            Deadline(
                "FDA", _("Report the correction or removal (21 CFR 806)"), FDA_RULE,
                _("%(days)s working days") % {"days": 10},
                _end_of_day(add_working_days(start.date(), 10, calendar), zone) if start else None,
            )
        )  # fmt: skip
    if recall.eu_fsca:
        found.append(
            Deadline(
                "EU", _("Report the FSCA to the competent authority"), EU_RULE,
                _("before it is undertaken"), start, with_decision=True,
            )
        )  # fmt: skip
    return found
