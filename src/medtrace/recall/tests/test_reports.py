"""Regulator reports: the NMPA event report form, recall plan and summary report (Chinese), the
FDA 806 report and the EU field safety notice and FSCA report (English), read back from the PDF
with the recall's real lots, quantities, consignees, class and rule; the set offered per
classification (the summary only once approved); a drill's mark; the audit entry of every
download; readers of another site refused (404); the API; and a query count that does not grow
with the consignees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.documents.tests.generation_fixtures import pdf_text
from medtrace.epcis.model import TypedId
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.partners.models import Customer
from medtrace.recall import reports
from medtrace.recall.models import Recall, ScopeEntry
from medtrace.recall.reports.data import SERIALS_SHOWN, gather
from medtrace.recall.services import acknowledgements, delivery, notices, recalls
from medtrace.recall.tests.fixtures import HOSPITAL
from medtrace.trace.models import Party
from medtrace.trace.services.objects import create_lot, create_unit, ensure_party

pytestmark = pytest.mark.django_db

API = "/api/v1/recalls"
THIRD = "https://id.gs1.org/417/6901234567816"
KINDS = ["nmpa-event", "nmpa-plan", "nmpa-summary", "fda-806", "eu-fsn", "eu-fsca"]


def url(recall, kind) -> str:
    return f"/recall/{recall.pk}/reports/{kind}.pdf"


def download(client, recall, kind) -> str:
    response = client.get(url(recall, kind))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def flat(text: str) -> str:
    """The PDF's text without line breaks and spaces (table cells wrap anywhere)."""
    return "".join(text.split())


@pytest.fixture
def device(two_consignees):
    product = two_consignees["product"]
    return DeviceIdentifier.objects.create(
        organization_id=product.organization_id, item=product.item, issuing_agency="gs1",
        value="06901234567892", brand="康滴 KangDrip", model_number="IV-150",
        registration_number="国械注准20213140123", risk_class_us="II", risk_class_eu="IIa",
    )  # fmt: skip


@pytest.fixture
def everywhere(two_consignees, device, open_from, qa_a):
    """An approved recall of the product lot classified for NMPA, FDA and the EU, its notices
    sent and the hospital's acknowledged (10 on hand, 5 used, 15 to return)."""
    recall = open_from(
        [two_consignees["product"]], fda_class="II", eu_fsca=True,
        hazard="Air embolism if the line bursts under pressure.",
    )  # fmt: skip
    recall = recalls.approve(recall, by=qa_a, password=PASSWORD)
    notices.prepare(recall, by=qa_a)
    delivery.send_prepared(recall, by=qa_a)
    hospital = recall.notices.get(customer__code="H-1")
    (line,) = hospital.lines.all()
    acknowledgements.acknowledge(
        hospital, name="张护士长",
        quantities={line.pk: {"on_hand": "10", "used": "5", "to_return": "15"}},
    )  # fmt: skip
    return Recall.objects.get(pk=recall.pk)


def exports(recall):
    return AuditEntry.objects.filter(
        object_type="recall.recall", object_id=str(recall.pk), action="export"
    )


def test_the_nmpa_event_form_carries_the_lot_the_class_and_the_quantities(
    client, qa_a, everywhere, two_consignees
):
    client.force_login(qa_a)
    text = download(client, everywhere, "nmpa-event")
    lot = two_consignees["product"].lot_number
    for expected in (
        "医疗器械召回事件报告表", "医疗器械召回管理办法", "第29号", "二级召回", everywhere.number,
        lot, "国械注准20213140123", "IV-150", "06901234567892", "一次性使用输液器",
        "测试医疗器械有限公司", "北京", "上海", "2家", "Supplier tube lot fails burst pressure.",
        "收回（产品退回企业）",
    ):  # fmt: skip
        assert expected in text, expected
    squeezed = flat(text)
    assert "已销售50EA；本企业库存50EA；生产线0EA" in squeezed
    assert "联系电话未记录" in squeezed  # medtrace keeps no telephone numbers
    assert "序列号不适用（按批号追溯）" in squeezed
    assert "DRILL" not in text
    (entry,) = exports(everywhere)
    assert entry.changes["report"] == "nmpa-event" and entry.actor_id == qa_a.pk
    assert entry.changes["scope"] == 1 and entry.changes["bytes"] > 1000


