"""The demo suppliers' qualification, through their lifecycle: purchasing evaluates, QA audits
and decides by signature. Every state is shown:

- SUP-ZJPVC (PVC) and SUP-JSNDL (needles): critical suppliers, audited, approved. SUP-JSNDL's
  ISO 13485 certificate expires next month (purchasing is warned).
- SUP-SHTYV (Tyvek pouches): its on-site audit found a major gap in lot traceability; a CAPA
  was opened from the finding and the supplier is approved only under conditions.
- SUP-NBABS (ABS resin): approved, until its ISO 13485 certificate was suspended by the
  certification body; the nightly certificate check made it conditional.
- SUP-GDABS (a second ABS source): under evaluation, its questionnaire half answered.
- SUP-WZNDL (needle tubes): failed its remote audit and was disqualified.
- SUP-SZBOX (cartons): prospective, just entered.
"""

import datetime

from django.utils import timezone

from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.partners import services as partners
from medtrace.partners.choices import (
    Answer,
    ApprovedSourceStatus,
    AuditKind,
    AuditResult,
    FindingClass,
    RiskClass,
)
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.partners.readiness import current_evaluation
from medtrace.partners.services import audits, evaluations

# A good supplier's answers, question by question: (answer, score, comment).
GOOD = [
    (Answer.YES, 5, "ISO 13485:2016 证书在有效期内 / certificate valid, scope covers our parts"),
    (Answer.YES, 5, "营业执照与生产许可证已核对 / licences checked"),
    (Answer.YES, 4, "质量协议 QA-2025 已签署 / quality agreement signed"),
    (Answer.YES, 4, "变更提前 90 天通知 / 90 days' notice of changes"),
    (Answer.PARTLY, 3, "二级供应商清单有, 未审核 / sub-tier list kept, not audited"),
    (Answer.YES, 5, "每批随货 CoA / CoA with every lot"),
    (Answer.YES, 4, "挤出与造粒已验证 / extrusion and compounding validated"),
    (Answer.YES, 4, "计量器具年度校准 / yearly calibration, CNAS lab"),
    (Answer.YES, 4, "8D 回复 10 个工作日内 / 8D within 10 working days"),
    (Answer.YES, 5, "记录保存 10 年 / records kept 10 years"),
]
# The needle-tube maker that failed: what the remote audit confirmed.
POOR = [
    (Answer.NO, 0, "仅 ISO 9001 证书已过期 / only an expired ISO 9001"),
    (Answer.PARTLY, 2, "无医疗器械生产许可 / no device licence"),
    (Answer.NO, 0, "拒签质量协议 / refuses a quality agreement"),
    (Answer.NO, 0, "不接受变更通知条款 / no change notification"),
    (Answer.NO, 1, "原材料来源不明 / raw-material sources unknown"),
    (Answer.PARTLY, 2, "批号与原料无关联 / lots not linked to materials"),
    (Answer.NO, 0, "清洗工艺未验证 / cleaning not validated"),
    (Answer.PARTLY, 2, "量具部分超期 / some gauges overdue"),
    (Answer.NO, 1, "无 CAPA 程序 / no CAPA procedure"),
    (Answer.PARTLY, 2, "记录保存 2 年 / records kept 2 years"),
]


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _evaluate(supplier, by, *, risk, scope, lots, answers, conclusion=""):
    """Start the evaluation and fill it in (answers: (answer, score, comment) per question,
    in the questionnaire's order; fewer leave the rest unanswered)."""
    supplier = partners.start_evaluation(
        supplier, by=by, reason="新供应商评价 / new supplier evaluation"
    )
    evaluation = current_evaluation(supplier)
    evaluations.answer_questions(
        evaluation,
        answers=[
            {"question": q.code, "answer": a, "score": s, "comment": c}
            for q, (a, s, c) in zip(QUESTIONS, answers, strict=False)
        ],
        by=by,
    )
    evaluations.update_evaluation(
        evaluation, by=by, risk_class=risk, scope=scope, sample_lots=lots, conclusion=conclusion
    )
    return supplier


