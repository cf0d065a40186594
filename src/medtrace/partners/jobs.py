"""The nightly certificate check: an approved supplier whose last ISO 13485 certificate or
production licence has expired becomes conditional (services.lapse_expired_certificates), which
purchasing sees in its tasks and on the supplier list."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic
from medtrace.partners.services import lapse_expired_certificates


@job("partners.check_certificates", max_attempts=3, label=_("Check supplier certificates"))
def check_certificates(ctx: JobContext) -> dict:
    decisions = lapse_expired_certificates()
    for decision in decisions:
        ctx.log(
            f"{decision.supplier.code}: conditional. {decision.reason}", about=decision.supplier
        )
    return {"conditional": len(decisions)}


# Shortly after midnight in China (UTC+8): a certificate valid "until" a day lapses the next.
periodic(
    "partners.check_certificates", every=timedelta(days=1), offset=timedelta(hours=16, minutes=30)
)
