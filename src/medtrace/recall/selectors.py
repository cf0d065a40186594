"""Reading recalls: scoped to the reader's sites; the list's scope counts and next deadline,
a scope's entries by place (our stock with each lot's status, work in progress, consignees),
the lots, units and cases a recall started from, and the audit-trail links."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from medtrace.inventory.statuses import StatusInfo, status_of
from medtrace.org import access
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Container, Lot, TraceObject, Unit
from medtrace.trace.templatetags.trace_tags import party_name, party_url

from .choices import NoticeStatus, Place, RecallStatus
from .models import Notice, Recall, ScopeEntry, ScopeSnapshot
from .services.deadlines import Deadline, deadlines

VIEW = "recall.view_recall"
ADD = "recall.add_recall"
CHANGE = "recall.change_recall"
UNSENT = (NoticeStatus.PREPARED, NoticeStatus.FAILED, NoticeStatus.BOUNCED)
RELATED = ("site", "opened_by", "nonconformance", "complaint", "capa")
COUNTS = ("lots", "units", "consignees")
# The order entries are listed in, so that each place's rows come grouped.
ENTRY_ORDER = {
    Place.STOCK: ("location__site__code", "location__path", "lot__lot_number", "serial", "pk"),
    Place.WIP: ("location__site__code", "location__path", "lot__lot_number", "serial", "pk"),
    Place.CONSIGNEE: ("party_id", "shipment__event_time", "lot__lot_number", "serial", "pk"),
}


def visible_recalls(user) -> QuerySet[Recall]:
    return access.scoped(Recall.objects.select_related(*RELATED), user, perm=VIEW)


def get_recall_or_404(user, pk: int) -> Recall:
    return access.get_scoped_or_404(Recall.objects.select_related(*RELATED), user, perm=VIEW, pk=pk)


def get_recall_by_ref_or_404(user, ref: str) -> Recall:
    """The recall named by its number (any case) or its id, among those `user` may see."""
    if ref.isdigit():
        return get_recall_or_404(user, int(ref))
    recall = visible_recalls(user).filter(number__iexact=ref.strip()).first()
    if recall is None:
        raise Http404
    return recall


def with_scope_counts(recalls: QuerySet[Recall]) -> QuerySet[Recall]:
    """Each recall with `scope_lots`, `scope_units`, `scope_consignees` of its current scope,
    read from the summary in the database (its list of objects can be long)."""
    latest = ScopeSnapshot.objects.filter(recall=OuterRef("pk")).order_by("-version")

    def count(key):
        value = Cast(KeyTextTransform(key, "summary"), IntegerField())
        return Subquery(latest.annotate(value=value).values("value")[:1])

    return recalls.annotate(**{f"scope_{key}": count(key) for key in COUNTS})


def with_notice_counts(recalls: QuerySet[Recall]) -> QuerySet[Recall]:
    """Each recall with `notices_total`, `notices_sent` (sent or acknowledged) and
    `notices_acknowledged`, counted in the database."""

    def count(*statuses):
        notices = Notice.objects.filter(recall=OuterRef("pk"))
        if statuses:
            notices = notices.filter(status__in=statuses)
        return Subquery(notices.order_by().values("recall").annotate(n=Count("pk")).values("n")[:1])

    return recalls.annotate(
        notices_total=count(),
        notices_sent=count(NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED),
        notices_acknowledged=count(NoticeStatus.ACKNOWLEDGED),
    )


@dataclass(frozen=True)
class Clock:
    deadline: Deadline
    overdue: bool


def clocks(recall: Recall, now: datetime | None = None) -> list[Clock]:
    now = now or timezone.now()
    return [Clock(deadline, deadline.overdue(now)) for deadline in deadlines(recall)]


@dataclass(frozen=True)
class NextDeadline:
    upcoming: Deadline | None
    overdue: int  # how many are past due


def next_deadline(recall: Recall, now: datetime | None = None) -> NextDeadline | None:
    """The soonest deadline still ahead and how many are past, while the recall runs; None
    for a draft (the clocks start at approval), a closed or a cancelled recall."""
    if recall.status != RecallStatus.APPROVED:
        return None
    found = clocks(recall, now)
    ahead = sorted(
        (clock.deadline for clock in found if clock.deadline.due and not clock.overdue),
        key=lambda deadline: deadline.due,
    )
    return NextDeadline(ahead[0] if ahead else None, sum(clock.overdue for clock in found))


def labelled(objects) -> list[TraceObject]:
    """Lots, units and cases as their own kinds (with item and lot), in the order given."""
    ids = [obj.pk for obj in objects]
    found = {}
    found |= Lot.objects.select_related("item").in_bulk(ids)
    found |= Unit.objects.select_related("item", "lot").in_bulk(ids)
    found |= Container.objects.in_bulk(ids)
    return [found.get(pk, obj) for pk, obj in zip(ids, objects, strict=True)]


def roots_of(recall: Recall) -> list[TraceObject]:
    return labelled(list(recall.roots.order_by("pk")))


def snapshots(recall: Recall) -> list[ScopeSnapshot]:
    return list(recall.scopes.select_related("computed_by").order_by("-version"))


def entries(snapshot: ScopeSnapshot, place: str | None = None) -> QuerySet[ScopeEntry]:
    rows = snapshot.entries.select_related(
        "object", "item", "lot", "location__site", "party__customer", "party__supplier",
        "shipment",
    )  # fmt: skip
    if place:
        rows = rows.filter(place=place).order_by(*ENTRY_ORDER[Place(place)])
    return rows


def described(rows) -> list[ScopeEntry]:
    """The entries, those in our stock or on a line each with `.status` (StatusInfo: the lot's
    or unit's status now), those at a consignee with `.party_name` and `.party_url`."""
    rows = list(rows)
    found: dict[int, StatusInfo] = {}
    for row in rows:
        if row.place in (Place.STOCK, Place.WIP):
            if row.object_id not in found:
                found[row.object_id] = status_of(row.object)
            row.status = found[row.object_id]
        elif row.party_id:
            row.party_name, row.party_url = party_name(row.party), party_url(row.party)
    return rows


def first_place(snapshot: ScopeSnapshot | None) -> str:
    """The place a scope's entries are first shown at: the first that has any."""
    places = (snapshot.summary.get("places") or {}) if snapshot else {}
    return next((place for place in Place.values if places.get(place)), Place.STOCK)


def code_for(user, obj: TraceObject) -> str:
    """How a lot or unit is best written in a form: its lot number or serial when that alone
    names it for this user, else its identifier."""
    from medtrace.trace import selectors as trace_selectors

    if obj.kind == ObjectKind.LOT:
        return trace_selectors.shortest_code(user, Lot.objects.get(pk=obj.pk))
    if obj.kind == ObjectKind.UNIT:
        serial = Unit.objects.get(pk=obj.pk).serial
        if [found.pk for found in trace_selectors.find(user, serial)] == [obj.pk]:
            return serial
    return obj.identifier


def recall_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("recall:recall-detail", args=[int(object_id)])


def recall_for_history(user, object_id: str) -> Recall:
    return get_recall_or_404(user, int(object_id) if object_id.isdigit() else 0)


def notices_of(recall: Recall) -> list:
    """The recall's notices with their consignee and line count, in number order."""
    return list(
        recall.notices.select_related("party", "customer")
        .annotate(line_count=Count("lines"))
        .order_by("sequence")
    )


def notice_counts(notices: list) -> dict:
    """{"total", "prepared", "sent" (sent or acknowledged), "waiting" (sent, unanswered),
    "acknowledged", "opened", "trouble" (failed or bounced), "escalated"}."""
    statuses = [notice.status for notice in notices]
    reached = (NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED)
    trouble = (NoticeStatus.FAILED, NoticeStatus.BOUNCED)
    return {
        "total": len(notices),
        "prepared": statuses.count(NoticeStatus.PREPARED),
        "sent": sum(status in reached for status in statuses),
        "waiting": statuses.count(NoticeStatus.SENT),
        "acknowledged": statuses.count(NoticeStatus.ACKNOWLEDGED),
        "opened": sum(notice.opened_at is not None for notice in notices),
        "trouble": sum(status in trouble for status in statuses),
        "escalated": sum(notice.escalated_at is not None for notice in notices),
    }


@dataclass
class RegionRow:
    region: str
    counts: dict  # as notice_counts


def notices_by_region(notices: list) -> list[RegionRow]:
    """The consignees' notices grouped by region / province, the regions with most notices
    first (regulators' and end users' notices have no region and are left out)."""
    regions: dict[str, list] = {}
    for notice in notices:
        if notice.party_id is not None:
            regions.setdefault(notice.region, []).append(notice)
    rows = [RegionRow(region, notice_counts(group)) for region, group in regions.items()]
    return sorted(rows, key=lambda row: (-row.counts["total"], row.region))


def notice_lines(notice) -> list:
    return list(notice.lines.select_related("item", "lot", "shipment").order_by("pk"))


def notices_url(recall: Recall) -> str:
    return reverse("recall:recall-detail", args=[recall.pk]) + "#notices-heading"


@dataclass
class RecallTask:
    """A running recall (or a draft) waiting on someone who may act on it, and why."""

    recall: Recall
    actions: list
    next_deadline: NextDeadline | None
    unsent: int  # notices prepared or failed, not yet out
    escalated: int  # consignees who did not answer the reminders


def tasks_for(user, limit: int = 50) -> list[RecallTask]:
    """Drafts and approved recalls at the user's sites where the user may take a workflow
    action (QA: approve, close) or change the recall (send notices, chase consignees), with
    their next deadline, unsent and escalated notices; overdue first."""
    from .workflows import RECALL

    running = (
        visible_recalls(user)
        .filter(status__in=(RecallStatus.DRAFT, RecallStatus.APPROVED))
        .annotate(
            unsent=Count("notices", filter=Q(notices__status__in=UNSENT)),
            escalated=Count("notices", filter=Q(notices__escalated_at__isnull=False)),
        )
    )
    found = []
    for recall in running.order_by("opened_at", "pk")[:limit]:
        actions = RECALL.allowed(recall, user)
        if not actions and not user.has_perm(CHANGE, recall):
            continue
        found.append(
            RecallTask(recall, actions, next_deadline(recall), recall.unsent, recall.escalated)
        )
    return sorted(
        found, key=lambda task: -(task.next_deadline.overdue if task.next_deadline else 0)
    )
