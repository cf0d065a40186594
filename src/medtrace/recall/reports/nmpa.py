"""The NMPA forms of 《医疗器械召回管理办法》(原国家食品药品监督管理总局令第29号, 2017): the recall
event report form (医疗器械召回事件报告表, submitted at once on the recall decision, Art. 17)
and the recall plan (召回计划, within 5 working days, with the contents Art. 18 lists: 生产销售
情况及拟召回的数量；召回措施的具体内容（实施的组织、范围和时限）；召回信息的公布途径与范围；召回
的预期效果；召回后的处理措施). In Chinese, as the authority reads them; labels are the forms'
own words and are not translated. The article numbers follow the 2017 text; check them against
the version in force before a submission relies on them."""

from medtrace.recall.choices import RecallClass, RecallStatus

from .common import (
    Row,
    Section,
    Table,
    dates_between,
    di_values,
    expiry_dates,
    joined,
    local,
    lot_label,
    lot_numbers,
    manufacture_dates,
    models,
    product_lots,
    product_names,
    quantity,
    serial_text,
    serialized,
)
from .data import ReportData

RULE = "《医疗器械召回管理办法》（原国家食品药品监督管理总局令第29号）"
CLASS = {RecallClass.I: "一级召回", RecallClass.II: "二级召回", RecallClass.III: "三级召回"}
STRATEGY = {
    "removal": "收回（产品退回企业）",
    "correction": "现场纠正（检查、修理、替换等）",
    "notice": "警示（发布安全通知、修改说明书或标签）",
}
DEPTH = {
    "wholesale": "医疗器械经营企业（批发）",
    "retail": "零售企业",
    "user": "使用单位（医疗机构）",
    "consumer": "使用者（患者）",
}
STATUS = {
    RecallStatus.DRAFT: "草稿（尚未作出召回决定）",
    RecallStatus.APPROVED: "已作出召回决定，实施中",
    RecallStatus.CLOSED: "已完成",
    RecallStatus.CANCELLED: "已取消",
}
EFFECTIVENESS = {
    "A": "A级：核实全部（100%）收货单位",
    "B": "B级：核实超过10%的收货单位（企业确定的比例）",
    "C": "C级：核实10%的收货单位",
    "D": "D级：核实2%的收货单位",
    "E": "E级：不进行有效性检查",
}
EXPECTED = {
    "removal": "已销售的受影响产品全部收回",
    "correction": "已销售的受影响产品全部完成现场纠正",
    "notice": "全部收货单位收到并确认安全通知，按通知要求处理",
}
# 第十五条: where the recall announcement is published, by class.
ANNOUNCEMENT = {
    RecallClass.I: "国家药品监督管理局网站和中央主要媒体（第十五条）",
    RecallClass.II: "省、自治区、直辖市药品监督管理部门网站（第十五条）",
    RecallClass.III: "省、自治区、直辖市药品监督管理部门网站（第十五条）",
}
AUDIENCE = {
    "distributor": "经营企业",
    "hospital": "使用单位（医疗机构）",
    "end_user": "使用者（患者）",
    "regulator": "药品监督管理部门",
}
MORE_SERIALS = "等，另有%(n)s个"


def _notice_deadlines(data: ReportData):
    """(notify, event form, plan) deadlines, in the order services.deadlines lists them."""
    found = data.deadlines_of("NMPA")
    return [*found, None, None, None][:3]


def _due(deadline, zone: str) -> str:
    if deadline is None:
        return ""
    due = local(deadline.due, zone) if deadline.due else "自作出召回决定时起算"
    return f"{deadline.period}（{due}）"


def class_label(recall) -> str:
    return CLASS.get(recall.nmpa_class, "")


def linked(recall) -> str:
    return joined(
        (
            f"不合格品报告 {recall.nonconformance.number}" if recall.nonconformance_id else "",
            f"投诉 {recall.complaint.number}" if recall.complaint_id else "",
            f"纠正预防措施 {recall.capa.number}" if recall.capa_id else "",
        ),
        "；",
    )


def decision(recall) -> str:
    zone = recall.site.time_zone
    if recall.approved_at:
        return local(recall.approved_at, zone)
    return STATUS[RecallStatus(recall.status)]


