# ruff: noqa: E501 (bilingual sentences are kept whole, one per line, to be read and grepped)
"""The quality manual, filled from live data: the organization and its sites, the scope (the
finished devices in the catalog with their class in the market), the quality policy, who is
responsible for what (medtrace's roles and who holds them), the process map, the effective
controlled documents by type, the ISO 13485 clauses 4-8 with the procedure implementing each
(found among the effective SOPs by title keywords, else "to be written"), and the open NCRs
and CAPAs per site. Everything read is what the generating user may see."""

from django.db.models import Count, Q

from medtrace.accounts.roles import Role
from medtrace.documents.choices import DocumentType, Market, RevisionStatus
from medtrace.documents.generation import references
from medtrace.documents.generation.common import (
    cover,
    day,
    holders,
    joined,
    label,
    lead_for,
    role_label,
    translated,
)
from medtrace.documents.generation.content import (
    Content,
    Heading,
    Section,
    note,
    paragraph,
    table,
)
from medtrace.documents.generation.registry import Generation

H = Heading

# fmt: off
ROLE_DUTIES = [
    (Role.SYSTEM_ADMIN, H("维护 medtrace 的用户、角色和场所；不参与质量决定。", "Keeps medtrace's users, roles and sites; takes no quality decisions.")),
    (Role.QA_MANAGER, H("管理者代表：建立并保持质量管理体系；批准程序、放行、处置和 CAPA；向最高管理者报告体系绩效。", "Management representative: establishes and maintains the QMS; approves procedures, release, dispositions and CAPA; reports QMS performance to top management.")),
    (Role.QA_INSPECTOR, H("来料、过程和成品检验；报告不合格。", "Incoming, in-process and final inspection; reports nonconformances.")),
    (Role.PRODUCTION_SUPERVISOR, H("按批准的工艺组织生产；编写作业指导书；培训操作员；维护设备。", "Runs production to approved routings; writes work instructions; trains operators; maintains equipment.")),
    (Role.OPERATOR, H("按现行有效文件操作并如实记录。", "Works to the effective documents and records truthfully.")),
    (Role.WAREHOUSE_CLERK, H("收货、储存、发货和退货；隔离待检和不合格物料。", "Receives, stores, ships and takes returns; segregates quarantined and nonconforming stock.")),
    (Role.PURCHASING, H("向合格供应商的批准来源采购。", "Buys from approved sources of qualified suppliers.")),
    (Role.REGULATORY_AFFAIRS, H("注册与备案、不良事件和召回报告、法规识别。", "Registration, adverse-event and recall reporting, regulatory intelligence.")),
    (Role.AUDITOR, H("只读查阅记录，进行内部审核。", "Reads records (read-only) for internal audits.")),
]

MARKET_ROLE_NOTES = {
    Market.NMPA: H("企业负责人对质量管理体系全面负责；管理者代表由 QA 经理担任。", "The legal representative is responsible for the QMS; the QA manager is the management representative."),
    Market.FDA: H("具有执行职责的管理层（management with executive responsibility）对质量方针和体系负责。", "Management with executive responsibility is responsible for the quality policy and the QMS."),
    Market.EU: H("法规合规负责人（MDR 第 15 条）由法规事务担任。", "The person responsible for regulatory compliance (MDR Art. 15) is in regulatory affairs."),
}

