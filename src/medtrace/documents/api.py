"""Document control over the REST API, mounted at /api/v1/documents. Reads are scoped like the
pages (documents in force at, or owned by, the caller's sites; non-effective revisions only for
roles that read them); writes call the same services. A revision's status moves only through
POST /revisions/{id}/transitions/{name} (signed ones take the caller's password, entered
now); every printed copy is recorded and returned as a watermarked PDF."""

from datetime import date, datetime

from django.http import FileResponse, Http404
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from medtrace.accounts.models import User
from medtrace.accounts.roles import Role
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.pdf import pdf_response
from medtrace.documents import rendering, selectors
from medtrace.documents.choices import DocumentType, ReviewOutcome, RevisionStatus
from medtrace.documents.services import copies, revisions
from medtrace.documents.services import documents as document_services
from medtrace.documents.views import filter_documents
from medtrace.documents.workflows import REVISION
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality.capa_api import AllowedActionOut, allowed_actions

router = Router(tags=["documents"])

VIEW, ADD, APPROVE = (
    selectors.VIEW,
    "documents.add_controlleddocument",
    "documents.approve_document",
)
CHANGE = "documents.change_controlleddocument"


class ApprovalOut(Schema):
    role: str
    signer: str | None
    signed_at: datetime | None


class RevisionOut(Schema):
    id: int
    document_id: int
    number: str = Field(..., alias="document.number")
    revision: int
    status: RevisionStatus
    change_summary: str
    body: str
    file_name: str
    file_sha256: str
    effective_on: date | None
    effective_at: datetime | None
    ended_at: datetime | None
    training_required: bool
    author: str = Field(..., alias="created_by.username")
    approvals: list[ApprovalOut]
    actions: list[AllowedActionOut]

    @staticmethod
    def resolve_approvals(revision) -> list[dict]:
        state = revisions.approval_state(revision)
        return [
            {
                "role": role,
                "signer": given.signature.signer_name if (given := state.given.get(role)) else None,
                "signed_at": given.signature.signed_at if given else None,
            }
            for role in state.required
        ]

    @staticmethod
    def resolve_actions(revision, context) -> list[dict]:
        return allowed_actions(REVISION, revision, context["request"].user)


class DocumentOut(Schema):
    id: int
    number: str
    title: str
    title_en: str
    document_type: DocumentType
    site: str = Field(..., alias="site.code")
    applies_to: list[str]
    owner: str = Field(..., alias="owner.username")
    review_interval_months: int
    next_review_on: date | None
    effective_revision: int | None

    @staticmethod
    def resolve_applies_to(document) -> list[str]:
        return sorted(site.code for site in document.applies_to.all())

    @staticmethod
    def resolve_effective_revision(document) -> int | None:
        effective = getattr(document, "effective", None)
        if effective is None:
            effective = list(document.revisions.filter(status=RevisionStatus.EFFECTIVE))
        return effective[0].revision if effective else None


class DocumentQuery(Schema):
    q: str | None = None
    document_type: DocumentType | None = None
    state: str | None = Field(None, description="in_force, changing or not_in_force")
    review_due: bool = False


class DocumentIn(Schema):
    site: str = Field(..., description="Code of the owning site")
    document_type: DocumentType
    title: str
    title_en: str = ""
    number: str = Field("", description="Empty: numbered by type (SOP-0007)")
    owner: str | None = Field(None, description="Username; default: the caller")
    applies_to: list[str] = Field([], description="Codes of further sites where it is in force")
    review_interval_months: int = Field(24, ge=1, le=120)
    change_summary: str = "First issue."
    body: str = Field("", description="Markdown content of the first draft")
    effective_on: date | None = None


class DocumentPatch(Schema):
    title: str | None = None
    title_en: str | None = None
    owner: str | None = None
    applies_to: list[str] | None = None
    review_interval_months: int | None = Field(None, ge=1, le=120)
    reason: str = ""


class NewRevisionIn(Schema):
    change_summary: str
    training_required: bool = True