def test_the_nmpa_plan_lists_the_consignees_and_the_notices(client, qa_a, everywhere):
    client.force_login(qa_a)
    text = download(client, everywhere, "nmpa-plan")
    squeezed = flat(text)
    for expected in (
        "医疗器械召回计划", "第十八条", "一、医疗器械生产销售情况及拟召回的数量",
        "二、召回措施的具体内容", "三、召回信息的公布途径与范围", "四、召回的预期效果",
        "五、召回后的处理措施", "协和医院", "华东医疗器械", "shebei@xiehe.example.cn",
    ):  # fmt: skip
        assert expected in text, expected
    assert "通知共2份" in squeezed and "已发送2份" in squeezed and "已确认1份" in squeezed
    # Made 100 (production's outputs), 50 sold, 50 still with us and held at approval.
    assert "100" in text and "已全部置为“已召回”状态" in squeezed
    assert "省、自治区、直辖市药品监督管理部门网站" in squeezed  # class II: Art. 15
    assert "A级：核实全部（100%）收货单位" in squeezed


def test_the_summary_report_waits_for_approval(client, qa_a, two_consignees, open_from):
    draft = open_from([two_consignees["product"]])
    assert [r.kind.slug for r in reports.offered(draft)] == KINDS[:3]
    (summary,) = [r for r in reports.offered(draft) if r.kind.slug == "nmpa-summary"]
    assert not summary.available
    client.force_login(qa_a)
    page = client.get(f"/recall/{draft.pk}/").content.decode()
    assert 'data-download="nmpa-event"' in page and 'data-download="nmpa-summary"' not in page
    assert "Available once the recall is approved." in page
    response = client.get(url(draft, "nmpa-summary"))
    assert response.status_code == 302 and response.url.endswith("#reports-heading")
    assert not exports(draft).exists()
    api = client.get(f"{API}/{draft.number}/reports/nmpa-summary")
    assert api.status_code == 409 and api.json()["error"]["code"] == "invalid_state"


def test_the_summary_report_gives_the_effectiveness_numbers(client, qa_a, everywhere):
    client.force_login(qa_a)
    text = download(client, everywhere, "nmpa-summary")
    squeezed = flat(text)
    assert "医疗器械召回总结评估报告" in text and "第二十三条" in text
    assert "召回尚未完成" in text  # approved, not closed: an interim report
    assert "已销售数量50EA" in squeezed and "已收回数量0EA" in squeezed
    assert "已通知2家（100%）" in squeezed and "已回复1家（50%）" in squeezed
    assert "库存10EA；已使用5EA；待退回15EA" in squeezed
    assert "协和医院" in text and "华东医疗器械" in text
    assert "要求核实2家收货单位，已核实1家" in squeezed and "未达到" in squeezed


def test_the_fda_806_report_has_each_element(client, qa_a, everywhere, two_consignees):
    client.force_login(qa_a)
    text = download(client, everywhere, "fda-806")
    squeezed = flat(text)
    lot = two_consignees["product"].lot_number
    for element in range(1, 14):
        assert f"(c)({element})" in text, element
    assert "21 CFR 806.10" in text and "Class II" in text and lot in text
    assert "-001-R" in text and "0000000-" in text
    assert "KangDrip" in text and "06901234567892" in text and "FG-IV-01" in text
    # Consignees with their addresses and what each received; the distributor by its
    # English name (the form is in English).
    assert "East Med" in text and "协和医院" in text
    assert f"FG-IV-01lot{lot}" in squeezed and "30EA" in squeezed and "20EA" in squeezed
    # The copy of the communication: a notice's own subject.
    first = everywhere.notices.order_by("sequence").first()
    assert first.number in text and first.subject in text
    # ...without the consignee's own acknowledgement key.
    assert acknowledgements.token_for(first) not in squeezed
    assert "/recall/acknowledge/[theconsignee'sownkey]/" in squeezed
    assert "not applicable (tracked by lot)" in text
    # What medtrace does not hold is shown as such, and listed under (c)(13).
    assert "not recorded" in text
    assert "FDAestablishmentregistrationnumber" in squeezed.split("(c)(13)")[-1]
    assert "Distributed" in text and "50 EA of lot" in text