def involved(data: ReportData) -> str:
    """Per product lot: sold, in our stock, on a line."""
    return "\n".join(
        f"{row.item.code} 批号 {lot_label(row)}：已销售 {quantity(row.distributed, row.uom)}；"
        f"本企业库存 {quantity(row.stock, row.uom)}；生产线 {quantity(row.wip, row.uom)}"
        for row in product_lots(data)
    )


def company_rows(data: ReportData) -> list[Row]:
    recall, site = data.recall, data.site
    return [
        Row("企业名称（注册人/备案人）", data.organization.name),
        Row("企业地址", site.address),
        Row("召回负责场地", f"{site.code} {site.name}"),
        Row("联系人", recall.opened_by.printed_name),
        Row("联系电话", ""),  # medtrace keeps no telephone numbers
        Row("电子邮箱", recall.opened_by.email),
    ]


def product_rows(data: ReportData) -> list[Row]:
    lots = product_lots(data)
    return [
        Row("产品名称", product_names(data)),
        Row("注册证号/备案凭证号", di_values(data, "registration_number")),
        Row("规格型号", models(data)),
        Row("产品编码", joined(device.item.code for device in data.products)),
        Row("UDI-DI（产品标识）", di_values(data, "value")),
        Row("产品批号", lot_numbers(data, lots)),
        Row(
            "序列号",
            joined((serial_text(row.serials, MORE_SERIALS) for row in lots), "；")
            if serialized(data)
            else "不适用（按批号追溯）",
        ),
        Row("生产日期", manufacture_dates(lots)),
        Row("有效期至", expiry_dates(lots)),
    ]


def lots_table(data: ReportData) -> Table:
    return Table(
        ["产品编码", "产品名称", "批号", "生产数量", "已销售", "本企业库存", "生产线", "单位"],
        [
            [
                row.item.code, row.item.name, lot_label(row),
                quantity(row.manufactured) or "未记录", quantity(row.distributed),
                quantity(row.stock), quantity(row.wip), row.uom,
            ]
            for row in data.lots
        ],
        "范围内无受影响批次。",
    )  # fmt: skip


def consignees_table(data: ReportData) -> Table:
    zone = data.site.time_zone
    rows = []
    for consignee in data.consignees:
        for shipped in consignee.lots:
            rows.append(
                [
                    consignee.name, consignee.region or "未记录",
                    consignee.address or "未记录",
                    joined((consignee.contact, consignee.email), "，") or "未记录",
                    f"{shipped.item.code} {lot_label(shipped)}",
                    quantity(shipped.quantity, shipped.uom),
                    dates_between(shipped.first_shipped, shipped.last_shipped, zone),
                ]
            )  # fmt: skip
    return Table(
        ["收货单位", "地区", "地址", "联系人/电子邮箱", "产品及批号", "数量", "发货日期"],
        rows,
        "受影响产品未发给任何收货单位。",
    )


def event_form(data: ReportData, *, by) -> dict:
    recall = data.recall
    notify = _notice_deadlines(data)[0]
    sections = [
        Section("一、企业信息", company_rows(data)),
        Section("二、产品信息", product_rows(data)),
        Section(
            "三、召回信息",
            [
                Row("召回编号", recall.number),
                Row("召回级别", class_label(recall)),
                Row("召回原因", recall.reason),
                Row("健康危害评估", recall.hazard),
                Row("召回措施", STRATEGY.get(recall.strategy, "")),
                Row("召回深度", DEPTH.get(recall.depth, "")),
                Row("涉及数量", involved(data)),
                Row("销售区域", "、".join(data.regions)),
                Row("涉及收货单位", f"{len(data.consignees)}家" if data.consignees else "无"),
                Row("召回决定时间", decision(recall)),
                Row("通知时限（第十六条）", _due(notify, data.site.time_zone)),
                Row("关联记录", linked(recall)),
            ],
        ),
        Section(
            "四、报告信息",
            [
                Row("报告日期", data.today.isoformat()),
                Row("填报人", by.printed_name),
            ],
        ),
        Section("附表：涉及批次", tables=[lots_table(data)]),
    ]
    return {"title": "医疗器械召回事件报告表", "rule": RULE, "sections": sections}


