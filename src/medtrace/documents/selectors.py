"""Reads of document control: the documents a user may see (those in force at one of their
sites, or owned there), the revisions they may read (the effective one only, unless their
roles read drafts and history), what waits for review, and the approvals a revision needs."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from medtrace.documents.choices import PENDING_STATES, RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentRevision
from medtrace.org import access
from medtrace.org.models import Site

VIEW = "documents.view_controlleddocument"
VIEW_ALL = "documents.view_all_revisions"


def documents_for(user) -> QuerySet[ControlledDocument]:
    sites = access.site_ids_with_perm(user, VIEW)
    return (
        ControlledDocument.objects.filter(Q(site_id__in=sites) | Q(applies_to__in=sites))
        .distinct()
        .select_related("site", "owner")
    )


def with_effective(documents: QuerySet[ControlledDocument]) -> QuerySet[ControlledDocument]:
    """Each document with `.effective` (list of its effective revision) and `.pending` (its
    revision on its way, if any) prefetched."""
    return documents.prefetch_related(
        Prefetch(
            "revisions",
            DocumentRevision.objects.filter(status=RevisionStatus.EFFECTIVE),
            to_attr="effective",
        ),
        Prefetch(
            "revisions",
            DocumentRevision.objects.filter(status__in=PENDING_STATES),
            to_attr="pending",
        ),
    )


def get_document_or_404(user, pk) -> ControlledDocument:
    try:
        return documents_for(user).get(pk=pk)
    except (ControlledDocument.DoesNotExist, ValueError):
        raise Http404 from None


def may_read_all(user, document: ControlledDocument) -> bool:
    return user.has_perm(VIEW_ALL, document)


def readable_revisions(user, document: ControlledDocument) -> QuerySet[DocumentRevision]:
    revisions = document.revisions.select_related("created_by", "submitted_by")
    if may_read_all(user, document):
        return revisions
    return revisions.filter(status=RevisionStatus.EFFECTIVE)


def get_revision_or_404(user, pk) -> DocumentRevision:
    try:
        revision = DocumentRevision.objects.select_related("document__site").get(pk=pk)
    except (DocumentRevision.DoesNotExist, ValueError):
        raise Http404 from None
    get_document_or_404(user, revision.document_id)
    if revision.status != RevisionStatus.EFFECTIVE and not may_read_all(user, revision.document):
        raise Http404
    return revision


def reviews_due(documents: QuerySet[ControlledDocument], today) -> QuerySet[ControlledDocument]:
    return documents.filter(next_review_on__lte=today)


def in_force(documents: QuerySet[ControlledDocument]) -> QuerySet[ControlledDocument]:
    effective = DocumentRevision.objects.filter(
        document=OuterRef("pk"), status=RevisionStatus.EFFECTIVE
    )
    return documents.filter(Exists(effective))


def waiting_on(user, limit: int) -> list[tuple[DocumentRevision, list]]:
    """[(revision, actions)] of revisions on their way at the user's sites whose next step the
    user may take: their draft to submit, an approval for a role of the route they hold and
    have not given (never their own submission), making effective once its date has come."""
    from medtrace.documents.workflows import REVISION

    sites = access.site_ids_with_perm(user, VIEW_ALL)
    revisions = (
        DocumentRevision.objects.filter(status__in=PENDING_STATES, document__site_id__in=sites)
        .select_related("document__site")
        .order_by("created_at", "pk")
    )
    found = []
    for revision in revisions:
        actions = [t for t in REVISION.allowed(revision, user) if t.name != "withdraw"]
        if revision.status == RevisionStatus.DRAFT and revision.created_by_id != user.pk:
            actions = []  # a draft waits on its author
        if any(t.name == "approve" for t in actions) and not _may_approve(revision, user):
            actions = [t for t in actions if t.name != "approve"]
        if revision.status == RevisionStatus.APPROVED and (
            revision.held_by_change
            or (revision.effective_on and revision.effective_on > revision.site.local_date())
        ):
            actions = []
        if actions:
            found.append((revision, actions))
        if len(found) == limit:
            break
    return found


def _may_approve(revision: DocumentRevision, user) -> bool:
    """Whether the user holds a role the revision's route still waits for (and did not submit
    it): services.revisions.approve's own rule, asked without signing."""
    from medtrace.core.approvals import signing_role
    from medtrace.core.errors import DomainError
    from medtrace.documents.services.revisions import approval_state

    try:
        signing_role(
            revision, approval_state(revision), by=user, submitted_by_id=revision.submitted_by_id
        )
    except DomainError:
        return False
    return True


def reviews_due_for(user, today=None) -> QuerySet[ControlledDocument]:
    """Documents the user owns (or, for document control, of their sites) whose periodic
    review is due: by `today`, or by each owning site's own calendar day."""
    approver_sites = access.site_ids_with_perm(user, "documents.approve_document")
    mine = ControlledDocument.objects.filter(Q(owner=user) | Q(site_id__in=approver_sites))
    if today is not None:
        due = Q(next_review_on__lte=today)
    else:
        due = Q(pk__in=[])
        for site in Site.objects.filter(pk__in=mine.values("site_id")):
            due |= Q(site=site, next_review_on__lte=site.local_date())
    return mine.filter(due).select_related("site").order_by("next_review_on", "number")


def document_url(object_id: str, site) -> str | None:
    return (
        reverse("documents:document-detail", args=[int(object_id)]) if object_id.isdigit() else None
    )


def document_for_history(user, object_id: str) -> ControlledDocument:
    return get_document_or_404(user, int(object_id) if object_id.isdigit() else 0)


def revision_url(object_id: str, site) -> str | None:
    return (
        reverse("documents:revision-detail", args=[int(object_id)]) if object_id.isdigit() else None
    )


def revision_for_history(user, object_id: str) -> DocumentRevision:
    return get_revision_or_404(user, int(object_id) if object_id.isdigit() else 0)
