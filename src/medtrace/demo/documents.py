"""The demo plant's controlled documents: the quality manual, the procedures a QMS needs
(document control, nonconformance, CAPA, training, calibration, suppliers, complaints,
recall), the work instructions of the infusion-set line and a specification, approved by
signature and in force at the Suzhou plant (the corporate ones at every site). A revision of
the CAPA procedure waits for QA's approval, and a work instruction is being drafted."""

from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.documents.choices import DocumentType
from medtrace.documents.services import documents, revisions

SITE = "SZ01"

# (type, number, title, English title, corporate (in force at every site), body)
DOCUMENTS = [
    (
        DocumentType.QUALITY_MANUAL,
        "QM-0001",
        "质量手册",
        "Quality manual",
        True,
        "# 质量手册\n\n## 1 质量方针\n\n以患者安全为本，持续满足法规与顾客要求。\n\n"
        "## 2 适用范围\n\n一次性使用输液器、注射器的设计开发、生产和销售。\n\n"
        "## 3 组织机构与职责\n\n| 职责 | 部门 |\n"
        "|---|---|\n| 质量体系 | 质量部 |\n| 生产 | 生产部 |\n"
        "| 采购 | 采购部 |\n\n## 4 文件控制\n\n见 SOP-0001。\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0001",
        "文件控制程序",
        "Document control",
        True,
        "# 目的\n\n确保使用的文件为现行有效版本。\n\n# 程序\n\n1. 起草、审核、批准（电子签名）\n"
        "2. 生效日期前完成培训\n3. 作废版本及时撤出使用现场\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0002",
        "不合格品控制程序",
        "Control of nonconforming product",
        True,
        "# 目的\n\n识别、隔离、评审和处置不合格品。\n\n"
        "# 程序\n\n1. 发现即标识并隔离（系统冻结批次）\n"
        "2. MRB 评审处置：返工、让步接收、退货、报废\n3. 必要时升级 CAPA\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0003",
        "纠正和预防措施程序",
        "Corrective and preventive action",
        True,
        "# 目的\n\n消除不合格的原因，防止再发生。\n\n"
        "# 程序\n\n1. 问题描述与遏制\n2. 根本原因分析（5 Why、鱼骨图）\n"
        "3. 措施实施与验证\n4. 有效性检查\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0004",
        "培训管理程序",
        "Training",
        True,
        "# 目的\n\n确保员工经培训并具备岗位能力。\n\n# 程序\n\n1. 按岗位建立培训矩阵\n"
        "2. 文件生效即分派培训\n3. 未经培训不得上岗操作\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0005",
        "监视和测量设备控制程序",
        "Calibration of equipment",
        False,
        "# 目的\n\n确保测量结果有效。\n\n# 程序\n\n1. 按周期校准，标准器可溯源至国家基准\n"
        "2. 校准失败时评估对已生产产品的影响\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0006",
        "供应商管理程序",
        "Supplier control",
        True,
        "# 目的\n\n选择、评价和监控供应商。\n\n# 程序\n\n1. 资质审查与现场审核\n2. 合格供方名录\n"
        "3. 证书到期自动降为有条件合格\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0007",
        "顾客投诉处理程序",
        "Complaint handling",
        True,
        "# 目的\n\n及时处理投诉并判定是否需上报不良事件。\n",
    ),
    (
        DocumentType.PROCEDURE,
        "SOP-0008",
        "医疗器械召回程序",
        "Medical device recall",
        True,
        "# 目的\n\n按《医疗器械召回管理办法》实施召回。\n\n"
        "# 时限\n\n| 级别 | 通知时限 |\n|---|---|\n"
        "| 一级 | 1 日 |\n| 二级 | 3 日 |\n| 三级 | 7 日 |\n",
    ),
    (
        DocumentType.WORK_INSTRUCTION,
        "WI-0001",
        "注塑成型作业指导书",
        "Injection molding",
        False,
        "# 注塑成型\n\n1. 核对模具与物料批号\n"
        "2. 熔体温度 230±10 °C\n3. 首件检验合格后方可批量生产\n",
    ),
    (
        DocumentType.WORK_INSTRUCTION,
        "WI-0002",
        "输液器组装作业指导书",
        "Infusion-set assembly",
        False,
        "# 组装\n\n1. 扫描部件批次\n2. 粘接后固化 30 s\n3. 100% 目检\n",
    ),
    (
        DocumentType.WORK_INSTRUCTION,
        "WI-0003",
        "密封性测试作业指导书",
        "Leak testing",
        False,
        "# 密封性测试\n\n1. 测试压力 50 kPa，保压 10 s\n2. 泄漏量 ≤ 0.5 mL/min 判合格\n",
    ),
    (
        DocumentType.WORK_INSTRUCTION,
        "WI-0004",
        "环氧乙烷灭菌作业指导书",
        "EO sterilization",
        False,
        "# EO 灭菌\n\n1. 预处理 12 h\n2. 灭菌 55 °C，6 h\n3. 解析 ≥ 7 天\n",
    ),
    (
        DocumentType.SPECIFICATION,
        "SPEC-0001",
        "医用 PVC 粒料技术规格",
        "Medical PVC compound",
        False,
        "# 技术要求\n\n| 项目 | 要求 |\n"
        "|---|---|\n| 邻苯二甲酸酯 | 不得使用 DEHP |\n| 黑点 | ≤ 2 个/100 g |\n",
    ),
]


def build_documents(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    everywhere = list(demo.sites.values())
    author, qa, supervisor = demo.users["regulatory"], demo.users["qa"], demo.users["supervisor"]
    for document_type, number, title, title_en, corporate, body in DOCUMENTS:
        document = documents.create_document(
            site=site,
            document_type=document_type,
            number=number,
            title=title,
            title_en=title_en,
            owner=qa,
            applies_to=everywhere if corporate else [],
            change_summary="首次发布 / First issue.",
            body=body,
            by=author,
        )
        draft = document.revisions.get()
        revisions.submit(draft, by=author, password=DEMO_PASSWORD)
        approvers = [supervisor, qa] if document_type == DocumentType.WORK_INSTRUCTION else [qa]
        for approver in approvers:
            revisions.approve(draft, by=approver, password=DEMO_PASSWORD)
        demo.documents[number] = document
    capa_procedure = revisions.new_draft(
        demo.documents["SOP-0003"],
        by=author,
        change_summary="增加有效性检查的统计方法 / Adds statistical effectiveness checks.",
        body=DOCUMENTS[3][5] + "5. 有效性检查：连续 3 个月同类不合格为零\n",
    )
    revisions.submit(capa_procedure, by=author, password=DEMO_PASSWORD)
    revisions.new_draft(
        demo.documents["WI-0002"],
        by=author,
        change_summary="新增自动粘接机 / New automatic bonding machine.",
    )
