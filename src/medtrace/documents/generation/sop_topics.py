# ruff: noqa: E501 (bilingual sentences are kept whole, one per line, to be read and grepped)
"""The SOP topics a skeleton can be generated for, each written in Chinese and English: its
purpose, scope, who does what (by medtrace role), definitions, the procedure's steps (and the
steps a market adds), and the records medtrace keeps for it. A skeleton is a starting point:
the plant fills in its own specifics before the draft is submitted for approval."""

from dataclasses import dataclass, field

from medtrace.accounts.roles import Role
from medtrace.documents.choices import Market
from medtrace.documents.generation.content import Heading as T


@dataclass(frozen=True)
class Topic:
    key: str
    title: T
    purpose: T
    scope: T
    responsibilities: list[tuple[str, T]]
    definitions: list[tuple[T, T]]
    steps: list[T]
    records: list[T]
    market_steps: dict[str, list[T]] = field(default_factory=dict)
    # ISO 13485 clauses the procedure implements (the quality manual's clause table).
    clauses: tuple[str, ...] = ()


QA, INSPECTOR, SUPERVISOR = Role.QA_MANAGER, Role.QA_INSPECTOR, Role.PRODUCTION_SUPERVISOR
OPERATOR, WAREHOUSE, BUYER = Role.OPERATOR, Role.WAREHOUSE_CLERK, Role.PURCHASING
REGULATORY = Role.REGULATORY_AFFAIRS

# fmt: off

DOCUMENT_CONTROL = Topic(
    key="document_control",
    title=T("文件控制程序", "Document control procedure"),
    purpose=T("规定质量管理体系文件的编制、评审、批准、发布、更改、发放、定期评审和作废，确保使用场所只使用有效版本。", "To control how quality-system documents are written, reviewed, approved, issued, changed, distributed, periodically reviewed and withdrawn, so that only the effective revision is in use where work is done."),
    scope=T("适用于质量手册、程序文件、作业指导书、表单、规范和图纸，以及外来文件。", "Quality manual, procedures, work instructions, forms, specifications and drawings, and documents of external origin."),
    responsibilities=[
        (QA, T("文件控制的归口管理；批准程序文件；发放受控副本。", "Owns document control; approves procedures; issues controlled copies.")),
        (SUPERVISOR, T("编写并批准本产线的作业指导书。", "Writes and approves the work instructions of their lines.")),
        (REGULATORY, T("识别适用的法规和标准，评审其变化对文件的影响。", "Identifies applicable regulations and standards and reviews the impact of their changes.")),
        (OPERATOR, T("只按现行有效版本工作；完成指派的文件培训。", "Works only to the effective revision; completes the training assigned on it.")),
    ],
    definitions=[
        (T("受控文件", "Controlled document"), T("有编号、版本、审批和发放控制的文件。", "A document with a number, revisions, approval and controlled distribution.")),
        (T("受控副本", "Controlled copy"), T("由文件控制发放并编号的打印件；其他打印件为非受控。", "A numbered print issued by document control; any other print is uncontrolled.")),
        (T("定期评审", "Periodic review"), T("按规定周期确认文件仍然适用。", "Confirming at a set interval that a document is still right.")),
    ],
    steps=[
        T("作者在 medtrace 中登记文件（类型决定编号前缀，如 SOP-0007）并起草第一版。", "The author registers the document in medtrace (its type gives the number prefix, e.g. SOP-0007) and writes the first draft."),
        T("作者以电子签名（编制）提交评审；提交人不得批准自己的版本。", "The author submits it for review with an electronic signature (authored); the submitter may not approve it."),
        T("按文件类型的审批路线，每个角色一人以电子签名批准。", "One holder of each role on the type's approval route approves with an electronic signature."),
        T("批准后在生效日生效，上一版本自动作废为被替代版本；需要培训时自动指派培训。", "The approved revision takes effect on its date; the previous one is superseded and training is assigned where required."),
        T("受控副本由文件控制编号发放并记录接收人；其他打印件标注“打印后非受控”。", "Controlled copies are numbered and issued to a named recipient; other prints say they are uncontrolled once printed."),
        T("文件到期定期评审：确认仍有效（签名）或启动修订。", "At its periodic review the owner confirms the document (signed) or starts a revision."),
        T("作废的文件停止在所有场所使用，历史版本保留至少至产品寿命期后规定年限。", "A withdrawn document is no longer in force anywhere; superseded revisions are kept for the retention period."),
    ],
    records=[
        T("受控文件清单及各版本（medtrace 文件控制）", "Controlled documents and their revisions (medtrace document control)"),
        T("编制、批准、定期评审的电子签名", "Electronic signatures of authoring, approval and periodic review"),
        T("受控副本发放记录（副本号、接收人、打印人、时间）", "Controlled copy issue records (copy number, recipient, printed by, when)"),
        T("培训指派与培训记录", "Training assignments and training records"),
        T("审计追踪", "Audit trail"),
    ],
    clauses=("4.2.4", "4.2.5"),
)

