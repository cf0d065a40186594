"""A mock recall's (drill's) timing, read from what the recall recorded as it ran: time to scope
(the first scope computed), time to the first notice sent to a consignee, time until every
consignee of the scope was accounted for (services.effectiveness); each compared with the
targets in settings.DRILL_TARGETS (MEDTRACE_DRILL_TARGETS) and with the organization's previous
drills. The drill report gathers them with the scope and the notices' timeline."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min, QuerySet
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Notice, Recall, ScopeSnapshot
from medtrace.trace.templatetags.trace_tags import party_name

from .effectiveness import Progress, progress

PREVIOUS = 5  # earlier drills compared with
LABELS = {
    "scope": _("Time to scope"),
    "notice": _("Time to first notice"),
    "accounted": _("Time until the whole scope is accounted for"),
}
DEFAULT_TARGETS = {
    "scope": timedelta(minutes=15),
    "notice": timedelta(hours=2),
    "accounted": timedelta(hours=24),
}


def targets() -> dict[str, timedelta]:
    return DEFAULT_TARGETS | getattr(settings, "DRILL_TARGETS", {})


def duration_text(seconds: float | None) -> str:
    """ "12.5 s", "4 min 10 s", "15 min", "2 h 05 min", "1 d 3 h"; "—" when not reached."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return str(_("%(seconds)s s") % {"seconds": f"{seconds:.1f}".rstrip("0").rstrip(".")})
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        if not hours:
            return str(_("%(days)s d") % {"days": days})
        return str(_("%(days)s d %(hours)s h") % {"days": days, "hours": hours})
    if hours:
        if not minutes:
            return str(_("%(hours)s h") % {"hours": hours})
        return str(_("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes})
    if not secs:
        return str(_("%(minutes)s min") % {"minutes": minutes})
    return str(_("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs})


@dataclass(frozen=True)
class Kpi:
    name: str  # scope / notice / accounted
    seconds: float | None  # None: not reached yet
    target: timedelta

    @property
    def label(self) -> str:
        return str(LABELS[self.name])

    @property
    def reached(self) -> bool:
        return self.seconds is not None

    @property
    def met(self) -> bool | None:
        """Within the target; None while not reached."""
        if self.seconds is None:
            return None
        return self.seconds <= self.target.total_seconds()

    @property
    def target_seconds(self) -> float:
        return self.target.total_seconds()

    @property
    def text(self) -> str:
        return duration_text(self.seconds)

    @property
    def target_text(self) -> str:
        return duration_text(self.target_seconds)


@dataclass
class Kpis:
    recall: Recall
    scope: Kpi
    notice: Kpi
    accounted: Kpi

    def __iter__(self):
        return iter((self.scope, self.notice, self.accounted))

    @property
    def met(self) -> bool:
        return all(kpi.met for kpi in self)


def _since(recall: Recall, moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return max((moment - recall.opened_at).total_seconds(), 0.0)


def time_to_scope(recall: Recall, first: ScopeSnapshot | None) -> float | None:
    """From opening to the first scope computed. The scope is computed in the same transaction
    as the opening, so its `computed_at` already includes the computation; `elapsed_ms` is the
    floor when the clock readings are coarser than the computation."""
    if first is None:
        return None
    return max(_since(recall, first.computed_at), first.elapsed_ms / 1000)


def kpis(recall: Recall, found: Progress | None = None) -> Kpis:
    goals = targets()
    first = recall.scopes.order_by("version").first()
    sent = Notice.objects.filter(
        recall=recall, party__isnull=False, sent_at__isnull=False
    ).aggregate(first=Min("sent_at"))["first"]
    found = found or progress(recall)
    return Kpis(
        recall=recall,
        scope=Kpi("scope", time_to_scope(recall, first), goals["scope"]),
        notice=Kpi("notice", _since(recall, sent), goals["notice"]),
        accounted=Kpi("accounted", _since(recall, found.accounted_at), goals["accounted"]),
    )


def previous_drills(recall: Recall, among: QuerySet[Recall] | None = None) -> list[Recall]:
    """The organization's drills opened before this one (the last five, newest first), among
    those given (the ones the reader may see)."""
    drills = among if among is not None else Recall.objects.all()
    return list(
        drills.filter(
            organization_id=recall.organization_id, drill=True, opened_at__lt=recall.opened_at
        )
        .exclude(pk=recall.pk)
        .exclude(status=RecallStatus.CANCELLED)
        .order_by("-opened_at", "-pk")[:PREVIOUS]
    )


@dataclass(frozen=True)
class TimelineRow:
    notice: Notice
    consignee: str
    region: str
    sent_at: datetime | None
    opened_at: datetime | None
    acknowledged_at: datetime | None


def timeline(recall: Recall) -> list[TimelineRow]:
    """Each notice: when it was sent, its link first opened, acknowledged."""
    rows = []
    for notice in (
        Notice.objects.filter(recall=recall)
        .select_related("party__customer", "party__supplier")
        .order_by("sequence")
    ):
        notice.recall = recall
        rows.append(
            TimelineRow(
                notice=notice,
                consignee=party_name(notice.party) if notice.party_id else notice.recipient_name,
                region=notice.region,
                sent_at=notice.sent_at,
                opened_at=notice.opened_at,
                acknowledged_at=notice.acknowledged_at,
            )
        )
    return rows


@dataclass
class DrillReport:
    recall: Recall
    kpis: Kpis
    progress: Progress
    first_scope: ScopeSnapshot | None
    timeline: list[TimelineRow]
    previous: list[Kpis] = field(default_factory=list)


def report(recall: Recall, among: QuerySet[Recall] | None = None) -> DrillReport:
    found = progress(recall)
    return DrillReport(
        recall=recall,
        kpis=kpis(recall, found),
        progress=found,
        first_scope=recall.scopes.select_related("computed_by").order_by("version").first(),
        timeline=timeline(recall),
        previous=[kpis(drill) for drill in previous_drills(recall, among)],
    )


def record_export(recall: Recall, *, by, size: int) -> None:
    """The drill report left the system as a PDF: recorded on the drill."""
    audit.record(
        AuditAction.EXPORT,
        recall,
        by=by,
        changes={"document": "drill_report", "format": "pdf", "bytes": size},
    )
