"""Training over the REST API, mounted at /api/v1/training: curricula (created and changed,
never deleted: deactivate one instead), assignments and the signatures that complete them
(the trainee's read-and-understood, the trainer's instructor-led record with its assessment;
each takes the signer's password, entered now), records, a site's training matrix, and
`can-perform`: whether someone is trained for a routing operation, with the reasons why not,
for production and MES clients. Reads are scoped to the caller's sites; writes call the
same services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.accounts.roles import Role
from medtrace.catalog.models import Routing
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, error_responses, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.models import ControlledDocument, DocumentRevision
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.training import selectors
from medtrace.training.choices import Assessment, AssignmentStatus, MatrixCell, TrainingMethod
from medtrace.training.services import assignments as assigning
from medtrace.training.services import curricula, qualification, records

router = Router(tags=["training"])
User = get_user_model()

ADD_CURRICULUM = "training.add_curriculum"
CHANGE_CURRICULUM = "training.change_curriculum"
VIEW_RECORDS = "training.view_trainingrecord"


# --- schemas --------------------------------------------------------------------------------


class CurriculumOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    code: str
    name: str
    name_en: str
    roles: list[str]
    documents: list[str] = Field(..., description="Document numbers")
    members: list[str] = Field(..., description="Usernames of the named members")
    requalify_months: int | None
    is_active: bool

    @staticmethod
    def resolve_documents(curriculum) -> list[str]:
        return sorted(document.number for document in curriculum.documents.all())

    @staticmethod
    def resolve_members(curriculum) -> list[str]:
        return sorted(member.username for member in curriculum.members.all())


class CurriculumIn(Schema):
    site: str = Field(..., description="Site code")
    code: str
    name: str
    name_en: str = ""
    roles: list[Role] = []
    documents: list[str] = Field([], description="Document numbers")
    members: list[str] = Field([], description="Usernames")
    requalify_months: int | None = Field(None, ge=1, le=120)


class CurriculumPatch(Schema):
    """Only the fields sent change; site and code stay."""

    name: str | None = None
    name_en: str | None = None
    roles: list[Role] | None = None
    documents: list[str] | None = Field(None, description="The whole new list of numbers")
    members: list[str] | None = Field(None, description="The whole new list of usernames")
    requalify_months: int | None = Field(None, ge=1, le=120)
    is_active: bool | None = None


class AssignmentOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    trainee: str = Field(..., alias="trainee.username")
    trainee_name: str = Field(..., alias="trainee.printed_name")
    document: str = Field(..., alias="revision.document.number")
    revision: int = Field(..., alias="revision.revision")
    revision_id: int
    curriculum: str | None = Field(None, alias="curriculum.code")
    reason: str
    status: AssignmentStatus
    assigned_at: datetime
    due_on: date
    closed_at: datetime | None
    overdue: bool

    @staticmethod
    def resolve_overdue(assignment) -> bool:
        return selectors.is_overdue(assignment, assignment.site.local_date())


class AssignmentIn(Schema):
    site: str = Field(..., description="Site code; the trainee holds a role there")
    trainee: str = Field(..., description="Username")
    revision_id: int = Field(..., description="An effective revision")
    due_on: date
    reason: str


class AssignmentQuery(Schema):
    mine: bool | None = Field(None, description="Only the caller's own assignments")
    site: str | None = Field(None, description="Site code")
    status: AssignmentStatus | None = None
    overdue: bool | None = Field(None, description="Only open assignments past their date")
    document: str | None = Field(None, description="Document number")
    trainee: str | None = Field(None, description="Username")


class TrainingSignatureOut(Schema):
    signer: str = Field(..., alias="signer_name")
    meaning: str
    signed_at: datetime


class RecordOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    assignment_id: int
    trainee: str = Field(..., alias="trainee.username")
    document: str = Field(..., alias="revision.document.number")
    revision: int = Field(..., alias="revision.revision")
    revision_id: int
    method: TrainingMethod
    trainer: str | None = Field(None, alias="trainer.username")
    assessment: str
    score: Decimal | None
    note: str
    completed_at: datetime
    valid_until: date | None
    signature: TrainingSignatureOut


class RecordQuery(Schema):
    mine: bool | None = Field(None, description="Only the caller's own records")
    site: str | None = Field(None, description="Site code")
    document: str | None = Field(None, description="Document number")
    trainee: str | None = Field(None, description="Username")


class ReadIn(Schema):
    password: str = Field(..., description="The trainee's password, entered now")
    note: str = ""


class InstructorLedIn(Schema):
    password: str = Field(..., description="The trainer's password, entered now")
    assessment: Assessment
    score: Decimal | None = Field(None, ge=0, le=100)
    note: str = ""


class CellOut(Schema):
    document: str
    status: MatrixCell
    revision: int | None = Field(None, description="Trained on (trained, expired) or to train on")
    on: date | None = Field(None, description="The day trained, due, or lapsed")
    until: date | None = Field(None, description="The day the qualification holds to")
    assignment_id: int | None = None
    note: str


class ColumnOut(Schema):
    document: str
    title: str
    in_force_revision: int
    in_force_revision_id: int
    needed_revision: int | None = Field(None, description="The revision whose training counts")


class TrainingRowOut(Schema):
    user: str
    name: str
    roles: list[str]
    cells: list[CellOut]


class MatrixOut(Schema):
    site: str
    today: date
    columns: list[ColumnOut]
    rows: list[TrainingRowOut]
    counts: dict[str, int]


class MatrixQuery(Schema):
    site: str | None = Field(None, description="Site code (default: the caller's first site)")
    curriculum: str | None = Field(None, description="Curriculum code")
    role: Role | None = None


class CanPerformQuery(Schema):
    user: str = Field(..., description="Username of the person who would perform it")
    routing: int = Field(..., description="Routing id")
    operation: int = Field(..., description="The operation's position (10, 20, …)")
    at: datetime | None = Field(None, description="ISO 8601 with an offset; default now")


class TrainingQualificationOut(Schema):
    document: str
    in_force_revision: int | None
    needed_revision: int | None
    qualified: bool
    record_id: int | None
    trained_at: datetime | None
    valid_until: date | None


class TrainingVerdictOut(Schema):
    user: str
    routing_id: int
    operation: int
    operation_name: str
    at: datetime
    allowed: bool
    reasons: list[str]
    qualifications: list[TrainingQualificationOut]


# --- curricula ------------------------------------------------------------------------------


def _documents(request, numbers: list[str], curriculum=None) -> list[ControlledDocument]:
    """The documents by number, among those the caller may list: one they cannot read is
    answered as one that does not exist."""
    wanted = list(dict.fromkeys(number.strip().upper() for number in numbers))
    listable = selectors.listable_documents(request.user, curriculum)
    found = {document.number: document for document in listable.filter(number__in=wanted)}
    missing = [number for number in wanted if number not in found]
    if missing:
        message = _("%(number)s is not a controlled document.") % {"number": missing[0]}
        raise DomainError(ErrorCode.VALIDATION, message, fields={"documents": [message]})
    return [found[number] for number in wanted]


def _people(request, usernames: list[str]) -> list:
    wanted = list(dict.fromkeys(usernames))
    found = {
        user.username: user
        for user in User.objects.filter(
            organization_id=request.user.organization_id, username__in=wanted
        )
    }
    missing = [name for name in wanted if name not in found]
    if missing:
        message = _("No one named %(username)s works here.") % {"username": missing[0]}
        raise DomainError(ErrorCode.VALIDATION, message, fields={"members": [message]})
    return [found[name] for name in wanted]


def _curriculum(request, pk: int, perm: str | None = None):
    return access.get_scoped_or_404(
        selectors.visible_curricula(request.user).prefetch_related("documents", "members"),
        request.user,
        perm=perm,
        pk=pk,
    )


@router.get("/curricula", response=list[CurriculumOut])
@paginate(Pages)
def list_curricula(request, site: str | None = None, active: bool | None = None):
    found = selectors.visible_curricula(request.user).prefetch_related("documents", "members")
    if site:
        found = found.filter(site__code=site.upper())
    if active is not None:
        found = found.filter(is_active=active)
    return found.order_by("site__code", "code")


@router.get("/curricula/{int:pk}", response={200: CurriculumOut, **READ_ERRORS})
def get_curriculum(request, pk: int):
    return _curriculum(request, pk)


@router.post("/curricula", response={201: CurriculumOut, **WRITE_ERRORS})
def create_curriculum(request, payload: CurriculumIn):
    """A curriculum at a site: whoever it covers is assigned the effective revisions of its
    documents at once."""
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=ADD_CURRICULUM, code=payload.site.upper()
    )
    require_perm(request, ADD_CURRICULUM, site)
    curriculum = curricula.create_curriculum(
        site=site,
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        roles=[str(role) for role in payload.roles],
        documents=_documents(request, payload.documents),
        members=_people(request, payload.members),
        requalify_months=payload.requalify_months,
        by=request.user,
    )
    return Status(201, _curriculum(request, curriculum.pk))


@router.patch("/curricula/{int:pk}", response={200: CurriculumOut, **WRITE_ERRORS})
def update_curriculum(request, pk: int, payload: CurriculumPatch):
    """Change a curriculum; whoever it newly covers is assigned training. There is no
    DELETE: set is_active to false to retire one (its history stays)."""
    curriculum = _curriculum(request, pk)
    require_perm(request, CHANGE_CURRICULUM, curriculum)
    changes = payload.dict(exclude_unset=True)
    if "roles" in changes:
        changes["roles"] = [str(role) for role in changes["roles"] or []]
    if "documents" in changes:
        changes["documents"] = _documents(request, changes["documents"] or [], curriculum)
    if "members" in changes:
        changes["members"] = _people(request, changes["members"] or [])
    curricula.update_curriculum(curriculum, by=request.user, **changes)
    return _curriculum(request, pk)


# --- assignments and records ----------------------------------------------------------------


def _require_write(request) -> None:
    """Signing one's own training needs no role, but a read-only token cannot sign."""
    token = getattr(request.user, "api_token", None)
    if token is not None and not token.can_write:
        raise DomainError(
            ErrorCode.TOKEN_READ_ONLY,
            _("This API token is read-only; create a read-write token to make changes."),
        )


