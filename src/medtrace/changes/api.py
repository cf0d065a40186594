"""Change control over the REST API, mounted at /api/v1/changes. Reads are scoped to the
caller's sites (org.access) like the pages; writes call the same services. A change's status
moves only through POST /changes/{id}/transitions/{name} (signed ones take the caller's
password, entered now); its impact is computed on request (GET /changes/{id}/impact)."""

from datetime import date, datetime

from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.accounts.models import User
from medtrace.catalog import selectors as catalog_selectors
from medtrace.catalog.models import Item
from medtrace.changes import selectors
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.impact import impact_of
from medtrace.changes.services import changes
from medtrace.changes.services.opening import open_with_scope
from medtrace.changes.workflows import CHANGE
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality import capa_selectors
from medtrace.quality.capa_api import AllowedActionOut, allowed_actions
from medtrace.quality.choices import RiskLevel

router = Router(tags=["changes"])

VIEW, ADD, CHANGE_PERM = selectors.VIEW, selectors.ADD, selectors.CHANGE_PERM


class ChangeVersionOut(Schema):
    id: int
    item: str = Field(..., alias="item.code")
    version: int
    status: str
    released_under: str


class RevisionRefOut(Schema):
    id: int
    document: str = Field(..., alias="document.number")
    revision: int
    status: str


class ApprovalOut(Schema):
    role: str
    signer: str | None
    signed_at: datetime | None


class TaskOut(Schema):
    id: int
    description: str
    owner: str = Field(..., alias="owner.username")
    due_on: date
    before_release: bool
    evidence: str
    done_at: datetime | None
    done_by: str | None

    @staticmethod
    def resolve_done_by(task) -> str | None:
        return task.done_by.username if task.done_by_id else None


class ChangeOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    title: str
    kind: ChangeKind
    reason: str
    description: str
    risk_level: RiskLevel
    risk_assessment: str
    registration_change: bool
    new_udi_di: bool
    regulator_notification: bool
    regulatory_assessment: str
    capa: str | None
    planned_effective_on: date | None
    status: ChangeStatus
    review_round: int
    opened_by: str = Field(..., alias="opened_by.username")
    opened_at: datetime
    implemented_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_capa(change) -> str | None:
        return change.capa.number if change.capa_id else None


class ChangeDetailOut(ChangeOut):
    boms: list[ChangeVersionOut]
    routings: list[ChangeVersionOut]
    revisions: list[RevisionRefOut]
    items: list[str]
    approvals: list[ApprovalOut]
    tasks: list[TaskOut]
    actions: list[AllowedActionOut]

    @staticmethod
    def resolve_boms(change) -> list:
        return list(change.boms.select_related("item"))

    @staticmethod
    def resolve_routings(change) -> list:
        return list(change.routings.select_related("item"))

    @staticmethod
    def resolve_revisions(change) -> list:
        return list(change.revisions.select_related("document"))

    @staticmethod
    def resolve_items(change) -> list[str]:
        return sorted(change.items.values_list("code", flat=True))

    @staticmethod
    def resolve_approvals(change) -> list[dict]:
        state = changes.approval_state(change)
        return [
            {
                "role": role,
                "signer": given.signature.signer_name if (given := state.given.get(role)) else None,
                "signed_at": given.signature.signed_at if given else None,
            }
            for role in state.required
        ]

    @staticmethod
    def resolve_tasks(change) -> list:
        return list(change.tasks.select_related("owner", "done_by"))

    @staticmethod
    def resolve_actions(change, context) -> list[dict]:
        return allowed_actions(CHANGE, change, context["request"].user)


class ChangeQuery(Schema):
    q: str | None = None
    site: str | None = Field(None, description="Site code")
    status: ChangeStatus | None = None
    kind: ChangeKind | None = None
    open: bool = False


class ScopeIn(Schema):
    boms: list[int] = Field([], description="Ids of BOM drafts it releases")
    routings: list[int] = Field([], description="Ids of routing drafts it releases")
    revisions: list[int] = Field([], description="Ids of document revisions on their way")
    items: list[str] = Field([], description="Codes of further affected items")


