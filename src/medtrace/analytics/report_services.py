"""Report subscriptions and their delivery: a user subscribes to a management report (reports.py)
for themselves, at one of their sites or all of them, and stops it; the daily job e-mails each
active subscription the last whole period's report once, as the subscriber sees it, in their
language. A delivery that fails (no e-mail address, the report no longer theirs to read, the
mail server) is recorded with its reason and tried again the next day."""

import smtplib

from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access

from . import reports
from .choices import DeliveryStatus, ReportFormat, ReportKind
from .models import ReportDelivery, ReportSubscription


def _refuse(code: str, message: str, field: str | None = None):
    raise DomainError(code, message, fields={field: [message]} if field else None)


@transaction.atomic
def subscribe(*, by, report: str, file_format: str, site=None) -> ReportSubscription:
    """`by` subscribes to `report`: they must be allowed to read it, at `site` if one is named."""
    if report not in ReportKind.values:
        _refuse(
            ErrorCode.VALIDATION, _("There is no report %(report)s.") % {"report": report}, "report"
        )
    if file_format not in ReportFormat.values:
        _refuse(
            ErrorCode.VALIDATION,
            _("Reports come as PDF or Excel (pdf, xlsx), not %(format)s.")
            % {"format": file_format},
            "file_format",
        )
    if not reports.is_readable(by, report):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow reading the %(report)s.")
            % {"report": ReportKind(report).label},
        )
    if site is not None and site.pk not in access.site_ids_with_perm(by, reports.PERMS[report]):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow reading the %(report)s at %(site)s.")
            % {"report": ReportKind(report).label, "site": site.code},
            "site",
        )
    if not by.email:
        _refuse(
            ErrorCode.VALIDATION,
            _("Your account has no e-mail address to send reports to; add one in your profile."),
        )
    subscription = ReportSubscription.objects.create(
        organization_id=by.organization_id, user=by, report=report, file_format=file_format,
        site=site,
    )  # fmt: skip
    audit.record(AuditAction.CREATE, subscription, by=by, changes=audit.created(subscription))
    return subscription


@transaction.atomic
def stop(subscription: ReportSubscription, *, by) -> ReportSubscription:
    subscription = ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.user_id != by.pk:
        _refuse(ErrorCode.PERMISSION_DENIED, _("Only the subscriber stops a subscription."))
    if not subscription.active:
        _refuse(ErrorCode.INVALID_STATE, _("This subscription is stopped already."))
    subscription.active, subscription.stopped_at = False, timezone.now()
    subscription.save(update_fields=["active", "stopped_at"])
    audit.record(
        AuditAction.CHANGE, subscription, by=by,
        changes={"active": [True, False], "stopped_at": [None, subscription.stopped_at]},
    )  # fmt: skip
    return subscription


def deliver_due(today) -> list[ReportDelivery]:
    """E-mail every active subscription its last whole period's report, unless sent already."""
    done = []
    for subscription in ReportSubscription.objects.filter(active=True).select_related(
        "user__organization", "site"
    ):
        since, until = reports.last_period(subscription.report, today)
        sent = subscription.deliveries.filter(period_since=since, status=DeliveryStatus.SENT)
        if not sent.exists():
            done.append(deliver(subscription, since=since, until=until))
    return done


def deliver(subscription: ReportSubscription, *, since, until) -> ReportDelivery:
    user = subscription.user
    outcome = {"status": DeliveryStatus.SENT, "sent_to": user.email, "error": "", "attachment": ""}
    with translation.override(user.language or None):
        problem = _undeliverable(subscription)
        if problem:
            outcome.update(status=DeliveryStatus.FAILED, error=problem)
        else:
            report = reports.build(
                subscription.report, user, site=subscription.site, since=since, until=until
            )
            outcome["attachment"] = report.filename(subscription.file_format)
            try:
                _message(subscription, report).send()
            except (smtplib.SMTPException, OSError) as error:
                outcome.update(status=DeliveryStatus.FAILED, error=str(error) or repr(error))
    return _record(subscription, since, until, outcome)


def _undeliverable(subscription: ReportSubscription) -> str:
    user = subscription.user
    if not user.is_active:
        return _("The subscriber's account is deactivated.")
    if not user.email:
        return _("The subscriber has no e-mail address.")
    if not reports.is_readable(user, subscription.report):
        return _("The subscriber's roles no longer allow reading this report.")
    return ""


def _message(subscription: ReportSubscription, report: reports.Report) -> mail.EmailMessage:
    period = f"{report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}"
    where = report.site.code if report.site else _("all your sites")
    lines = [
        _("Attached: %(report)s for %(period)s (%(where)s).")
        % {"report": report.title, "period": period, "where": where},
        "",
    ]
    for section in report.sections:
        lines.append(f"{section.title}: {len(section.rows)}")
    lines += ["", _("To stop receiving it: Dashboards → Reports.")]
    message = mail.EmailMessage(
        subject=f"medtrace: {report.title} {period}",
        body="\n".join(lines),
        to=[subscription.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach(
        report.filename(subscription.file_format),
        reports.render(report, subscription.file_format),
        reports.CONTENT_TYPES[subscription.file_format],
    )
    return message


def _record(subscription, since, until, outcome: dict) -> ReportDelivery:
    """The period's delivery: a failed one is replaced by the next attempt's outcome."""
    fields = {"period_until": until, "attempted_at": timezone.now(), **outcome}
    try:
        with transaction.atomic():
            delivery, _created = ReportDelivery.objects.update_or_create(
                subscription=subscription, period_since=since, defaults=fields
            )
    except IntegrityError:  # another worker recorded the period first
        delivery = ReportDelivery.objects.get(subscription=subscription, period_since=since)
    return delivery