CAPA = Topic(
    key="capa",
    title=T("纠正和预防措施控制程序", "Corrective and preventive action (CAPA) procedure"),
    purpose=T("规定识别、调查问题根本原因并采取纠正和预防措施、验证其实施和有效性的方法。", "To find the root cause of problems, take corrective and preventive actions, and verify that they were carried out and that they worked."),
    scope=T("适用于来自不合格品、偏差、投诉、审核发现、趋势信号和管理评审的问题。", "Problems from nonconformances, deviations, complaints, audit findings, trend signals and management review."),
    responsibilities=[
        (QA, T("决定是否立项；批准调查结论；验证实施并批准关闭（电子签名）。", "Decides to open a CAPA; approves the investigation; verifies implementation and approves closure (signed).")),
        (SUPERVISOR, T("参与根本原因调查；实施分配的措施。", "Takes part in the root-cause investigation; carries out the actions assigned.")),
        (INSPECTOR, T("提供检验数据；执行有效性验证的检验。", "Provides inspection data; performs the inspections of the effectiveness check.")),
    ],
    definitions=[
        (T("纠正", "Correction"), T("消除已发现的不合格的行动。", "Action to eliminate a detected nonconformity.")),
        (T("纠正措施", "Corrective action"), T("消除不合格原因、防止再发生的措施。", "Action to eliminate the cause of a nonconformity and prevent recurrence.")),
        (T("预防措施", "Preventive action"), T("消除潜在不合格原因、防止发生的措施。", "Action to eliminate the cause of a potential nonconformity.")),
    ],
    steps=[
        T("立项：记录问题描述、来源记录、负责人和期限（编号 CAPA-年份-序号）。", "Open: record the problem statement, the source record, the owner and the due date (CAPA-year-sequence)."),
        T("围堵：立即隔离受影响的批次和产品。", "Contain: hold the affected lots and product at once."),
        T("调查：用五个为什么和鱼骨图（人、机、料、法、测、环）确定根本原因。", "Investigate: five whys and a fishbone (man, machine, material, method, measurement, environment) to the root cause."),
        T("计划纠正和预防措施，每项有负责人和期限，并规定有效性准则。", "Plan corrective and preventive actions, each with an owner and due date, and set the effectiveness criteria."),
        T("实施：负责人完成措施并记录证据。", "Implement: each owner completes their action and records the evidence."),
        T("QA 以电子签名（验证）确认措施已实施。", "QA verifies the implementation with an electronic signature (verified)."),
        T("到期进行有效性检查，按准则判定有效或无效；无效时重开。", "At its date the effectiveness check is judged against the criteria; not effective reopens the CAPA."),
        T("QA 以电子签名（批准）关闭 CAPA，并输入管理评审。", "QA closes the CAPA with an electronic signature (approved); CAPAs feed management review."),
    ],
    records=[
        T("CAPA 记录（问题、围堵、五个为什么、鱼骨图、根本原因、措施、证据、有效性）", "CAPA record (problem, containment, five whys, fishbone, root cause, actions, evidence, effectiveness)"),
        T("来源记录：不合格品报告、偏差、投诉、审核发现", "Source records: NCR, deviation, complaint, audit finding"),
        T("验证和关闭的电子签名；生成的 CAPA 报告（PDF）", "Verification and closure signatures; generated CAPA report (PDF)"),
    ],
    clauses=("8.5.2", "8.5.3"),
)

