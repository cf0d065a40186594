"""The pages of generated documents: generate one (template, market, language, site and what
it is about, the subject's choices following the template), the result with its download and,
for a quality manual or SOP skeleton, taking it in as a controlled document's first draft; and
the list of generations (who, when, from what, the hash). Writes go through
documents.generation.services; reads through documents.generation.selectors."""

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.documents.generation import registry, services
from medtrace.documents.generation import selectors as generated
from medtrace.documents.generation_forms import (
    GeneratedFilterForm,
    GenerateForm,
    TakeInForm,
    offered_templates,
)
from medtrace.org import access

VIEW = generated.VIEW


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def subject_url(document) -> str | None:
    """The page of the record a report is about, if it has one."""
    names = {
        "quality.capa": "quality:capa-detail",
        "quality.nonconformance": "quality:ncr-detail",
        "partners.supplieraudit": "partners:audit-detail",
    }
    name = names.get(document.subject_type)
    if name is None or not document.subject_id.isdigit():
        return None
    try:
        return reverse(name, args=[int(document.subject_id)])
    except NoReverseMatch:
        return None


@perm_required(VIEW)
def generate(request):
    user = request.user
    if not offered_templates(user):
        raise PermissionDenied
    sites = access.visible_sites(user).filter(organization_id=user.organization_id)
    # A redraw (the template changed) keeps what was chosen; a link may preset the subject.
    fields = ("template", "market", "language", "site", "subject")
    initial = {key: request.GET[key] for key in fields if request.GET.get(key)}
    initial.setdefault("market", "nmpa")
    if "site" not in initial and request.site is not None and request.site in sites:
        initial["site"] = request.site
    url = reverse("documents:generated-create")
    bound = request.POST if request.method == "POST" else None
    form = GenerateForm(bound, user=user, sites=sites.order_by("code"), url=url, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.generate(
                data["template"],
                market=data["market"],
                by=user,
                subject=data.get("subject") or None,
                site=data.get("site"),
                language=data["language"] or None,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(title)s generated.") % {"title": document.title})
            return redirect("documents:generated-detail", document.pk)
    context = {"form": form, "templates": offered_templates(user)}
    return render(request, "documents/generated/form.html", context)


def _detail(request, document, take_in_form=None):
    user = request.user
    template = registry.get(document.template)
    may_take_in = (
        template is not None
        and template.document_type is not None
        and document.document_id is None
        and user.has_perm(services.ADD_DOCUMENT, document.site)
    )
    context = {
        "document": document,
        "template": template,
        "subject_url": subject_url(document),
        "file_name": PurePath(document.file.name).name,
        "take_in_form": (take_in_form or TakeInForm()) if may_take_in else None,
    }
    return render(request, "documents/generated/detail.html", context)


@perm_required(VIEW)
def generated_detail(request, pk: int):
    return _detail(request, generated.get_generated_or_404(request.user, pk))


@perm_required(VIEW)
def generated_pdf(request, pk: int):
    document = generated.get_generated_or_404(request.user, pk)
    return FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        filename=PurePath(document.file.name).name,
        as_attachment=bool(request.GET.get("download")),
    )


@require_POST
@perm_required(VIEW)
def take_in(request, pk: int):
    document = generated.get_generated_or_404(request.user, pk)
    form = TakeInForm(request.POST)
    if form.is_valid():
        try:
            controlled = services.take_in(
                document, by=request.user, number=form.cleaned_data["number"]
            )
        except DomainError as error:
            if error.code == ErrorCode.PERMISSION_DENIED:
                raise PermissionDenied from None
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(number)s registered; its first draft is the generated content.")
                % {"number": controlled.number},
            )
            return redirect("documents:document-detail", controlled.pk)
    return _detail(request, generated.get_generated_or_404(request.user, pk), form)


def filter_generated(documents, data: dict):
    for field in ("template", "market"):
        if data.get(field):
            documents = documents.filter(**{field: data[field]})
    text = (data.get("q") or "").strip()
    if text:
        documents = documents.filter(
            Q(title__icontains=text) | Q(subject_repr__icontains=text) | Q(subject_id=text)
        )
    return documents


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def generated_list(request):
    user = request.user
    form = GeneratedFilterForm(request.GET or None)
    documents = generated.visible_generated(user)
    if request.site is not None:
        documents = documents.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, filter_generated(documents, data))
    for document in page.object_list:
        document.subject_link = subject_url(document)
    context = {"form": form, "page": page, "can_generate": bool(offered_templates(user))}
    template = (
        "documents/generated/_table.html" if _fragment(request) else "documents/generated/list.html"
    )
    return render(request, template, context)