@router.get("/assignments", response=list[AssignmentOut])
@paginate(Pages)
def list_assignments(request, filters: Query[AssignmentQuery]):
    found = selectors.visible_assignments(request.user)
    if filters.mine:
        found = found.filter(trainee=request.user)
    if filters.site:
        found = found.filter(site__code=filters.site.upper())
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.overdue:
        found = selectors.overdue(found, timezone.localdate())
    if filters.document:
        found = found.filter(revision__document__number=filters.document.upper())
    if filters.trainee:
        found = found.filter(trainee__username=filters.trainee)
    return found.order_by("due_on", "pk")


@router.get("/assignments/{int:pk}", response={200: AssignmentOut, **READ_ERRORS})
def get_assignment(request, pk: int):
    return selectors.get_assignment_or_404(request.user, pk)


@router.post("/assignments", response={201: AssignmentOut, **WRITE_ERRORS})
def create_assignment(request, payload: AssignmentIn):
    """Assign training on an effective revision by hand; an open assignment of the trainee on
    that revision is answered instead of a second one."""
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=selectors.ADD_ASSIGNMENT, code=payload.site.upper()
    )
    require_perm(request, selectors.ADD_ASSIGNMENT, site)
    trainee = selectors.people_at([site]).filter(username=payload.trainee).first()
    if trainee is None:
        message = _("No one named %(username)s holds a role at %(site)s.") % {
            "username": payload.trainee,
            "site": site.code,
        }
        raise DomainError(ErrorCode.VALIDATION, message, fields={"trainee": [message]})
    revision = (
        DocumentRevision.objects.select_related("document")
        .filter(pk=payload.revision_id, document__in=_readable_documents(request))
        .first()
    )
    if revision is None:
        raise Http404
    assignment = assigning.assign(
        trainee=trainee,
        revision=revision,
        site=site,
        due_on=payload.due_on,
        reason=payload.reason,
        by=request.user,
    )
    return Status(201, selectors.get_assignment_or_404(request.user, assignment.pk))


