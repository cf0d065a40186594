"""SSCC allocation: extension digit + GS1 company prefix + serial reference + GS1 check digit
(GS1 General Specifications 2.2.1). The series row is locked while the caller's transaction
runs, so two packers never get the same SSCC; an SSCC already on a container (printed by an
earlier system, captured from EPCIS) is skipped."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.validation import validated
from medtrace.scan.checks import gs1_check_digit
from medtrace.trace.models import Container

from ..models import SsccSeries
from .common import refuse


def sscc_for(series: SsccSeries, serial_reference: int) -> str:
    body = (
        series.extension_digit
        + series.gs1_company_prefix
        + str(serial_reference).zfill(series.serial_digits)
    )
    return body + gs1_check_digit(body)


@transaction.atomic
def create_series(
    *, organization, gs1_company_prefix: str, extension_digit: str, next_serial_reference=1, by
) -> SsccSeries:
    series = SsccSeries(
        organization=organization,
        gs1_company_prefix=gs1_company_prefix.strip(),
        extension_digit=str(extension_digit).strip(),
        next_serial_reference=next_serial_reference,
    )
    validated(series)
    series.save()
    audit.record(AuditAction.CREATE, series, by=by, changes=audit.created(series))
    return series


def allocate(organization) -> str:
    """The next free SSCC of the organization's series (the first one set up). Call inside
    the transaction that uses it: a rollback gives the number back."""
    series = SsccSeries.objects.select_for_update().filter(organization=organization).first()
    if series is None:
        refuse(
            ErrorCode.INVALID_STATE,
            _("No SSCC series is set up for %(organization)s; add one under Shipping.")
            % {"organization": organization},
        )
    while True:
        reference = series.next_serial_reference
        if len(str(reference)) > series.serial_digits:
            refuse(
                ErrorCode.INVALID_STATE,
                _("SSCC series %(series)s is used up.") % {"series": series},
            )
        code = sscc_for(series, reference)
        series.next_serial_reference = reference + 1
        if not Container.objects.filter(organization=organization, sscc=code).exists():
            break
    series.save(update_fields=["next_serial_reference"])
    return code
