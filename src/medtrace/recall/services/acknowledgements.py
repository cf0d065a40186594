"""The consignee's side of a notice: the signed acknowledgement link (no account needed), its
openings, and the acknowledgement with the quantities on hand, already used and to return for
each lot or unit listed. The link is the notice's recall and sequence signed with the server's
key plus a random key kept on the notice, so a link can neither be guessed nor altered."""

from decimal import Decimal, InvalidOperation

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.recall.choices import NoticeEventKind, NoticeStatus, RecallStatus
from medtrace.recall.models import Notice, NoticeEvent, NoticeLine

SALT = "medtrace.recall.acknowledgement"
REPORTED = ("on_hand", "used", "to_return")


def token_for(notice: Notice) -> str:
    """Recall id, notice sequence and key, signed (known before the notice is saved, so its
    text can carry the link)."""
    value = f"{notice.recall_id}.{notice.sequence}.{notice.key}"
    return signing.Signer(salt=SALT).sign(value).replace(":", "~")


def notice_for_token(token: str) -> Notice:
    """The notice a link names; NOT_FOUND for a link altered, forged or of a cancelled recall."""
    try:
        value = signing.Signer(salt=SALT).unsign(token.replace("~", ":"))
        recall, sequence, key = value.split(".", 2)
        notice = Notice.objects.select_related(
            "recall__organization", "recall__site", "recall__opened_by"
        ).get(recall_id=int(recall), sequence=int(sequence))
    except (signing.BadSignature, ValueError, Notice.DoesNotExist):
        notice = None
    if notice is None or not constant_time_compare(key, notice.key):
        raise DomainError(ErrorCode.NOT_FOUND, _("This acknowledgement link is not valid."))
    if notice.recall.status == RecallStatus.CANCELLED:
        raise DomainError(ErrorCode.NOT_FOUND, _("This recall was withdrawn."))
    return notice


def _audit_as_consignee(notice: Notice, action, *, changes=None, reason="", who: str = ""):
    audit.record(
        action,
        notice,
        changes=changes,
        reason=reason,
        actor_name=who or notice.recipient_name,
    )


@transaction.atomic
def opened(notice: Notice, *, client: str = "") -> Notice:
    """Every opening of the link is an event and an audit entry; the first also sets
    opened_at."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    now = timezone.now()
    NoticeEvent.objects.create(
        notice=notice, kind=NoticeEventKind.OPENED, at=now, detail={"client": client[:200]}
    )
    changes = {"opened": [None, now]}
    if notice.opened_at is None:
        notice.opened_at = now
        notice.save(update_fields=["opened_at"])
        changes["opened_at"] = [None, now]
    _audit_as_consignee(notice, AuditAction.CHANGE, changes=changes,
                        reason=str(NoticeEventKind.OPENED.label))  # fmt: skip
    return notice


def _quantity(raw, line, name) -> Decimal:
    label = {"on_hand": _("on hand"), "used": _("already used"), "to_return": _("to return")}
    where = line.serial or (line.lot.lot_number if line.lot else str(line.object_id))
    try:
        value = Decimal(str(raw).strip() or "0")
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(what)s for %(where)s must be a number of zero or more.")
            % {"what": label[name], "where": where},
            fields={f"line-{line.pk}-{name}": [str(_("Zero or more."))]},
        )
    if value != value.quantize(Decimal("0.000001")):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(what)s for %(where)s has more than six decimals.")
            % {"what": label[name], "where": where},
            fields={f"line-{line.pk}-{name}": [str(_("At most six decimals."))]},
        )
    return value


@transaction.atomic
def acknowledge(
    notice: Notice, *, name: str, quantities: dict[int, dict], note: str = "", client: str = ""
) -> Notice:
    """The consignee confirms receipt and reports, for every line, what it has on hand, has used
    and will return. Together they may not exceed what was shipped; when they account for less,
    the remarks must say where the rest is. A later acknowledgement replaces the figures (both
    stay in the events and the audit trail) until the recall is closed."""
    notice = Notice.objects.select_for_update().select_related("recall").get(pk=notice.pk)
    if notice.recall.status != RecallStatus.APPROVED:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s; it takes no more acknowledgements.")
            % {"recall": notice.recall.number, "status": notice.recall.get_status_display()},
        )
    if not name.strip():
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Give your name: the acknowledgement is recorded under it."),
            fields={"name": [str(_("Required."))]},
        )
    lines = list(notice.lines.select_related("lot").order_by("pk"))
    short = []
    reported = {}
    for line in lines:
        given = quantities.get(line.pk)
        if given is None:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("Report the quantities for every line (%(where)s is missing).")
                % {"where": line.serial or (line.lot.lot_number if line.lot else line.object_id)},
            )
        values = {name_: _quantity(given.get(name_, ""), line, name_) for name_ in REPORTED}
        total = sum(values.values())
        where = line.serial or (line.lot.lot_number if line.lot else str(line.object_id))
        if total > line.quantity:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("%(where)s: %(total)s reported, but %(shipped)s %(uom)s were shipped to you.")
                % {
                    "where": where,
                    "total": plain(total),
                    "shipped": plain(line.quantity),
                    "uom": line.uom,
                },
                fields={f"line-{line.pk}-on_hand": [str(_("More than was shipped."))]},
            )
        if total < line.quantity:
            short.append(where)
        reported[line] = values
    if short and not note.strip():
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(where)s: less is reported than was shipped; say in the remarks where the rest is.")
            % {"where": ", ".join(short)},
            fields={"note": [str(_("Required when quantities are missing."))]},
        )
    before = audit.snapshot(notice)
    figures = {}
    for line, values in reported.items():
        for name_, value in values.items():
            setattr(line, name_, value)
        figures[str(line.pk)] = {k: plain(v) for k, v in values.items()}
    NoticeLine.objects.bulk_update(lines, list(REPORTED))
    now = timezone.now()
    notice.status = NoticeStatus.ACKNOWLEDGED
    notice.acknowledged_at = now
    notice.acknowledged_by = name.strip()[:200]
    notice.acknowledgement_note = note.strip()
    notice.save()
    NoticeEvent.objects.create(
        notice=notice,
        kind=NoticeEventKind.ACKNOWLEDGED,
        at=now,
        detail={"name": notice.acknowledged_by, "lines": figures, "client": client[:200]},
    )
    changes = audit.diff(before, notice)
    changes["reported"] = [None, figures]
    _audit_as_consignee(notice, AuditAction.CHANGE, changes=changes, who=notice.acknowledged_by)
    return notice