NONCONFORMANCE = Topic(
    key="nonconformance",
    title=T("不合格品控制程序", "Control of nonconforming product procedure"),
    purpose=T("确保不符合要求的产品被识别、隔离、评审和处置，防止非预期使用或交付。", "To identify, segregate, review and disposition product that does not conform, and prevent its unintended use or delivery."),
    scope=T("适用于来料、过程、成品检验以及退货和投诉中发现的不合格品。", "Nonconforming material and product found at incoming, in-process and final inspection, in returns and in complaints."),
    responsibilities=[
        (INSPECTOR, T("发现并报告不合格；标识和隔离。", "Finds and reports the nonconformance; identifies and segregates it.")),
        (QA, T("组织 MRB 评审；记录处置决定；以电子签名批准处置。", "Runs the MRB review; records the dispositions; approves them with a signature.")),
        (WAREHOUSE, T("将不合格品移入不合格品区并执行退货或报废。", "Moves nonconforming stock to the MRB cage and carries out returns and scrap.")),
    ],
    definitions=[
        (T("MRB", "MRB"), T("材料评审委员会，对不合格品作出处置决定。", "Material review board: decides the disposition of nonconforming product.")),
        (T("让步接收", "Use as is (concession)"), T("经评审和授权后按现状使用。", "Use of nonconforming product after review and authorization.")),
    ],
    steps=[
        T("在 medtrace 中开具不合格品报告（NCR），关联批次、物料、供应商和设备；批次自动冻结。", "Open the NCR in medtrace, linked to the lot, item, supplier and equipment; the lot is put on hold."),
        T("QA 启动 MRB 评审，评估对已放行产品和其他批次的影响。", "QA starts the MRB review and assesses the impact on released product and other lots."),
        T("记录处置（让步接收、返工、返修、报废、退供应商、降级），数量合计不超过不合格数量。", "Record the dispositions (use as is, rework, repair, scrap, return to supplier, regrade) for no more than the nonconforming quantity."),
        T("QA 以电子签名批准处置；让步接收需说明理由。", "QA approves the dispositions with an electronic signature; use as is needs its justification."),
        T("执行处置并记录；报废和退货形成追溯事件。", "Carry out each disposition and record it; scrap and returns are trace events."),
        T("需要时升级为 CAPA；关闭 NCR。", "Escalate to a CAPA where needed; close the NCR."),
    ],
    records=[
        T("不合格品报告（NCR-年份-序号）及处置记录", "Nonconformance report (NCR-year-sequence) and its dispositions"),
        T("批次冻结、退货和报废的追溯事件", "Trace events of the hold, return and scrap"),
        T("处置批准的电子签名；生成的 NCR 报告（PDF）", "Signature approving the dispositions; generated NCR report (PDF)"),
    ],
    clauses=("8.3",),
)

TRAINING = Topic(
    key="training",
    title=T("培训控制程序", "Training procedure"),
    purpose=T("确保从事影响产品质量工作的人员具备能力，并在现行有效文件上接受培训。", "To ensure people whose work affects product quality are competent and trained on the effective revision of the documents they work to."),
    scope=T("适用于所有员工、临时工和承包商。", "All employees, temporary staff and contractors."),
    responsibilities=[
        (QA, T("维护岗位培训矩阵；评价培训有效性。", "Keeps the curricula (training matrix); evaluates training effectiveness.")),
        (SUPERVISOR, T("为本产线人员培训并签字确认。", "Trains the people of their lines and records it.")),
        (OPERATOR, T("完成指派的培训；未经培训不得操作。", "Completes the training assigned; does not work on an operation untrained.")),
    ],
    definitions=[
        (T("培训矩阵", "Curriculum"), T("岗位需要培训的文件清单。", "The documents a job requires training on.")),
    ],
    steps=[
        T("为每个岗位建立培训矩阵，列出所需文件。", "Set up a curriculum per job listing the documents it requires."),
        T("文件新版本生效时，medtrace 自动为相关人员指派培训。", "When a revision takes effect medtrace assigns the training to the people concerned."),
        T("培训人记录培训（日期、方式、考核结果）。", "The trainer records the training (date, method, assessment)."),
        T("未完成现行版本培训的操作员不能在 medtrace 中记录该工序。", "An operator not trained on the effective revision cannot record the operation in medtrace."),
        T("定期评价培训有效性并保存记录。", "Evaluate training effectiveness periodically and keep the record."),
    ],
    records=[
        T("培训矩阵、培训指派与培训记录（medtrace 培训）", "Curricula, training assignments and training records (medtrace training)"),
    ],
    clauses=("6.2",),
)

