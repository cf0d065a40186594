"""Recall notices: one per consignee with exactly its lots and quantities, sent over real SMTP
(a local server reads what arrived), bounces and failures kept per notice, the signed
acknowledgement link recording openings and the reported quantities (refused when they exceed
what was shipped, nothing written), reminders and escalation, drills writing to the drill
mailbox."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.recall.choices import NoticeEventKind, NoticeStatus
from medtrace.recall.models import Notice, NoticeEvent
from medtrace.recall.services import acknowledgements, delivery, notices, recalls

pytestmark = pytest.mark.django_db


def _by_customer(recall):
    return {n.customer.code: n for n in recall.notices.select_related("customer")}


def test_one_notice_per_consignee_with_exactly_its_lots(approved, two_consignees, qa_a):
    prepared = notices.prepare(approved, by=qa_a)
    assert len(prepared.created) == 2
    found = _by_customer(approved)
    lot = two_consignees["product"].lot_number
    hospital, distributor = found["H-1"], found["D-1"]
    assert [(line.lot.lot_number, line.quantity) for line in hospital.lines.all()] == [
        (lot, Decimal(30))
    ]
    assert [line.quantity for line in distributor.lines.all()] == [Decimal(20)]
    assert (hospital.audience, hospital.language) == ("hospital", "zh-hans")
    assert (distributor.audience, distributor.language) == ("distributor", "en")
    assert "紧急现场安全通知" in hospital.body and "二级召回" in hospital.body
    assert "FOR DISTRIBUTORS" in distributor.body and f"lot {lot} | 20 " in distributor.body
    assert hospital.recipient_email == "shebei@xiehe.example.cn"
    # Each is addressed in its own language, whatever the language of who prepared it.
    assert (hospital.recipient_name, distributor.recipient_name) == ("协和医院", "East Med")
    entry = AuditEntry.objects.filter(object_id=str(approved.pk), object_type="recall.recall")
    assert entry.latest("sequence").changes["notices_prepared"][1] == [
        hospital.number,
        distributor.number,
    ]
    # Preparing again creates nothing new.
    again = notices.prepare(approved, by=qa_a)
    assert again.created == [] and len(again.refreshed) == 2
    assert approved.notices.count() == 2


def test_sent_over_smtp_each_consignee_reads_only_its_own(approved, two_consignees, qa_a,
                                                          smtp_server):  # fmt: skip
    notices.prepare(approved, by=qa_a)
    result = delivery.send_prepared(approved, by=qa_a)
    assert len(result.sent) == 2
    (to_hospital,) = smtp_server.to("shebei@xiehe.example.cn")
    (to_distributor,) = smtp_server.to("qa@eastmed.example.com")
    found = _by_customer(approved)
    assert found["H-1"].number in to_hospital.message["Subject"]
    assert "30 " in to_hospital.body and "20 " not in to_hospital.body
    assert "20 " in to_distributor.body and "| 30 " not in to_distributor.body
    assert notices.ack_path(found["H-1"]) in to_hospital.body
    hospital = Notice.objects.get(pk=found["H-1"].pk)
    assert hospital.status == NoticeStatus.SENT and hospital.send_count == 1
    assert hospital.events.filter(kind=NoticeEventKind.SENT).get().detail["to"] == (
        "shebei@xiehe.example.cn"
    )
    assert AuditEntry.objects.filter(object_type="recall.notice", object_id=str(hospital.pk),
                                     action="transition").exists()  # fmt: skip


def test_a_refused_recipient_bounces_and_the_others_are_sent(approved, two_consignees, qa_a,
                                                             smtp_server):  # fmt: skip
    two_consignees["distributor"].email = "nobody@eastmed.example.com"
    two_consignees["distributor"].save()
    notices.prepare(approved, by=qa_a)
    result = delivery.send_prepared(approved, by=qa_a)
    assert [n.customer.code for n in result.sent] == ["H-1"]
    assert [n.customer.code for n in result.bounced] == ["D-1"]
    bounced = Notice.objects.get(customer__code="D-1")
    assert bounced.status == NoticeStatus.BOUNCED and bounced.sent_at is None
    assert "550" in bounced.events.get(kind=NoticeEventKind.BOUNCED).detail["error"]
    delivery.correct_address(bounced, by=qa_a, email="qa2@eastmed.example.com", reason="New QA")
    assert delivery.send([Notice.objects.get(pk=bounced.pk)], by=qa_a).sent
    assert len(smtp_server.to("qa2@eastmed.example.com")) == 1


def test_an_unreachable_server_marks_the_notices_failed(approved, qa_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    notices.prepare(approved, by=qa_a)
    result = delivery.send_prepared(approved, by=qa_a)
    assert len(result.failed) == 2 and not result.sent
    assert set(approved.notices.values_list("status", flat=True)) == {NoticeStatus.FAILED}
    event = NoticeEvent.objects.filter(kind=NoticeEventKind.FAILED).first()
    assert "could not be reached" in event.detail["error"]


def test_notices_wait_for_the_approval(two_consignees, open_from, qa_a):
    recall = open_from([two_consignees["product"]])
    notices.prepare(recall, by=qa_a)
    with pytest.raises(DomainError) as refused:
        delivery.send_prepared(recall, by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert not NoticeEvent.objects.filter(kind=NoticeEventKind.SENT).exists()


def test_only_recall_editors_send(approved, qa_a, operator_a):
    notices.prepare(approved, by=qa_a)
    with pytest.raises(DomainError) as refused:
        delivery.send_prepared(approved, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def _lines(notice, **values):
    return {line.pk: values for line in notice.lines.all()}


def test_acknowledgement_records_the_reported_quantities(approved, two_consignees, qa_a):
    notices.prepare(approved, by=qa_a)
    delivery.send_prepared(approved, by=qa_a)
    notice = Notice.objects.get(customer__code="H-1")
    token = acknowledgements.token_for(notice)
    assert acknowledgements.notice_for_token(token) == notice
    acknowledgements.opened(notice, client="10.0.0.9")
    acknowledgements.acknowledge(
        notice, name="王护士长", quantities=_lines(notice, on_hand="12", used="8", to_return="10"),
    )  # fmt: skip
    notice.refresh_from_db()
    line = notice.lines.get()
    assert (line.on_hand, line.used, line.to_return) == (12, 8, 10)
    assert notice.status == NoticeStatus.ACKNOWLEDGED and notice.acknowledged_by == "王护士长"
    assert notice.opened_at is not None
    entry = AuditEntry.objects.filter(object_type="recall.notice", object_id=str(notice.pk))
    last = entry.latest("sequence")
    assert last.actor_id is None and last.actor_name == "王护士长"
    assert last.changes["reported"][1] == {str(line.pk): {"on_hand": "12", "used": "8",
                                                          "to_return": "10"}}  # fmt: skip


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"on_hand": "20", "used": "8", "to_return": "10"}, "38 reported, but 30"),
        ({"on_hand": "-1", "used": "0", "to_return": "0"}, "zero or more"),
        ({"on_hand": "x", "used": "0", "to_return": "0"}, "zero or more"),
        ({"on_hand": "10", "used": "0", "to_return": "0"}, "say in the remarks where the rest"),
    ],
)
def test_impossible_figures_are_refused_and_nothing_is_written(approved, qa_a, values, fragment):
    notices.prepare(approved, by=qa_a)
    delivery.send_prepared(approved, by=qa_a)
    notice = Notice.objects.get(customer__code="H-1")
    with pytest.raises(DomainError) as refused:
        acknowledgements.acknowledge(notice, name="王", quantities=_lines(notice, **values))
    assert fragment in str(refused.value.message)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.lines.get().on_hand is None
    assert not notice.events.filter(kind=NoticeEventKind.ACKNOWLEDGED).exists()


def test_less_than_shipped_is_accepted_with_remarks(approved, qa_a):
    notices.prepare(approved, by=qa_a)
    notice = Notice.objects.get(customer__code="H-1")
    acknowledgements.acknowledge(
        notice, name="王", note="10 transferred to 分院", quantities=_lines(notice, on_hand="20"),
    )  # fmt: skip
    assert Notice.objects.get(pk=notice.pk).acknowledgement_note == "10 transferred to 分院"


def test_altered_links_are_refused(approved, qa_a):
    notices.prepare(approved, by=qa_a)
    notice = Notice.objects.get(customer__code="H-1")
    token = acknowledgements.token_for(notice)
    other = Notice.objects.get(customer__code="D-1")
    forged = token.replace(f".{notice.sequence}.", f".{other.sequence}.", 1)
    for bad in (forged, token[:-2] + "xx", "1.abc~def", ""):
        with pytest.raises(DomainError) as refused:
            acknowledgements.notice_for_token(bad)
        assert refused.value.code == ErrorCode.NOT_FOUND


def test_the_public_page_records_openings_and_the_acknowledgement(approved, qa_a, client):
    notices.prepare(approved, by=qa_a)
    notice = Notice.objects.get(customer__code="D-1")
    path = notices.ack_path(notice)
    page = client.get(path)
    assert page.status_code == 200 and b"Acknowledge the recall notice" in page.content
    client.get(path)
    assert notice.events.filter(kind=NoticeEventKind.OPENED).count() == 2
    openings = AuditEntry.objects.filter(object_type="recall.notice", object_id=str(notice.pk),
                                         changes__has_key="opened")  # fmt: skip
    assert openings.count() == 2 and {e.actor_id for e in openings} == {None}
    line = notice.lines.get()
    refused = client.post(path, {"name": "Li", f"line-{line.pk}-on_hand": "25"})
    assert refused.status_code == 200 and b"25 reported, but 20" in refused.content
    done = client.post(path, {"name": "Li Ming, QA", f"line-{line.pk}-on_hand": "5",
                              f"line-{line.pk}-used": "15"}, follow=True)  # fmt: skip
    assert b"your acknowledgement was recorded" in done.content
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACKNOWLEDGED and notice.lines.get().used == 15
    assert client.get(path[:-3] + "zz/").status_code == 404
    # In the notice's language (English for this distributor) unless the reader chose another.
    client.cookies["django_language"] = "zh-hans"
    assert "召回通知回执" in client.get(path).content.decode()


def test_reminders_then_escalation(approved, qa_a, smtp_server):
    notices.prepare(approved, by=qa_a)
    delivery.send_prepared(approved, by=qa_a)
    later = timezone.now() + timedelta(days=notices.answer_days(approved))
    assert len(delivery.due_for_reminder(later)) == 2
    notice = Notice.objects.get(customer__code="H-1")
    for _ in range(delivery.REMINDERS_BEFORE_ESCALATION):
        assert delivery.remind_or_escalate(notice, by=None) == NoticeEventKind.REMINDED
        notice.refresh_from_db()
    assert delivery.remind_or_escalate(notice, by=None) == NoticeEventKind.ESCALATED
    notice.refresh_from_db()
    assert notice.escalated_at is not None and notice.send_count == 3
    assert len(smtp_server.to("shebei@xiehe.example.cn")) == 3
    assert notice not in delivery.due_for_reminder(later + timedelta(days=30))


def test_a_drill_writes_to_the_drill_mailbox(two_consignees, open_from, qa_a, smtp_server,
                                            settings):  # fmt: skip
    settings.DRILL_MAILBOX = "drill@plant.example.cn"
    drill = open_from([two_consignees["product"]], drill=True, nmpa_class="")
    recalls.approve(drill, by=qa_a, password=PASSWORD)
    notices.prepare(drill, by=qa_a)
    delivery.send_prepared(drill, by=qa_a)
    assert len(smtp_server.to("drill@plant.example.cn")) == 2
    assert not smtp_server.to("shebei@xiehe.example.cn")
    notice = drill.notices.get(customer__code="H-1")
    assert notice.consignee_email == "shebei@xiehe.example.cn"
    assert notice.subject.startswith("召回演练") and "演练" in notice.body  # in the customer's zh


def test_a_regulator_notice_lists_the_whole_scope(approved, qa_a):
    notice = notices.add_notice(
        approved, audience="regulator", recipient_name="北京市药品监督管理局",
        recipient_email="ylqx@yjj.example.gov.cn", language="zh-hans", by=qa_a,
    )  # fmt: skip
    assert notice.lines.get().quantity == 50 and "涉及收货单位数：2" in notice.body
    with pytest.raises(DomainError):
        notices.add_notice(approved, audience="hospital", recipient_name="x", recipient_email="",
                           language="en", by=qa_a)  # fmt: skip


def test_notice_pages(approved, qa_a, client):
    notices.prepare(approved, by=qa_a)
    client.force_login(qa_a)
    page = client.get(reverse("recall:recall-detail", args=[approved.pk]))
    assert page.status_code == 200
    notice = Notice.objects.get(customer__code="H-1")
    assert notice.number.encode() in page.content
    detail = client.get(reverse("recall:notice-detail", args=[approved.pk, notice.pk]))
    assert detail.status_code == 200 and "协和医院".encode() in detail.content
    letter = client.get(reverse("recall:notice-letter", args=[approved.pk, notice.pk]))
    assert letter["Content-Type"] == "application/pdf"
    assert notice.events.filter(kind=NoticeEventKind.PRINTED).exists()


def test_the_list_and_the_regions_show_the_answers(approved, qa_a, client, smtp_server):
    notices.prepare(approved, by=qa_a)
    delivery.send_prepared(approved, by=qa_a)
    notice = Notice.objects.get(customer__code="H-1")
    acknowledgements.acknowledge(notice, name="王", quantities=_lines(notice, used="30"))
    client.force_login(qa_a)
    listed = client.get(reverse("recall:recall-list")).content.decode()
    assert 'data-notice-progress="1/2/2"' in listed
    page = client.get(reverse("recall:recall-detail", args=[approved.pk])).content.decode()
    beijing = page[page.index('data-region="北京"') :].split("</tr>")[0]
    assert "1/1" in beijing and "1 acknowledged" in beijing
    shanghai = page[page.index('data-region="上海"') :].split("</tr>")[0]
    assert "0/1" in shanghai and "1 awaiting an answer" in shanghai


def test_the_notice_page_actions(approved, qa_a, operator_a, client, smtp_server):
    two = approved.notices
    send_url = reverse("recall:notices-send", args=[approved.pk])
    client.force_login(qa_a)
    client.post(reverse("recall:notices-prepare", args=[approved.pk]))
    assert two.count() == 2
    assert client.post(send_url).status_code == 302
    notice = two.get(customer__code="D-1")
    url = reverse("recall:notice-detail", args=[approved.pk, notice.pk])

    def act(action, **data):
        return client.post(
            reverse("recall:notice-action", args=[approved.pk, notice.pk, action]), data
        )

    refused = act("address", email="not-an-address", reason="new QA")
    assert refused.status_code == 200 and "valid email" in refused.content.decode()
    assert act("bounce", detail="550 mailbox unavailable").status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.BOUNCED
    assert act("address", email="qa3@eastmed.example.com", reason="New QA").status_code == 302
    resend = client.post(reverse("recall:notice-resend", args=[approved.pk, notice.pk]))
    assert resend.status_code == 302 and len(smtp_server.to("qa3@eastmed.example.com")) == 1
    assert act("posted", reference="SF 1402").status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.send_count == 3
    kinds = list(notice.events.values_list("kind", flat=True))
    assert kinds == ["prepared", "sent", "bounced", "reminded", "sent"]
    assert "SF 1402" in client.get(url).content.decode()
    added = client.post(
        reverse("recall:notice-add", args=[approved.pk]),
        {"audience": "regulator", "recipient_name": "上海市药监局", "recipient_email": "",
         "language": "zh-hans"},
    )  # fmt: skip
    assert added.status_code == 302 and two.count() == 3
    client.force_login(operator_a)
    assert act("bounce", detail="x").status_code == 403
    assert client.post(send_url).status_code == 403
