"""What waits on whom, and what touches a lot: the my-tasks inbox (records whose workflow
offers the user an action now, CAPA actions and change tasks they own, their open training)
and the quality records related to a lot through its genealogy (the trace engine's backward
and forward closure)."""

from dataclasses import dataclass, field

from django.db.models import F, Q

from medtrace.org import access
from medtrace.quality.choices import (
    CapaStatus,
    ComplaintStatus,
    DeviationStatus,
    InspectionStatus,
)
from medtrace.quality.models import (
    Capa,
    CapaAction,
    Complaint,
    Deviation,
    InspectionRecord,
    Nonconformance,
)
from medtrace.quality.selectors import OPEN_STATES as NCR_OPEN_STATES
from medtrace.quality.workflows import CAPA, COMPLAINT, DEVIATION, INSPECTION, NCR
from medtrace.trace.engine import trace_backward, trace_forward
from medtrace.trace.models import TraceObject, Unit

# A page, not a report: the inbox shows this many of each kind, oldest first.
SHOWN = 50
CAPA_OPEN = (CapaStatus.OPEN, CapaStatus.IMPLEMENTING, CapaStatus.EFFECTIVENESS_CHECK)
COMPLAINT_OPEN = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.DECIDED,
)


@dataclass
class Task:
    record: object
    actions: list = field(default_factory=list)


def _waiting(records, workflow, user) -> list[Task]:
    tasks = []
    for record in records:
        actions = workflow.allowed(record, user)
        if actions:
            tasks.append(Task(record, actions))
        if len(tasks) == SHOWN:
            break
    return tasks


def inbox(user) -> dict[str, list]:
    """{kind: tasks}: records at the user's sites whose next step the user may take, and the
    open CAPA actions they own."""
    ncrs = access.scoped(Nonconformance.objects.select_related("site", "lot"), user).filter(
        status__in=NCR_OPEN_STATES
    )
    inspections = access.scoped(
        InspectionRecord.objects.select_related("site", "plan", "lot"), user
    ).filter(status=InspectionStatus.IN_PROGRESS)
    deviations = access.scoped(Deviation.objects.select_related("site"), user).filter(
        status__in=(DeviationStatus.OPEN, DeviationStatus.APPROVED)
    )
    capas = access.scoped(Capa.objects.select_related("site"), user).filter(status__in=CAPA_OPEN)
    # Soonest report deadline first: the clocks of adverse-event reporting come before age.
    complaints = access.scoped(Complaint.objects.select_related("site"), user).filter(
        status__in=COMPLAINT_OPEN
    )
    actions = (
        CapaAction.objects.filter(owner=user, done_at__isnull=True, capa__status__in=CAPA_OPEN)
        .select_related("capa", "capa__site")
        .order_by("due_on", "pk")[:SHOWN]
    )
    return {
        "nonconformances": _waiting(ncrs.order_by("opened_at", "pk"), NCR, user),
        "inspections": _waiting(inspections.order_by("started_at", "pk"), INSPECTION, user),
        "deviations": _waiting(deviations.order_by("opened_at", "pk"), DEVIATION, user),
        "capas": _waiting(capas.order_by("opened_at", "pk"), CAPA, user),
        "complaints": _waiting(
            complaints.order_by(F("report_due_on").asc(nulls_last=True), "received_at", "pk"),
            COMPLAINT,
            user,
        ),
        "capa_actions": list(actions),
        "training": _training(user),
        "suppliers": _suppliers(user),
        "changes": _changes(user),
        "change_tasks": _change_tasks(user),
        "work_orders": _work_orders(user),
        "recalls": _recalls(user),
        "documents": _documents(user),
        "document_reviews": _document_reviews(user),
    }


def _documents(user) -> list[Task]:
    """Document revisions waiting on the user: their draft to submit, an approval for a role
    of the route they hold, making one effective (documents.selectors.waiting_on)."""
    from medtrace.documents.selectors import waiting_on

    return [Task(revision, actions) for revision, actions in waiting_on(user, SHOWN)]


def _document_reviews(user) -> list:
    """Documents due for their periodic review that the user owns or, as document control,
    keeps."""
    from medtrace.documents.selectors import reviews_due_for

    return list(reviews_due_for(user)[:SHOWN])


