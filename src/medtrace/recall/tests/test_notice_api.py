"""/api/v1/recalls/{id}/notices: prepare from the scope, send over SMTP, read a notice with its
lines and events, bounce/address/posted, and the refusals (state, permission, site)."""

import pytest

from medtrace.recall.choices import NoticeStatus
from medtrace.recall.models import Notice

pytestmark = pytest.mark.django_db


def _url(recall, path=""):
    return f"/api/v1/recalls/{recall.pk}/notices{path}"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_prepare_send_and_read(client, qa_a, approved, smtp_server):
    client.force_login(qa_a)
    prepared = post(client, _url(approved, "/prepare"))
    assert prepared.status_code == 201, prepared.json()
    assert len(prepared.json()["created"]) == 2
    sent = post(client, _url(approved, "/send"))
    assert sent.status_code == 200 and len(sent.json()["sent"]) == 2
    assert len(smtp_server.handler_messages) == 2
    listed = client.get(_url(approved)).json()
    assert {row["status"] for row in listed} == {"sent"}
    hospital = Notice.objects.get(customer__code="H-1")
    body = client.get(_url(approved, f"/{hospital.pk}")).json()
    assert float(body["lines"][0]["quantity"]) == 30
    assert body["lines"][0]["on_hand"] is None
    assert [event["kind"] for event in body["events"]] == ["prepared", "sent"]
    posted = post(client, _url(approved, f"/{hospital.pk}/posted"), {"reference": "SF123"})
    assert posted.status_code == 200 and posted.json()["send_count"] == 2


def test_refusals(client, qa_a, qa_b, operator_a, approved, two_consignees, open_from):
    client.force_login(qa_a)
    post(client, _url(approved, "/prepare"))
    notice = Notice.objects.get(customer__code="D-1")
    refused = post(client, _url(approved, f"/{notice.pk}/bounce"), {"detail": "550"})
    assert refused.status_code == 409 and Notice.objects.get(pk=notice.pk).status == "prepared"
    draft = open_from([two_consignees["tube"]])
    post(client, _url(draft, "/prepare"))
    assert post(client, _url(draft, "/send")).status_code == 409
    client.force_login(operator_a)
    assert post(client, _url(approved, "/prepare")).status_code == 403
    client.force_login(qa_b)
    assert client.get(_url(approved)).status_code == 404


def test_a_regulator_notice(client, qa_a, approved):
    client.force_login(qa_a)
    response = post(client, _url(approved), {
        "audience": "regulator", "recipient_name": "NMPA 北京", "language": "zh-hans",
        "recipient_email": "not-an-address",
    })  # fmt: skip
    assert response.status_code == 422
    response = post(client, _url(approved), {
        "audience": "regulator", "recipient_name": "NMPA 北京", "language": "zh-hans",
    })  # fmt: skip
    assert response.status_code == 201 and response.json()["status"] == NoticeStatus.PREPARED
    assert response.json()["audience"] == "regulator"


def test_readdress_and_resend(client, qa_a, approved, smtp_server):
    client.force_login(qa_a)
    post(client, _url(approved, "/prepare"))
    notice = Notice.objects.get(customer__code="H-1")
    bad = post(client, _url(approved, f"/{notice.pk}/address"), {"email": "x", "reason": "r"})
    assert bad.status_code == 422
    moved = post(client, _url(approved, f"/{notice.pk}/address"),
                 {"email": "sb@xiehe.example.cn", "reason": "设备科换邮箱"})  # fmt: skip
    assert moved.status_code == 200 and moved.json()["recipient_email"] == "sb@xiehe.example.cn"
    sent = post(client, _url(approved, f"/{notice.pk}/resend"))
    assert sent.status_code == 200 and sent.json()["sent"] == [notice.number]
    assert len(smtp_server.to("sb@xiehe.example.cn")) == 1
    chosen = post(client, _url(approved, "/send"), {"notices": [notice.pk, 999999]})
    assert chosen.status_code == 404
