"""Sending recall notices: by e-mail over one SMTP connection (each notice its own outcome: a
refused recipient bounces, another failure fails, the rest go on), bounces that come back
later, a corrected address, the printed letter and its posting, and the reminders and
escalation of notices nobody answered. Every outcome is a NoticeEvent and an audit entry in
the notice's own transaction."""

import smtplib
from dataclasses import dataclass, field

from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.recall.choices import NoticeEventKind, NoticeStatus, RecallStatus
from medtrace.recall.models import Notice, Recall

from .notices import answer_days, check_email, record_event, refuse, require_change

# Reminders before the notice is escalated to the recall's owner.
REMINDERS_BEFORE_ESCALATION = 2


@dataclass
class Sent:
    sent: list[Notice] = field(default_factory=list)
    failed: list[Notice] = field(default_factory=list)
    bounced: list[Notice] = field(default_factory=list)


SENDABLE = (NoticeStatus.PREPARED, NoticeStatus.FAILED, NoticeStatus.BOUNCED, NoticeStatus.SENT)


def _check_sendable(notice: Notice, by) -> None:
    """`by` None is the scheduler sending reminders."""
    recall = notice.recall
    if by is not None:
        require_change(recall, by)
    if recall.status != RecallStatus.APPROVED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s: notices are sent once the recall is approved.")
            % {"recall": recall.number, "status": recall.get_status_display()},
        )
    if notice.status not in SENDABLE:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(notice)s is %(status)s; it is not sent again.")
            % {"notice": notice.number, "status": notice.get_status_display()},
        )
    if not notice.recipient_email:
        refuse(
            ErrorCode.VALIDATION,
            _("%(notice)s has no e-mail address: print it as a letter and record it as posted.")
            % {"notice": notice.number},
            "recipient_email",
        )


def _message(notice: Notice, connection) -> mail.EmailMessage:
    domain = f"{notice.recall.organization.slug}.medtrace"
    return mail.EmailMessage(
        subject=notice.subject,
        body=notice.body,
        to=[notice.recipient_email],
        connection=connection,
        headers={
            "Message-ID": f"<{notice.number}.{notice.send_count + 1}@{domain}>",
            "X-Medtrace-Notice": notice.number,
            "Auto-Submitted": "auto-generated",
        },
    )


def send(notices: list[Notice], *, by, reminder: bool = False) -> Sent:
    """E-mail each notice over one SMTP connection. A refused recipient marks that notice
    bounced, another failure marks it failed; either way the error is kept and the rest go on.
    Every notice is checked before anything is sent: one that may not be sent refuses all."""
    # As they are now (a caller's notices may carry a recall read before its approval).
    notices = list(
        Notice.objects.filter(pk__in=[notice.pk for notice in notices])
        .select_related("recall__organization", "recall__site")
        .order_by("recall_id", "sequence")
    )
    for notice in notices:
        _check_sendable(notice, by)
    result = Sent()
    connection = mail.get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        reason = str(_("The mail server could not be reached: %(error)s") % {"error": error})
        for notice in notices:
            _record_failure(notice, NoticeStatus.FAILED, by=by, error=reason)
        result.failed.extend(notices)
        return result
    with connection:
        for notice in notices:
            try:
                _message(notice, connection).send()
            except smtplib.SMTPRecipientsRefused as error:
                _record_failure(notice, NoticeStatus.BOUNCED, by=by, error=_smtp_error(error))
                result.bounced.append(notice)
            except (smtplib.SMTPException, OSError) as error:
                _record_failure(notice, NoticeStatus.FAILED, by=by, error=str(error) or repr(error))
                result.failed.append(notice)
            else:
                _record_sent(notice, by=by, reminder=reminder, to=notice.recipient_email)
                result.sent.append(notice)
    return result


def _smtp_error(error: smtplib.SMTPRecipientsRefused) -> str:
    def text(message) -> str:
        return message.decode(errors="replace") if isinstance(message, bytes) else str(message)

    return "; ".join(
        f"{address}: {code} {text(message)}"
        for address, (code, message) in error.recipients.items()
    )


@transaction.atomic
def _record_sent(notice: Notice, *, by, reminder: bool, **detail) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    before = audit.snapshot(notice)
    now = timezone.now()
    if notice.status != NoticeStatus.ACKNOWLEDGED:
        notice.status = NoticeStatus.SENT
    notice.sent_at = notice.sent_at or now
    notice.last_sent_at = now
    notice.send_count += 1
    notice.save()
    kind = NoticeEventKind.REMINDED if reminder else NoticeEventKind.SENT
    record_event(notice, kind, by=by, **detail)
    audit.record(AuditAction.TRANSITION, notice, by=by, changes=audit.diff(before, notice),
                 reason=str(NoticeEventKind(kind).label))  # fmt: skip
    return notice