SUPPLIER_CONTROL = Topic(
    key="supplier_control",
    title=T("供应商控制程序", "Supplier control procedure"),
    purpose=T("规定供应商的评价、选择、批准、监视和再评价，确保采购产品符合要求。", "To evaluate, select, approve, monitor and re-evaluate suppliers so that purchased product meets its requirements."),
    scope=T("适用于影响产品质量的原材料、零部件、服务和外包过程的供应商。", "Suppliers of materials, components, services and outsourced processes that affect product quality."),
    responsibilities=[
        (BUYER, T("只向合格供应商的批准来源采购；维护供应商资料。", "Buys only from approved sources of qualified suppliers; keeps supplier records.")),
        (QA, T("按风险评价和审核供应商；以电子签名批准或取消资格。", "Evaluates and audits suppliers by risk; approves or disqualifies them with a signature.")),
        (INSPECTOR, T("执行来料检验；发现不合格时开具 NCR。", "Performs incoming inspection; reports nonconformances.")),
    ],
    definitions=[
        (T("批准来源", "Approved source"), T("批准供应商供应某物料的记录。", "The record that a supplier is approved to supply an item.")),
        (T("有条件批准", "Conditional approval"), T("附带整改条件和期限的批准。", "Approval with conditions to meet by a date.")),
    ],
    steps=[
        T("新供应商登记为潜在供应商，收集资质证书（营业执照、生产许可证、注册证、ISO 13485 证书）。", "Register a new supplier as prospective and collect its certificates (business licence, production licence, registration, ISO 13485)."),
        T("按风险等级进行评价（问卷、样品、审核）；关键供应商需现场或远程审核。", "Evaluate by risk class (questionnaire, samples, audit); critical suppliers are audited on site or remotely."),
        T("QA 以电子签名批准、有条件批准或取消资格。", "QA approves, approves conditionally or disqualifies with an electronic signature."),
        T("为每个物料登记批准来源；采购和收货只接受批准来源。", "Record the approved sources per item; purchasing and receiving accept only approved sources."),
        T("证书到期前提醒更新；证书过期时资格自动失效。", "Certificates are renewed before expiry; an expired certificate lapses the qualification."),
        T("按来料检验结果、不合格和审核发现定期再评价供应商。", "Re-evaluate suppliers periodically from incoming inspections, nonconformances and audit findings."),
    ],
    records=[
        T("供应商档案、证书及有效期、批准来源", "Supplier records, certificates and expiry, approved sources"),
        T("供应商评价、审核报告和审核发现（SA-年份-序号）", "Supplier evaluations, audit reports and findings"),
        T("资格决定的电子签名；来料检验记录；生成的供应商审核报告（PDF）", "Signed qualification decisions; incoming inspection records; generated supplier audit reports (PDF)"),
    ],
    clauses=("7.4",),
)