# (group, process, owner role, ISO 13485 clauses, records in medtrace)
PROCESS_MAP = [
    (H("管理过程", "Management"), H("管理评审", "Management review"), Role.QA_MANAGER, "5.6", H("质量数据看板、CAPA、投诉趋势", "Dashboards, CAPA, complaint trends")),
    (H("管理过程", "Management"), H("内部审核", "Internal audit"), Role.QA_MANAGER, "8.2.4", H("审计追踪及其评审", "Audit trail and its reviews")),
    (H("管理过程", "Management"), H("纠正和预防措施", "CAPA"), Role.QA_MANAGER, "8.5.2, 8.5.3", H("CAPA 记录", "CAPA records")),
    (H("产品实现", "Realization"), H("采购与供应商控制", "Purchasing and supplier control"), Role.PURCHASING, "7.4", H("供应商、证书、批准来源、审核", "Suppliers, certificates, approved sources, audits")),
    (H("产品实现", "Realization"), H("来料检验", "Incoming inspection"), Role.QA_INSPECTOR, "7.4.3, 8.2.6", H("检验记录", "Inspection records")),
    (H("产品实现", "Realization"), H("生产", "Production"), Role.PRODUCTION_SUPERVISOR, "7.5.1, 7.5.8, 7.5.9", H("批次、追溯事件、设备记录", "Lots, trace events, equipment records")),
    (H("产品实现", "Realization"), H("成品检验与放行", "Final inspection and release"), Role.QA_MANAGER, "8.2.6", H("成品检验、偏差、放行签名", "Final inspection, deviations, release signatures")),
    (H("产品实现", "Realization"), H("仓储与发货", "Storage and distribution"), Role.WAREHOUSE_CLERK, "7.5.11", H("库存台账、发货、退货", "Stock ledger, shipments, returns")),
    (H("产品实现", "Realization"), H("投诉与不良事件报告", "Complaints and adverse-event reporting"), Role.REGULATORY_AFFAIRS, "8.2.2, 8.2.3", H("投诉、报告草稿", "Complaints, report drafts")),
    (H("产品实现", "Realization"), H("召回", "Recall"), Role.REGULATORY_AFFAIRS, "7.2.3, 8.3.3", H("正向追溯、召回记录", "Forward traces, recall records")),
    (H("支持过程", "Support"), H("文件与记录控制", "Document and record control"), Role.QA_MANAGER, "4.2.4, 4.2.5", H("受控文件、审计追踪、电子签名", "Controlled documents, audit trail, e-signatures")),
    (H("支持过程", "Support"), H("培训", "Training"), Role.PRODUCTION_SUPERVISOR, "6.2", H("培训矩阵与培训记录", "Curricula and training records")),
    (H("支持过程", "Support"), H("设备与校准", "Equipment and calibration"), Role.PRODUCTION_SUPERVISOR, "6.3, 7.6", H("设备台账、校准和维护记录", "Equipment ledger, calibration and maintenance")),
    (H("支持过程", "Support"), H("不合格品控制", "Control of nonconforming product"), Role.QA_MANAGER, "8.3", H("不合格品报告", "Nonconformance reports")),
]

TYPE_HEADINGS = {
    DocumentType.QUALITY_MANUAL: H("质量手册", "Quality manual"),
    DocumentType.PROCEDURE: H("程序文件", "Procedures (SOP)"),
    DocumentType.WORK_INSTRUCTION: H("作业指导书", "Work instructions"),
    DocumentType.FORM: H("表单", "Forms and templates"),
    DocumentType.SPECIFICATION: H("规范", "Specifications"),
    DocumentType.DRAWING: H("图纸", "Drawings"),
}

