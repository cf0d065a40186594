"""How a dated document (a supplier certificate, a customer's licence) stands on a given day."""

import datetime

from django.utils import timezone

from medtrace.partners.choices import EXPIRY_WARNING_DAYS, Expiry


def today() -> datetime.date:
    return timezone.localdate()


def expiry_of(
    valid_until: datetime.date | None,
    on: datetime.date | None = None,
    within_days: int = EXPIRY_WARNING_DAYS,
) -> Expiry | None:
    """EXPIRED after `valid_until`, EXPIRING within `within_days` of it, else VALID; None when
    the document has no end date."""
    if valid_until is None:
        return None
    on = on or today()
    if valid_until < on:
        return Expiry.EXPIRED
    if valid_until <= on + datetime.timedelta(days=within_days):
        return Expiry.EXPIRING
    return Expiry.VALID