CALIBRATION = Topic(
    key="calibration",
    title=T("监视和测量设备控制程序", "Calibration of monitoring and measuring equipment procedure" ),
    purpose=T("确保监视和测量设备按规定周期校准或检定，结果可追溯至国家或国际标准。", "To calibrate or verify monitoring and measuring equipment at set intervals, traceable to national or international standards."),
    scope=T("适用于用于产品和过程验收的所有监视和测量设备。", "All monitoring and measuring equipment used to accept product or processes."),
    responsibilities=[
        (QA, T("维护校准计划；评价超差设备对已测产品的影响。", "Keeps the calibration schedule; concludes the impact of out-of-tolerance results.")),
        (SUPERVISOR, T("送校或安排校准；记录结果。", "Sends equipment for calibration and records the results.")),
        (OPERATOR, T("使用前确认设备在校准有效期内。", "Checks equipment is within calibration before use.")),
    ],
    definitions=[
        (T("超差", "Out of tolerance"), T("校准发现设备误差超出允许范围。", "A calibration found the equipment's error outside its tolerance.")),
    ],
    steps=[
        T("将设备登记到设备台账，规定校准周期和允许误差。", "Enter the equipment in the ledger with its calibration interval and tolerance."),
        T("按计划校准，记录结果和证书；QA 验证记录。", "Calibrate on schedule and record the result and certificate; QA verifies the record."),
        T("校准过期的设备在 medtrace 中不能用于工序记录。", "Equipment past its calibration date cannot be used in medtrace."),
        T("超差时评价上次合格校准以来测量的产品，必要时开 NCR 或 CAPA。", "When out of tolerance, review the product measured since the last good calibration; open an NCR or CAPA where needed."),
    ],
    records=[
        T("设备台账、校准计划和校准记录（medtrace 设备）", "Equipment ledger, calibration schedule and calibration records (medtrace equipment)"),
        T("超差影响评审记录", "Out-of-tolerance impact reviews"),
    ],
    clauses=("7.6",),
)

COMPLAINT_HANDLING = Topic(
    key="complaint_handling",
    title=T("顾客投诉处理程序", "Complaint handling procedure"),
    purpose=T("规定投诉的接收、记录、评价、调查、上报和关闭，及时识别需报告的不良事件。", "To receive, record, evaluate, investigate, report and close complaints, and to recognise reportable adverse events in time."),
    scope=T("适用于所有来源（医院、经销商、患者、监管部门）的投诉。", "Complaints from any source (hospitals, distributors, patients, authorities)."),
    responsibilities=[
        (QA, T("评价和调查投诉；决定是否需要 CAPA；关闭投诉。", "Evaluates and investigates complaints; decides on CAPA; closes them.")),
        (REGULATORY, T("判定可报告性并在时限内向监管部门报告。", "Decides reportability and reports to the authorities in time.")),
        (WAREHOUSE, T("接收退回产品并隔离。", "Receives and segregates returned product.")),
    ],
    definitions=[
        (T("投诉", "Complaint"), T("声称医疗器械在身份、质量、耐用性、可靠性、可用性、安全或性能方面存在缺陷的书面、电子或口头信息。", "Written, electronic or oral communication that alleges deficiencies in identity, quality, durability, reliability, usability, safety or performance of a device.")),
    ],
    steps=[
        T("在 medtrace 中登记投诉，关联器械、批次或序列号和顾客。", "Record the complaint in medtrace, linked to the device, lot or serial and the customer."),
        T("立即评价是否涉及死亡或严重伤害，确定可报告性和截止时间。", "Evaluate at once whether death or serious injury is involved; decide reportability and its deadline."),
        T("调查原因（退回样品、留样、生产记录、追溯），必要时开 CAPA。", "Investigate (returned sample, retained samples, production records, trace); open a CAPA where needed."),
        T("按市场规则生成并提交报告草稿。", "Generate and submit the market's report draft."),
        T("回复投诉人并关闭投诉；投诉数据输入趋势分析和管理评审。", "Answer the complainant and close; complaint data feed trending and management review."),
    ],
    market_steps={
        Market.NMPA: [
            T("可疑医疗器械不良事件：导致死亡的 7 日内、导致或可能导致严重伤害的 20 日内报告。", "Suspected adverse events: report within 7 days when fatal, within 20 days for serious injury.")
        ],
        Market.FDA: [
            T("MDR 报告（FDA 3500A）：30 个日历日内；需要补救措施防止公共健康风险的 5 个工作日内。", "MDR (FDA 3500A): within 30 calendar days; 5 work days when remedial action is needed to prevent a risk to public health.")
        ],
        Market.EU: [
            T("严重事件（MIR）：15 天内；死亡或意外严重恶化 10 天内；严重公共健康威胁 2 天内。", "Serious incidents (MIR): within 15 days; 10 days for death or unanticipated serious deterioration; 2 days for a serious public health threat.")
        ],
    },
    records=[
        T("投诉记录、调查、可报告性决定和报告草稿（medtrace 投诉）", "Complaint records, investigation, reportability decision and report drafts (medtrace complaints)"),
        T("回复投诉人的关闭函", "Closure letter to the complainant"),
    ],
    clauses=("8.2.2", "8.2.3"),
)