class DraftPatch(Schema):
    change_summary: str | None = None
    body: str | None = None
    effective_on: date | None = None
    training_required: bool | None = None


class TransitionIn(Schema):
    password: str = Field("", description="For transitions needing a signature: entered now")
    reason: str = ""


class CopyIn(Schema):
    controlled: bool = False
    issued_to: str = ""


class ReviewIn(Schema):
    password: str
    outcome: ReviewOutcome
    note: str


class RouteIn(Schema):
    roles: list[Role]


class RouteOut(Schema):
    document_type: DocumentType
    roles: list[str]


def _sites(user, codes: list[str]) -> list[Site]:
    return [access.get_scoped_or_404(Site.objects.all(), user, code=code.upper()) for code in codes]


def _user(organization_id: int, username: str | None) -> User | None:
    if username is None:
        return None
    try:
        return User.objects.get(organization_id=organization_id, username=username)
    except User.DoesNotExist:
        raise Http404 from None


@router.get("/documents", response=list[DocumentOut])
@paginate(Pages)
def list_documents(request, filters: Query[DocumentQuery]):
    documents = selectors.documents_for(request.user)
    site = request.user.organization.sites.first()
    today = site.local_date() if site else date.today()
    data = filters.dict()
    return selectors.with_effective(filter_documents(documents, data, today)).prefetch_related(
        "applies_to"
    )


@router.post("/documents", response={201: DocumentOut, **WRITE_ERRORS})
def create_document(request, payload: DocumentIn):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=ADD, code=payload.site.upper()
    )
    require_perm(request, ADD, site)
    document = document_services.create_document(
        site=site,
        document_type=payload.document_type,
        number=payload.number,
        title=payload.title,
        title_en=payload.title_en,
        owner=_user(request.user.organization_id, payload.owner),
        applies_to=_sites(request.user, payload.applies_to),
        review_interval_months=payload.review_interval_months,
        change_summary=payload.change_summary,
        body=payload.body,
        effective_on=payload.effective_on,
        by=request.user,
    )
    return Status(201, selectors.get_document_or_404(request.user, document.pk))


@router.get("/documents/{int:pk}", response={200: DocumentOut, **READ_ERRORS})
def get_document(request, pk: int):
    return selectors.get_document_or_404(request.user, pk)


@router.patch("/documents/{int:pk}", response={200: DocumentOut, **WRITE_ERRORS})
def update_document(request, pk: int, payload: DocumentPatch):
    document = selectors.get_document_or_404(request.user, pk)
    require_perm(request, CHANGE, document)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    applies_to = changes.pop("applies_to", None)
    if "owner" in changes:
        changes["owner"] = _user(document.organization_id, changes["owner"])
    document_services.update_document(
        document,
        by=request.user,
        reason=reason,
        applies_to=None if applies_to is None else _sites(request.user, applies_to),
        **changes,
    )
    return selectors.get_document_or_404(request.user, pk)


@router.get("/documents/{int:pk}/revisions", response={200: list[RevisionOut], **READ_ERRORS})
def list_revisions(request, pk: int):
    document = selectors.get_document_or_404(request.user, pk)
    return selectors.readable_revisions(request.user, document)


@router.post("/documents/{int:pk}/revisions", response={201: RevisionOut, **WRITE_ERRORS})
def new_revision(request, pk: int, payload: NewRevisionIn):
    document = selectors.get_document_or_404(request.user, pk)
    require_perm(request, CHANGE, document)
    revision = revisions.new_draft(
        document,
        by=request.user,
        change_summary=payload.change_summary,
        training_required=payload.training_required,
    )
    return Status(201, revision)


@router.post("/documents/{int:pk}/review", response={200: DocumentOut, **WRITE_ERRORS})
def periodic_review(request, pk: int, payload: ReviewIn):
    """The signed periodic review: confirmed (next review scheduled) or revise (a draft)."""
    document = selectors.get_document_or_404(request.user, pk)
    revisions.complete_periodic_review(
        document, by=request.user, password=payload.password, outcome=payload.outcome,
        note=payload.note,
    )  # fmt: skip
    return selectors.get_document_or_404(request.user, pk)