def _holds(recall) -> str:
    if recall.drill:
        return "演练：不冻结本企业库存。"
    if recall.status == RecallStatus.DRAFT:
        return "作出召回决定（电子签名批准）时，本企业库存及生产线上的受影响批次和产品将全部置为“已召回”状态，不能发货或消耗。"  # noqa: E501
    return "作出召回决定（电子签名批准）时，本企业库存及生产线上的受影响批次和产品已全部置为“已召回”状态，不能发货或消耗。"  # noqa: E501


def _publication(data: ReportData) -> list[Row]:
    recall, notices = data.recall, data.notices
    audiences = joined((AUDIENCE.get(copy.audience, "") for copy in notices.copies), "、")
    return [
        Row(
            "召回通知",
            f"以电子邮件（必要时书面信函）逐一通知各收货单位，通知列明该单位收到的批号、序列号和数量，"
            f"并附签名确认链接。通知共{notices.total}份：待发送{notices.prepared}份，"
            f"已发送{notices.sent}份，已确认{notices.acknowledged}份。"
            if notices.total
            else "",
        ),
        Row("通知对象", audiences),
        Row("召回公告发布途径", ANNOUNCEMENT.get(recall.nmpa_class, "")),
        Row("公告发布情况", ""),  # not recorded in medtrace
    ]


def plan(data: ReportData, *, by) -> dict:
    recall = data.recall
    notify, _form, plan_due = _notice_deadlines(data)
    lots = product_lots(data)
    to_recall = joined(
        (f"{row.item.code} 批号 {lot_label(row)}：{quantity(row.distributed, row.uom)}"
         for row in lots if row.distributed),
        "；",
    )  # fmt: skip
    held = joined(
        (f"{row.item.code} 批号 {lot_label(row)}：{quantity(row.stock + row.wip, row.uom)}"
         for row in data.lots if row.stock or row.wip),
        "；",
    )  # fmt: skip
    target = EFFECTIVENESS.get(recall.effectiveness, "")
    if recall.effectiveness == "B" and recall.effectiveness_share:
        target += f"，比例 {recall.effectiveness_share}%"
    sections = [
        Section("概况", [
            Row("召回编号", recall.number),
            Row("产品名称", product_names(data)),
            Row("注册证号/备案凭证号", di_values(data, "registration_number")),
            Row("规格型号", models(data)),
            Row("召回级别", class_label(recall)),
            Row("召回原因", recall.reason),
            Row("健康危害评估", recall.hazard),
            Row("召回状态", STATUS[RecallStatus(recall.status)]),
        ]),
        Section(
            "一、医疗器械生产销售情况及拟召回的数量",
            [
                Row("拟召回数量（已销售）", to_recall or "无（受影响产品未销售）"),
                Row("本企业库存及生产线（控制）", held or "无"),
                Row("涉及收货单位", f"{len(data.consignees)}家"),
                Row("销售区域", "、".join(data.regions)),
            ],
            tables=[lots_table(data), consignees_table(data)],
        ),
        Section("二、召回措施的具体内容", [
            Row("召回措施", STRATEGY.get(recall.strategy, "")),
            Row("实施的组织", f"{data.site.code} {data.site.name}；负责人 "
                f"{recall.opened_by.printed_name}"),
            Row("召回范围", f"{DEPTH.get(recall.depth, '')}；批号 {lot_numbers(data, lots)}；"
                f"收货单位{len(data.consignees)}家"),
            Row("通知时限（第十六条）", _due(notify, data.site.time_zone)),
            Row("召回计划报送时限（第十七条）", _due(plan_due, data.site.time_zone)),
            Row("本企业库存控制", _holds(recall)),
        ]),
        Section("三、召回信息的公布途径与范围", _publication(data)),
        Section("四、召回的预期效果", [
            Row("预期效果", EXPECTED.get(recall.strategy, "")),
            Row("有效性检查", target),
        ]),
        Section("五、召回后的处理措施", [
            Row("召回产品的处理（返工、销毁等）", ""),
            Row("不合格品处理", f"不合格品报告 {recall.nonconformance.number} "
                f"{recall.nonconformance.title}" if recall.nonconformance_id else ""),
            Row("纠正预防措施", f"{recall.capa.number} {recall.capa.title}"
                if recall.capa_id else ""),
        ]),
    ]  # fmt: skip
    return {"title": "医疗器械召回计划", "rule": RULE, "sections": sections}
