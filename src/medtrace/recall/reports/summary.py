"""The NMPA recall summary and assessment report (医疗器械召回总结评估报告, 《医疗器械召回管理办法》
Art. 23: within 10 working days of the recall's completion): what was recalled, how the
consignees were notified and answered, what came back and how it was dealt with, whether the
effectiveness check was met, and what prevents it happening again (the CAPA). The numbers are
recall.services.effectiveness's. In Chinese; the labels are the form's and are not
translated."""

from medtrace.recall.choices import RecallStatus
from medtrace.recall.services.effectiveness import Progress, progress

from .common import (
    Row,
    Section,
    Table,
    di_values,
    joined,
    local,
    lot_numbers,
    models,
    product_lots,
    product_names,
    quantity,
)
from .data import ReportData
from .nmpa import EFFECTIVENESS, RULE, STATUS, class_label, decision

CONSIGNEE_STATUS = {
    "accounted": "已全部核清",
    "responded": "已回复",
    "contacted": "已通知，未回复",
    "failed": "通知未送达",
    "waiting": "未通知",
}


def pct(value: float | None) -> str:
    return "" if value is None else f"{value:g}%"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def consignees_table(found: Progress) -> Table:
    rows = []
    for row in found.consignees:
        uom = row.uom
        rows.append([
            row.name, row.region or "未记录", quantity(row.shipped, uom),
            _yes(row.contacted), _yes(row.responded),
            quantity(row.on_hand, uom) or "—", quantity(row.used, uom) or "—",
            quantity(row.to_return, uom) or "—", quantity(row.returned, uom),
            CONSIGNEE_STATUS.get(row.status, row.status),
        ])  # fmt: skip
    return Table(
        ["收货单位", "地区", "发货数量", "已通知", "已回复", "报告库存", "报告已使用",
         "报告待退回", "已收回", "状态"],
        rows,
        "受影响产品未发给任何收货单位。",
    )  # fmt: skip


def _ours(found: Progress) -> str:
    if not found.stock:
        return "本企业库存及生产线中无受影响批次和产品。"
    settled = sum(row.settled for row in found.stock)
    return (
        f"本企业库存及生产线中受影响批次和产品{len(found.stock)}项：已召回（冻结）{found.held}项，"
        f"已处理（已召回、已拒收或已作退货处置）{settled}项，未处理{len(found.unsettled)}项。"
    )


def _conclusion(found: Progress, recall) -> str:
    if not found.total:
        return "受影响产品未销售，无需核实收货单位。"
    met = "达到" if found.level_met else "未达到"
    return (
        f"有效性检查要求核实{found.required}家收货单位，已核实{found.verified}家"
        f"（已回复或已全部核清），{met}{EFFECTIVENESS.get(recall.effectiveness, '')}的要求。"
    )


def report(data: ReportData, *, by) -> dict:
    recall = data.recall
    zone = data.site.time_zone
    found = progress(recall)
    notices = data.notices
    uom = found.uom
    lots = product_lots(data)
    sections = [
        Section("概况", [
            Row("召回编号", recall.number),
            Row("产品名称", product_names(data)),
            Row("注册证号/备案凭证号", di_values(data, "registration_number")),
            Row("规格型号", models(data)),
            Row("产品批号", lot_numbers(data, lots)),
            Row("召回级别", class_label(recall)),
            Row("召回原因", recall.reason),
            Row("召回决定时间", decision(recall)),
            Row("召回完成时间",
                local(recall.closed_at, zone) or STATUS[RecallStatus(recall.status)]),
        ]),
        Section("一、召回通知情况", [
            Row("通知份数", f"{notices.total}份（已发送{notices.sent}份，"
                f"已确认{notices.acknowledged}份，未送达{notices.failed}份）"
                if notices.total else ""),
            Row("收货单位", f"{found.total}家"),
            Row("已通知", f"{found.contacted}家（{pct(found.contacted_pct)}）" if found.total
                else "—"),
            Row("已回复", f"{found.responded}家（{pct(found.responded_pct)}）" if found.total
                else "—"),
        ]),
        Section("二、召回产品收回情况", [
            Row("已销售数量", quantity(found.shipped_quantity, uom)),
            Row("已收回数量", quantity(found.returned_quantity, uom)),
            Row("收回率", pct(found.recovered_pct) or "—"),
            Row("收货单位报告", joined((
                f"库存 {quantity(notices.on_hand, uom)}" if notices.on_hand is not None else "",
                f"已使用 {quantity(notices.used, uom)}" if notices.used is not None else "",
                f"待退回 {quantity(notices.to_return, uom)}"
                if notices.to_return is not None else "",
            ), "；")),
        ], tables=[consignees_table(found)]),
        Section("三、召回产品的处理情况", [
            Row("本企业库存及退回产品", _ours(found)),
            Row("处理方式（返工、销毁等）", ""),
        ]),
        Section("四、召回效果评价", [
            Row("有效性检查级别", EFFECTIVENESS.get(recall.effectiveness, "")),
            Row("评价结论", _conclusion(found, recall)),
        ]),
        Section("五、防止再次发生的措施", [
            Row("纠正预防措施", f"{recall.capa.number} {recall.capa.title}"
                if recall.capa_id else ""),
        ]),
    ]  # fmt: skip
    return {
        "title": "医疗器械召回总结评估报告",
        "rule": RULE,
        "sections": sections,
        "interim": recall.status != RecallStatus.CLOSED,
    }
