"""A recall's notices over the REST API, under /api/v1/recalls/{id}/notices: prepared from the
scope (one per consignee), sent by e-mail (every notice its own outcome), reminded, bounced,
re-addressed, recorded as posted; a notice to a regulator or for end users added by hand. The
consignee's acknowledgement happens on its own signed page, not here; what it reported is read
in each line. Same services and rules as the pages."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm

from . import selectors
from .choices import Audience, NoticeEventKind, NoticeStatus
from .models import Notice
from .services import delivery, notices

router = Router(tags=["recalls"])
CHANGE = selectors.CHANGE


class NoticeLineOut(Schema):
    object: str = Field(..., alias="object.identifier")
    item: str = Field(..., alias="item.code")
    lot: str | None = Field(None, alias="lot.lot_number")
    serial: str
    quantity: Decimal = Field(..., description="Shipped to this consignee")
    uom: str
    on_hand: Decimal | None = Field(None, description="Reported by the consignee")
    used: Decimal | None = Field(None, description="Reported by the consignee")
    to_return: Decimal | None = Field(None, description="Reported by the consignee")


class NoticeOut(Schema):
    id: int
    number: str
    audience: Audience
    language: str
    consignee: str | None = Field(None, alias="party.identifier")
    customer: str | None = Field(None, alias="customer.code")
    recipient_name: str
    recipient_email: str = Field(..., description="Where it is sent (a drill: the drill mailbox)")
    consignee_email: str
    region: str
    status: NoticeStatus
    scope_version: int = Field(..., alias="scope.version")
    prepared_at: datetime
    sent_at: datetime | None
    send_count: int
    last_sent_at: datetime | None
    opened_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str
    escalated_at: datetime | None


class NoticeEventOut(Schema):
    kind: NoticeEventKind
    at: datetime
    by: str | None = Field(None, alias="by.username")
    detail: dict


class NoticeDetailOut(NoticeOut):
    subject: str
    body: str
    acknowledgement_note: str
    lines: list[NoticeLineOut]
    events: list[NoticeEventOut]

    @staticmethod
    def resolve_lines(notice) -> list:
        return selectors.notice_lines(notice)

    @staticmethod
    def resolve_events(notice) -> list:
        return list(notice.events.select_related("by").order_by("at", "pk"))


class PreparedOut(Schema):
    created: list[str]
    refreshed: list[str]


class SendIn(Schema):
    notices: list[int] | None = Field(
        None, description="Notice ids to send; all prepared (and failed) ones when left out"
    )


class SentOut(Schema):
    sent: list[str]
    failed: list[str]
    bounced: list[str]


class AddNoticeIn(Schema):
    audience: Audience = Field(..., description="regulator or end_user")
    recipient_name: str
    recipient_email: str = ""
    language: str = Field("zh-hans", description="zh-hans or en")


class BounceIn(Schema):
    detail: str = Field(..., description="What the delivery status notification says")


class AddressIn(Schema):
    email: str
    reason: str


class PostedIn(Schema):
    reference: str = ""


def _recall(request, pk: int, *, change: bool = False):
    recall = selectors.get_recall_or_404(request.user, pk)
    if change:
        require_perm(request, CHANGE, recall)
    return recall


def _notice(request, pk: int, notice_id: int, *, change: bool = False) -> Notice:
    recall = _recall(request, pk, change=change)
    notice = get_object_or_404(
        recall.notices.select_related("party", "customer", "scope"), pk=notice_id
    )
    notice.recall = recall
    return notice


def _numbers(found) -> list[str]:
    return [notice.number for notice in found]


@router.get("/{int:pk}/notices", response={200: list[NoticeOut], **READ_ERRORS})
def list_notices(request, pk: int):
    recall = _recall(request, pk)
    return list(recall.notices.select_related("party", "customer", "scope").order_by("sequence"))


@router.post("/{int:pk}/notices/prepare", response={201: PreparedOut, **WRITE_ERRORS})
def prepare_notices(request, pk: int):
    """One notice per consignee of the current scope without one; unsent ones are brought up
    to the current scope. 409 when the recall is closed or cancelled."""
    recall = _recall(request, pk, change=True)
    prepared = notices.prepare(recall, by=request.user)
    return Status(
        201, {"created": _numbers(prepared.created), "refreshed": _numbers(prepared.refreshed)}
    )


@router.post("/{int:pk}/notices/send", response={200: SentOut, **WRITE_ERRORS})
def send_notices(request, pk: int, payload: SendIn):
    """E-mail the notices (one SMTP connection). A refused recipient bounces, another failure
    fails that notice; the others go on. 409 before the approval; 422 for a notice without an
    address (print it and record it as posted)."""
    recall = _recall(request, pk, change=True)
    if payload.notices is None:
        result = delivery.send_prepared(recall, by=request.user)
    else:
        chosen = list(
            recall.notices.filter(pk__in=payload.notices).select_related("recall__organization")
        )
        if len(chosen) != len(set(payload.notices)):
            raise Http404
        result = delivery.send(chosen, by=request.user)
    return {
        "sent": _numbers(result.sent),
        "failed": _numbers(result.failed),
        "bounced": _numbers(result.bounced),
    }


@router.post("/{int:pk}/notices", response={201: NoticeDetailOut, **WRITE_ERRORS})
def add_notice(request, pk: int, payload: AddNoticeIn):
    """A notice to a regulator or for end users, listing the whole scope shipped."""
    recall = _recall(request, pk, change=True)
    notice = notices.add_notice(recall, by=request.user, **payload.dict())
    return Status(201, _notice(request, pk, notice.pk))


@router.get("/{int:pk}/notices/{int:notice_id}", response={200: NoticeDetailOut, **READ_ERRORS})
def get_notice(request, pk: int, notice_id: int):
    return _notice(request, pk, notice_id)


@router.post("/{int:pk}/notices/{int:notice_id}/resend", response={200: SentOut, **WRITE_ERRORS})
def resend_notice(request, pk: int, notice_id: int):
    notice = _notice(request, pk, notice_id, change=True)
    result = delivery.send([notice], by=request.user, reminder=notice.send_count > 0)
    return {
        "sent": _numbers(result.sent),
        "failed": _numbers(result.failed),
        "bounced": _numbers(result.bounced),
    }


@router.post(
    "/{int:pk}/notices/{int:notice_id}/bounce", response={200: NoticeDetailOut, **WRITE_ERRORS}
)
def bounce_notice(request, pk: int, notice_id: int, payload: BounceIn):
    """A bounce that came back later. 409 unless the notice was sent."""
    delivery.record_bounce(_notice(request, pk, notice_id, change=True), by=request.user,
                          detail=payload.detail)  # fmt: skip
    return _notice(request, pk, notice_id)


@router.post(
    "/{int:pk}/notices/{int:notice_id}/address", response={200: NoticeDetailOut, **WRITE_ERRORS}
)
def readdress_notice(request, pk: int, notice_id: int, payload: AddressIn):
    delivery.correct_address(_notice(request, pk, notice_id, change=True), by=request.user,
                            email=payload.email, reason=payload.reason)  # fmt: skip
    return _notice(request, pk, notice_id)


@router.post(
    "/{int:pk}/notices/{int:notice_id}/posted", response={200: NoticeDetailOut, **WRITE_ERRORS}
)
def posted_notice(request, pk: int, notice_id: int, payload: PostedIn):
    """The printed letter went by post or courier."""
    delivery.record_posted(_notice(request, pk, notice_id, change=True), by=request.user,
                          reference=payload.reference)  # fmt: skip
    return _notice(request, pk, notice_id)
