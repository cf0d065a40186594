"""Reading change requests: what a user may see (those of the sites where they may view them),
the list's filters, a change's tasks, who may own a task, and what a draft's scope may name
(the organization's BOM and routing drafts and document revisions on their way that no other
open change holds)."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from medtrace.accounts.models import User
from medtrace.catalog.models import Bom, Item, Routing, VersionStatus
from medtrace.changes.choices import OPEN_STATES, ChangeStatus
from medtrace.changes.models import ChangeRequest, ChangeTask
from medtrace.changes.workflows import CHANGE
from medtrace.documents.choices import PENDING_STATES
from medtrace.documents.models import DocumentRevision
from medtrace.org import access

VIEW = "changes.view_changerequest"
ADD = "changes.add_changerequest"
CHANGE_PERM = "changes.change_changerequest"
APPROVE = "changes.approve_changerequest"
VIEW_DRAFTS = "documents.view_all_revisions"
RELATED = ("site", "opened_by", "capa", "submitted_by")


def visible_changes(user, *, perm: str | None = None) -> QuerySet[ChangeRequest]:
    return access.scoped(ChangeRequest.objects.select_related(*RELATED), user, perm=perm)


def get_change_or_404(user, pk, *, perm: str | None = None) -> ChangeRequest:
    return access.get_scoped_or_404(
        ChangeRequest.objects.select_related(*RELATED), user, perm=perm, pk=pk
    )


def get_task_or_404(user, pk) -> ChangeTask:
    """A task of a change the user may see."""
    tasks = ChangeTask.objects.select_related("change", "change__site", "owner", "done_by")
    return get_object_or_404(
        access.scoped(tasks, user, perm=VIEW, site_field="change__site"), pk=pk
    )


def filter_changes(changes: QuerySet[ChangeRequest], data: dict) -> QuerySet[ChangeRequest]:
    text = (data.get("q") or "").strip()
    if text:
        changes = changes.filter(Q(number__icontains=text) | Q(title__icontains=text))
    for field in ("site", "status", "kind"):
        if data.get(field):
            changes = changes.filter(**{field: data[field]})
    if data.get("open"):
        changes = changes.filter(status__in=OPEN_STATES)
    return changes


def with_counts(changes: QuerySet[ChangeRequest]) -> QuerySet[ChangeRequest]:
    """Each change with `.open_tasks` and `.scope_size` (versions and revisions it releases)."""
    return changes.annotate(
        open_tasks=Count("tasks", filter=Q(tasks__done_at__isnull=True), distinct=True),
        bom_count=Count("boms", distinct=True),
        routing_count=Count("routings", distinct=True),
        revision_count=Count("revisions", distinct=True),
    ).order_by("-opened_at", "-pk")


def tasks_of(change: ChangeRequest, today) -> list[ChangeTask]:
    """The change's tasks, each with `.overdue` (not done and past its due date)."""
    tasks = list(change.tasks.select_related("owner", "done_by"))
    for task in tasks:
        task.overdue = task.done_at is None and task.due_on < today
    return tasks


def possible_owners(sites) -> QuerySet[User]:
    """The active users holding a role at one of `sites`: who may own a task."""
    return (
        User.objects.filter(
            is_active=True, memberships__site__in=sites, memberships__revoked_at__isnull=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _free(versions: QuerySet, change: ChangeRequest | None) -> QuerySet:
    """Drafts no other open change names."""
    taken = ChangeRequest.objects.filter(status__in=OPEN_STATES)
    if change is not None:
        taken = taken.exclude(pk=change.pk)
    return versions.exclude(change_requests__in=taken)


def scope_boms(organization_id: int, change: ChangeRequest | None = None) -> QuerySet[Bom]:
    drafts = Bom.objects.filter(organization_id=organization_id, status=VersionStatus.DRAFT)
    return _free(drafts, change).select_related("item").order_by("item__code", "version")


def scope_routings(organization_id: int, change: ChangeRequest | None = None) -> QuerySet[Routing]:
    drafts = Routing.objects.filter(organization_id=organization_id, status=VersionStatus.DRAFT)
    return _free(drafts, change).select_related("item").order_by("item__code", "version")


def readable_revisions(user) -> QuerySet[DocumentRevision]:
    """Revisions of the documents owned at sites where `user` reads drafts and history."""
    return DocumentRevision.objects.filter(
        document__organization_id=user.organization_id,
        document__site_id__in=access.site_ids_with_perm(user, VIEW_DRAFTS),
    ).select_related("document")


def scope_revisions(user, change: ChangeRequest | None = None) -> QuerySet[DocumentRevision]:
    """The revisions on their way that `user` reads and no other change holds."""
    held = Q(held_by_change="")
    if change is not None:
        held |= Q(held_by_change=change.number)
    return (
        readable_revisions(user)
        .filter(held, status__in=PENDING_STATES)
        .order_by("document__number", "revision")
    )


def scope_items(organization_id: int) -> QuerySet[Item]:
    return Item.objects.filter(organization_id=organization_id, is_active=True).order_by("code")


def open_tasks_of(user) -> QuerySet[ChangeTask]:
    """The open tasks `user` owns on changes not yet closed or abandoned."""
    live = (*OPEN_STATES, ChangeStatus.IMPLEMENTED)
    return (
        ChangeTask.objects.filter(owner=user, done_at__isnull=True, change__status__in=live)
        .select_related("change", "change__site")
        .order_by("due_on", "pk")
    )


def may_sign_for(change: ChangeRequest, user, state) -> bool:
    """Whether `user` holds a role the change in review still waits for and did not submit it
    (the service decides all the same)."""
    if change.submitted_by_id == user.pk:
        return False
    held = access.roles_by_site(user).get(change.site_id, frozenset())
    return any(role in held for role in state.outstanding)


# Steps a user may take on a change but that do not wait on them (the inbox leaves them out).
OPTIONAL = {"cancel", "return_to_draft", "reject"}


def waiting_actions(change: ChangeRequest, user) -> list:
    """The workflow steps that wait on `user` now: submitting their own draft, approving for a
    role still outstanding, releasing an approved change, closing an implemented one."""
    from medtrace.changes.services.changes import approval_state

    actions = []
    for transition in CHANGE.allowed(change, user):
        if transition.name in OPTIONAL:
            continue
        if transition.name == "submit" and change.opened_by_id != user.pk:
            continue
        if transition.name == "approve" and not may_sign_for(change, user, approval_state(change)):
            continue
        actions.append(transition)
    return actions


def waiting_on(user, limit: int) -> list[tuple[ChangeRequest, list]]:
    """[(change, actions)] of the changes at the user's sites waiting on them, oldest first."""
    live = (*OPEN_STATES, ChangeStatus.IMPLEMENTED)
    found = []
    for change in visible_changes(user).filter(status__in=live).order_by("opened_at", "pk"):
        actions = waiting_actions(change, user)
        if actions:
            found.append((change, actions))
        if len(found) == limit:
            break
    return found


def change_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("changes:change-detail", args=[int(object_id)])


def change_for_history(user, object_id: str) -> ChangeRequest:
    return get_change_or_404(user, int(object_id) if object_id.isdigit() else 0)