def _readable_documents(request):
    from medtrace.documents.selectors import documents_for

    return documents_for(request.user)


@router.post("/assignments/{int:pk}/read-and-understood", response={201: RecordOut, **WRITE_ERRORS})
def read_and_understood(request, pk: int, payload: ReadIn):
    """The trainee signs (meaning “read and understood”) that they read the revision; 403
    for anyone else or when the signature is refused, 409 once the assignment is closed."""
    assignment = selectors.get_assignment_or_404(request.user, pk)
    _require_write(request)
    record = records.read_and_understood(
        assignment, by=request.user, password=payload.password, note=payload.note
    )
    return Status(201, selectors.visible_records(request.user).get(pk=record.pk))


@router.post("/assignments/{int:pk}/instructor-led", response={201: RecordOut, **WRITE_ERRORS})
def instructor_led(request, pk: int, payload: InstructorLedIn):
    """A trainer records the session and its assessment (signature meaning “verified”); a
    failed assessment fails the assignment and assigns a retake."""
    assignment = selectors.get_assignment_or_404(request.user, pk)
    require_perm(request, selectors.ADD_RECORD, assignment)
    record = records.instructor_led(
        assignment,
        by=request.user,
        password=payload.password,
        assessment=payload.assessment,
        score=payload.score,
        note=payload.note,
    )
    return Status(201, selectors.visible_records(request.user).get(pk=record.pk))


