"""Document control's pages for documents: the register with filters, registering a document
with its first draft, the document's page (the effective revision for every reader; drafts,
history and copies for those whose roles read them), its metadata, a new revision, the
periodic review, and the approval routes. Writes go through documents.services; reads
through documents.selectors. A revision's own page is in revision_views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.documents import rendering, selectors
from medtrace.documents.choices import PENDING_STATES, DocumentType, RevisionStatus
from medtrace.documents.forms import (
    DocumentEditForm,
    DocumentFilterForm,
    DocumentForm,
    NewRevisionForm,
    PeriodicReviewForm,
    PrintForm,
    RouteForm,
    owner_choices,
)
from medtrace.documents.services import documents as document_services
from medtrace.documents.services import revisions
from medtrace.org import access

VIEW = selectors.VIEW
ADD = "documents.add_controlleddocument"
CHANGE = "documents.change_controlleddocument"
APPROVE = "documents.approve_document"


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def filter_documents(documents, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        documents = documents.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(title_en__icontains=text)
        )
    if data.get("document_type"):
        documents = documents.filter(document_type=data["document_type"])
    state = data.get("state")
    if state == "in_force":
        documents = selectors.in_force(documents)
    elif state == "not_in_force":
        documents = documents.exclude(pk__in=selectors.in_force(documents).values("pk"))
    elif state == "changing":
        documents = documents.filter(revisions__status__in=PENDING_STATES)
    if data.get("review_due"):
        documents = selectors.reviews_due(documents, today)
    return documents


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def document_list(request):
    user = request.user
    form = DocumentFilterForm(request.GET or None)
    documents = selectors.documents_for(user)
    if request.site is not None:
        documents = documents.filter(Q(site=request.site) | Q(applies_to=request.site))
    data = form.cleaned_data if form.is_valid() else {}
    today = (request.site or user.organization.sites.first()).local_date()
    page = paginate(
        request, selectors.with_effective(filter_documents(documents, data, today)).distinct()
    )
    context = {
        "form": form,
        "page": page,
        "today": today,
        "can_add": user.has_perm(ADD),
        "can_route": user.has_perm(APPROVE),
    }
    template = "documents/_document_table.html" if _fragment(request) else "documents/list.html"
    return render(request, template, context)


@perm_required(ADD)
def document_create(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=ADD).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    initial["owner"] = user
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        sites=sites,
        owners=owner_choices(user.organization_id),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = document_services.create_document(
                by=user,
                site=data["site"],
                document_type=data["document_type"],
                number=data["number"],
                title=data["title"],
                title_en=data["title_en"],
                owner=data["owner"],
                applies_to=data["applies_to"],
                review_interval_months=data["review_interval_months"],
                change_summary=data["change_summary"],
                body=data["body"],
                file=data["file"],
                effective_on=data["effective_on"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("%(number)s registered as a draft.") % {"number": document.number}
            )
            return redirect("documents:document-detail", document.pk)
    return render(request, "documents/form.html", {"form": form, "title": _("New document")})


def _detail(request, document, *, forms=None):
    user, forms = request.user, forms or {}
    effective = document.revisions.filter(status=RevisionStatus.EFFECTIVE).first()
    pending = document.revisions.filter(status__in=PENDING_STATES).first()
    may_read_all = selectors.may_read_all(user, document)
    may_change = user.has_perm(CHANGE, document)
    may_review = effective is not None and (
        user.has_perm(APPROVE, document) or user.pk == document.owner_id
    )
    context = {
        "document": document,
        "effective": effective,
        "body": rendering.body_html(effective.body) if effective and not effective.is_file else "",
        "pending": pending if may_read_all else None,
        "revisions": selectors.readable_revisions(user, document) if may_read_all else [],
        "copies": (
            effective.copies.select_related("printed_by")[:20] if effective and may_read_all else []
        ),
        "curricula": document.curricula.filter(is_active=True),
        "print_form": forms.get("print") or PrintForm(),
        "may_issue_controlled": effective is not None and user.has_perm(APPROVE, document),
        "new_revision_form": (
            forms.get("revision") or NewRevisionForm() if may_change and pending is None else None
        ),
        "review_form": (forms.get("review") or PeriodicReviewForm()) if may_review else None,
        "review_due": document.next_review_on is not None
        and document.next_review_on <= document.site.local_date(),
        "may_change": may_change,
    }
    return render(request, "documents/detail.html", context)


@perm_required(VIEW)
def document_detail(request, pk: int):
    return _detail(request, selectors.get_document_or_404(request.user, pk))


@perm_required(CHANGE)
def document_edit(request, pk: int):
    document = selectors.get_document_or_404(request.user, pk)
    if not request.user.has_perm(CHANGE, document):
        raise PermissionDenied
    form = DocumentEditForm(
        request.POST or None, instance=document, owners=owner_choices(document.organization_id)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason, applies_to = data.pop("reason"), data.pop("applies_to")
        try:
            document_services.update_document(
                document, by=request.user, reason=reason, applies_to=applies_to, **data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": document.number})
            return redirect("documents:document-detail", document.pk)
    return render(
        request,
        "documents/form.html",
        {"form": form, "title": document.number, "document": document},
    )


@require_POST
@perm_required(CHANGE)
def revision_create(request, pk: int):
    document = selectors.get_document_or_404(request.user, pk)
    form = NewRevisionForm(request.POST)
    if form.is_valid():
        try:
            revision = revisions.new_draft(document, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(revision)s drafted.") % {"revision": revision})
            return redirect("documents:revision-detail", revision.pk)
    return _detail(request, document, forms={"revision": form})


@require_POST
@perm_required(VIEW)
def periodic_review(request, pk: int):
    document = selectors.get_document_or_404(request.user, pk)
    form = PeriodicReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revisions.complete_periodic_review(
                document, by=request.user, password=data["password"], outcome=data["outcome"],
                note=data["note"],
            )  # fmt: skip
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("Periodic review of %(number)s recorded.") % {"number": document.number}
            )
            return redirect("documents:document-detail", document.pk)
    return _detail(request, document, forms={"review": form})


@perm_required(APPROVE)
def approval_routes(request):
    user = request.user
    organization = user.organization
    forms = {}
    if request.method == "POST":
        document_type = request.POST.get("document_type", "")
        if document_type not in DocumentType.values:
            raise PermissionDenied
        form = RouteForm(request.POST, prefix=document_type)
        if form.is_valid():
            try:
                document_services.set_approval_route(
                    organization=organization, document_type=document_type,
                    roles=form.cleaned_data["roles"], by=user,
                )  # fmt: skip
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("Approval route saved."))
                return redirect("documents:approval-routes")
        forms[document_type] = form
    routes = []
    for document_type, label in DocumentType.choices:
        roles = document_services.approver_roles(organization.pk, document_type)
        form = forms.get(document_type) or RouteForm(prefix=document_type, initial={"roles": roles})
        routes.append((document_type, label, roles, form))
    return render(request, "documents/routes.html", {"routes": routes})
