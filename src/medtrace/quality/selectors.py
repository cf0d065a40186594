"""Reading quality records: what a user may see (records of the sites where they may view
them), aging, and the audit-trail links."""

from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from medtrace.org import access
from medtrace.quality.choices import NcrStatus
from medtrace.quality.models import Nonconformance

OPEN_STATES = (NcrStatus.OPEN, NcrStatus.UNDER_REVIEW, NcrStatus.DISPOSITIONED)
# The aging filter of the NCR, CAPA and deviation lists: open for more than this many days.
OPEN_FOR_DAYS = (30, 90)
RELATED = ("site", "item", "lot", "supplier", "equipment", "opened_by", "hold_event")


def opened_more_than(records: QuerySet, days: int, today) -> QuerySet:
    """Records opened more than `days` days before `today` (the day they were opened counted
    in the current time zone, as their age is)."""
    return records.filter(opened_at__date__lt=today - timedelta(days=days))


def visible_nonconformances(user, *, perm: str | None = None) -> QuerySet[Nonconformance]:
    return access.scoped(Nonconformance.objects.select_related(*RELATED), user, perm=perm)


def get_nonconformance_or_404(user, pk: int, *, perm: str | None = None) -> Nonconformance:
    return access.get_scoped_or_404(
        Nonconformance.objects.select_related(*RELATED), user, perm=perm, pk=pk
    )


def age_in_days(ncr: Nonconformance, today) -> int:
    """Days open: until closure, or until today while the NCR is open."""
    end = timezone.localdate(ncr.closed_at) if ncr.closed_at else today
    return (end - timezone.localdate(ncr.opened_at)).days


def overdue(records: QuerySet[Nonconformance], today) -> QuerySet[Nonconformance]:
    """The open records past their due date (the query form of is_overdue)."""
    return records.filter(status__in=OPEN_STATES, due_on__lt=today)


def is_overdue(ncr: Nonconformance, today) -> bool:
    return ncr.status in OPEN_STATES and ncr.due_on is not None and ncr.due_on < today


def nonconformance_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("quality:ncr-detail", args=[int(object_id)])


def nonconformance_for_history(user, object_id: str) -> Nonconformance:
    return get_nonconformance_or_404(user, int(object_id) if object_id.isdigit() else 0)