@transaction.atomic
def _record_failure(notice: Notice, status: str, *, by, error: str) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    before = audit.snapshot(notice)
    if notice.status != NoticeStatus.ACKNOWLEDGED:
        notice.status = status
        notice.save()
    kind = NoticeEventKind.BOUNCED if status == NoticeStatus.BOUNCED else NoticeEventKind.FAILED
    record_event(notice, kind, by=by, to=notice.recipient_email, error=error[:1000])
    audit.record(AuditAction.TRANSITION, notice, by=by, changes=audit.diff(before, notice),
                 reason=error[:500])  # fmt: skip
    return notice


def send_prepared(recall: Recall, *, by) -> Sent:
    """Send every notice of the recall not sent yet that has an address."""
    pending = list(
        recall.notices.filter(status__in=(NoticeStatus.PREPARED, NoticeStatus.FAILED))
        .exclude(recipient_email="")
        .select_related("recall__organization", "recall__site")
    )
    return send(pending, by=by)


def record_bounce(notice: Notice, *, by, detail: str) -> Notice:
    """A bounce that came back later (a delivery status notification in the sender's mailbox)."""
    require_change(notice.recall, by)
    if notice.status not in (NoticeStatus.SENT, NoticeStatus.FAILED):
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(notice)s is %(status)s; only a sent notice can bounce.")
            % {"notice": notice.number, "status": notice.get_status_display()},
        )
    if not detail.strip():
        refuse(ErrorCode.VALIDATION, _("Paste what the bounce message says."), "detail")
    return _record_failure(notice, NoticeStatus.BOUNCED, by=by, error=detail.strip())


@transaction.atomic
def correct_address(notice: Notice, *, by, email: str, reason: str) -> Notice:
    """A new address for a notice that bounced or has none (the next send goes there)."""
    require_change(notice.recall, by)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == NoticeStatus.ACKNOWLEDGED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(notice)s is acknowledged; its address no longer matters.")
            % {"notice": notice.number},
        )
    if not reason.strip():
        refuse(ErrorCode.REASON_REQUIRED, _("Say why the address changes."), "reason")
    email = check_email(email)
    if not email:
        refuse(ErrorCode.VALIDATION, _("Give the new e-mail address."), "recipient_email")
    before = audit.snapshot(notice)
    notice.consignee_email = email
    if not (notice.recall.drill and not notice.recall.drill_external_mail):
        notice.recipient_email = email
    notice.save()
    audit.record(AuditAction.CHANGE, notice, by=by, changes=audit.diff(before, notice),
                 reason=reason.strip())  # fmt: skip
    return notice


@transaction.atomic
def record_printed(notice: Notice, *, by) -> None:
    """The notice was printed as a letter (the PDF was produced for `by`)."""
    record_event(notice, NoticeEventKind.PRINTED, by=by)
    audit.record(AuditAction.EXPORT, notice, by=by, reason=str(_("Printed as a letter")))


def record_posted(notice: Notice, *, by, reference: str = "") -> Notice:
    """The printed letter went by post or courier (the reference is the tracking number)."""
    notice = Notice.objects.select_related("recall__organization").get(pk=notice.pk)
    recall = notice.recall
    require_change(recall, by)
    if recall.status != RecallStatus.APPROVED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s: notices are sent once the recall is approved.")
            % {"recall": recall.number, "status": recall.get_status_display()},
        )
    if notice.status == NoticeStatus.ACKNOWLEDGED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(notice)s is acknowledged already.") % {"notice": notice.number},
        )
    return _record_sent(notice, by=by, reminder=False, post=reference.strip() or True)


def due_for_reminder(now=None) -> list[Notice]:
    """Sent, unanswered notices of approved recalls whose answer period has passed since the
    last send."""
    now = now or timezone.now()
    notices = Notice.objects.filter(
        status=NoticeStatus.SENT,
        recall__status=RecallStatus.APPROVED,
        escalated_at__isnull=True,
    ).select_related("recall__organization", "recall__site", "recall__opened_by")
    return [
        notice
        for notice in notices
        if notice.last_sent_at and (now - notice.last_sent_at).days >= answer_days(notice.recall)
    ]


def remind_or_escalate(notice: Notice, *, by) -> str:
    """Send a reminder; after REMINDERS_BEFORE_ESCALATION unanswered reminders, escalate the
    notice to the recall's owner instead (it shows on the recall and in their tasks)."""
    if notice.send_count > REMINDERS_BEFORE_ESCALATION or not notice.recipient_email:
        with transaction.atomic():
            locked = Notice.objects.select_for_update().get(pk=notice.pk)
            before = audit.snapshot(locked)
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalated_at"])
            record_event(
                locked, NoticeEventKind.ESCALATED, by=by, to=notice.recall.opened_by.username
            )
            audit.record(AuditAction.CHANGE, locked, by=by, changes=audit.diff(before, locked),
                         reason=str(_("No answer after reminders")))  # fmt: skip
        return NoticeEventKind.ESCALATED
    send([notice], by=by, reminder=True)
    return NoticeEventKind.REMINDED
