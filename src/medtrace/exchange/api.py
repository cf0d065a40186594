"""Import and export over the REST API, mounted at /api/v1/exchange.

An import is two calls: POST /imports (multipart: `kind`, `file`, optional `reason`) validates
the file and answers the batch with its report, writing nothing; POST /imports/{id}/apply
writes every row or none. `apply=true` on the first call does both when the file is valid.
POST /imports/{id}/validate checks an open batch again against today's data."""

import io
from datetime import datetime

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.exchange import kinds, selectors, services, sheets
from medtrace.exchange.choices import BatchStatus, FileFormat, ImportKind

router = Router(tags=["exchange"])


class ImportProblemOut(Schema):
    row: int
    column: str
    value: str
    rule: str
    message: str


class ImportCountsOut(Schema):
    create: int = 0
    update: int = 0
    unchanged: int = 0


class BatchOut(Schema):
    id: int
    kind: ImportKind
    file_name: str
    file_format: FileFormat
    sha256: str
    size: int
    row_count: int
    reason: str
    status: BatchStatus
    created_by: str
    created_at: datetime
    validated_at: datetime | None
    applied_by: str | None
    applied_at: datetime | None
    counts: ImportCountsOut
    problem_count: int
    problems: list[ImportProblemOut]

    @staticmethod
    def resolve_created_by(batch) -> str:
        return batch.created_by.username

    @staticmethod
    def resolve_applied_by(batch) -> str | None:
        return batch.applied_by.username if batch.applied_by else None


class ImportIn(Schema):
    kind: ImportKind
    reason: str = ""
    apply: bool = False


class ExportQuery(Schema):
    format: FileFormat = FileFormat.XLSX


def _require_import_perms(request, kind: str) -> None:
    for perm in kinds.get(kind).import_perms:
        require_perm(request, perm)


@router.post("/imports", response={201: BatchOut, **WRITE_ERRORS})
def create_import(request, payload: Form[ImportIn], file: File[UploadedFile]):
    """Validate an .xlsx or .csv file of `kind` (a dry run through the real rules); with
    `apply=true`, also apply it when it has no problems."""
    _require_import_perms(request, payload.kind)
    sheets.check_size(file.size)
    batch = services.upload(
        user=request.user,
        kind=payload.kind,
        file_name=file.name or "upload",
        content=file.read(),
        reason=payload.reason,
    )
    if payload.apply and batch.status == BatchStatus.READY:
        batch = services.apply_batch(batch=batch, user=request.user)
    return Status(201, batch)


@router.get("/imports", response=list[BatchOut])
@paginate(Pages)
def list_imports(request):
    return selectors.visible_batches(request.user)


@router.get("/imports/{int:pk}", response={200: BatchOut, **READ_ERRORS})
def get_import(request, pk: int):
    """The batch and its report: every problem with its row, column, value and rule."""
    return selectors.get_batch_or_404(request.user, pk)


@router.post("/imports/{int:pk}/apply", response={200: BatchOut, **WRITE_ERRORS})
def apply_import(request, pk: int):
    """Write every row of a ready batch, or nothing (409 with the reason; the batch then
    holds the new report)."""
    batch = selectors.get_batch_or_404(request.user, pk)
    _require_import_perms(request, batch.kind)
    return services.apply_batch(batch=batch, user=request.user)


@router.post("/imports/{int:pk}/validate", response={200: BatchOut, **WRITE_ERRORS})
def revalidate_import(request, pk: int):
    """Validate the kept file of an open batch again against today's data (e.g. after
    importing the items a BOM refers to); the batch then holds the new report."""
    batch = selectors.get_batch_or_404(request.user, pk)
    _require_import_perms(request, batch.kind)
    return services.revalidate_batch(batch=batch, user=request.user)


@router.post("/imports/{int:pk}/discard", response={200: BatchOut, **WRITE_ERRORS})
def discard_import(request, pk: int):
    batch = selectors.get_batch_or_404(request.user, pk)
    _require_import_perms(request, batch.kind)
    return services.discard_batch(batch=batch, user=request.user)


def _file(content: bytes, name: str, fmt: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=name,
        content_type=sheets.CONTENT_TYPES[fmt],
    )


SHEET = {
    "responses": {
        200: {
            "description": "The sheet, as the `format` asked.",
            "content": {
                sheets.CONTENT_TYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}
                for fmt in FileFormat
            },
        }
    }
}


@router.get("/exports/{kind}", response=READ_ERRORS, openapi_extra=SHEET)
def export(request, kind: ImportKind, query: Query[ExportQuery]):
    """The caller's records of `kind` in exactly the columns an import reads."""
    require_perm(request, kinds.get(kind).view_perm)
    content = services.export(user=request.user, kind=kind, fmt=query.format)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _file(content, f"medtrace-{kind}-{stamp}.{query.format}", query.format)


@router.get("/templates/{kind}", response=READ_ERRORS, openapi_extra=SHEET)
def template(request, kind: ImportKind, query: Query[ExportQuery]):
    """An empty sheet of `kind`: the column names (and, in .xlsx, what each means)."""
    content = services.template(kind=kind, fmt=query.format)
    return _file(content, f"medtrace-{kind}-template.{query.format}", query.format)