MANUAL = None  # a clause implemented by this manual itself
# (clause, title, title keywords of the procedure implementing it, or MANUAL)
CLAUSES = [
    ("4.1", H("质量管理体系总要求", "QMS general requirements"), MANUAL),
    ("4.2.2", H("质量手册", "Quality manual"), MANUAL),
    ("4.2.3", H("医疗器械文档", "Medical device file"), ("医疗器械文档", "技术文件", "device file", "technical documentation")),
    ("4.2.4", H("文件控制", "Control of documents"), ("文件控制", "文件管理", "document control", "control of documents")),
    ("4.2.5", H("记录控制", "Control of records"), ("记录控制", "记录管理", "control of records", "record control")),
    ("5.3", H("质量方针", "Quality policy"), MANUAL),
    ("5.5", H("职责、权限与沟通", "Responsibility, authority and communication"), MANUAL),
    ("5.6", H("管理评审", "Management review"), ("管理评审", "management review")),
    ("6.2", H("人力资源", "Human resources"), ("培训", "人力资源", "training")),
    ("6.3", H("基础设施", "Infrastructure"), ("基础设施", "设备维护", "infrastructure", "maintenance")),
    ("6.4", H("工作环境和污染控制", "Work environment and contamination control"), ("工作环境", "洁净", "污染", "environment", "cleanroom", "contamination")),
    ("7.1", H("产品实现的策划与风险管理", "Planning of product realization, risk management"), ("风险管理", "产品实现", "risk management")),
    ("7.2", H("与顾客有关的过程", "Customer-related processes"), ("合同评审", "订单评审", "销售", "contract review", "order review", "customer requirement")),
    ("7.3", H("设计和开发", "Design and development"), ("设计", "design")),
    ("7.4", H("采购", "Purchasing"), ("采购", "供应商", "purchasing", "supplier")),
    ("7.5", H("生产和服务提供", "Production and service provision"), ("生产", "标识", "追溯", "灭菌", "production", "traceability", "steriliz")),
    ("7.6", H("监视和测量设备的控制", "Control of monitoring and measuring equipment"), ("校准", "计量", "监视和测量", "calibration", "measuring equipment")),
    ("8.2.1", H("反馈", "Feedback"), ("反馈", "上市后", "feedback", "post-market")),
    ("8.2.2", H("投诉处置", "Complaint handling"), ("投诉", "complaint")),
    ("8.2.3", H("向监管机构报告", "Reporting to regulatory authorities"), ("不良事件", "警戒", "adverse event", "vigilance", "medical device reporting")),
    ("8.2.4", H("内部审核", "Internal audit"), ("内部审核", "内审", "internal audit")),
    ("8.2.6", H("产品的监视和测量", "Monitoring and measurement of product"), ("检验", "放行", "inspection", "release")),
    ("8.3", H("不合格品控制", "Control of nonconforming product"), ("不合格", "nonconform")),
    ("8.3.3", H("交付后不合格品与忠告性通知", "Nonconforming product after delivery, advisory notices"), ("召回", "忠告性通知", "recall", "advisory notice")),
    ("8.4", H("数据分析", "Analysis of data"), ("数据分析", "统计技术", "data analysis", "trend")),
    ("8.5.2", H("纠正措施", "Corrective action"), ("纠正", "capa", "corrective")),
    ("8.5.3", H("预防措施", "Preventive action"), ("预防", "capa", "preventive")),
]

POLICY = H("以法规为准绳，以质量求生存：我们设计、生产和交付安全有效的医疗器械，满足顾客和适用法规的要求，保持质量管理体系有效并持续改进。", "We design, make and deliver safe and effective medical devices that meet our customers' needs and the applicable regulatory requirements, and we keep our quality management system effective and improving.")

# fmt: on


def build_quality_manual(generation: Generation) -> Content:
    language, market = generation.language, generation.market
    organization = generation.organization
    from medtrace.org.models import Site

    sites = list(Site.objects.filter(organization=organization, is_active=True).order_by("code"))
    effective = _effective_documents(generation.by)
    sections = [
        Section(H("手册说明", "About this manual"), [paragraph(label(language, f"本手册描述{organization.name}的质量管理体系，依据下述法规与标准建立，适用于所列场所。手册中的清单由 medtrace 在生成时从实时数据填写。", f"This manual describes the quality management system of {organization.name_en or organization.name}, built to the regulations and standards listed at its end, at the sites listed. Its lists were filled by medtrace from live data when it was generated."))]),
        Section(H("组织概况与场所", "The organization and its sites"), [_sites_table(sites, language)]),
        Section(H("质量管理体系范围", "Scope of the quality management system"), _scope(generation)),
        Section(H("质量方针", "Quality policy"), [paragraph(POLICY.pick(language)), note(label(language, "质量方针由最高管理者批准并在各场所传达；质量目标在管理评审中设定和评审。", "Top management approves the policy and communicates it at every site; quality objectives are set and reviewed in management review."))]),
        Section(H("组织机构与职责", "Organization and responsibilities"), [_roles_table(sites, language), paragraph(MARKET_ROLE_NOTES[market].pick(language))]),
        Section(H("过程图", "Process map"), [_process_table(language)]),
        Section(H("文件控制", "Document control"), [paragraph(label(language, "质量管理体系文件在 medtrace 中受控：编号、版本、电子签名审批、生效后指派培训、受控副本编号发放、定期评审。以下为生成时现行有效的文件。", "Quality-system documents are controlled in medtrace: numbered, revised, approved by electronic signature, trained on once effective, issued as numbered controlled copies and reviewed periodically. These were effective when this manual was generated."))]),
        *_documents_by_type(effective, language),
        Section(H("ISO 13485 条款对照", "ISO 13485 clause mapping"), [_clause_table(effective, language)]),
        Section(H("质量记录现状", "Quality records at a glance"), [_open_records(generation, language)]),
        Section(H("手册的批准与修订", "Approval and revision of this manual"), [paragraph(label(language, "本手册作为受控文件（质量手册类型）管理，经 QA 经理批准后生效，并至少在管理评审时评审。", "This manual is a controlled document of type quality manual: it takes effect once approved by the QA manager and is reviewed at least at each management review."))]),
    ]  # fmt: skip
    return Content(
        title=H("质量手册", "Quality Manual"),
        sections=sections,
        language=language,
        lead=lead_for(market),
        cover=cover(
            generation,
            (label(language, "适用市场", "Market"), translated(language, Market(market).label)),
            (label(language, "生效文件数", "Effective documents"), str(len(effective))),
        ),
        references=references.for_market(market),
    )


