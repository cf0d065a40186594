"""CAPAs over the REST API, mounted at /api/v1/quality beside the NCRs. Reads are scoped to the
caller's sites; writes call the same services as the pages. The investigation changes by PATCH
while the CAPA is open or implementing; actions are added and marked done (by their owner, or
by QA); a CAPA's status moves only through POST .../transitions/{name}, the CAPA workflow's
transitions (verification and closure take the caller's password, entered now). An NCR is
escalated to its CAPA by POST /ncrs/{id}/escalate."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.accounts.models import User
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality import capa_selectors as selectors
from medtrace.quality.choices import ActionKind, CapaSource, CapaStatus, Effectiveness
from medtrace.quality.selectors import get_nonconformance_or_404
from medtrace.quality.services import capa as capas
from medtrace.quality.workflows import CAPA

router = Router(tags=["capa"])

VIEW = "quality.view_capa"
ADD = "quality.add_capa"
CHANGE = "quality.change_capa"


class AllowedActionOut(Schema):
    name: str
    label: str
    signature: str | None
    needs_reason: bool


def allowed_actions(workflow, record, user) -> list[dict]:
    return [
        {
            "name": t.name,
            "label": str(t.label),
            "signature": t.signature,
            "needs_reason": t.needs_reason,
        }
        for t in workflow.allowed(record, user)
    ]


class CapaActionOut(Schema):
    id: int
    capa_id: int
    kind: ActionKind
    description: str
    owner_id: int
    owner: str = Field(..., alias="owner.username")
    due_on: date
    overdue: bool
    evidence: str
    done_at: datetime | None
    done_by: str | None = Field(None, alias="done_by.username")

    @staticmethod
    def resolve_overdue(action) -> bool:
        return action.done_at is None and action.due_on < timezone.localdate()


class CapaOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    title: str
    source: CapaSource
    nonconformance_id: int | None
    nonconformance: str | None = Field(None, alias="nonconformance.number")
    deviation_id: int | None
    deviation: str | None = Field(None, alias="deviation.number")
    problem_statement: str
    status: CapaStatus
    owner_id: int | None
    owner: str | None = Field(None, alias="owner.username")
    due_on: date | None
    overdue: bool
    age_days: int
    open_actions: int
    effectiveness_due_on: date | None
    effectiveness: str
    opened_by: str | None = Field(None, alias="opened_by.username")
    opened_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_overdue(capa) -> bool:
        return capas.is_overdue(capa, timezone.localdate())

    @staticmethod
    def resolve_age_days(capa) -> int:
        return selectors.age_in_days(capa, timezone.localdate())

    @staticmethod
    def resolve_open_actions(capa) -> int:
        counted = getattr(capa, "open_actions", None)
        if counted is not None:
            return counted
        return capa.actions.filter(done_at__isnull=True).count()


class CapaDetailOut(CapaOut):
    containment: str
    five_whys: list[str]
    fishbone: dict[str, list[str]]
    root_cause: str
    effectiveness_criteria: str
    effectiveness_note: str
    actions: list[CapaActionOut]
    allowed_actions: list[AllowedActionOut] = Field(
        [], description="The workflow transitions the caller may take now"
    )

    @staticmethod
    def resolve_actions(capa) -> list:
        return list(capa.actions.select_related("owner", "done_by"))

    @staticmethod
    def resolve_allowed_actions(capa, context) -> list[dict]:
        return allowed_actions(CAPA, capa, context["request"].user)


class CapaIn(Schema):
    site: str = Field(..., description="Site code")
    title: str
    source: CapaSource
    problem_statement: str
    owner_id: int | None = Field(None, description="A user of the organization")
    due_on: date | None = None


class CapaQuery(Schema):
    site: str | None = Field(None, description="Site code")
    status: CapaStatus | None = None
    source: CapaSource | None = None
    nonconformance_id: int | None = None
    deviation_id: int | None = None
    open: bool | None = Field(None, description="Only CAPAs not yet closed or cancelled")
    overdue: bool | None = Field(None, description="Only open CAPAs past their due date")


class InvestigationPatch(Schema):
    """The fields to change; those left out stay as they are."""

    reason: str = ""
    title: str | None = None
    problem_statement: str | None = None
    containment: str | None = None
    five_whys: list[str] | None = Field(None, description="Each answer the cause of the one before")
    fishbone: dict[str, list[str]] | None = Field(
        None, description="{category: [cause, ...]}; categories: man, machine, method, "
        "material, measurement, environment",
    )  # fmt: skip
    root_cause: str | None = None
    owner_id: int | None = None
    due_on: date | None = None
    effectiveness_criteria: str | None = None
    effectiveness_due_on: date | None = None


class CapaActionIn(Schema):
    kind: ActionKind
    description: str
    owner_id: int = Field(..., description="A user of the organization")
    due_on: date


class CapaEvidenceIn(Schema):
    evidence: str = Field(..., description="What was changed, and where the record of it is")


class EffectivenessIn(Schema):
    result: Effectiveness
    note: str = Field("", description="What the check found, or why it was skipped")


class TransitionIn(Schema):
    password: str = Field("", description="For transitions needing a signature: entered now")
    reason: str = ""


def _owner(owner_id: int | None, site: Site) -> User | None:
    """A user of the site's organization, or 404."""
    if owner_id is None:
        return None
    return get_object_or_404(User, organization_id=site.organization_id, pk=owner_id)


