"""Recall notices: prepared from the current scope, one per consignee with exactly its lots,
serials and quantities, in its language and for its audience (distributor, hospital; notices to
a regulator or for end users are added by hand), frozen as prepared. Sending, bounces, letters,
reminders and escalation are in services/delivery.py; the consignee's side (the signed
acknowledgement link) in services/acknowledgements.py."""

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.partners.choices import CustomerKind
from medtrace.recall.choices import (
    Audience,
    NoticeEventKind,
    NoticeStatus,
    Place,
    RecallClass,
    RecallStatus,
)
from medtrace.recall.models import Notice, NoticeEvent, NoticeLine, Recall, ScopeEntry
from medtrace.trace.models import Lot, Party

from .acknowledgements import token_for
from .deadlines import NMPA_NOTICE_DAYS

# Days a consignee has to answer before a reminder, by the recall's (strictest) class.
ANSWER_DAYS = {RecallClass.I: 1, RecallClass.II: 3, RecallClass.III: 7}
DEFAULT_ANSWER_DAYS = 7
OPEN_STATUSES = (RecallStatus.DRAFT, RecallStatus.APPROVED)


def refuse(code, message, field_name: str | None = None):
    details = {"fields": {field_name: [str(message)]}} if field_name else {}
    raise DomainError(code, message, **details)


def require_change(recall: Recall, by) -> None:
    if not access.permits(by, "recall.change_recall", recall):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow sending the notices of %(recall)s.")
            % {"recall": recall.number},
        )


def _require_open(recall: Recall) -> None:
    if recall.status not in OPEN_STATUSES:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s; no notices are prepared for it.")
            % {"recall": recall.number, "status": recall.get_status_display()},
        )


def answer_days(recall: Recall) -> int:
    classes = [c for c in (recall.nmpa_class, recall.fda_class) if c]
    return min((ANSWER_DAYS[c] for c in classes), default=DEFAULT_ANSWER_DAYS)


def _audience(customer) -> str:
    if customer is not None and customer.kind == CustomerKind.DISTRIBUTOR:
        return Audience.DISTRIBUTOR
    return Audience.HOSPITAL


def ack_path(notice: Notice) -> str:
    return reverse("recall:acknowledge", args=[token_for(notice)])


# A line of a notice's text per language; formatted here, not in the template, because a
# notice may list thousands of serials.
LINE_FORMATS = {
    "en": "  - {code} {name} | lot {lot} | {serial}{quantity} {uom}",
    "zh-hans": "  - {code} {name} | 批号 {lot} | {serial}{quantity} {uom}",
}
SERIAL_FORMATS = {"en": "serial {} | ", "zh-hans": "序列号 {} | "}


def lines_text(lines, items: dict, lots: dict, language: str) -> str:
    """The text of `lines` (NoticeLines by item_id and lot_id, with `items` and `lots`
    {id: Item} / {id: lot number}) as the notice lists them."""
    line_format, serial_format = LINE_FORMATS[language], SERIAL_FORMATS[language]
    with translation.override(language):
        names = {pk: item.display_name for pk, item in items.items()}
    return "".join(
        line_format.format(
            code=items[line.item_id].code,
            name=names[line.item_id],
            lot=lots.get(line.lot_id) or "-",
            serial=serial_format.format(line.serial) if line.serial else "",
            quantity=plain(line.quantity),
            uom=line.uom,
        )
        + "\n"
        for line in lines
    )


def _render(notice: Notice, text: str) -> tuple[str, str]:
    recall = notice.recall
    context = {
        "recall": recall,
        "notice": notice,
        "lines_text": text,
        "organization": recall.organization,
        "site": recall.site,
        "contact": recall.opened_by,
        "ack_url": settings.BASE_URL + ack_path(notice),
        "answer_days": answer_days(recall),
        "nmpa_days": NMPA_NOTICE_DAYS.get(recall.nmpa_class),
    }
    with translation.override(notice.language):
        body = render_to_string(f"recall/notices/{notice.audience}.{notice.language}.txt", context)
        subject = str(
            (_("DRILL — %(subject)s") if recall.drill else _("%(subject)s"))
            % {
                "subject": _("Urgent field safety notice %(number)s: %(title)s")
                % {"number": notice.number, "title": recall.title}
            }
        )
    return subject, body.strip() + "\n"


