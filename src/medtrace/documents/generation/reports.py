"""Reports about one quality record, as it stands when generated: a CAPA (problem,
containment, five whys, fishbone, root cause, actions, verification, effectiveness), an NCR
(the finding, what it concerns, dispositions, its CAPAs) and a supplier audit (scope, findings,
conclusion), each with its electronic signatures. Builders run with the document's language
active, so choice labels come out in it."""

from medtrace.audit import signatures
from medtrace.audit.choices import SignatureMeaning
from medtrace.documents.generation import references
from medtrace.documents.generation.common import cover, day, label, lead_for, local, person
from medtrace.documents.generation.content import (
    Content,
    Heading,
    Section,
    facts,
    note,
    paragraph,
    signature_list,
    steps,
    table,
)
from medtrace.documents.generation.registry import Generation

H = Heading
SIGNATURES = H("电子签名", "Electronic signatures")


def _text(language: str, value: str) -> list:
    value = (value or "").strip()
    return [paragraph(value)] if value else [note(label(language, "未填写。", "Not recorded."))]


def _report(generation: Generation, title: Heading, sections, *rows, topic: str) -> Content:
    language = generation.language
    return Content(
        title=title,
        sections=sections,
        language=language,
        lead=lead_for(generation.market),
        cover=cover(
            generation,
            *rows,
            (
                label(language, "报告生成", "Report generated"),
                local(generation.now, generation.site) + f" · {person(generation.by)}",
            ),
        ),
        references=references.for_market(generation.market, topic),
    )


def build_capa_report(generation: Generation) -> Content:
    from medtrace.quality.choices import FishboneCategory

    capa, language, site = generation.subject, generation.language, generation.subject.site
    source = capa.nonconformance or capa.deviation
    summary = facts(
        [
            (label(language, "标题", "Title"), capa.title),
            (
                label(language, "来源", "Source"),
                capa.get_source_display() + (f" · {source.number}" if source else ""),
            ),
            (label(language, "状态", "Status"), capa.get_status_display()),
            (label(language, "负责人", "Owner"), person(capa.owner)),
            (
                label(language, "立项", "Opened"),
                f"{local(capa.opened_at, site)} · {person(capa.opened_by)}",
            ),
            (label(language, "期限", "Due"), day(capa.due_on)),
            (label(language, "关闭", "Closed"), local(capa.closed_at, site)),
        ]
    )
    fishbone = [
        [text, "; ".join(capa.fishbone[key])]
        for key, text in FishboneCategory.choices
        if capa.fishbone.get(key)
    ]
    actions = [
        [
            a.get_kind_display(),
            a.description,
            person(a.owner),
            day(a.due_on),
            f"{local(a.done_at, site)} · {person(a.done_by)}" if a.done_at else "—",
            a.evidence,
        ]
        for a in capa.actions.select_related("owner", "done_by").order_by("pk")
    ]
    verified = [s for s in signatures.signatures_of(capa) if s.meaning == SignatureMeaning.VERIFIED]
    sections = [
        Section(H("概况", "Summary"), [summary]),
        Section(H("问题描述", "Problem statement"), _text(language, capa.problem_statement)),
        Section(H("围堵措施", "Containment"), _text(language, capa.containment)),
        Section(H("根本原因分析", "Root cause analysis"), []),
        Section(
            H("五个为什么", "Five whys"),
            [steps(capa.five_whys)] if capa.five_whys else _text(language, ""),
            level=3,
        ),
        Section(
            H("鱼骨图", "Fishbone"),
            [
                table(
                    [label(language, "类别", "Category"), label(language, "原因", "Causes")],
                    fishbone,
                )
            ]
            if fishbone
            else _text(language, ""),
            level=3,
        ),
        Section(H("根本原因", "Root cause"), _text(language, capa.root_cause), level=3),
        Section(
            H("纠正和预防措施", "Corrective and preventive actions"),
            [
                table(
                    [
                        label(language, "类型", "Kind"),
                        label(language, "措施", "Action"),
                        label(language, "负责人", "Owner"),
                        label(language, "期限", "Due"),
                        label(language, "完成", "Done"),
                        label(language, "证据", "Evidence"),
                    ],
                    actions,
                )
                if actions
                else note(label(language, "尚未计划措施。", "No action planned yet."))
            ],
        ),
        Section(
            H("实施验证", "Verification of implementation"),
            [
                facts(
                    [
                        (
                            s.signer_name,
                            local(s.signed_at, site) + (f" · {s.reason}" if s.reason else ""),
                        )
                        for s in verified
                    ]
                )
                if verified
                else note(label(language, "尚未验证。", "Not verified yet."))
            ],
        ),
        Section(
            H("有效性检查", "Effectiveness check"),
            [
                facts(
                    [
                        (label(language, "准则", "Criteria"), capa.effectiveness_criteria),
                        (label(language, "检查期限", "Check due"), day(capa.effectiveness_due_on)),
                        (
                            label(language, "结果", "Result"),
                            capa.get_effectiveness_display() if capa.effectiveness else "",
                        ),
                        (label(language, "说明", "Note"), capa.effectiveness_note),
                    ]
                )
            ],
        ),
        Section(SIGNATURES, [signature_list(capa)]),
    ]
    return _report(
        generation,
        H(f"纠正和预防措施报告 {capa.number}", f"CAPA report {capa.number}"),
        sections,
        (label(language, "CAPA 编号", "CAPA"), capa.number),
        topic="capa",
    )