def _audit(supplier, by, *, kind, days_ago, scope, findings=(), result="", conclusion=""):
    """An audit performed `days_ago`, its findings recorded [(class, description, due in days,
    closure evidence or "")], concluded by `by`'s signature when a result is given."""
    supplier_audit = audits.plan_audit(
        supplier=supplier, kind=kind, planned_on=_days(-days_ago), scope=scope,
        auditors="王静 Wang Jing (lead), 孙丽 Sun Li", by=by,
    )  # fmt: skip
    recorded = [
        audits.add_finding(
            supplier_audit,
            classification=classification,
            description=description,
            due_on=_days(due) if due is not None else None,
            by=by,
        )
        for classification, description, due, _evidence in findings
    ]
    if result:
        audits.update_audit(
            supplier_audit, by=by, performed_on=_days(-days_ago), result=result,
            conclusion=conclusion,
        )  # fmt: skip
        audits.conclude_audit(supplier_audit, by=by, password=DEMO_PASSWORD)
    for finding, (_c, _d, _due, evidence) in zip(recorded, findings, strict=True):
        if evidence:
            audits.close_finding(finding, evidence=evidence, by=by)
    return supplier_audit, recorded


def _sources(demo, supplier, items, status=ApprovedSourceStatus.APPROVED, note=""):
    for code in items:
        partners.approve_source(
            supplier=supplier, item=demo.items[code], status=status, since=_days(-180),
            note=note, by=demo.users["qa"],
        )  # fmt: skip


