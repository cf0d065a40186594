"""The daily signed checkpoint of every audit chain."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.audit import services
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic


@job("audit.checkpoint", max_attempts=3, label=_("Sign an audit-trail checkpoint"))
def checkpoint(ctx: JobContext) -> dict:
    path, document = services.write_checkpoint()
    ctx.log(f"Checkpoint {path.name}: {len(document['chains'])} chain(s).")
    return {"file": path.name, "chains": document["chains"]}


periodic("audit.checkpoint", every=timedelta(days=1), offset=timedelta(hours=2))
