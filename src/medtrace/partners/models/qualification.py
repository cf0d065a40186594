from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Organization
from medtrace.partners.choices import (
    MAX_SCORE,
    Answer,
    EvaluationStatus,
    RiskClass,
    SupplierStatus,
)
from medtrace.partners.models.suppliers import Supplier
from medtrace.partners.questionnaire import BY_CODE, QUESTIONS, percentage


class SupplierEvaluation(models.Model):
    """One evaluation of a supplier (ISO 13485 7.4.1), opened when its evaluation starts (or a
    requalification): the questionnaire's answers, the risk class of what it supplies, sample
    lots (typed, and the incoming inspections that judged them) and the conclusion. It closes
    with the decision that ends it and is never edited after."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("supplier")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.OPEN,
        editable=False,
    )
    risk_class = models.CharField(
        _("risk class"),
        max_length=10,
        choices=RiskClass.choices,
        blank=True,
        help_text=_(
            "Of what the supplier provides: critical suppliers need an audit before approval."
        ),
    )
    scope = models.TextField(_("what they supply"), blank=True)
    sample_lots = models.TextField(
        _("sample lots"),
        blank=True,
        help_text=_("The supplier's lot numbers of the samples tried, one a line."),
    )
    inspections = models.ManyToManyField(
        "quality.InspectionRecord",
        blank=True,
        related_name="+",
        verbose_name=_("incoming inspections of the samples"),
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=SupplierStatus.choices, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("supplier evaluation")
        verbose_name_plural = _("supplier evaluations")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="supplier_evaluation_number_unique"
            ),
            models.UniqueConstraint(
                fields=["supplier"],
                condition=Q(status=EvaluationStatus.OPEN),
                name="one_open_evaluation_per_supplier",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == EvaluationStatus.OPEN

    def answers_by_code(self) -> dict:
        return {answer.question: answer for answer in self.answers.all()}

    def unanswered(self) -> list:
        """The questions without an answer yet, in the questionnaire's order."""
        answered = {answer.question for answer in self.answers.all()}
        return [question for question in QUESTIONS if question.code not in answered]

    def score(self) -> int | None:
        """The questionnaire's score in per cent of the possible (questions not applicable
        left out); None while nothing scored is answered."""
        return percentage((a.answer, a.score) for a in self.answers.all())

    def summary(self) -> dict:
        """What a decision rests on, as the decision records it."""
        return {
            "number": self.number,
            "risk_class": self.risk_class,
            "answered": len(QUESTIONS) - len(self.unanswered()),
            "questions": len(QUESTIONS),
            "score": self.score(),
            "conclusion": self.conclusion,
        }


class EvaluationAnswer(models.Model):
    """One question of the questionnaire answered, with its score and comment."""

    evaluation = models.ForeignKey(
        SupplierEvaluation, on_delete=models.PROTECT, related_name="answers"
    )
    question = models.CharField(_("question"), max_length=40)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        ordering = ["evaluation_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=MAX_SCORE),
                name="evaluation_score_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.evaluation.number} {self.question}: {self.answer}"

    @property
    def text(self):
        question = BY_CODE.get(self.question)
        return question.text if question else self.question


class QualificationDecision(models.Model):
    """One change of a supplier's qualification status, as it was decided: from which state to
    which, the conditions and their deadline, the reason, and what the decision rested on (the
    evaluation's summary, the certificates, the audits) at that moment. Approvals,
    conditional approvals, lifted conditions and disqualifications are signed (meaning
    approved) on this record, which is never changed after: each decision keeps its own valid
    signature however the supplier changes later. The nightly certificate check writes one
    without a signature, its actor the system."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("supplier")
    )
    evaluation = models.ForeignKey(
        SupplierEvaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("evaluation"),
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=16, choices=SupplierStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=SupplierStatus.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    conditions_due_on = models.DateField(_("conditions due"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("qualification decision")
        verbose_name_plural = _("qualification decisions")
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return f"{self.supplier.code}: {self.get_from_status_display()} → " + str(
            self.get_to_status_display()
        )

    @property
    def action_label(self):
        from medtrace.partners.workflows import action_label

        return action_label(self.action)

    def signed_content(self) -> dict:
        return {
            "supplier": self.supplier.code,
            "evaluation": self.evaluation.number if self.evaluation_id else None,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "conditions": self.conditions,
            "conditions_due_on": self.conditions_due_on,
            "reason": self.reason,
            "basis": self.basis,
        }
