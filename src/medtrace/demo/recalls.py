"""Recalls at the Suzhou plant:

- a mock recall (drill) of the needle supplier's lot that went into the most shipped sets,
  scoped and approved by QA, its notices sent to the drill mailbox, every consignee answering
  through its link, closed by QA: its drill report times it against the targets;
- a closed class II recall of an infusion-set lot delivered to 瑞金医院 and 浙大一院: notices to
  both (a reminder to the slower; a letter by post to any consignee without an e-mail address),
  their acknowledgements, the goods returned against the orders and put on status recalled, the
  CAPA linked, closed by QA's signature;
- a draft recall of the infusion-set lot held after its positive biological indicator, opened
  by regulatory affairs and waiting for QA's decision.

Notices are written to the data directory's mail folder, whatever mail server is configured:
the demo's customers are not real."""

from django.conf import settings
from django.test.utils import override_settings

from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.demo.shipping import INFUSION, Desk
from medtrace.quality.services import capa as capas
from medtrace.recall.choices import NoticeStatus
from medtrace.recall.services import acknowledgements, closure, delivery, notices, recalls
from medtrace.shipping.choices import DeliveryChannel
from medtrace.shipping.services import returns, shipment
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import Lot

SITE = "SZ01"
RECALLED_ORDERS = [("H-RUIJIN", 300, "RJ-PO-54018"), ("H-ZJU1", 200, "ZJU1-2026-31")]


def _mail_to_files():
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(settings.DATA_DIR / "mail"),
    )


def _answer(notice, *, returning: bool) -> None:
    """The consignee's answer: everything used, or everything coming back."""
    field = "to_return" if returning else "used"
    acknowledgements.acknowledge(
        notice,
        name=f"{notice.recipient_name} 设备科 / equipment dept.",
        quantities={line.pk: {field: line.quantity} for line in notice.lines.all()},
    )


def _send_all(recall, by) -> None:
    notices.prepare(recall, by=by)
    with _mail_to_files():
        delivery.send_prepared(recall, by=by)
    for notice in recall.notices.filter(status=NoticeStatus.PREPARED):
        delivery.record_printed(notice, by=by)
        delivery.record_posted(notice, by=by, reference="SF1402 8876 5531")


def build_drill(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    qa = demo.users["qa"]
    needles = Lot.objects.filter(site=site, item__code="CP-NDL07").exclude(supplier=None)
    widest = max(needles.order_by("pk"), key=lambda lot: len(trace_forward(lot).parties))
    drill = recalls.open_recall(
        site=site,
        title="演练: 针头供应商批次召回 / Drill: recall of a needle supplier lot",
        reason="年度模拟召回演练 (ISO 13485 8.3.3) / Annual mock recall.",
        hazard="假设针尖毛刺可致穿刺部位损伤 / Assumed: burred needle tips may injure the "
        "puncture site.",
        depth="user",
        strategy="removal",
        nmpa_class="II",
        drill=True,
        roots=recalls.supplier_lots(site.organization, widest.supplier,
                                    widest.supplier_lot_number),
        by=demo.users["regulatory"],
    )  # fmt: skip
    recalls.approve(drill, by=qa, password=DEMO_PASSWORD, reason="演练开始 / Drill started.")
    _send_all(drill, qa)
    for notice in drill.notices.all():
        _answer(notice, returning=False)
    done = "演练完成, 全部收货单位已回执 / Drill done: every consignee answered."
    recalls.close(drill, by=qa, password=DEMO_PASSWORD, reason=done)


def _shipped_lot(demo: DemoPlant):
    """An infusion-set lot of its own, made ten months ago (first in FEFO), all of it shipped
    and delivered: 300 to 瑞金医院, 200 to 浙大一院."""
    desk = Desk(demo)
    lot = desk.new_lot(INFUSION, months_ago=10)
    desk.put_away(lot, 500)
    orders = []
    for customer, quantity, reference in RECALLED_ORDERS:
        order = desk.order(customer, [(INFUSION, quantity)], reference)
        desk.pick_all(order)
        order = desk.pack_and_ship(order)
        orders.append(
            shipment.confirm_delivery(
                order,
                channel=DeliveryChannel.LINK,
                received_by="设备科 / equipment dept.",
                scanned=[order.packages.get(parent__isnull=True).sscc],
            )
        )
    return lot, orders


def build_closed_recall(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    qa, clerk = demo.users["qa"], demo.users["warehouse"]
    lot, shipped = _shipped_lot(demo)
    recall = recalls.open_recall(
        site=site,
        title="输液器滴斗裂纹 / Infusion set: cracked drip chambers",
        reason="客户投诉滴斗裂纹, 注塑工艺参数漂移 / Complaints of cracked drip chambers; "
        "molding parameters drifted.",
        hazard="裂纹可致漏液和空气进入, 严重伤害可能性小 / A crack may leak or let air in; "
        "serious harm is unlikely.",
        depth="user",
        strategy="removal",
        nmpa_class="II",
        roots=[lot],
        by=demo.users["regulatory"],
    )
    recall = recalls.approve(
        recall, by=qa, password=DEMO_PASSWORD, reason="二级召回 / Class II recall."
    )
    _send_all(recall, qa)
    late = recall.notices.filter(status=NoticeStatus.SENT).order_by("sequence").last()
    with _mail_to_files():
        delivery.send([late], by=qa, reminder=True)
    for notice in recall.notices.all():
        _answer(notice, returning=True)
    for order in shipped:
        notice = recall.notices.get(customer=order.customer)
        rma = returns.create_return(
            order,
            lines=[(line.object, line.to_return) for line in notice.lines.all()],
            reason=f"召回 {recall.number} / recall {recall.number}",
            by=qa,
        )
        returns.receive_return(rma, by=clerk)
    # Returns come back in quarantine: the recall puts them on status recalled.
    recalls.hold_what_came_back(recall, by=qa)
    capa = capas.open_capa(
        site=site,
        title="滴斗注塑参数控制 / Drip-chamber molding parameter control",
        source="complaint",
        problem_statement="注塑保压参数漂移导致滴斗裂纹 / Holding-pressure drift cracked "
        "drip chambers.",
        by=qa,
    )
    closure.link_capa(recall, capa, by=qa, reason="根本原因的纠正措施 / CAPA on the root cause")
    done = "全部收货单位已回执, 退货已收 / All consignees answered; returns in."
    recalls.close(recall, by=qa, password=DEMO_PASSWORD, reason=done)


def build_recalls(demo: DemoPlant) -> None:
    build_drill(demo)
    build_closed_recall(demo)
    site = demo.sites[SITE]
    held = Lot.objects.get(site=site, item__code="IS-2001", disposition="non_sellable_other")
    recalls.open_recall(
        site=site,
        title="输液器批次生物指示剂阳性 / Infusion-set lot: positive biological indicator",
        reason="灭菌失败的可能无法排除 / Sterilization failure cannot be ruled out.",
        hazard="非无菌产品可致感染 / A non-sterile set may cause infection.",
        depth="user",
        strategy="removal",
        nmpa_class="II",
        fda_class="II",
        roots=[held],
        by=demo.users["regulatory"],
    )