@router.get("/records", response=list[RecordOut])
@paginate(Pages)
def list_records(request, filters: Query[RecordQuery]):
    found = selectors.visible_records(request.user)
    if filters.mine:
        found = found.filter(trainee=request.user)
    if filters.site:
        found = found.filter(site__code=filters.site.upper())
    if filters.document:
        found = found.filter(revision__document__number=filters.document.upper())
    if filters.trainee:
        found = found.filter(trainee__username=filters.trainee)
    return found.order_by("-completed_at", "-pk")


# --- the matrix and can-perform -------------------------------------------------------------


@router.get("/matrix", response={200: MatrixOut, **READ_ERRORS})
def matrix(request, filters: Query[MatrixQuery]):
    """A site's people by the documents of its curricula, each cell one of trained, due,
    overdue, expired or not_required."""
    site = None
    if filters.site:
        site = access.get_scoped_or_404(
            Site.objects.all(),
            request.user,
            perm=selectors.VIEW_ASSIGNMENTS,
            code=filters.site.upper(),
        )
    site = selectors.matrix_site(request.user, site)
    if site is None:
        raise Http404
    curriculum = None
    if filters.curriculum:
        curriculum = selectors.curricula_of(site).filter(code=filters.curriculum.upper()).first()
        if curriculum is None:
            raise Http404
    result = selectors.training_matrix(
        site, curriculum=curriculum, role=str(filters.role) if filters.role else None
    )
    return {
        "site": site.code,
        "today": result.today,
        "counts": result.counts(),
        "columns": [
            {
                "document": column.document.number,
                "title": column.document.display_title,
                "in_force_revision": column.in_force.revision,
                "in_force_revision_id": column.in_force.pk,
                "needed_revision": column.needed.revision if column.needed else None,
            }
            for column in result.columns
        ],
        "rows": [
            {
                "user": row.user.username,
                "name": row.user.printed_name,
                "roles": row.roles,
                "cells": [
                    {
                        "document": cell.document.number,
                        "status": cell.status,
                        "revision": cell.revision.revision if cell.revision else None,
                        "on": cell.on,
                        "until": cell.until,
                        "assignment_id": cell.assignment_id,
                        "note": cell.note,
                    }
                    for cell in row.cells
                ],
            }
            for row in result.rows
        ],
    }


@router.get(
    "/can-perform", response={200: TrainingVerdictOut, **error_responses(401, 403, 404, 422)}
)
def can_perform(request, query: Query[CanPerformQuery]):
    """Whether `user` is (or was, `at`) trained on every document the routing operation
    requires, on the revision then in force; each reason names the document and revision.
    The person must work at one of the caller's sites (or be the caller)."""
    if not request.user.has_perm(VIEW_RECORDS):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Your roles do not allow this."))
    person = (
        selectors.people_visible_to(request.user, VIEW_RECORDS)
        .filter(username=query.user, organization_id=request.user.organization_id)
        .first()
    )
    found = Routing.objects.filter(
        pk=query.routing, organization_id=request.user.organization_id
    ).first()
    step = found.operations.filter(position=query.operation).first() if found else None
    at = query.at
    if person is None or step is None:
        raise Http404
    if at is not None and timezone.is_naive(at):
        message = _("Give the time with its offset, e.g. 2026-03-01T08:00:00+08:00.")
        raise DomainError(ErrorCode.VALIDATION, message, fields={"at": [message]})
    at = at or timezone.now()
    verdict = qualification.can_perform(person, step, at)
    return {
        "user": person.username,
        "routing_id": found.pk,
        "operation": step.position,
        "operation_name": step.name,
        "at": at,
        "allowed": verdict.allowed,
        "reasons": verdict.reasons,
        "qualifications": [
            {
                "document": standing.document.number,
                "in_force_revision": standing.in_force.revision if standing.in_force else None,
                "needed_revision": standing.needed.revision if standing.needed else None,
                "qualified": standing.qualified,
                "record_id": standing.record.pk if standing.record else None,
                "trained_at": standing.record.completed_at if standing.record else None,
                "valid_until": standing.record.valid_until if standing.record else None,
            }
            for standing in verdict.qualifications
        ],
    }
