"""Dashboard figures that are too slow to compute per request are computed by a job and stored
(exposure.py: the units shipped; risk_store.py: the lot risk signals). Each computation
replaces the organization's rows of its kind whole, in one transaction, and records when, how
long it took and how many rows, which the pages show as "as of"."""

import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from medtrace.analytics.models import Refresh

BATCH = 2000


class Computation:
    """Times a computation from its start: `started` is when its data was read."""

    def __init__(self):
        self.started: datetime = timezone.now()
        self._clock = time.perf_counter()

    def elapsed_ms(self) -> int:
        return round((time.perf_counter() - self._clock) * 1000)


def replace(organization, kind: str, model, rows: list, computation: Computation) -> Refresh:
    """The organization's rows of `model` become `rows`; the refresh of `kind` says so."""
    with transaction.atomic():
        model.objects.filter(organization=organization).delete()
        model.objects.bulk_create(rows, batch_size=BATCH)
        refresh, _created = Refresh.objects.update_or_create(
            organization=organization,
            kind=kind,
            defaults={
                "computed_at": computation.started,
                "elapsed_ms": computation.elapsed_ms(),
                "rows": len(rows),
            },
        )
    return refresh


def last(organization_id: int, kind: str) -> Refresh | None:
    return Refresh.objects.filter(organization_id=organization_id, kind=kind).first()