def test_the_eu_notice_and_fsca_report(client, qa_a, everywhere, two_consignees):
    client.force_login(qa_a)
    lot = two_consignees["product"].lot_number
    fsn = download(client, everywhere, "eu-fsn")
    for expected in (
        "Urgent field safety notice", "06901234567892", lot, "Return them to the manufacturer.",
        "Transmission of this field safety notice", "passed on to all those",
        "Air embolism", everywhere.number,
    ):  # fmt: skip
        assert expected in fsn, expected
    fsca = download(client, everywhere, "eu-fsca")
    squeezed = flat(fsca)
    assert "field safety corrective action (FSCA) report" in fsca and "IIa" in fsca
    assert "2 notices: 2 sent, 1 acknowledged" in fsca
    assert "Initial" in fsca and "Art. 89(8)" in fsca
    assert "30EA" in squeezed and "20EA" in squeezed
    assert list(exports(everywhere).values_list("changes__report", flat=True)) == [
        "eu-fsn",
        "eu-fsca",
    ]


def test_a_drill_report_is_marked_not_for_submission(client, qa_a, two_consignees, open_from):
    drill = open_from([two_consignees["product"]], drill=True, fda_class="III")
    client.force_login(qa_a)
    text = download(client, drill, "nmpa-event")
    assert "DRILL — not for submission" in text and "演练 — 不得报送" in text
    assert "DRILL — not for submission" in download(client, drill, "fda-806")
    page = client.get(f"/recall/{drill.pk}/").content.decode()
    assert "data-drill-reports" in page
    assert all(entry.changes["drill"] for entry in exports(drill))


def test_the_offered_reports_follow_the_classification():
    def slugs(**fields):
        return [report.kind.slug for report in reports.offered(Recall(pk=1, **fields))]

    assert slugs(nmpa_class="I", status="draft") == ["nmpa-event", "nmpa-plan", "nmpa-summary"]
    assert slugs(fda_class="II") == ["fda-806"]
    assert slugs(eu_fsca=True) == ["eu-fsn", "eu-fsca"]
    assert slugs(nmpa_class="III", fda_class="I", eu_fsca=True, status="approved") == KINDS
    assert slugs(drill=True) == []
    approved = reports.offered(Recall(pk=1, nmpa_class="II", status="approved"))
    closed = reports.offered(Recall(pk=1, nmpa_class="II", status="closed"))
    assert all(report.available for report in approved + closed)


def test_a_report_the_classification_does_not_ask_for_is_not_found(
    client, qa_a, two_consignees, open_from
):
    nmpa_only = open_from([two_consignees["product"]])
    client.force_login(qa_a)
    assert client.get(url(nmpa_only, "fda-806")).status_code == 404
    assert client.get(url(nmpa_only, "nonsense")).status_code == 404
    assert client.get(f"{API}/{nmpa_only.number}/reports/eu-fsn").status_code == 404
    page = client.get(f"/recall/{nmpa_only.pk}/").content.decode()
    assert 'data-report="fda-806"' not in page and 'data-report="nmpa-plan"' in page
    assert not exports(nmpa_only).exists()


def test_readers_of_other_sites_are_refused(client, qa_b, stranger, everywhere):
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(url(everywhere, "nmpa-event")).status_code == 404
        assert client.get(f"{API}/{everywhere.number}/reports").status_code == 404
        assert client.get(f"{API}/{everywhere.number}/reports/fda-806").status_code == 404
    client.logout()
    assert client.get(url(everywhere, "nmpa-event")).status_code == 302  # to sign in
    assert not exports(everywhere).exists()


