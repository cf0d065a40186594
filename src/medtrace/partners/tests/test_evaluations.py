"""A supplier evaluation's questionnaire and content: answers audited, scored and refused by
name; the risk class, sample lots and inspections; nothing written on refusal."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import services
from medtrace.partners.choices import MAX_SCORE
from medtrace.partners.models import EvaluationAnswer
from medtrace.partners.questionnaire import QUESTIONS, percentage
from medtrace.partners.readiness import current_evaluation
from medtrace.partners.services import evaluations

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(supplier, buyer_a):
    return current_evaluation(services.start_evaluation(supplier, by=buyer_a))


def entries(evaluation):
    return AuditEntry.objects.filter(
        object_type="partners.supplierevaluation", object_id=str(evaluation.pk)
    ).order_by("sequence")


def test_answers_are_recorded_changed_and_audited(evaluation, buyer_a):
    changed = evaluations.answer_question(
        evaluation, question="quality_agreement", answer="partly", score=2,
        comment="Draft under review", by=buyer_a,
    )  # fmt: skip
    assert changed == 1
    entry = entries(evaluation).last()
    assert entry.changes == {
        "answer:quality_agreement": [None, ["partly", 2, "Draft under review"]]
    }
    evaluations.answer_question(
        evaluation, question="quality_agreement", answer="yes", score=5, comment="Signed",
        by=buyer_a,
    )  # fmt: skip
    assert entries(evaluation).last().changes["answer:quality_agreement"] == [
        ["partly", 2, "Draft under review"],
        ["yes", 5, "Signed"],
    ]
    before = AuditEntry.objects.count()
    assert evaluations.answer_question(
        evaluation, question="quality_agreement", answer="yes", score=5, comment="Signed",
        by=buyer_a,
    ) == 0  # fmt: skip
    assert AuditEntry.objects.count() == before
    evaluation.refresh_from_db()
    assert [q.code for q in evaluation.unanswered()] == [
        q.code for q in QUESTIONS if q.code != "quality_agreement"
    ]


def test_not_applicable_is_not_scored_and_leaves_the_score(evaluation, buyer_a):
    evaluations.answer_questions(
        evaluation,
        answers=[
            {"question": "process_validation", "answer": "n/a", "score": 3},
            {"question": "qms_certified", "answer": "yes", "score": 5},
            {"question": "licences", "answer": "partly", "score": 2},
        ],
        by=buyer_a,
    )
    assert EvaluationAnswer.objects.get(question="process_validation").score is None
    evaluation.refresh_from_db()
    assert evaluation.score() == 70  # (5 + 2) of 10


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"question": "licences", "answer": "maybe", "score": 3}, "answer"),
        ({"question": "licences", "answer": "yes", "score": None}, "score"),
        ({"question": "licences", "answer": "yes", "score": MAX_SCORE + 1}, "score"),
    ],
)
def test_a_bad_answer_is_refused_by_name_and_nothing_is_written(evaluation, buyer_a, row, field):
    before = AuditEntry.objects.count()
    good = {"question": "qms_certified", "answer": "yes", "score": 5}
    with pytest.raises(DomainError) as refused:
        evaluations.answer_questions(evaluation, answers=[good, row], by=buyer_a)
    assert refused.value.code == ErrorCode.VALIDATION
    assert field in refused.value.details["fields"]
    assert refused.value.details["question"] == "licences"
    assert "licences it" in str(refused.value.message)
    assert not EvaluationAnswer.objects.exists() and AuditEntry.objects.count() == before


def test_an_unknown_question_is_refused(evaluation, buyer_a):
    with pytest.raises(DomainError) as refused:
        evaluations.answer_question(evaluation, question="x", answer="yes", score=1, by=buyer_a)
    assert "“x” is not a question" in str(refused.value.message)


answers = st.lists(
    st.tuples(st.sampled_from(["yes", "partly", "no", "n/a"]), st.integers(0, MAX_SCORE)),
    max_size=len(QUESTIONS),
)


@given(answers)
def test_the_score_is_the_share_of_the_possible(pairs):
    scored = [score for answer, score in pairs if answer != "n/a"]
    result = percentage(pairs)
    if not scored:
        assert result is None
    else:
        assert result == round(100 * sum(scored) / (MAX_SCORE * len(scored)))
        assert 0 <= result <= 100


def test_risk_class_scope_and_sample_lots_are_audited(evaluation, buyer_a):
    evaluations.update_evaluation(
        evaluation, by=buyer_a, risk_class="critical", scope="Medical PVC compound",
        sample_lots="KS250101-01\nKS250101-02",
    )  # fmt: skip
    changes = entries(evaluation).last().changes
    assert changes["risk_class"] == ["", "critical"]
    assert changes["sample_lots"] == ["", "KS250101-01\nKS250101-02"]
    with pytest.raises(DomainError) as refused:
        evaluations.update_evaluation(evaluation, by=buyer_a, risk_class="huge")
    assert "risk_class" in refused.value.details["fields"]
    with pytest.raises(TypeError):
        evaluations.update_evaluation(evaluation, by=buyer_a, status="closed")


def _incoming_inspection(supplier, item, site, by, lot_number):
    from medtrace.quality.services import inspection, inspection_plans
    from medtrace.trace.services import objects

    lot = objects.create_lot(
        item=item, lot_number=lot_number, site=site, origin="received", supplier=supplier,
        supplier_lot_number=f"S-{lot_number}",
    )  # fmt: skip
    plan = inspection_plans.create_plan(
        organization=site.organization, code=f"IP-{lot_number}", name="来料", stage="incoming",
        item=item, aql_major="1.0",
        characteristics=[{"name": "Specks", "kind": "attribute", "defect_class": "major"}],
        by=by,
    )  # fmt: skip
    return inspection.start_inspection(site=site, plan=plan, lot_size=100, lot=lot, by=by)


def test_the_incoming_inspections_of_the_sample_lots_are_linked(
    evaluation, supplier, pvc, site_a, qa_a, organization
):
    record = _incoming_inspection(supplier, pvc, site_a, qa_a, "L1")
    other = services.create_supplier(organization=organization, code="SUP-OTHER", name="别家")
    theirs = _incoming_inspection(other, pvc, site_a, qa_a, "L2")
    evaluations.update_evaluation(evaluation, by=qa_a, inspections=[record])
    assert list(evaluation.inspections.all()) == [record]
    assert entries(evaluation).last().changes == {"inspections": [[], [record.number]]}
    with pytest.raises(DomainError) as refused:
        evaluations.update_evaluation(evaluation, by=qa_a, inspections=[record, theirs])
    assert f"{theirs.number} did not inspect lots of SUP-PVC" in str(refused.value.message)
    assert list(evaluation.inspections.all()) == [record]