def _training(user) -> list:
    """The user's own open training assignments, soonest due first."""
    from medtrace.training.selectors import open_assignments_of

    return list(open_assignments_of(user)[:SHOWN])


def _suppliers(user) -> list:
    """For purchasing and QA: suppliers approved only under conditions or under evaluation,
    and supplier certificates expired or expiring soon (partners.alerts)."""
    from medtrace.partners.alerts import supplier_alerts

    return supplier_alerts(user)


def _work_orders(user) -> list[Task]:
    """Work orders waiting on the user: planned ones to release to the floor (supervisors),
    completed ones whose lot QA releases."""
    from medtrace.production.choices import WorkOrderStatus
    from medtrace.production.selectors import visible_work_orders
    from medtrace.production.workflows import WORK_ORDER

    orders = visible_work_orders(user).filter(
        status__in=(WorkOrderStatus.PLANNED, WorkOrderStatus.COMPLETED)
    )
    return _waiting(orders.order_by("created_at", "pk"), WORK_ORDER, user)


def _recalls(user) -> list:
    """Recalls waiting on the user: drafts to approve, running recalls to chase (deadlines,
    unsent or escalated notices) and to close (recall.selectors.tasks_for)."""
    from medtrace.recall.selectors import tasks_for

    return tasks_for(user, SHOWN)


def _changes(user) -> list[Task]:
    """Change requests waiting on the user: their draft to submit, an approval for a role
    they hold, a release or a closure (changes.selectors.waiting_on)."""
    from medtrace.changes.selectors import waiting_on

    return [Task(change, actions) for change, actions in waiting_on(user, SHOWN)]


def _change_tasks(user) -> list:
    """The open implementation tasks of change requests that the user owns."""
    from medtrace.changes.selectors import open_tasks_of

    return list(open_tasks_of(user)[:SHOWN])


def count(tasks: dict[str, list]) -> int:
    return sum(len(each) for each in tasks.values())


@dataclass
class Related:
    nonconformances: list
    deviations: list
    capas: list
    complaints: list
    # Which of them name the object itself (the rest reach it through its genealogy).
    own: set
    genealogy_lots: int


def related(obj: TraceObject, user) -> Related:
    """The quality records of the user's sites that name the object, its lot, or any lot or
    unit of its genealogy (everything it came from and everything made from it)."""
    lot_ids, unit_ids = set(), set()
    for result in (trace_backward(obj), trace_forward(obj)):
        lot_ids |= {lot.pk for lot in result.lots}
        unit_ids |= {unit.pk for unit in result.units}
    own_lots = {obj.pk} if obj.kind == "lot" else set()
    if obj.kind == "unit":
        lot_id = Unit.objects.filter(pk=obj.pk).values_list("lot_id", flat=True).first()
        own_lots |= {lot_id} if lot_id else set()
    lot_ids |= own_lots
    ncrs = list(
        access.scoped(Nonconformance.objects.select_related("site", "lot"), user)
        .filter(lot_id__in=lot_ids)
        .order_by("-opened_at")[:SHOWN]
    )
    deviations = list(
        access.scoped(Deviation.objects.select_related("site").prefetch_related("lots"), user)
        .filter(lots__in=lot_ids)
        .distinct()
        .order_by("-opened_at")[:SHOWN]
    )
    complaints = list(
        access.scoped(Complaint.objects.select_related("site", "lot", "unit"), user)
        .filter(Q(lot_id__in=lot_ids) | Q(unit_id__in=unit_ids | {obj.pk}))
        .order_by("-received_at")[:SHOWN]
    )
    capas = list(
        access.scoped(Capa.objects.select_related("site"), user)
        .filter(
            Q(nonconformance__in=ncrs)
            | Q(deviation__in=deviations)
            | Q(pk__in=[c.capa_id for c in complaints if c.capa_id])
        )
        .distinct()
        .order_by("-opened_at")[:SHOWN]
    )
    own = {("ncr", n.pk) for n in ncrs if n.lot_id in own_lots}
    own |= {("deviation", d.pk) for d in deviations if own_lots & {lot.pk for lot in d.lots.all()}}
    return Related(ncrs, deviations, capas, complaints, own, len(lot_ids - own_lots))
