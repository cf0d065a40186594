"""Reading import batches: those of the user's organization, of the kinds the user may see,
and whose rows name no site the user cannot see (their own uploads always)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from medtrace.exchange import kinds
from medtrace.exchange.models import ImportBatch
from medtrace.org import access
from medtrace.org.models import Site


def visible_kinds(user) -> list[str]:
    return [kind for kind in kinds.KINDS if kinds.can_export(user, kind)]


def importable_kinds(user) -> list[str]:
    return [kind for kind in kinds.KINDS if kinds.can_import(user, kind)]


def visible_batches(user) -> QuerySet[ImportBatch]:
    if not user.is_authenticated or user.organization_id is None:
        return ImportBatch.objects.none()
    unseen = Site.objects.exclude(pk__in=access.visible_sites(user).values("pk"))
    naming_unseen = ImportBatch.sites.through.objects.filter(site__in=unseen)
    return (
        ImportBatch.objects.filter(
            organization_id=user.organization_id, kind__in=visible_kinds(user)
        )
        .filter(Q(created_by=user) | ~Q(pk__in=naming_unseen.values("importbatch_id")))
        .select_related("created_by", "applied_by")
        .defer("content")
    )


def get_batch_or_404(user, pk: int) -> ImportBatch:
    return get_object_or_404(visible_batches(user), pk=pk)


# Audit-trail links (audit.selectors.register_record_type, see apps.py).


def batch_url(object_id: str, site) -> str | None:
    return reverse("exchange:batch-detail", args=[int(object_id)]) if object_id.isdigit() else None


def batch_for_history(user, object_id: str) -> ImportBatch:
    return get_batch_or_404(user, int(object_id) if object_id.isdigit() else 0)