@dataclass
class Prepared:
    created: list[Notice] = field(default_factory=list)
    refreshed: list[Notice] = field(default_factory=list)


def _lot_numbers(ids: set[int]) -> dict[int, str]:
    ids = sorted(pk for pk in ids if pk)
    found = {}
    for start in range(0, len(ids), 5000):
        found |= dict(
            Lot.objects.filter(pk__in=ids[start : start + 5000]).values_list("pk", "lot_number")
        )
    return found


def _next_sequence(recall: Recall) -> int:
    return (recall.notices.aggregate(last=Max("sequence"))["last"] or 0) + 1


def _name_in(customer, language: str) -> str:
    """The customer's name as a letter in `language` addresses it."""
    with translation.override(language):
        return customer.display_name


def _addresses(recall: Recall, customer) -> tuple[str, str]:
    """(where the notice is sent, the consignee's own address)."""
    own = customer.email if customer is not None else ""
    if recall.drill and not recall.drill_external_mail:
        return settings.DRILL_MAILBOX, own
    return own, own


# The lines of the notices prepared from a scope, straight from its consignee entries (written
# in the order a notice lists them), by the database: a recall of the whole plant has a hundred
# thousand.
WRITE_LINES = """
    INSERT INTO {line} (notice_id, object_id, item_id, lot_id, serial, shipment_id, quantity, uom)
    SELECT n.id, e.object_id, e.item_id, e.lot_id, e.serial, e.shipment_id,
        COALESCE(e.quantity, 0), e.uom
    FROM {entry} e JOIN {notice} n ON n.party_id = e.party_id
    WHERE e.scope_id = %s AND e.place = %s
        AND n.recall_id = %s AND n.scope_id = %s AND n.status = %s
    ORDER BY e.id
"""
TABLES = {
    "line": NoticeLine._meta.db_table,
    "entry": ScopeEntry._meta.db_table,
    "notice": Notice._meta.db_table,
}


@dataclass(frozen=True)
class Line:
    """What a notice's text says of one of its lines."""

    item_id: int
    lot_id: int | None
    serial: str
    quantity: Decimal
    uom: str


def _write_lines(recall: Recall, scope) -> None:
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # The entries were just written: PostgreSQL's statistics do not know them yet, and
            # a nested loop planned for one entry runs a hundred thousand times.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(
            WRITE_LINES.format(**TABLES),
            [scope.pk, Place.CONSIGNEE, recall.pk, scope.pk, NoticeStatus.PREPARED],
        )
        if postgres:
            cursor.execute("RESET enable_nestloop")


@transaction.atomic
def prepare(recall: Recall, *, by) -> Prepared:
    """A notice for each consignee of the current scope that has none, filled with exactly its
    lots, serials and quantities; notices not yet sent are refreshed to the current scope (a sent
    notice is never rewritten)."""
    recall = (
        Recall.objects.select_for_update(of=("self",))
        .select_related("site", "organization")
        .get(pk=recall.pk)
    )
    require_change(recall, by)
    _require_open(recall)
    scope = recall.current_scope()
    entries = (
        ScopeEntry.objects.filter(scope=scope, place=Place.CONSIGNEE)
        .order_by("party_id", "pk")
        .values_list("party_id", "item_id", "lot_id", "serial", "quantity", "uom")
    )
    by_party: dict[int, list[Line]] = {}
    for party_id, item, lot, serial, quantity, uom in entries:
        by_party.setdefault(party_id, []).append(
            Line(item, lot, serial, quantity or Decimal(0), uom)
        )
    parties = Party.objects.select_related("customer").in_bulk(list(by_party))
    items = Item.objects.in_bulk({line.item_id for lines in by_party.values() for line in lines})
    lots = _lot_numbers({line.lot_id for lines in by_party.values() for line in lines})
    existing = {n.party_id: n for n in recall.notices.filter(party__isnull=False)}
    now = timezone.now()
    result = Prepared()
    sequence = _next_sequence(recall)
    for party_id, lines in by_party.items():
        notice = existing.get(party_id)
        if notice is not None and notice.status != NoticeStatus.PREPARED:
            continue
        party = parties[party_id]
        customer = party.customer
        if notice is None:
            to, own = _addresses(recall, customer)
            language = customer.language if customer is not None else "zh-hans"
            notice = Notice(
                recall=recall,
                sequence=sequence,
                party=party,
                customer=customer,
                audience=_audience(customer),
                language=language,
                recipient_name=_name_in(customer, language) if customer else str(party),
                recipient_email=to,
                consignee_email=own,
                region=customer.region if customer is not None else "",
                key=secrets.token_urlsafe(24),
                prepared_at=now,
            )
            sequence += 1
            result.created.append(notice)
        else:
            result.refreshed.append(notice)
        notice.scope = scope
        notice.subject, notice.body = _render(
            notice, lines_text(lines, items, lots, notice.language)
        )
    Notice.objects.bulk_create(result.created, batch_size=500)
    if result.refreshed:
        NoticeLine.objects.filter(notice__in=result.refreshed).delete()
        Notice.objects.bulk_update(result.refreshed, ["scope", "subject", "body"])
    _write_lines(recall, scope)
    NoticeEvent.objects.bulk_create(
        [
            NoticeEvent(
                notice=notice,
                kind=NoticeEventKind.PREPARED,
                at=now,
                by=by,
                detail={"scope": scope.version},
            )
            for notice in result.created + result.refreshed
        ],
        batch_size=1000,
    )
    if result.created or result.refreshed:
        audit.record(
            AuditAction.CHANGE,
            recall,
            by=by,
            changes={
                "notices_prepared": [None, [n.number for n in result.created]],
                "notices_refreshed": [None, [n.number for n in result.refreshed]],
                "scope": [None, scope.version],
            },
        )
    return result