def _require_write(request) -> None:
    """Completing one's own action needs no role, only the view permission; a read-only token
    must not do it all the same."""
    token = getattr(request.user, "api_token", None)
    if token is not None and not token.can_write:
        raise DomainError(
            ErrorCode.TOKEN_READ_ONLY,
            _("This API token is read-only; create a read-write token to make changes."),
        )


@router.get("/capas", response=list[CapaOut])
@paginate(Pages)
def list_capas(request, filters: Query[CapaQuery]):
    records = selectors.with_open_actions(selectors.visible_capas(request.user))
    if filters.site:
        records = records.filter(site__code=filters.site.upper())
    for name in ("status", "source", "nonconformance_id", "deviation_id"):
        value = getattr(filters, name)
        if value is not None:
            records = records.filter(**{name: value})
    if filters.open:
        records = records.filter(status__in=capas.OPEN_STATES)
    if filters.overdue:
        records = selectors.overdue(records, timezone.localdate())
    return records


@router.post("/capas", response={201: CapaDetailOut, **WRITE_ERRORS})
def open_capa(request, payload: CapaIn):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=ADD, code=payload.site.upper()
    )
    require_perm(request, ADD, site)
    capa = capas.open_capa(
        site=site,
        title=payload.title,
        source=payload.source,
        problem_statement=payload.problem_statement,
        owner=_owner(payload.owner_id, site),
        due_on=payload.due_on,
        by=request.user,
    )
    return Status(201, selectors.get_capa_or_404(request.user, capa.pk))


@router.get("/capas/{int:pk}", response={200: CapaDetailOut, **READ_ERRORS})
def get_capa(request, pk: int):
    return selectors.get_capa_or_404(request.user, pk)


@router.patch("/capas/{int:pk}", response={200: CapaDetailOut, **WRITE_ERRORS})
def update_investigation(request, pk: int, payload: InvestigationPatch):
    """Change the investigation while the CAPA is open or implementing (409 otherwise)."""
    capa = selectors.get_capa_or_404(request.user, pk)
    require_perm(request, CHANGE, capa)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "owner_id" in changes:
        changes["owner"] = _owner(changes.pop("owner_id"), capa.site)
    capas.update_investigation(capa, by=request.user, reason=reason, **changes)
    return selectors.get_capa_or_404(request.user, pk)


@router.post("/capas/{int:pk}/actions", response={201: CapaActionOut, **WRITE_ERRORS})
def add_action(request, pk: int, payload: CapaActionIn):
    capa = selectors.get_capa_or_404(request.user, pk)
    require_perm(request, CHANGE, capa)
    action = capas.add_action(
        capa,
        kind=payload.kind,
        description=payload.description,
        owner=_owner(payload.owner_id, capa.site),
        due_on=payload.due_on,
        by=request.user,
    )
    return Status(201, selectors.get_action_or_404(request.user, action.pk))


@router.post("/capa-actions/{int:pk}/done", response={200: CapaActionOut, **WRITE_ERRORS})
def complete_action(request, pk: int, payload: CapaEvidenceIn):
    """Mark an action done with its evidence: its owner may, whatever their roles, and QA may
    for them; 409 unless the CAPA is implementing."""
    action = selectors.get_action_or_404(request.user, pk)
    _require_write(request)
    capas.complete_action(action, evidence=payload.evidence, by=request.user)
    return selectors.get_action_or_404(request.user, pk)


@router.post("/capas/{int:pk}/effectiveness", response={200: CapaDetailOut, **WRITE_ERRORS})
def record_effectiveness(request, pk: int, payload: EffectivenessIn):
    """The effectiveness check's result, during the check; skipped needs its rationale."""
    capa = selectors.get_capa_or_404(request.user, pk)
    require_perm(request, CHANGE, capa)
    capas.record_effectiveness(capa, result=payload.result, note=payload.note, by=request.user)
    return selectors.get_capa_or_404(request.user, pk)


TRANSITIONS = {
    "start_implementation": lambda capa, user, body: capas.start_implementation(
        capa, by=user, reason=body.reason
    ),
    "verify_implementation": lambda capa, user, body: capas.verify_implementation(
        capa, by=user, password=body.password, reason=body.reason
    ),
    "close": lambda capa, user, body: capas.close(
        capa, by=user, password=body.password, reason=body.reason
    ),
    "reopen": lambda capa, user, body: capas.reopen(capa, by=user, reason=body.reason),
    "cancel": lambda capa, user, body: capas.cancel(capa, by=user, reason=body.reason),
}


@router.post("/capas/{int:pk}/transitions/{name}", response={200: CapaDetailOut, **WRITE_ERRORS})
def take_transition(request, pk: int, name: str, payload: TransitionIn):
    """Take a workflow transition: start_implementation, verify_implementation (signature:
    verified), close (signature: approved), reopen and cancel (reason required). 409 when the
    CAPA's status or its content does not allow it, 403 without the permission or when the
    signature is refused."""
    capa = selectors.get_capa_or_404(request.user, pk)
    transition = CAPA.transition(name)
    require_perm(request, transition.permission, capa)
    TRANSITIONS[transition.name](capa, request.user, payload)
    return selectors.get_capa_or_404(request.user, pk)


@router.post("/ncrs/{int:pk}/escalate", response={201: CapaDetailOut, **WRITE_ERRORS})
def escalate_ncr(request, pk: int):
    """Open the NCR's CAPA (its finding becomes the problem statement); 409 when the NCR
    already has one that is not cancelled."""
    ncr = get_nonconformance_or_404(request.user, pk)
    require_perm(request, ADD, ncr)
    capa = capas.escalate_nonconformance(ncr, by=request.user)
    return Status(201, selectors.get_capa_or_404(request.user, capa.pk))