RECALL = Topic(
    key="recall",
    title=T("产品召回控制程序", "Recall procedure"),
    purpose=T("规定存在缺陷的医疗器械的召回和忠告性通知，快速确定范围并通知收货方。", "To recall defective devices and issue advisory notices, find the scope quickly and notify every consignee."),
    scope=T("适用于已放行和已交付的所有产品。", "All released and delivered product."),
    responsibilities=[
        (QA, T("评估缺陷和健康危害；决定召回级别；评价召回有效性。", "Assesses the defect and health hazard; decides the recall class; evaluates effectiveness.")),
        (REGULATORY, T("在时限内向监管部门报告并提交召回计划和总结。", "Reports to the authorities in time with the recall plan and summary.")),
        (WAREHOUSE, T("接收、隔离和处理召回产品。", "Receives, segregates and disposes of recalled product.")),
    ],
    definitions=[
        (T("召回", "Recall"), T("对存在缺陷的已上市器械采取的警示、检查、修理、重新标签、修改说明书、软件更新、替换、收回、销毁等措施。", "Correction or removal of a marketed device that has a defect.")),
        (T("模拟召回", "Mock recall"), T("验证追溯和召回能力的演练。", "An exercise proving the trace and recall capability.")),
    ],
    steps=[
        T("用 medtrace 追溯正向追踪受影响批次或序列号到每个收货方。", "Forward-trace the affected lots or serials to every consignee with medtrace."),
        T("评估健康危害，确定召回级别，编制召回计划。", "Assess the health hazard, decide the class and write the recall plan."),
        T("向收货方发出召回通知并跟踪回执。", "Send the recall notice to consignees and track their acknowledgements."),
        T("接收并隔离召回产品，记录数量平衡。", "Receive and segregate returned product, reconciling the quantities."),
        T("评价召回有效性，提交总结报告；每年至少进行一次模拟召回。", "Evaluate effectiveness and report the summary; run a mock recall at least once a year."),
    ],
    market_steps={
        Market.NMPA: [
            T("一级召回 1 日内、二级召回 3 日内、三级召回 7 日内通知有关单位并报告监管部门。", "Notify and report within 1 day (class I), 3 days (class II) or 7 days (class III).")
        ],
        Market.FDA: [
            T("按 21 CFR 806 在开始纠正或移除后 10 个工作日内向 FDA 报告。", "Report corrections and removals to FDA within 10 working days of starting them (21 CFR 806).")
        ],
        Market.EU: [
            T("现场安全纠正措施（FSCA）实施前向主管当局报告并发出现场安全通知（FSN）。", "Report the FSCA to the competent authorities and issue the field safety notice (FSN) before acting.")
        ],
    },
    records=[
        T("追溯报告（正向追踪的收货方清单）", "Trace report (consignees from the forward trace)"),
        T("召回通知、回执、数量平衡和有效性评价", "Recall notices, acknowledgements, reconciliation and effectiveness evaluation"),
        T("模拟召回记录", "Mock recall records"),
    ],
    clauses=("7.2.3", "8.3.3"),
)

# fmt: on

TOPICS: dict[str, Topic] = {
    topic.key: topic
    for topic in (
        DOCUMENT_CONTROL,
        CAPA,
        NONCONFORMANCE,
        TRAINING,
        SUPPLIER_CONTROL,
        CALIBRATION,
        COMPLAINT_HANDLING,
        RECALL,
    )
}
