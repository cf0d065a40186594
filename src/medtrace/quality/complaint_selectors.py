"""Reading complaints: what a user may see (the complaints of the sites where they may view
them), who may see the patient involvement, the reporting deadlines of each market computed
from the complaint's facts by quality.reportability (each with its rule and citation, and
whether it is overdue), where the device went and what it was made from (the trace engine),
and the audit-trail links."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.org import access
from medtrace.quality import reportability
from medtrace.quality.choices import ComplaintStatus, MarketRegion
from medtrace.quality.complaint_reports import FORM_OF_REGION
from medtrace.quality.models import Complaint, ComplaintReport
from medtrace.quality.reportability import Region, Report
from medtrace.quality.work_calendar import HolidayCalendar, us_federal_holidays
from medtrace.trace import engine
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import Lot, Party, TraceObject
from medtrace.trace.templatetags.trace_tags import party_name, party_url

VIEW = "quality.view_complaint"
PATIENT_PERM = "quality.reveal_patient_data"
MASK = "••••"
OPEN_STATES = (ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING, ComplaintStatus.DECIDED)
RELATED = (
    "site",
    "customer",
    "item",
    "lot",
    "lot__item",
    "unit",
    "unit__item",
    "unit__lot",
    "nonconformance",
    "capa",
    "received_by",
    "decided_by",
)
REPORT_LABELS = {
    Report.INDIVIDUAL: _("Individual report"),
    Report.CLUSTER_ALERT: _("Cluster alert (phone or fax)"),
    Report.CLUSTER_INVESTIGATION: _("Cluster investigation report"),
    Report.FSCA: _("Field safety corrective action"),
}
MADE_FROM_SHOWN = 50


def visible_complaints(user, *, perm: str | None = None) -> QuerySet[Complaint]:
    return access.scoped(Complaint.objects.select_related(*RELATED), user, perm=perm)


def narrowed(
    complaints: QuerySet[Complaint],
    *,
    item_id: int | None = None,
    lot_id: int | None = None,
    aware_from: date | None = None,
    aware_to: date | None = None,
    counted: bool = False,
    uncoded: bool = False,
) -> QuerySet[Complaint]:
    """The filters the trend pages link with (analytics.complaint_trends): a device or lot, an
    awareness period, only those a trend counts (not cancelled), only those not coded yet."""
    if item_id is not None:
        complaints = complaints.filter(item_id=item_id)
    if lot_id is not None:
        complaints = complaints.filter(lot_id=lot_id)
    if aware_from is not None:
        complaints = complaints.filter(aware_on__gte=aware_from)
    if aware_to is not None:
        complaints = complaints.filter(aware_on__lte=aware_to)
    if counted:
        complaints = complaints.exclude(status=ComplaintStatus.CANCELLED)
    if uncoded:
        complaints = complaints.filter(problem_code="")
    return complaints


def get_complaint_or_404(user, pk: int, *, perm: str | None = None) -> Complaint:
    return access.get_scoped_or_404(
        Complaint.objects.select_related(*RELATED), user, perm=perm, pk=pk
    )


def has_personal_data(complaint: Complaint) -> bool:
    """Whether the complaint names a person: a complainant, a contact, or a patient."""
    return bool(
        complaint.complainant_name or complaint.complainant_contact or complaint.patient_involved
    )


def may_view_patient(user, complaint: Complaint | None = None) -> bool:
    """Whether the user may see the patient involvement (of this complaint: at its site)."""
    return user.has_perm(PATIENT_PERM, complaint) if complaint else user.has_perm(PATIENT_PERM)


def by_deadline(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Soonest report due first, those with none pending last, then the newest."""
    return complaints.order_by(F("report_due_on").asc(nulls_last=True), "-received_at", "-pk")


def overdue(complaints: QuerySet[Complaint], today: date) -> QuerySet[Complaint]:
    """The open complaints with a report past due and not drafted (the query form of
    is_overdue)."""
    return complaints.filter(status__in=OPEN_STATES, report_due_on__lt=today)