def qualify_suppliers(demo: DemoPlant, suppliers: dict) -> None:
    qa, buyer = demo.users["qa"], demo.users["buyer"]

    pvc = _evaluate(
        suppliers["SUP-ZJPVC"], buyer, risk=RiskClass.CRITICAL,
        scope="医用 PVC 粒料, TOTM 增塑剂, PVC 管材 / medical PVC, TOTM, PVC tubing",
        lots="KS240612-01\nKS240612-02\nKS240701-01", answers=GOOD,
        conclusion="三批样品来料检验合格, 现场审核通过。Three sample lots passed; audit passed.",
    )  # fmt: skip
    _audit(
        pvc, qa, kind=AuditKind.ON_SITE, days_ago=210,
        scope="QMS, 回料管理, 批次追溯 / QMS, regrind control, lot traceability",
        findings=[(FindingClass.OBSERVATION, "原料仓温湿度记录有缺页 / gaps in the store's "
                   "humidity log", None, "记录表已改为电子记录 / log now electronic")],
        result=AuditResult.SATISFACTORY, conclusion="体系运行有效。The QMS works as described.",
    )  # fmt: skip
    pvc = partners.approve(pvc, by=qa, password=DEMO_PASSWORD, reason="报告 SA 现场审核通过")
    _sources(demo, pvc, ["RM-PVC", "RM-TOTM", "CP-TUBE"])

    needles = _evaluate(
        suppliers["SUP-JSNDL"], buyer, risk=RiskClass.CRITICAL,
        scope="静脉输液针 0.7 mm / IV needles 0.7 mm", lots="JZ2406A001\nJZ2406A002",
        answers=GOOD, conclusion="针尖穿刺力与连接牢固度合格。Penetration and bond strength pass.",
    )  # fmt: skip
    _audit(
        needles, qa, kind=AuditKind.ON_SITE, days_ago=300,
        scope="针管清洗, 硅化, 包装 / cleaning, siliconization, packing",
        findings=[(FindingClass.MINOR, "硅油批号未记录在批记录中 / silicone oil lot missing "
                   "from the batch record", -270, "批记录表单 F-07 已增加硅油批号栏")],
        result=AuditResult.FINDINGS, conclusion="一项轻微不符合, 已关闭。One minor finding.",
    )  # fmt: skip
    needles = partners.approve(needles, by=qa, password=DEMO_PASSWORD)
    _sources(demo, needles, ["CP-NDL07"])

    tyvek = _evaluate(
        suppliers["SUP-SHTYV"], buyer, risk=RiskClass.CRITICAL,
        scope="Tyvek 透析纸袋 (无菌屏障), 瓦楞纸箱 / Tyvek pouches (sterile barrier), cartons",
        lots="JB-25-0412\nJB-25-0413", answers=GOOD,
        conclusion="样品合格; 批次追溯不完整。Samples pass; lot traceability is incomplete.",
    )  # fmt: skip
    tyvek_audit, (traceability,) = _audit(
        tyvek, qa, kind=AuditKind.ON_SITE, days_ago=20,
        scope="封口验证, 批次追溯 / seal validation, lot traceability",
        findings=[(FindingClass.MAJOR, "Tyvek 卷材批号未追溯到成品袋批次 / Tyvek roll lots "
                   "are not traced to the pouch lots made from them", 40, "")],
        result=AuditResult.FINDINGS,
        conclusion="主要不符合关闭前有条件使用。Usable under conditions until F1 is closed.",
    )  # fmt: skip
    capa = audits.open_capa_for_finding(traceability, site=demo.sites["SZ01"], by=qa)
    tyvek = partners.approve_conditionally(
        tyvek, by=qa, password=DEMO_PASSWORD,
        conditions=(
            f"关闭主要不符合 {traceability.reference} ({capa.number}); 在此之前每批 Tyvek "
            "100% 来料检验。Close major finding "
            f"{traceability.reference} ({capa.number}); until then every Tyvek lot is "
            "inspected in full."
        ),
        conditions_due_on=_days(45),
        reason=f"审核 {tyvek_audit.number}",
    )  # fmt: skip
    _sources(
        demo, tyvek, ["PK-TYVEK", "PK-CARTON"], ApprovedSourceStatus.CONDITIONAL,
        note="100% 来料检验 / full incoming inspection",
    )  # fmt: skip

    abs_resin = _evaluate(
        suppliers["SUP-NBABS"], buyer, risk=RiskClass.MAJOR,
        scope="医用 ABS 树脂 (流量调节器) / medical ABS for roller clamps",
        lots="YS-2405-11", answers=GOOD, conclusion="样品合格。Samples pass.",
    )  # fmt: skip
    abs_resin = partners.approve(abs_resin, by=qa, password=DEMO_PASSWORD)
    _sources(demo, abs_resin, ["RM-ABS"])
    iso = abs_resin.certificates.get(kind="iso13485")
    partners.update_certificate(
        iso, by=qa, valid_until=_days(-12),
        reason="TÜV Rheinland 监督审核后暂停证书 (函 TR-2611-093) / suspended after the "
        "surveillance audit, letter TR-2611-093",
    )  # fmt: skip
    partners.lapse_expired_certificates(organization=demo.organization)

    _evaluate(
        suppliers["SUP-GDABS"], buyer, risk=RiskClass.MAJOR,
        scope="医用 ABS 树脂, 第二来源 / medical ABS, second source",
        lots="HS-2511-07\nHS-2511-08", answers=GOOD[:5],
    )  # fmt: skip

    tubes = _evaluate(
        suppliers["SUP-WZNDL"], buyer, risk=RiskClass.CRITICAL,
        scope="不锈钢针管 / stainless needle tubes", lots="OJ-2510-3", answers=POOR,
        conclusion="不具备医疗器械供应条件。Not fit to supply medical-device parts.",
    )  # fmt: skip
    _audit(
        tubes, qa, kind=AuditKind.REMOTE, days_ago=60,
        scope="体系文件与生产现场视频 / QMS documents and a video walk-through",
        findings=[
            (FindingClass.MAJOR, "清洗工艺未验证 / cleaning process not validated", 30, ""),
            (FindingClass.MAJOR, "无批次追溯 / no lot traceability", 30, ""),
        ],
        result=AuditResult.UNSATISFACTORY, conclusion="不合格。Unsatisfactory.",
    )  # fmt: skip
    partners.disqualify(
        tubes, by=qa, password=DEMO_PASSWORD,
        reason="远程审核不合格, 两项主要不符合 / failed the remote audit: two major findings",
    )  # fmt: skip