def build_ncr_report(generation: Generation) -> Content:
    from medtrace.quality.capa_selectors import visible_capas

    ncr, language, site = generation.subject, generation.language, generation.subject.site
    quantity = f"{ncr.quantity.normalize():f} {ncr.uom}".strip() if ncr.quantity else ""
    equipment = ""
    if ncr.equipment_id:
        equipment = f"{ncr.equipment.code} · {ncr.equipment_status or '—'}"
        if ncr.equipment_calibration_due_on:
            equipment += (
                " · "
                + label(language, "校准到期 ", "calibration due ")
                + day(ncr.equipment_calibration_due_on)
            )
    summary = facts(
        [
            (label(language, "标题", "Title"), ncr.title),
            (label(language, "来源", "Source"), ncr.get_source_display()),
            (label(language, "严重程度", "Severity"), ncr.get_severity_display()),
            (label(language, "状态", "Status"), ncr.get_status_display()),
            (
                label(language, "物料", "Item"),
                f"{ncr.item.code} {ncr.item.name}" if ncr.item_id else "",
            ),
            (label(language, "批次", "Lot"), ncr.lot.lot_number if ncr.lot_id else ""),
            (label(language, "数量", "Quantity"), quantity),
            (
                label(language, "供应商", "Supplier"),
                f"{ncr.supplier.code} {ncr.supplier_lot_number}".strip() if ncr.supplier_id else "",
            ),
            (label(language, "设备（开具时状态）", "Equipment (state when opened)"), equipment),
            (
                label(language, "开具", "Opened"),
                f"{local(ncr.opened_at, site)} · {person(ncr.opened_by)}",
            ),
            (label(language, "期限", "Due"), day(ncr.due_on)),
            (label(language, "关闭", "Closed"), local(ncr.closed_at, site)),
        ]
    )
    dispositions = [
        [
            d.get_decision_display(),
            f"{d.quantity.normalize():f}",
            d.justification,
            f"{local(d.decided_at, site)} · {person(d.decided_by)}",
            f"{local(d.executed_at, site)} · {person(d.executed_by)} · {d.execution_note}"
            if d.executed_at
            else "—",
        ]
        for d in ncr.dispositions.select_related("decided_by", "executed_by").order_by("pk")
    ]
    capas = visible_capas(generation.by).filter(nonconformance=ncr).order_by("pk")
    sections = [
        Section(H("概况", "Summary"), [summary]),
        Section(
            H("不合格描述", "Description of the nonconformance"), _text(language, ncr.description)
        ),
        Section(
            H("处置", "Dispositions"),
            [
                table(
                    [
                        label(language, "决定", "Decision"),
                        label(language, "数量", "Quantity"),
                        label(language, "理由", "Justification"),
                        label(language, "决定人", "Decided"),
                        label(language, "执行", "Carried out"),
                    ],
                    dispositions,
                )
                if dispositions
                else note(label(language, "尚未处置。", "No disposition yet."))
            ],
        ),
        Section(
            H("相关 CAPA", "CAPAs opened from it"),
            [
                table(
                    [
                        label(language, "编号", "Number"),
                        label(language, "标题", "Title"),
                        label(language, "状态", "Status"),
                    ],
                    [[c.number, c.title, c.get_status_display()] for c in capas],
                )
                if capas
                else note(label(language, "无。", "None."))
            ],
        ),
        Section(SIGNATURES, [signature_list(ncr)]),
    ]
    return _report(
        generation,
        H(f"不合格品报告 {ncr.number}", f"Nonconformance report {ncr.number}"),
        sections,
        (label(language, "NCR 编号", "NCR"), ncr.number),
        topic="nonconformance",
    )


def build_supplier_audit_report(generation: Generation) -> Content:
    audit, language, site = generation.subject, generation.language, generation.site
    supplier = audit.supplier
    summary = facts(
        [
            (
                label(language, "供应商", "Supplier"),
                f"{supplier.code} {supplier.name}"
                + (f" / {supplier.name_en}" if supplier.name_en else ""),
            ),
            (label(language, "供应商状态", "Supplier status"), supplier.get_status_display()),
            (label(language, "审核类型", "Type"), audit.get_kind_display()),
            (label(language, "状态", "Status"), audit.get_status_display()),
            (label(language, "计划日期", "Planned for"), day(audit.planned_on)),
            (label(language, "实施日期", "Performed on"), day(audit.performed_on)),
            (label(language, "审核员", "Auditors"), audit.auditors),
            (label(language, "结果", "Result"), audit.get_result_display() if audit.result else ""),
            (label(language, "结论日期", "Concluded"), local(audit.concluded_at, site)),
        ]
    )
    findings = [
        [
            f.reference,
            f.get_classification_display(),
            f.description,
            day(f.due_on),
            f.get_status_display(),
            f.capa.number if f.capa_id else "—",
            f"{local(f.closed_at, site)} · {f.closure_note}" if f.closed_at else "—",
        ]
        for f in audit.findings.select_related("capa", "audit").order_by("sequence")
    ]
    sections = [
        Section(H("概况", "Summary"), [summary]),
        Section(H("审核范围", "Scope of the audit"), _text(language, audit.scope)),
        Section(
            H("审核发现", "Findings"),
            [
                table(
                    [
                        label(language, "编号", "Ref."),
                        label(language, "分类", "Class"),
                        label(language, "描述", "Description"),
                        label(language, "期限", "Due"),
                        label(language, "状态", "Status"),
                        "CAPA",
                        label(language, "关闭证据", "Closure"),
                    ],
                    findings,
                )
                if findings
                else note(label(language, "无审核发现。", "No findings."))
            ],
        ),
        Section(H("审核结论", "Conclusion"), _text(language, audit.conclusion)),
        Section(SIGNATURES, [signature_list(audit)]),
    ]
    return _report(
        generation,
        H(f"供应商审核报告 {audit.number}", f"Supplier audit report {audit.number}"),
        sections,
        (label(language, "审核编号", "Audit"), audit.number),
        topic="supplier_control",
    )