def _sites_table(sites, language):
    from medtrace.org.choices import SiteKind

    return table(
        [label(language, "代码", "Code"), label(language, "名称", "Name"), label(language, "类型", "Kind"),
         label(language, "地址", "Address"), label(language, "时区", "Time zone")],
        [[site.code, site.name + (f" / {site.name_en}" if site.name_en else ""),
          translated(language, SiteKind(site.kind).label), site.address, site.time_zone]
         for site in sites],
    )  # fmt: skip


def _scope(generation: Generation) -> list:
    from medtrace.catalog.choices import ItemKind
    from medtrace.catalog.models import Item

    language, market = generation.language, generation.market
    items = (
        Item.objects.filter(
            organization=generation.organization, kind=ItemKind.FINISHED_DEVICE, is_active=True
        )
        .prefetch_related("device_identifiers")
        .order_by("code")
    )
    field = {Market.NMPA: "risk_class_cn", Market.FDA: "risk_class_us", Market.EU: "risk_class_eu"}[
        market
    ]
    rows = []
    for item in items:
        identifiers = [di for di in item.device_identifiers.all() if di.is_active]
        classes = sorted({getattr(di, field) for di in identifiers if getattr(di, field)})
        registrations = sorted(
            {di.registration_number for di in identifiers if di.registration_number}
        )
        row = [
            item.code,
            item.name + (f" / {item.name_en}" if item.name_en else ""),
            ", ".join(classes),
        ]
        if market == Market.NMPA:
            row.append(", ".join(registrations))
        rows.append(row)
    header = [
        label(language, "物料代码", "Item"),
        label(language, "产品", "Device"),
        label(language, "管理类别", "Class"),
    ]
    if market == Market.NMPA:
        header.append(label(language, "注册证/备案号", "Registration"))
    blocks = [
        paragraph(
            label(
                language,
                "本体系覆盖下列医疗器械的设计开发、生产、储存、销售和售后服务（如有删减，须在此说明理由）。",
                "The system covers the design and development, production, storage, distribution and servicing of the devices below (any exclusion is justified here).",
            )
        )
    ]
    blocks.append(
        table(header, rows)
        if rows
        else note(
            label(language, "目录中尚无成品器械。", "The catalog has no finished device yet.")
        )
    )
    return blocks


def _roles_table(sites, language):
    return table(
        [label(language, "角色", "Role"), label(language, "职责与权限", "Responsibility and authority"),
         label(language, "任职人员", "Held by")],
        [[role_label(role, language), duty.pick(language), joined(language, holders(sites, role)) or "—"]
         for role, duty in ROLE_DUTIES],
    )  # fmt: skip


def _process_table(language):
    return table(
        [label(language, "类别", "Group"), label(language, "过程", "Process"), label(language, "负责角色", "Owner"),
         "ISO 13485", label(language, "medtrace 记录", "Records in medtrace")],
        [[group.pick(language), process.pick(language), role_label(owner, language), clauses, records.pick(language)]
         for group, process, owner, clauses, records in PROCESS_MAP],
    )  # fmt: skip


