"""Management reports, as the reader sees them (their roles, their sites or one of them): the
weekly quality summary (what was opened and closed in the week, what needs attention now as
the home dashboard counts it, the complaint trends that signal) and the monthly supplier
scorecard (supplier quality over the month). A report is sections of rows; it renders as a
PDF and as an Excel workbook (one sheet per section). Subscribers receive them by e-mail
(report_services.py); anyone who may read them downloads them from Dashboards → Reports."""

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.core.csv_export import safe_cell
from medtrace.core.months import add_months
from medtrace.core.pdf import render_pdf
from medtrace.org import access
from medtrace.quality.models import Capa, Complaint, Deviation, Nonconformance

from . import complaint_trends, home, suppliers
from .choices import ReportFormat, ReportKind

# What each report needs to be read (subscribing and sending check it too).
PERMS = {
    ReportKind.WEEKLY_QUALITY: "quality.view_nonconformance",
    ReportKind.MONTHLY_SUPPLIERS: suppliers.PERM,
}
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Records counted in the week: (model, the field it was opened by).
ACTIVITY = [
    (Nonconformance, "opened_at"),
    (Deviation, "opened_at"),
    (Capa, "opened_at"),
    (Complaint, "received_at"),
]


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    kind: str
    title: str
    since: date
    until: date
    site: object  # the Site reported on, None: all the reader's sites
    reader: object
    sections: list[Section]
    generated_at: datetime

    def filename(self, file_format: str) -> str:
        return f"{self.kind.replace('_', '-')}-{self.since:%Y-%m-%d}.{file_format}"


def last_period(kind: str, today: date) -> tuple[date, date]:
    """The last whole period before `today`: the week from Monday to Sunday, or the month."""
    if kind == ReportKind.WEEKLY_QUALITY:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    first = add_months(today.replace(day=1), -1)
    return first, today.replace(day=1) - timedelta(days=1)


def is_readable(user, kind: str) -> bool:
    return user.has_perm(PERMS[kind])


def build(kind: str, user, *, site=None, since: date, until: date) -> Report:
    sections = (_weekly_quality if kind == ReportKind.WEEKLY_QUALITY else _supplier_scorecard)(
        user, site, since, until
    )
    return Report(
        kind, str(ReportKind(kind).label), since, until, site, user, sections, timezone.now()
    )


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(since, time.min, zone),
        datetime.combine(until + timedelta(days=1), time.min, zone),
    )


def _scoped(model, user, site):
    records = access.scoped(model.objects.all(), user)
    return records if site is None else records.filter(site=site)


def _weekly_quality(user, site, since, until) -> list[Section]:
    start, end = _bounds(since, until)
    activity = Section(
        _("Opened and closed in the period"), [_("Record"), _("Opened"), _("Closed")]
    )
    for model, opened in ACTIVITY:
        if not user.has_perm(access.view_perm(model)):
            continue
        records = _scoped(model, user, site)
        activity.rows.append(
            [_first_upper(str(model._meta.verbose_name_plural)),
             records.filter(**{f"{opened}__gte": start, f"{opened}__lt": end}).count(),
             records.filter(closed_at__gte=start, closed_at__lt=end).count()]
        )  # fmt: skip
    now = Section(_("Needs attention now"), [_("Area"), _("What"), _("Count")])
    for area, shown in home.tiles_for(user, site):
        for tile in shown:
            count = tile.count if tile.count is not None else tile.tile.count(user, site, {})
            now.rows.append([str(area), str(tile.tile.label), count])
    sections = [activity, now]
    if user.has_perm(complaint_trends.PERM):
        window = complaint_trends.window(until, until)
        signals = Section(
            _("Complaint trends that signal"),
            [_("Device"), _("Device problem"), _("Current complaints"), _("Current rate per 1,000"),
             _("Baseline rate per 1,000"), _("p-value")],
            note=_("Current period %(first)s to %(last)s against the %(months)s months before.")
            % {"first": f"{window.current_first_day:%Y-%m}", "last": f"{window.last_month:%Y-%m}",
               "months": window.baseline},
        )  # fmt: skip
        for device in complaint_trends.complaint_trends(user, site=site, window=window):
            for trend in device.trends:
                if trend.signal:
                    signals.rows.append(
                        [trend.item.code, trend.problem, trend.current_count,
                         _rounded(trend.current_rate, 3), _rounded(trend.baseline_rate, 3),
                         _rounded(trend.test.p_value if trend.test else None, 4)]
                    )  # fmt: skip
        sections.append(signals)
    return sections


def _supplier_scorecard(user, site, since, until) -> list[Section]:
    ranked = suppliers.supplier_quality(user, site=site, period=suppliers.Period(since, until))
    scorecard = Section(
        _("Suppliers ranked"),
        [_("Rank"), _("Supplier"), _("Incoming inspections"), _("Acceptance rate") + " %",
         _("PPM"), _("Nonconformances"), _("On-time rate") + " %", _("CAPAs open"),
         _("Mean days to close a CAPA")],
        note=_("Ranked on acceptance rate, then PPM, then deliveries on time, then "
               "nonconformances."),
    )  # fmt: skip
    for row in ranked:
        scorecard.rows.append(
            [row.rank, f"{row.supplier.code} {row.supplier.display_name}", row.inspections,
             _rounded(row.acceptance_rate, 1), _rounded(row.ppm, 0), row.ncrs,
             _rounded(row.on_time_rate, 1), row.capas_open, _rounded(row.mean_days_to_close, 1)]
        )  # fmt: skip
    return [scorecard]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rounded(value, places: int):
    if value is None:
        return None
    return round(value) if places == 0 else round(value, places)


def as_xlsx(report: Report) -> bytes:
    """A workbook: a cover sheet, then one sheet per section; text never becomes a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    cover.title = _sheet_title(_("Report"))
    for line in _cover_lines(report):
        cover.append([safe_cell(cell) for cell in line])
    cover["A1"].font = Font(bold=True, size=14)
    for section in report.sections:
        sheet = book.create_sheet(_sheet_title(section.title))
        sheet.append([safe_cell(cell) for cell in section.header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([safe_cell(cell) for cell in row])
        if section.note:
            sheet.append([])
            sheet.append([safe_cell(section.note)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel refuses sheet titles over 31 characters or with []:*?/\\ in them."""
    return "".join(" " if char in "[]:*?/\\" else char for char in title)[:31]


def _cover_lines(report: Report) -> list[list]:
    return [
        [report.title],
        [_("Organization"), report.reader.organization.display_name],
        [_("Period"), f"{report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}"],
        [_("Sites"), report.site.code if report.site else _("All your sites")],
        [_("For"), report.reader.printed_name],
        [_("Generated"), f"{timezone.localtime(report.generated_at):%Y-%m-%d %H:%M}"],
    ]


def as_pdf(report: Report) -> bytes:
    context = {
        "report": report,
        "organization": report.reader.organization,
        "printed_at": report.generated_at,
        "printed_by": report.reader,
        "cover": _cover_lines(report)[1:],
    }
    return render_pdf("analytics/report_pdf.html", context, request=None)


def render(report: Report, file_format: str) -> bytes:
    return as_pdf(report) if file_format == ReportFormat.PDF else as_xlsx(report)