def is_overdue(complaint: Complaint, today: date) -> bool:
    return (
        complaint.status in OPEN_STATES
        and complaint.report_due_on is not None
        and complaint.report_due_on < today
    )


def age_in_days(complaint: Complaint, today: date) -> int:
    """Days since awareness: until closure, or until today while the complaint is open."""
    end = timezone.localdate(complaint.closed_at) if complaint.closed_at else today
    return (end - complaint.aware_on).days


# --- Reporting deadlines ----------------------------------------------------------------------


def aware_at(complaint: Complaint) -> date | datetime:
    """Day 0 of the clocks: the awareness date, or the instant in the site's time zone when
    its time is known (the hour clocks need it)."""
    if complaint.aware_time is None:
        return complaint.aware_on
    zone = ZoneInfo(complaint.site.time_zone)
    return datetime.combine(complaint.aware_on, complaint.aware_time, tzinfo=zone)


def adverse_event(complaint: Complaint) -> reportability.AdverseEvent:
    """The complaint's facts as the reportability rules read them; InvalidEvent when they are
    not enough to put it on a clock."""
    return reportability.AdverseEvent(
        aware_at=aware_at(complaint),
        outcomes=frozenset(complaint.outcomes),
        remedial_action_needed=complaint.remedial_action_needed,
        expected_side_effect=complaint.expected_side_effect,
        occurred_outside_china=complaint.occurred_outside_china,
    )


def calendars(day0: date) -> dict[Region, HolidayCalendar]:
    """FDA work days skip US federal holidays (21 CFR 803.3). The EU calendar counts weekends
    only: which Member State's holidays apply depends on the competent authority, not known
    here; NMPA clocks are calendar days."""
    holidays = frozenset().union(
        *(us_federal_holidays(year) for year in (day0.year, day0.year + 1) if year >= 2021)
    )
    return {Region.FDA: HolidayCalendar(holidays)}


@dataclass
class DeadlineRow:
    """One report a market needs (or the rule by which it needs none), as shown."""

    deadline: reportability.Deadline
    region: MarketRegion
    report_label: str
    due_date: date | None
    form: str | None  # the ReportForm an individual report is drafted on
    drafts: list = field(default_factory=list)
    overdue: bool = False
    late: bool = False
    applies: bool = True  # False once the complaint was decided not reportable

    def __getattr__(self, name):
        # The rule's own attributes (rule_id, citation, explanation, due, reportable...).
        if name == "deadline":
            raise AttributeError(name)
        return getattr(self.deadline, name)


@dataclass
class Deadlines:
    rows: list[DeadlineRow]
    problem: str = ""  # why no deadline could be computed

    @property
    def reportable_rows(self) -> list[DeadlineRow]:
        return [row for row in self.rows if row.reportable]

    @property
    def reportable(self) -> bool:
        """Whether any rule makes the event reportable in the regions given."""
        return any(row.reportable for row in self.rows)

    @property
    def pending_due(self) -> date | None:
        """The earliest individual report that applies and is not drafted yet."""
        pending = [
            row.due_date
            for row in self.rows
            if row.applies
            and row.reportable
            and row.form
            and not row.drafts
            and row.due_date is not None
        ]
        return min(pending, default=None)