def _effective_documents(user) -> list:
    """The effective revisions of the documents the user may see, by type then number."""
    from medtrace.documents.models import DocumentRevision
    from medtrace.documents.selectors import documents_for

    return list(
        DocumentRevision.objects.filter(
            status=RevisionStatus.EFFECTIVE, document__in=documents_for(user).values("pk")
        )
        .select_related("document__site")
        .order_by("document__document_type", "document__number")
    )


def _documents_by_type(revisions, language) -> list[Section]:
    sections = []
    for document_type in DocumentType:
        rows = [r for r in revisions if r.document.document_type == document_type]
        title = TYPE_HEADINGS[document_type]
        if not rows:
            continue
        sections.append(
            Section(
                title,
                [
                    table(
                        [
                            label(language, "编号", "Number"),
                            label(language, "标题", "Title"),
                            label(language, "版本", "Revision"),
                            label(language, "生效日期", "Effective"),
                        ],
                        [
                            [
                                r.document.number,
                                _title(r.document, language),
                                r.revision,
                                day(
                                    r.document.site.local_date(r.effective_at)
                                    if r.effective_at
                                    else None
                                ),
                            ]
                            for r in rows
                        ],
                    )
                ],
                level=3,
            )
        )
    if not sections:
        sections.append(
            Section(
                H("现行文件", "Effective documents"),
                [
                    note(
                        label(
                            language,
                            "尚无生效的受控文件。",
                            "No controlled document is effective yet.",
                        )
                    )
                ],
                level=3,
            )
        )
    return sections


def _title(document, language) -> str:
    if language != "zh-hans" and document.title_en:
        return document.title_en
    return document.title


def procedures_for(keywords, revisions) -> list[str]:
    """The numbers of the effective SOPs whose title (either language) has one of `keywords`."""
    found = []
    for revision in revisions:
        document = revision.document
        if document.document_type != DocumentType.PROCEDURE:
            continue
        titles = f"{document.title} {document.title_en}".lower()
        if any(keyword.lower() in titles for keyword in keywords):
            found.append(document.number)
    return found


def _clause_table(revisions, language):
    rows = []
    for clause, title, keywords in CLAUSES:
        if keywords is MANUAL:
            implemented = label(language, "本手册", "This manual")
        else:
            numbers = procedures_for(keywords, revisions)
            implemented = (
                ", ".join(numbers) if numbers else label(language, "待编写", "To be written")
            )
        rows.append([clause, title.pick(language), implemented])
    return table(
        [label(language, "条款", "Clause"), label(language, "要求", "Requirement"),
         label(language, "实施程序", "Implemented by")],
        rows,
    )  # fmt: skip


def _open_records(generation: Generation, language):
    from django.utils import timezone

    from medtrace.quality.capa_selectors import visible_capas
    from medtrace.quality.selectors import OPEN_STATES as NCR_OPEN
    from medtrace.quality.selectors import visible_nonconformances
    from medtrace.quality.services.capa import OPEN_STATES as CAPA_OPEN

    today = timezone.localdate()
    counts: dict[str, list[int]] = {}
    for index, (records, states) in enumerate(
        (
            (visible_nonconformances(generation.by), NCR_OPEN),
            (visible_capas(generation.by), CAPA_OPEN),
        )
    ):
        for row in (
            records.filter(status__in=states)
            .values("site__code")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
            .order_by()
        ):
            counts.setdefault(row["site__code"], [0, 0, 0, 0])
            counts[row["site__code"]][index * 2] = row["open"]
            counts[row["site__code"]][index * 2 + 1] = row["overdue"]
    if not counts:
        return note(
            label(
                language,
                "生成时没有未关闭的不合格品报告或 CAPA。",
                "No NCR or CAPA was open when this was generated.",
            )
        )
    return table(
        [label(language, "场所", "Site"), label(language, "未关闭 NCR", "Open NCRs"), label(language, "其中逾期", "overdue"),
         label(language, "未关闭 CAPA", "Open CAPAs"), label(language, "其中逾期", "overdue")],
        [[code, *values] for code, values in sorted(counts.items())],
    )  # fmt: skip
