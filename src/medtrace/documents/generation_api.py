"""Generated documents over the REST API, mounted at /api/v1/documents beside document
control: POST /generated generates one (template, market, subject, site, language) and answers
the record with its download URL; GET /generated lists what the caller may see; GET
/generated/{id}/pdf is the PDF; POST /generated/{id}/take-in makes a quality manual or SOP
skeleton a controlled document's first draft. The same services as the pages."""

from datetime import datetime

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.choices import Market
from medtrace.documents.generation import registry, services
from medtrace.documents.generation import selectors as generated
from medtrace.org import access
from medtrace.org.models import Site

router = Router(tags=["generated documents"])

PDF = {
    "responses": {
        200: {
            "description": "The generated document as PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class TemplateOut(Schema):
    key: str
    title: str
    title_zh: str
    markets: list[str]
    subject: str | None = Field(
        None, description="What it is about: capa, ncr, supplier_audit, sop_topic"
    )
    subject_choices: list[list[str]] = Field([], description="For an SOP skeleton: [topic, title]")


class GeneratedIn(Schema):
    template: str = Field(
        ...,
        description="quality-manual, sop-skeleton, capa-report, ncr-report, supplier-audit-report",
    )
    market: Market
    subject_id: str | None = Field(
        None, description="The record's id or number (CAPA-2026-0007), or the SOP topic"
    )
    site: str | None = Field(
        None, description="Site code; a CAPA or NCR report is filed at the record's site"
    )
    language: str | None = Field(None, description="zh-hans or en; default: the market's")


class GeneratedOut(Schema):
    id: int
    template: str
    title: str
    market: Market
    language: str
    site: str = Field(..., alias="site.code")
    subject_type: str
    subject_id: str
    subject_repr: str
    sha256: str
    generated_by: str = Field(..., alias="generated_by.username")
    generated_at: datetime
    document_id: int | None
    document: str | None = Field(None, alias="document.number")
    pdf: str

    @staticmethod
    def resolve_pdf(document) -> str:
        return reverse("api:generated_document_pdf", kwargs={"pk": document.pk})


class GeneratedQuery(Schema):
    template: str | None = None
    market: Market | None = None
    site: str | None = Field(None, description="Site code")
    subject_type: str | None = Field(None, description="e.g. quality.capa")
    subject_id: str | None = None


class TakeInIn(Schema):
    number: str = Field("", description="Leave empty to number it by its type (SOP-0007)")


def _require_write(request) -> None:
    token = getattr(request.user, "api_token", None)
    if token is not None and not token.can_write:
        raise DomainError(
            ErrorCode.TOKEN_READ_ONLY,
            _("This API token is read-only; create a read-write token to make changes."),
        )


@router.get("/templates", response=list[TemplateOut])
def list_templates(request):
    """The templates and the markets each is written for."""
    return [
        {
            "key": t.key,
            "title": t.title.en,
            "title_zh": t.title.zh,
            "markets": list(t.markets),
            "subject": t.subject.key if t.subject else None,
            "subject_choices": [
                list(choice) for choice in t.subject.choices(request.user)
            ] if t.subject and t.subject.key == "sop_topic" else [],
        }
        for t in registry.templates()
    ]  # fmt: skip


@router.get("/generated", response=list[GeneratedOut])
@paginate(Pages)
def list_generated(request, filters: Query[GeneratedQuery]):
    documents = generated.visible_generated(request.user)
    if filters.site:
        documents = documents.filter(site__code=filters.site.upper())
    for name in ("template", "market", "subject_type", "subject_id"):
        value = getattr(filters, name)
        if value:
            documents = documents.filter(**{name: value})
    return documents


@router.post("/generated", response={201: GeneratedOut, **WRITE_ERRORS})
def generate(request, payload: GeneratedIn):
    """Generate a document from live data as the caller sees it; 422 when the template is not
    written for the market or the subject is missing, 404 when the record is not visible,
    403 without the permission."""
    _require_write(request)
    site = None
    if payload.site:
        site = access.get_scoped_or_404(
            Site.objects.all(), request.user, perm="org.view_site", code=payload.site.upper()
        )
    document = services.generate(
        payload.template,
        market=payload.market,
        by=request.user,
        subject=payload.subject_id,
        site=site,
        language=payload.language,
    )
    return Status(201, generated.get_generated_or_404(request.user, document.pk))


@router.get("/generated/{int:pk}", response={200: GeneratedOut, **READ_ERRORS})
def get_generated(request, pk: int):
    return generated.get_generated_or_404(request.user, pk)


@router.get(
    "/generated/{int:pk}/pdf",
    response=READ_ERRORS,
    openapi_extra=PDF,
    url_name="generated_document_pdf",
)
def generated_pdf(request, pk: int):
    document = generated.get_generated_or_404(request.user, pk)
    return FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        filename=document.file.name.rsplit("/", 1)[-1],
    )


@router.post("/generated/{int:pk}/take-in", response={201: GeneratedOut, **WRITE_ERRORS})
def take_in(request, pk: int, payload: TakeInIn):
    """Register a controlled document whose first draft is the generated quality manual or SOP
    skeleton; 409 for a report or one already taken in."""
    _require_write(request)
    document = generated.get_generated_or_404(request.user, pk)
    services.take_in(document, by=request.user, number=payload.number)
    return Status(201, generated.get_generated_or_404(request.user, pk))