def test_the_api_lists_and_serves_the_reports(client, qa_a, everywhere):
    client.force_login(qa_a)
    for ref in (everywhere.number, everywhere.number.lower(), str(everywhere.pk)):
        listed = client.get(f"{API}/{ref}/reports")
        assert listed.status_code == 200
        assert [row["kind"] for row in listed.json()] == KINDS
    row = listed.json()[0]
    assert row["available"] and row["title"] == "医疗器械召回事件报告表" and row["regime"] == "NMPA"
    assert row["url"] == f"{API}/{everywhere.number}/reports/nmpa-event"
    response = client.get(row["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"{everywhere.number}-nmpa-event.pdf" in response["Content-Disposition"]
    assert everywhere.number in pdf_text(response.content)
    assert exports(everywhere).get().changes["report"] == "nmpa-event"
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/recalls/{ref}/reports/{kind}"]["get"]
    assert {"200", "404", "409"} <= set(operation["responses"])
    assert "application/pdf" in operation["responses"]["200"]["content"]


def _queries(recall) -> int:
    recall = Recall.objects.select_related(
        "site", "organization", "opened_by", "nonconformance", "complaint", "capa"
    ).get(pk=recall.pk)
    with CaptureQueriesContext(connection) as captured:
        gather(recall)
    return len(captured)


def test_the_queries_do_not_grow_with_the_consignees(
    organization, site_a, bins, admin_a, qa_a, two_consignees, device, open_from
):
    recall = open_from([two_consignees["product"]], fda_class="II", eu_fsca=True)
    notices.prepare(recall, by=qa_a)
    before = _queries(recall)
    assert before <= 13
    third = Customer.objects.create(
        organization=organization, code="H-3", name="瑞金医院", kind="hospital", region="上海"
    )
    ensure_party(organization=organization, identifier=THIRD)
    Party.objects.filter(identifier=THIRD).update(customer=third)
    moves.move(
        site=site_a, lines=[moves.Line(two_consignees["product"], 5)],
        operation=Operation.SHIP, biz_step="shipping", source=bins["A-01"],
        parties_to=(TypedId("owning_party", THIRD),), by=admin_a,
    )  # fmt: skip
    recalls.rescope(recall, by=qa_a, reason="Shipped while the recall was drafted")
    notices.prepare(recall, by=qa_a)
    data = gather(Recall.objects.get(pk=recall.pk))
    assert {c.name for c in data.consignees} == {"East Med", "协和医院", "瑞金医院"}
    assert recall.notices.count() == 3
    assert _queries(recall) == before


def test_serial_numbers_are_listed_up_to_a_limit(client, qa_a, two_consignees, open_from):
    """A serialized device's units at a consignee: the first serials printed, the rest
    counted."""
    recall = open_from([two_consignees["product"]], fda_class="I")
    product = two_consignees["product"]
    kit = Item.objects.create(
        organization_id=product.organization_id, code="CVC-1", name="中心静脉导管包",
        kind="finished_device", tracking="serial",
    )  # fmt: skip
    lot = create_lot(item=kit, lot_number="K-01", site=recall.site)
    hospital = Party.objects.get(identifier=HOSPITAL)
    scope = recall.current_scope()
    ScopeEntry.objects.bulk_create(
        ScopeEntry(
            scope=scope, object=create_unit(item=kit, serial=f"SN{n:04d}", lot=lot), item=kit,
            lot=lot, serial=f"SN{n:04d}", place="consignee", party=hospital, quantity=1,
            uom="EA",
        )
        for n in range(1, SERIALS_SHOWN + 6)
    )  # fmt: skip
    data = gather(recall)
    (row,) = [row for row in data.lots if row.lot_number == "K-01"]
    assert (row.serials.total, len(row.serials.shown), row.distributed) == (45, 40, 45)
    client.force_login(qa_a)
    squeezed = flat(download(client, recall, "fda-806"))
    assert "lotK-01:SN0001,SN0002" in squeezed and "SN0040and5more" in squeezed
    assert "SN0041" not in squeezed


def test_every_demo_recall_prints_its_reports(client, demo_plant):
    """On the demo plant's real data: every report each recall offers renders; the closed
    class II recall's summary is final and names its CAPA."""
    client.force_login(demo_plant.users["qa"])
    printed = 0
    for recall in Recall.objects.order_by("pk"):
        for report in reports.offered(recall):
            if not report.available:
                continue
            text = download(client, recall, report.kind.slug)
            assert recall.number in text
            assert ("DRILL — not for submission" in text) == recall.drill
            printed += 1
    assert printed >= 3
    closed = Recall.objects.get(drill=False, status="closed")
    summary = download(client, closed, "nmpa-summary")
    assert "召回尚未完成" not in summary and closed.capa.number in summary