def deadlines(
    complaint: Complaint, today: date | None = None, *, reports: list | None = None
) -> Deadlines:
    """The reports the complaint's event needs in the markets it names, soonest first, each
    with its rule, citation and explanation; a region's individual report with the drafts
    generated for it and whether it is overdue (past due, none drafted, the complaint still
    open and not decided "not reportable")."""
    if not complaint.regions:
        return Deadlines([], str(_("Say in which markets the device is sold.")))
    if not complaint.outcomes:
        return Deadlines([], str(_("Say what happened (the outcomes) to compute the deadlines.")))
    try:
        event = adverse_event(complaint)
        found = reportability.applicable_deadlines(
            event, complaint.regions, calendars=calendars(event.day0)
        )
    except reportability.InvalidEvent as error:
        return Deadlines([], error.message)
    if reports is None:
        reports = list(complaint.reports.all()) if complaint.pk else []
    today = today or timezone.localdate()
    applies = complaint.reportable is not False and complaint.status != ComplaintStatus.CANCELLED
    rows = []
    for each in found:
        region = MarketRegion(each.region.value)
        due_date = each.due.date() if isinstance(each.due, datetime) else each.due
        form = FORM_OF_REGION[region] if each.report is Report.INDIVIDUAL else None
        drafts = [report for report in reports if form and report.form == form]
        first = min((report.generated_at for report in drafts), default=None)
        zone = ZoneInfo(complaint.site.time_zone)
        rows.append(
            DeadlineRow(
                deadline=each,
                region=region,
                report_label=str(REPORT_LABELS[each.report]),
                due_date=due_date,
                form=form,
                drafts=drafts,
                applies=applies,
                overdue=bool(
                    applies
                    and each.reportable
                    and form
                    and not drafts
                    and due_date is not None
                    and due_date < today
                    and complaint.status in OPEN_STATES
                ),
                late=bool(
                    first is not None
                    and due_date is not None
                    and timezone.localdate(first, zone) > due_date
                ),
            )
        )
    return Deadlines(rows)


def report_deadline(complaint: Complaint, region: str) -> DeadlineRow | None:
    """The individual report of `region`, when the rules make it reportable there."""
    for row in deadlines(complaint).rows:
        if row.region == region and row.form and row.reportable:
            return row
    return None


# --- The device's trace -----------------------------------------------------------------------


@dataclass
class Consignee:
    party: Party
    name: str
    url: str | None
    shipments: list = field(default_factory=list)  # shipping TraceEvents, in time order


@dataclass
class DeviceTrace:
    root: TraceObject | None
    consignees: list[Consignee] = field(default_factory=list)
    made_from: list[Lot] = field(default_factory=list)
    made_from_total: int = 0


def device_root(complaint: Complaint) -> TraceObject | None:
    """What the trace starts from: the serialized unit when known, else the lot."""
    return complaint.unit or complaint.lot


def device_trace(user, complaint: Complaint) -> DeviceTrace:
    """Where the device went (the consignees of every shipment of it or of a container that
    held it, forward) and what it was made from (backward), as the user may see them."""
    root = device_root(complaint)
    if (
        root is None
        or not trace_selectors.visible(TraceObject.objects.filter(pk=root.pk), user).exists()
    ):
        return DeviceTrace(root=None)
    forward = trace_selectors.visible_result(engine.trace_forward(root), user)
    backward = trace_selectors.visible_result(engine.trace_backward(root), user)
    return DeviceTrace(
        root=root,
        consignees=consignees(forward),
        made_from=backward.lots[:MADE_FROM_SHOWN],
        made_from_total=len(backward.lots),
    )


def consignees(result: engine.TraceResult) -> list[Consignee]:
    if not result.parties:
        return []
    parties = Party.objects.filter(pk__in=[party.pk for party in result.parties])
    parties = {party.pk: party for party in parties.select_related("customer", "supplier")}
    rows = {
        pk: Consignee(party=party, name=party_name(party), url=party_url(party))
        for pk, party in parties.items()
    }
    for shipment in result.shipments:
        for party in shipment.parties:
            rows[party.pk].shipments.append(shipment)
    return [rows[party.pk] for party in result.parties]


def shipped_to_customer(result: engine.TraceResult):
    """The one customer every shipment of the device went to, or None."""
    customers = {party.customer_id for party in result.parties}
    if len(customers) != 1 or None in customers:
        return None
    return Party.objects.select_related("customer").get(pk=result.parties[0].pk).customer


# --- The audit trail's links --------------------------------------------------------------------


def complaint_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("quality:complaint-detail", args=[int(object_id)])


def complaint_for_history(user, object_id: str) -> Complaint:
    return get_complaint_or_404(user, int(object_id) if object_id.isdigit() else 0)


def reports_of(complaint: Complaint) -> list[ComplaintReport]:
    return list(complaint.reports.select_related("generated_by").order_by("generated_at", "pk"))
