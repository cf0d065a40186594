"""Management reports over the REST API, under /api/v1/analytics/reports: your subscriptions
(list, subscribe, stop) and the last whole period's report as a file (PDF or Excel), as your
roles and sites see it. The same services as Dashboards → Reports."""

from datetime import date, datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.org import access

from . import report_services, reports
from .choices import ReportFormat, ReportKind
from .models import ReportSubscription

router = Router(tags=["analytics"])


class ReportOut(Schema):
    report: str
    title: str
    since: date
    until: date


class ReportSubscriptionIn(Schema):
    report: ReportKind
    file_format: ReportFormat = ReportFormat.PDF
    site: str | None = Field(None, description="A site code; none: all your sites")


class ReportSubscriptionOut(Schema):
    id: int
    report: str
    file_format: str
    site: str | None
    active: bool
    created_at: datetime
    stopped_at: datetime | None


def _subscription(subscription: ReportSubscription) -> dict:
    return {
        "id": subscription.pk, "report": subscription.report,
        "file_format": subscription.file_format,
        "site": subscription.site.code if subscription.site else None,
        "active": subscription.active, "created_at": subscription.created_at,
        "stopped_at": subscription.stopped_at,
    }  # fmt: skip


@router.get("/reports", response={200: list[ReportOut], **READ_ERRORS})
def list_reports(request):
    """The reports you may read, with their last whole period."""
    today = timezone.localdate()
    return [
        {"report": kind.value, "title": str(kind.label),
         "since": reports.last_period(kind, today)[0], "until": reports.last_period(kind, today)[1]}
        for kind in ReportKind
        if reports.is_readable(request.user, kind)
    ]  # fmt: skip


@router.get("/reports/subscriptions", response={200: list[ReportSubscriptionOut], **READ_ERRORS})
def list_subscriptions(request):
    mine = ReportSubscription.objects.filter(user=request.user).select_related("site")
    return [_subscription(subscription) for subscription in mine]


@router.post("/reports/subscriptions", response={201: ReportSubscriptionOut, **WRITE_ERRORS})
def subscribe(request, payload: ReportSubscriptionIn):
    """Receive the report by e-mail each period (422 without an e-mail address on your account;
    403 for a report or site your roles may not read)."""
    site = None
    if payload.site:
        site = get_object_or_404(
            access.visible_sites(request.user), code=payload.site.upper()
        )  # 404: not a site of yours
    subscription = report_services.subscribe(
        by=request.user, report=payload.report, file_format=payload.file_format, site=site
    )
    return Status(201, _subscription(subscription))


@router.post(
    "/reports/subscriptions/{subscription_id}/stop",
    response={200: ReportSubscriptionOut, **WRITE_ERRORS},
)
def stop(request, subscription_id: int):
    subscription = get_object_or_404(ReportSubscription, pk=subscription_id, user=request.user)
    return _subscription(report_services.stop(subscription, by=request.user))


FILE = {
    "responses": {
        200: {
            "description": "The report as PDF or as an Excel workbook.",
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in reports.CONTENT_TYPES.values()
            },
        }
    }
}


@router.get("/reports/{report}", response=READ_ERRORS, openapi_extra=FILE)
def download(request, report: ReportKind, file_format: ReportFormat = ReportFormat.PDF):
    """The last whole period's report at all your sites, as a file."""
    require_perm(request, reports.PERMS[report])
    since, until = reports.last_period(report, timezone.localdate())
    built = reports.build(report, request.user, since=since, until=until)
    response = HttpResponse(
        reports.render(built, file_format), content_type=reports.CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{built.filename(file_format)}"'
    return response
