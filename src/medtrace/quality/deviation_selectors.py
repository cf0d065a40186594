"""Reading deviations: what a user may see (those of the sites where they may view them),
aging, the deviations that keep a lot from release as the reader may see them, and the
audit-trail links."""

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from medtrace.org import access
from medtrace.quality.models import Deviation
from medtrace.quality.services.deviation import NOT_CLOSED, blocking_release
from medtrace.trace.models import Lot

OPEN_STATES = NOT_CLOSED
RELATED = ("site", "equipment", "opened_by")


def visible_deviations(user, *, perm: str | None = None) -> QuerySet[Deviation]:
    return access.scoped(Deviation.objects.select_related(*RELATED), user, perm=perm)


def get_deviation_or_404(user, pk: int, *, perm: str | None = None) -> Deviation:
    return access.get_scoped_or_404(
        Deviation.objects.select_related(*RELATED), user, perm=perm, pk=pk
    )


def with_lot_counts(deviations: QuerySet[Deviation]) -> QuerySet[Deviation]:
    # An aggregate drops Meta.ordering: the list keeps the newest first all the same.
    return deviations.annotate(lot_count=Count("lots", distinct=True)).order_by("-opened_at", "-pk")


def age_in_days(deviation: Deviation, today) -> int:
    """Days open: until closure, or until today while the deviation is not closed."""
    end = timezone.localdate(deviation.closed_at) if deviation.closed_at else today
    return (end - timezone.localdate(deviation.opened_at)).days


def lots_in_scope(deviation: Deviation) -> list[Lot]:
    """The deviation's lots, each with `.blocked_by`: the deviations (this one or others) that
    keep it from release."""
    lots = list(deviation.lots.select_related("item").order_by("lot_number", "pk"))
    for lot in lots:
        lot.blocked_by = list(blocking_release(lot))
    return lots


def blocking_for(user, lot) -> list[Deviation]:
    """The deviations the reader may see that keep `lot` (a Lot or its TraceObject) from
    release."""
    lot_id = getattr(lot, "pk", lot)
    return list(access.scoped(blocking_release(lot_id).select_related("site"), user))


def deviation_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("quality:deviation-detail", args=[int(object_id)])


def deviation_for_history(user, object_id: str) -> Deviation:
    return get_deviation_or_404(user, int(object_id) if object_id.isdigit() else 0)