@router.get("/revisions/{int:pk}", response={200: RevisionOut, **READ_ERRORS})
def get_revision(request, pk: int):
    return selectors.get_revision_or_404(request.user, pk)


@router.patch("/revisions/{int:pk}", response={200: RevisionOut, **WRITE_ERRORS})
def update_draft(request, pk: int, payload: DraftPatch):
    revision = selectors.get_revision_or_404(request.user, pk)
    revisions.update_draft(revision, by=request.user, **payload.dict(exclude_unset=True))
    return selectors.get_revision_or_404(request.user, pk)


@router.post("/revisions/{int:pk}/file", response={200: RevisionOut, **WRITE_ERRORS})
def upload_file(request, pk: int, file: File[UploadedFile]):
    """Replace a draft's content by a file (PDF or Office), multipart field `file`."""
    revision = selectors.get_revision_or_404(request.user, pk)
    revisions.update_draft(revision, by=request.user, file=file)
    return selectors.get_revision_or_404(request.user, pk)


@router.get("/revisions/{int:pk}/file", response={200: None, **READ_ERRORS})
def download_file(request, pk: int):
    revision = selectors.get_revision_or_404(request.user, pk)
    if not revision.is_file:
        raise Http404
    return FileResponse(revision.file.open("rb"), as_attachment=True, filename=revision.file_name)


TRANSITIONS = {
    "submit": lambda r, by, p: revisions.submit(r, by=by, password=p.password, reason=p.reason),
    "approve": lambda r, by, p: revisions.approve(r, by=by, password=p.password, reason=p.reason),
    "return_to_draft": lambda r, by, p: revisions.return_to_draft(r, by=by, reason=p.reason),
    "make_effective": lambda r, by, p: revisions.make_effective(r, by=by),
    "withdraw": lambda r, by, p: revisions.withdraw(r, by=by, reason=p.reason),
    "make_obsolete": lambda r, by, p: revisions.make_obsolete(
        r, by=by, password=p.password, reason=p.reason
    ),
}


@router.post("/revisions/{int:pk}/transitions/{name}", response={200: RevisionOut, **WRITE_ERRORS})
def take_transition(request, pk: int, name: str, payload: TransitionIn):
    revision = selectors.get_revision_or_404(request.user, pk)
    transition = REVISION.transition(name)
    require_perm(request, transition.permission, revision)
    TRANSITIONS[name](revision, request.user, payload)
    return selectors.get_revision_or_404(request.user, pk)


@router.post("/revisions/{int:pk}/copies", response={200: None, **WRITE_ERRORS})
def print_copy(request, pk: int, payload: CopyIn):
    """Record a printed copy and answer its watermarked PDF."""
    revision = selectors.get_revision_or_404(request.user, pk)
    copy = copies.issue_copy(
        revision, by=request.user, controlled=payload.controlled, issued_to=payload.issued_to
    )
    pdf = rendering.copy_pdf(revision, copy, request=request)
    return pdf_response(pdf, f"{revision.document.number}-rev{revision.revision}.pdf")


@router.get("/approval-routes", response=list[RouteOut])
def list_routes(request):
    organization_id = request.user.organization_id
    return [
        {"document_type": t, "roles": document_services.approver_roles(organization_id, t)}
        for t in DocumentType.values
    ]


@router.put("/approval-routes/{document_type}", response={200: RouteOut, **WRITE_ERRORS})
def set_route(request, document_type: DocumentType, payload: RouteIn):
    require_perm(request, APPROVE)
    route = document_services.set_approval_route(
        organization=request.user.organization,
        document_type=document_type,
        roles=[str(role) for role in payload.roles],
        by=request.user,
    )
    return {"document_type": route.document_type, "roles": route.roles}
