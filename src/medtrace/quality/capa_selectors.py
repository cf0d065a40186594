"""Reading CAPAs: what a user may see (those of the sites where they may view them), aging,
due dates and open actions, who may own a CAPA or an action at a site, and the audit-trail
links."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from medtrace.accounts.models import User
from medtrace.org import access
from medtrace.quality.models import Capa, CapaAction
from medtrace.quality.services.capa import OPEN_STATES, is_overdue

RELATED = ("site", "owner", "nonconformance", "deviation", "opened_by")


def visible_capas(user, *, perm: str | None = None) -> QuerySet[Capa]:
    return access.scoped(Capa.objects.select_related(*RELATED), user, perm=perm)


def get_capa_or_404(user, pk: int, *, perm: str | None = None) -> Capa:
    return access.get_scoped_or_404(Capa.objects.select_related(*RELATED), user, perm=perm, pk=pk)


def get_action_or_404(user, pk: int) -> CapaAction:
    """A CAPA action of a CAPA the user may see."""
    actions = CapaAction.objects.select_related("capa", "capa__site", "owner", "done_by")
    found = access.scoped(actions, user, perm="quality.view_capa", site_field="capa__site")
    return get_object_or_404(found, pk=pk)


def with_open_actions(capas: QuerySet[Capa]) -> QuerySet[Capa]:
    # An aggregate drops Meta.ordering: the list keeps the newest first all the same.
    return capas.annotate(
        open_actions=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True)
    ).order_by("-opened_at", "-pk")


def overdue(capas: QuerySet[Capa], today) -> QuerySet[Capa]:
    """The open CAPAs past their due date (the query form of services.capa.is_overdue)."""
    return capas.filter(status__in=OPEN_STATES, due_on__lt=today)


def age_in_days(capa: Capa, today) -> int:
    """Days open: until closure, or until today while the CAPA is open."""
    end = timezone.localdate(capa.closed_at) if capa.closed_at else today
    return (end - timezone.localdate(capa.opened_at)).days


def actions_of(capa: Capa, today) -> list[CapaAction]:
    """The CAPA's actions, each with `.overdue` (not done and past its due date)."""
    actions = list(capa.actions.select_related("owner", "done_by"))
    for action in actions:
        action.overdue = action.done_at is None and action.due_on < today
    return actions


def with_aging(capas, today):
    for capa in capas:
        capa.age = age_in_days(capa, today)
        capa.overdue = is_overdue(capa, today)
    return capas


def possible_owners(sites) -> QuerySet[User]:
    """The active users holding a role at one of `sites`: who may own a CAPA or an action."""
    return (
        User.objects.filter(
            is_active=True, memberships__site__in=sites, memberships__revoked_at__isnull=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


def capa_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("quality:capa-detail", args=[int(object_id)])


def capa_for_history(user, object_id: str) -> Capa:
    return get_capa_or_404(user, int(object_id) if object_id.isdigit() else 0)