class ChangeIn(ScopeIn):
    site: str = Field(..., description="Site code")
    title: str
    kind: ChangeKind
    reason: str
    description: str
    risk_level: RiskLevel
    risk_assessment: str = ""
    registration_change: bool = False
    new_udi_di: bool = False
    regulator_notification: bool = False
    regulatory_assessment: str = ""
    capa: int | None = Field(None, description="Id of the CAPA the change answers")
    planned_effective_on: date | None = None


class ChangePatch(Schema):
    """Only the fields sent change, while the change is a draft (409 otherwise)."""

    title: str | None = None
    kind: ChangeKind | None = None
    reason: str | None = None
    description: str | None = None
    risk_level: RiskLevel | None = None
    risk_assessment: str | None = None
    registration_change: bool | None = None
    new_udi_di: bool | None = None
    regulator_notification: bool | None = None
    regulatory_assessment: str | None = None
    capa: int | None = None
    planned_effective_on: date | None = None
    edit_reason: str = Field("", description="Why it was edited (the audit entry's reason)")


class TaskIn(Schema):
    description: str
    owner: str = Field(..., description="Username")
    due_on: date
    before_release: bool = True


class TaskDoneIn(Schema):
    evidence: str


class TransitionIn(Schema):
    password: str = Field("", description="For transitions needing a signature: entered now")
    reason: str = ""


class ImpactVersionOut(Schema):
    kind: str
    id: int
    item: str
    version: int
    in_force: int | None
    added: int
    removed: int
    changed: int


class WhereUsedOut(Schema):
    bom_id: int
    item: str
    version: int
    components: list[str]


class LotCountOut(Schema):
    item: str
    site: str | None
    disposition: str
    lots: int


class TrainingOut(Schema):
    revision_id: int
    revision: str
    training_required: bool
    people: int


class ImpactWorkOrderOut(Schema):
    number: str
    site: str
    item: str
    status: str
    bom_version: int | None
    routing_version: int | None


class ChangeImpactOut(Schema):
    items: list[str]
    versions: list[ImpactVersionOut]
    where_used: list[WhereUsedOut]
    lots: list[LotCountOut]
    training: list[TrainingOut]
    open_work_orders: int | None = Field(
        None, description="How many work orders of the affected items are not completed yet"
    )
    work_orders: list[ImpactWorkOrderOut] = Field(
        [], description="Those work orders: planned ones take the new versions at release"
    )


def _all_or_404(queryset, ids: list) -> list:
    found = list(queryset.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise Http404
    return found


def _scope(request, payload: ScopeIn) -> dict:
    user = request.user
    codes = {code.strip().upper() for code in payload.items}
    items = list(Item.objects.filter(organization_id=user.organization_id, code__in=codes))
    if len(items) != len(codes):
        raise Http404
    return {
        "boms": _all_or_404(catalog_selectors.visible_boms(user), payload.boms),
        "routings": _all_or_404(catalog_selectors.visible_routings(user), payload.routings),
        "revisions": _all_or_404(selectors.readable_revisions(user), payload.revisions),
        "items": items,
    }


def _capa(request, pk: int | None):
    return None if pk is None else capa_selectors.get_capa_or_404(request.user, pk)


@router.get("", response=list[ChangeOut])
@paginate(Pages)
def list_changes(request, filters: Query[ChangeQuery]):
    data = filters.dict()
    changes_ = selectors.visible_changes(request.user)
    if data.pop("site"):
        changes_ = changes_.filter(site__code=filters.site.upper())
    return selectors.filter_changes(changes_, data).order_by("-opened_at", "-pk")


@router.post("", response={201: ChangeDetailOut, **WRITE_ERRORS})
def create_change(request, payload: ChangeIn):
    """Open a change request as a draft, with the scope it is raised with."""
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=ADD, code=payload.site.upper()
    )
    require_perm(request, ADD, site)
    fields = payload.dict(exclude={"site", "boms", "routings", "revisions", "items", "capa"})
    change = open_with_scope(
        site=site, by=request.user, capa=_capa(request, payload.capa),
        **_scope(request, payload), **fields,
    )  # fmt: skip
    return Status(201, selectors.get_change_or_404(request.user, change.pk))


