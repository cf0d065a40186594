"""Import and export pages: the list of batches with the upload form and the download links,
a batch's report with Apply / Validate again / Discard, and the file downloads."""

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.exchange import kinds, selectors, services, sheets
from medtrace.exchange.choices import BatchStatus, FileFormat, ImportKind, RowAction
from medtrace.exchange.forms import UploadForm

# The batch page lists this many of the rows a batch creates or changes.
SHOWN_ACTIONS = 500


def signed_in_with_kinds(view):
    """Sign-in first; 403 for a user who may not even export any kind."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.organization_id is None or not selectors.visible_kinds(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _kind_links(user) -> list[dict]:
    importable = set(selectors.importable_kinds(user))
    return [
        {"kind": kind, "label": ImportKind(kind).label, "can_import": kind in importable}
        for kind in selectors.visible_kinds(user)
    ]


def _list_page(request, form, status=200):
    batches = paginate(request, selectors.visible_batches(request.user))
    return render(
        request,
        "exchange/batch_list.html",
        {"page": batches, "form": form, "kinds": _kind_links(request.user)},
        status=status,
    )


@signed_in_with_kinds
def batch_list(request):
    importable = selectors.importable_kinds(request.user)
    form = UploadForm(kinds=importable, initial={"kind": request.GET.get("kind")})
    return _list_page(request, form if importable else None)


@require_POST
@signed_in_with_kinds
def upload(request):
    importable = selectors.importable_kinds(request.user)
    if not importable:
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, kinds=importable)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            sheets.check_size(file.size)
            batch = services.upload(
                user=request.user,
                kind=form.cleaned_data["kind"],
                file_name=file.name,
                content=file.read(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if batch.status == BatchStatus.READY:
                messages.success(request, _("The file is valid; check the summary and apply it."))
            else:
                messages.error(request, _("Nothing was imported: the file has problems."))
            return redirect("exchange:batch-detail", batch.pk)
    return _list_page(request, form, status=422)


@signed_in_with_kinds
def batch_detail(request, pk: int):
    batch = selectors.get_batch_or_404(request.user, pk)
    open_ = batch.status in (BatchStatus.ERRORS, BatchStatus.READY)
    can_import = kinds.can_import(request.user, batch.kind)
    changes = [
        action for action in batch.report.get("actions", []) if action[1] != RowAction.UNCHANGED
    ]
    return render(
        request,
        "exchange/batch_detail.html",
        {
            "batch": batch,
            "counts": batch.counts,
            "changes": changes[:SHOWN_ACTIONS],
            "more_changes": max(0, len(changes) - SHOWN_ACTIONS),
            "can_apply": can_import and batch.status == BatchStatus.READY,
            "can_revalidate": can_import and open_,
            "can_discard": can_import and open_,
        },
    )


def _batch_action(operation, success):
    @require_POST
    @signed_in_with_kinds
    def view(request, pk: int):
        batch = selectors.get_batch_or_404(request.user, pk)
        try:
            operation(batch=batch, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success())
        return redirect("exchange:batch-detail", batch.pk)

    return view


batch_apply = _batch_action(services.apply_batch, lambda: _("Imported: every row was written."))
batch_revalidate = _batch_action(services.revalidate_batch, lambda: _("Validated again."))
batch_discard = _batch_action(services.discard_batch, lambda: _("Import batch discarded."))


@signed_in_with_kinds
def batch_file(request, pk: int):
    """The file as it was uploaded, byte for byte (its SHA-256 is on the page)."""
    batch = selectors.get_batch_or_404(request.user, pk)
    return _download(bytes(batch.content), batch.file_name, batch.file_format)


def _format(kind: str, fmt: str) -> tuple[str, str]:
    if kind not in ImportKind.values or fmt not in FileFormat.values:
        raise Http404
    return kind, fmt


def _download(content: bytes, file_name: str, fmt: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=file_name,
        content_type=sheets.CONTENT_TYPES[fmt],
    )


@signed_in_with_kinds
def export(request, kind: str, fmt: str):
    kind, fmt = _format(kind, fmt)
    if not kinds.can_export(request.user, kind):
        raise PermissionDenied
    content = services.export(user=request.user, kind=kind, fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _download(content, f"medtrace-{kind}-{stamp}.{fmt}", fmt)


@signed_in_with_kinds
def template(request, kind: str, fmt: str):
    kind, fmt = _format(kind, fmt)
    return _download(services.template(kind=kind, fmt=fmt), f"medtrace-{kind}-template.{fmt}", fmt)
