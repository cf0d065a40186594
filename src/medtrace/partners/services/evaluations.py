"""A supplier evaluation's content while it is open: the questionnaire's answers (with score
and comment), the risk class, what the supplier supplies, the sample lots (typed, and the
incoming inspections that judged them) and the conclusion. Each write audited on the
evaluation; a closed evaluation is never changed."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners.choices import MAX_SCORE, Answer, EvaluationStatus, RiskClass
from medtrace.partners.models import EvaluationAnswer, SupplierEvaluation
from medtrace.partners.questionnaire import BY_CODE
from medtrace.partners.services.common import only, refuse

EVALUATION_FIELDS = ("risk_class", "scope", "sample_lots", "conclusion", "inspections")


def _locked_open(evaluation: SupplierEvaluation) -> SupplierEvaluation:
    evaluation = (
        SupplierEvaluation.objects.select_for_update()
        .select_related("supplier")
        .get(pk=evaluation.pk)
    )
    if evaluation.status != EvaluationStatus.OPEN:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is closed (%(outcome)s); start a new evaluation to change anything.")
            % {"number": evaluation.number, "outcome": evaluation.get_outcome_display()},
        )
    return evaluation


def _repr(evaluation: SupplierEvaluation) -> str:
    return f"{evaluation.supplier.code}: {evaluation.number}"


def _clean_answer(code: str, answer: str, score, comment: str) -> tuple[str, int | None, str]:
    question = BY_CODE.get(code)
    if question is None:
        refuse(ErrorCode.VALIDATION, _("“%(code)s” is not a question.") % {"code": code})
    if answer not in Answer.values:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Choose an answer to “%(question)s”.") % {"question": question.text},
            fields={"answer": [str(_("Choose an answer."))]},
            question=code,
        )
    if answer == Answer.NOT_APPLICABLE:
        score = None
    elif score is None or not 0 <= int(score) <= MAX_SCORE:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Score “%(question)s” from 0 to %(max)s.")
            % {"question": question.text, "max": MAX_SCORE},
            fields={"score": [str(_("From 0 to %(max)s.") % {"max": MAX_SCORE})]},
            question=code,
        )
    else:
        score = int(score)
    return answer, score, (comment or "").strip()


@transaction.atomic
def answer_questions(evaluation: SupplierEvaluation, *, answers: list[dict], by) -> int:
    """Record answers ({question, answer, score, comment} each) on the open evaluation, all or
    none; an answer may be changed while the evaluation is open. Returns how many changed."""
    evaluation = _locked_open(evaluation)
    cleaned = [
        (row["question"], *_clean_answer(
            row["question"], row.get("answer", ""), row.get("score"), row.get("comment", "")
        ))
        for row in answers
    ]  # fmt: skip
    existing = {a.question: a for a in evaluation.answers.select_for_update()}
    changes = {}
    for code, answer, score, comment in cleaned:
        row = existing.get(code)
        before = [row.answer, row.score, row.comment] if row else None
        after = [answer, score, comment]
        if before == after:
            continue
        if row is None:
            row = EvaluationAnswer(evaluation=evaluation, question=code)
        row.answer, row.score, row.comment, row.answered_by = answer, score, comment, by
        row.save()
        changes[f"answer:{code}"] = [before, after]
    if changes:
        audit.record(
            AuditAction.CHANGE, evaluation, by=by, changes=changes, object_repr=_repr(evaluation)
        )
    return len(changes)


def answer_question(
    evaluation: SupplierEvaluation, *, question: str, answer: str, score, comment="", by
) -> int:
    return answer_questions(
        evaluation,
        answers=[{"question": question, "answer": answer, "score": score, "comment": comment}],
        by=by,
    )


@transaction.atomic
def update_evaluation(
    evaluation: SupplierEvaluation, *, by, reason: str = "", **changes
) -> SupplierEvaluation:
    """The risk class, what they supply, sample lots, the incoming inspections of the samples
    (of this supplier) and the conclusion, while the evaluation is open."""
    only(changes, EVALUATION_FIELDS)
    evaluation = _locked_open(evaluation)
    diff = {}
    inspections = changes.pop("inspections", None)
    if inspections is not None:
        inspections = list(inspections)
        foreign = [
            i.number
            for i in inspections
            if i.supplier_id != evaluation.supplier_id
            or i.organization_id != evaluation.organization_id
        ]
        if foreign:
            refuse(
                ErrorCode.VALIDATION,
                _("%(inspections)s did not inspect lots of %(code)s.")
                % {"inspections": ", ".join(foreign), "code": evaluation.supplier.code},
                "inspections",
            )
        before = sorted(evaluation.inspections.values_list("number", flat=True))
        after = sorted(i.number for i in inspections)
        if before != after:
            evaluation.inspections.set(inspections)
            diff["inspections"] = [before, after]
    if "risk_class" in changes and changes["risk_class"] not in ("", *RiskClass.values):
        refuse(ErrorCode.VALIDATION, _("Choose a risk class."), "risk_class")
    for name, value in changes.items():
        value = (value or "").strip()
        if getattr(evaluation, name) != value:
            diff[name] = [getattr(evaluation, name), value]
            setattr(evaluation, name, value)
    if diff:
        evaluation.save()
        audit.record(
            AuditAction.CHANGE,
            evaluation,
            by=by,
            changes=diff,
            reason=reason,
            object_repr=_repr(evaluation),
        )
    return evaluation