@router.get("/{int:pk}", response={200: ChangeDetailOut, **READ_ERRORS})
def get_change(request, pk: int):
    return selectors.get_change_or_404(request.user, pk)


@router.patch("/{int:pk}", response={200: ChangeDetailOut, **WRITE_ERRORS})
def update_change(request, pk: int, payload: ChangePatch):
    change = selectors.get_change_or_404(request.user, pk)
    require_perm(request, CHANGE_PERM, change)
    fields = payload.dict(exclude_unset=True)
    edit_reason = fields.pop("edit_reason", "")
    if "capa" in fields:
        fields["capa"] = _capa(request, fields["capa"])
    changes.update_change(change, by=request.user, edit_reason=edit_reason, **fields)
    return selectors.get_change_or_404(request.user, pk)


@router.put("/{int:pk}/scope", response={200: ChangeDetailOut, **WRITE_ERRORS})
def set_scope(request, pk: int, payload: ScopeIn):
    """Replace what the draft releases and affects."""
    change = selectors.get_change_or_404(request.user, pk)
    require_perm(request, CHANGE_PERM, change)
    changes.set_scope(change, by=request.user, **_scope(request, payload))
    return selectors.get_change_or_404(request.user, pk)


@router.get("/{int:pk}/impact", response={200: ChangeImpactOut, **READ_ERRORS})
def get_impact(request, pk: int):
    """Computed now: affected items, each version against the one in force, where-used,
    lots of the affected items at the caller's sites, people to train per revision, work
    orders of the affected items not completed yet at the caller's sites."""
    change = selectors.get_change_or_404(request.user, pk)
    return impact_of(change, user=request.user).as_dict()


@router.post("/{int:pk}/tasks", response={201: TaskOut, **WRITE_ERRORS})
def add_task(request, pk: int, payload: TaskIn):
    change = selectors.get_change_or_404(request.user, pk)
    require_perm(request, CHANGE_PERM, change)
    try:
        owner = User.objects.get(organization_id=change.organization_id, username=payload.owner)
    except User.DoesNotExist:
        raise Http404 from None
    task = changes.add_task(
        change, by=request.user, description=payload.description, owner=owner,
        due_on=payload.due_on, before_release=payload.before_release,
    )  # fmt: skip
    return Status(201, task)


@router.post("/{int:pk}/tasks/{int:task_pk}/complete", response={200: TaskOut, **WRITE_ERRORS})
def complete_task(request, pk: int, task_pk: int, payload: TaskDoneIn):
    """The owner (or whoever approves changes) records the task done, with its evidence."""
    task = selectors.get_task_or_404(request.user, task_pk)
    if task.change_id != pk:
        raise Http404
    _require_write(request)
    return changes.complete_task(task, by=request.user, evidence=payload.evidence)


def _require_write(request) -> None:
    """Completing one's own task needs no role, only the view permission; a read-only token
    must not do it all the same."""
    token = getattr(request.user, "api_token", None)
    if token is not None and not token.can_write:
        raise DomainError(
            ErrorCode.TOKEN_READ_ONLY,
            _("This API token is read-only; create a read-write token to make changes."),
        )


def _signed(service):
    return lambda c, by, p: service(c, by=by, password=p.password, reason=p.reason)


TRANSITIONS = {
    "submit": _signed(changes.submit),
    "approve": _signed(changes.approve),
    "return_to_draft": lambda c, by, p: changes.return_to_draft(c, by=by, reason=p.reason),
    "reject": _signed(changes.reject),
    "release": _signed(changes.release),
    "close": _signed(changes.close),
    "cancel": lambda c, by, p: changes.cancel(c, by=by, reason=p.reason),
}


@router.post("/{int:pk}/transitions/{name}", response={200: ChangeDetailOut, **WRITE_ERRORS})
@sensitive_variables("payload")
def take_transition(request, pk: int, name: str, payload: TransitionIn):
    change = selectors.get_change_or_404(request.user, pk)
    transition = CHANGE.transition(name)
    require_perm(request, transition.permission, change)
    TRANSITIONS[name](change, request.user, payload)
    return selectors.get_change_or_404(request.user, pk)
