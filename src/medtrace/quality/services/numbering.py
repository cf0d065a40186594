from django.db import transaction
from django.utils import timezone

from medtrace.org.models import Organization
from medtrace.quality.models import RecordCounter


@transaction.atomic
def next_number(organization: Organization, prefix: str) -> str:
    """The next number of a kind of record this year: PREFIX-YYYY-NNNN. The counter row is
    locked until the caller's transaction ends, so a rolled-back record gives its number back
    and numbers stay gap-free."""
    year = timezone.localdate().year
    counter, _created = RecordCounter.objects.select_for_update().get_or_create(
        organization=organization, prefix=prefix, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:04d}"
