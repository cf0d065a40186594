"""The demo plant's training: curricula for line operators, inspectors and QA over the
controlled documents, most people trained (the SOPs read and understood by signature, the work
instructions taught on the line by the production supervisor and assessed), one failed
assessment with its retake open, a new hire whose onboarding was entered from the paper
matrix with its original (passed) due date, and the nonconforming-product SOP revised today:
QA and some operators have signed it, the rest still have it to do.

The services stamp every record with the time it is entered, so the demo's training all
happens "today" (it is what the plant entered at go-live); only the new hire's due date is
in the past."""

import random
from datetime import timedelta
from decimal import Decimal

from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_user
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.documents.choices import DocumentType
from medtrace.documents.services import revisions
from medtrace.org import services as org
from medtrace.training.choices import Assessment, AssignmentStatus
from medtrace.training.models import TrainingAssignment
from medtrace.training.services import assignments, curricula, records

# (username, full name, site): the line's other operators; the new hire's role is granted
# after the curricula, as HR would.
OPERATORS = [
    ("operator2", "孙浩 Sun Hao", "SZ01"),
    ("operator3", "周婷 Zhou Ting", "SZ01"),
    ("sz-operator", "郑洁 Zheng Jie", "SZ02"),
]
NEW_HIRE = ("operator4", "吴磊 Wu Lei", "SZ01")

# (code, name, English name, roles, named members, documents, requalify every N months)
CURRICULA = [
    (
        "OPS-LINE",
        "输液器生产线操作工",
        "Infusion-set line operators",
        [Role.OPERATOR],
        ["engineer"],  # the process engineer writes the work instructions: trained on them too
        ["SOP-0002", "WI-0002", "WI-0003", "WI-0004"],
        12,
    ),
    (
        "INSPECTION",
        "质量检验员",
        "QC inspectors",
        [Role.QA_INSPECTOR],
        [],
        ["SOP-0002", "WI-0003", "SPEC-0001"],
        24,
    ),
    (
        "QA",
        "质量管理人员",
        "Quality assurance",
        [Role.QA_MANAGER],
        [],
        ["QM-0001", "SOP-0001", "SOP-0002", "SOP-0003", "SOP-0004", "SOP-0007", "SOP-0008"],
        None,
    ),
]

# (trainee, document, score): the assessment that failed; its retake stays open.
FAILED = ("operator3", "WI-0003", Decimal("55"))
# Who has already signed the revised nonconforming-product SOP.
SIGNED_NEW_REVISION = ("qa", "sz-qa", "inspector", "operator2")


def build_training(demo: DemoPlant) -> None:
    qa = demo.users["qa"]
    for username, full_name, site in OPERATORS:
        _person(demo, username, full_name, site)
    plant = demo.sites["SZ01"]
    for code, name, name_en, roles, members, numbers, months in CURRICULA:
        curricula.create_curriculum(
            site=plant,
            code=code,
            name=name,
            name_en=name_en,
            roles=roles,
            members=[demo.users[username] for username in members],
            documents=[demo.documents[number] for number in numbers],
            requalify_months=months,
            by=qa,
        )
    _train_everyone(demo)
    _new_hire(demo)
    _revise_nonconforming_product_sop(demo)


def _person(demo: DemoPlant, username: str, full_name: str, site: str, *, role=Role.OPERATOR):
    user = create_user(
        organization=demo.organization,
        username=username,
        password=DEMO_PASSWORD,
        email=f"{username}@example.com",
        full_name=full_name,
    )
    demo.users[username] = user
    org.grant_role(user=user, site=demo.sites[site], role=role)
    return user


def _train_everyone(demo: DemoPlant) -> None:
    """Work instructions are taught on the line and assessed by the supervisor; everything
    else is read and understood by signature."""
    supervisor = demo.users["supervisor"]
    # its own: the other steps' draws stay as they are
    rng = random.Random(demo.seed)  # nosec B311 # demo data
    failed_user, failed_document, failed_score = FAILED
    opened = (
        TrainingAssignment.objects.filter(status=AssignmentStatus.OPEN)
        .select_related("trainee", "revision__document")
        .order_by("trainee__username", "revision__document__number")
    )
    for assignment in opened:
        who, number = assignment.trainee.username, assignment.revision.document.number
        taught = assignment.revision.document.document_type == DocumentType.WORK_INSTRUCTION
        if taught and who != supervisor.username:
            failed = (who, number) == (failed_user, failed_document)
            records.instructor_led(
                assignment,
                by=supervisor,
                password=DEMO_PASSWORD,
                assessment=Assessment.FAILED if failed else Assessment.PASSED,
                score=failed_score if failed else Decimal(rng.randint(82, 98)),
                note=(
                    "保压时间判读错误，需重新培训 / Misread the hold time; retrain."
                    if failed
                    else "现场演示并实操考核 / Demonstrated and assessed on the line."
                ),
            )
        else:
            records.read_and_understood(
                assignment, by=assignment.trainee, password=DEMO_PASSWORD, note="已阅读 / Read."
            )


def _new_hire(demo: DemoPlant) -> None:
    """Wu Lei started on the line 20 days ago; his onboarding came over from the paper matrix
    with its due date (two weeks after he started), which has passed."""
    username, full_name, site = NEW_HIRE
    hire = _person(demo, username, full_name, site)
    plant = demo.sites[site]
    effective = demo.documents["WI-0002"].revisions.get(status="effective")
    assignments.assign(
        trainee=hire,
        revision=effective,
        site=plant,
        due_on=plant.local_date() - timedelta(days=6),
        by=demo.users["qa"],
        reason="新员工入职培训（纸质矩阵迁入）/ Onboarding, from the paper matrix",
    )


def _revise_nonconforming_product_sop(demo: DemoPlant) -> None:
    """Revision 2 of SOP-0002 (returned product is isolated too) takes effect today: everyone
    its curricula cover is assigned it; some have signed already."""
    document = demo.documents["SOP-0002"]
    author, qa = demo.users["regulatory"], demo.users["qa"]
    current = document.revisions.get(status="effective")
    draft = revisions.new_draft(
        document,
        by=author,
        change_summary="退货产品同样隔离并评审 / Returned product is isolated and reviewed too.",
        body=current.body + "4. 顾客退回产品放入退货区，按不合格品评审\n",
    )
    revisions.submit(draft, by=author, password=DEMO_PASSWORD)
    revisions.approve(draft, by=qa, password=DEMO_PASSWORD)
    for username in SIGNED_NEW_REVISION:
        assignment = TrainingAssignment.objects.get(
            trainee=demo.users[username], revision=draft, status=AssignmentStatus.OPEN
        )
        records.read_and_understood(
            assignment, by=demo.users[username], password=DEMO_PASSWORD, note="已阅读 / Read."
        )