@transaction.atomic
def add_notice(
    recall: Recall, *, audience: str, recipient_name: str, recipient_email: str, language: str, by
) -> Notice:
    """A notice to a regulator, or for end users, listing the whole scope shipped."""
    recall = Recall.objects.select_for_update().get(pk=recall.pk)
    require_change(recall, by)
    _require_open(recall)
    if audience not in (Audience.REGULATOR, Audience.END_USER):
        refuse(
            ErrorCode.VALIDATION,
            _("Consignees' notices are prepared from the scope; add regulators or end users."),
            "audience",
        )
    if not recipient_name.strip():
        refuse(ErrorCode.VALIDATION, _("Name the recipient."), "recipient_name")
    recipient_email = check_email(recipient_email)
    if language not in dict(settings.LANGUAGES):
        refuse(ErrorCode.VALIDATION, _("Choose the notice's language."), "language")
    scope = recall.current_scope()
    totals: dict[int, NoticeLine] = {}
    for entry in scope.entries.filter(place=Place.CONSIGNEE).select_related("item", "lot"):
        line = totals.get(entry.object_id)
        if line is None:
            totals[entry.object_id] = NoticeLine(
                object_id=entry.object_id,
                item=entry.item,
                lot=entry.lot,
                serial=entry.serial,
                quantity=entry.quantity or Decimal(0),
                uom=entry.uom,
            )
        else:
            line.quantity += entry.quantity or Decimal(0)
    drill_box = recall.drill and not recall.drill_external_mail
    notice = Notice(
        recall=recall,
        scope=scope,
        sequence=_next_sequence(recall),
        audience=audience,
        language=language,
        recipient_name=recipient_name.strip(),
        recipient_email=settings.DRILL_MAILBOX if drill_box else recipient_email,
        consignee_email=recipient_email,
        key=secrets.token_urlsafe(24),
        prepared_at=timezone.now(),
    )
    lines = sorted(totals.values(), key=lambda line: (line.item.code, str(line.lot), line.serial))
    items = {line.item_id: line.item for line in lines}
    lots = {line.lot_id: line.lot.lot_number for line in lines if line.lot_id}
    notice.subject, notice.body = _render(notice, lines_text(lines, items, lots, language))
    notice.save()
    for line in lines:
        line.notice = notice
    NoticeLine.objects.bulk_create(lines)
    record_event(notice, NoticeEventKind.PREPARED, by=by, scope=scope.version)
    audit.record(AuditAction.CREATE, notice, by=by, changes=audit.created(notice))
    return notice


def check_email(address: str) -> str:
    address = address.strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            refuse(
                ErrorCode.VALIDATION,
                _("%(address)s is not an e-mail address.") % {"address": address},
                "recipient_email",
            )
    return address


def record_event(notice: Notice, kind: str, *, by=None, **detail) -> NoticeEvent:
    return NoticeEvent.objects.create(
        notice=notice, kind=kind, at=timezone.now(), by=by, detail=detail
    )
