"""Partners test data: a purchaser, a warehouse clerk, a PVC supplier, an item to source, a
hospital customer, and a QA manager of another organization with a supplier of their own; for
the qualification, a supplier under evaluation with its evaluation ready for approval, and
`qualify` to take a supplier all the way to approved."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.partners import services
from medtrace.partners.choices import Answer, CustomerKind, RiskClass
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.partners.readiness import current_evaluation
from medtrace.partners.services import evaluations
from medtrace.scan.checks import gs1_check_digit


def gln(body: str) -> str:
    return body + gs1_check_digit(body)


HOSPITAL_GLN = gln("950600020001")


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def buyer_a(make_user, site_a):
    return make_user("buyer-a", (site_a, Role.PURCHASING))


@pytest.fixture
def clerk_a(make_user, site_a):
    return make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))


@pytest.fixture
def supplier(organization, qa_a):
    return services.create_supplier(
        organization=organization,
        code="sup-pvc",
        name="浙江康塑医用材料有限公司",
        name_en="Zhejiang Kangsu Medical Materials",
        contact="张华",
        by=qa_a,
    )


@pytest.fixture
def pvc(organization, qa_a):
    return catalog.create_item(
        organization=organization,
        code="RM-PVC",
        name="医用 PVC 粒料",
        kind=ItemKind.RAW_MATERIAL,
        unit="KG",
        by=qa_a,
    )


@pytest.fixture
def hospital(organization, qa_a):
    return services.create_customer(
        organization=organization,
        code="h-suda1",
        name="苏州大学附属第一医院",
        kind=CustomerKind.HOSPITAL,
        region="江苏",
        gln=HOSPITAL_GLN,
        by=qa_a,
    )


@pytest.fixture
def outsider(stranger):
    """A QA manager of another organization, with a supplier and customer coded like ours."""
    other, user = stranger.organization, stranger
    services.create_supplier(organization=other, code="SECRET-S", name="他们的供应商")
    services.create_customer(
        organization=other, code="SECRET-C", name="他们的医院", kind=CustomerKind.HOSPITAL
    )
    return user


def answer_all(evaluation, by, *, skip=0):
    """Answer the questionnaire (all but the last `skip` questions): yes, 4 of 5."""
    questions = QUESTIONS[: len(QUESTIONS) - skip]
    evaluations.answer_questions(
        evaluation,
        answers=[
            {"question": q.code, "answer": Answer.YES, "score": 4, "comment": "seen"}
            for q in questions
        ],
        by=by,
    )


def add_iso(supplier, *, days: int = 365, by=None, number="CN-13485-1"):
    return services.add_certificate(
        supplier=supplier,
        kind="iso13485",
        number=number,
        valid_until=timezone.localdate() + datetime.timedelta(days=days),
        by=by,
    )


def ready_for_approval(supplier, by, *, risk=RiskClass.MINOR, certificate=True):
    """Start the supplier's evaluation (if not under evaluation) and complete it."""
    if supplier.status != "under_evaluation":
        supplier = services.start_evaluation(supplier, by=by)
    evaluation = current_evaluation(supplier)
    answer_all(evaluation, by)
    evaluations.update_evaluation(
        evaluation, by=by, risk_class=risk, conclusion="Meets our requirements."
    )
    if certificate:
        add_iso(supplier, by=by)
    return supplier


def approve_now(supplier, by, **kwargs):
    """Evaluate and approve the supplier, `by` (a QA manager) signing."""
    supplier = ready_for_approval(supplier, by, **kwargs)
    return services.approve(supplier, by=by, password=PASSWORD, reason="Evaluation passed")


def approve_with_conditions(supplier, by, conditions="CAPA open", days=30):
    supplier = ready_for_approval(supplier, by)
    return services.approve_conditionally(
        supplier, by=by, password=PASSWORD, conditions=conditions,
        conditions_due_on=timezone.localdate() + datetime.timedelta(days=days),
    )  # fmt: skip


@pytest.fixture
def evaluating(supplier, buyer_a):
    """The PVC supplier under evaluation, its evaluation complete (minor risk, ISO 13485)."""
    return ready_for_approval(supplier, buyer_a)


@pytest.fixture
def qualify(qa_a):
    """qualify(supplier) -> approved through the lifecycle by qa_a's signature."""

    def qualify(supplier, **kwargs):
        return approve_now(supplier, qa_a, **kwargs)

    return qualify
