"""The supplier qualification pages' forms: the lifecycle actions (a signature, a reason, the
conditions of a conditional approval), the evaluation and its questionnaire, audits and their
findings, and the approved supplier list's filters. They parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.core.workflow import Transition
from medtrace.partners.choices import (
    MAX_SCORE,
    Answer,
    AuditKind,
    SupplierStatus,
    Verdict,
)
from medtrace.partners.models import AuditFinding, SupplierAudit, SupplierEvaluation
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.quality.forms import action_form

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def lifecycle_form(transition: Transition, data=None) -> forms.Form:
    """The form of a lifecycle or audit action: quality's action form (signature, reason or
    none), with the conditions and their deadline for a conditional approval; a required
    reason is labelled as one."""
    form = action_form(transition, data)
    if transition.signature is not None and transition.needs_reason:
        form.fields["reason"].label = _("Reason")
        form.fields["reason"].widget = forms.Textarea(attrs={"rows": 2})
    if transition.name == "approve_conditionally":
        form.fields["conditions"] = forms.CharField(
            label=_("Conditions"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("What the supplier must do, and how deliveries are handled meanwhile."),
        )
        form.fields["conditions_due_on"] = forms.DateField(
            label=_("Conditions due"), required=False, widget=DATE
        )
        form.order_fields(
            ["conditions", "conditions_due_on", "meaning", "password", "otp", "reason"]
        )
    return form


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = SupplierEvaluation
        fields = ("risk_class", "scope", "sample_lots", "inspections", "conclusion")
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 2}),
            "sample_lots": forms.Textarea(attrs={"rows": 3}),
            "conclusion": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, inspections, **kwargs):
        kwargs.setdefault("auto_id", "id_evaluation_%s")
        super().__init__(*args, **kwargs)
        self.fields["inspections"].queryset = inspections
        self.fields["inspections"].label_from_instance = lambda record: (
            f"{record.number} · {record.lot.lot_number if record.lot else '—'} · "
            f"{record.get_verdict_display() or record.get_status_display()}"
        )
        self.fields["inspections"].required = False

    def _post_clean(self):
        """The service validates (inspections of this supplier's lots only)."""


class QuestionnaireForm(forms.Form):
    """Every question: an answer, a score and a comment; questions left without an answer are
    not saved, so a questionnaire is answered in several sittings."""

    def __init__(self, *args, answers: dict, **kwargs):
        kwargs.setdefault("auto_id", "id_q_%s")
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *Answer.choices]
        for question in QUESTIONS:
            given = answers.get(question.code)
            self.fields[f"{question.code}-answer"] = forms.ChoiceField(
                label=question.text,
                help_text=question.guidance,
                choices=choices,
                required=False,
                initial=given.answer if given else "",
            )
            self.fields[f"{question.code}-score"] = forms.IntegerField(
                label=_("Score"),
                min_value=0,
                max_value=MAX_SCORE,
                required=False,
                initial=given.score if given else None,
            )
            self.fields[f"{question.code}-comment"] = forms.CharField(
                label=_("Comment"), required=False, initial=given.comment if given else ""
            )

    def rows(self):
        """[(question, answer field, score field, comment field)] for the template."""
        return [
            (q, self[f"{q.code}-answer"], self[f"{q.code}-score"], self[f"{q.code}-comment"])
            for q in QUESTIONS
        ]

    def answers(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "question": q.code,
                "answer": data[f"{q.code}-answer"],
                "score": data[f"{q.code}-score"],
                "comment": data[f"{q.code}-comment"],
            }
            for q in QUESTIONS
            if data.get(f"{q.code}-answer")
        ]


class AuditForm(forms.ModelForm):
    """A new audit's plan; given `record`, also the day performed, result and conclusion."""

    class Meta:
        model = SupplierAudit
        fields = (
            "kind", "planned_on", "scope", "auditors", "performed_on", "result", "conclusion",
        )  # fmt: skip
        widgets = {
            "planned_on": DATE,
            "performed_on": DATE,
            "scope": forms.Textarea(attrs={"rows": 3}),
            "conclusion": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, planning: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if planning:
            for name in ("performed_on", "result", "conclusion"):
                del self.fields[name]
        self.fields["kind"].choices = AuditKind.choices

    def _post_clean(self):
        """The services validate the audit."""


class FindingForm(forms.ModelForm):
    class Meta:
        model = AuditFinding
        fields = ("classification", "description", "due_on")
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DATE}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_finding_%s")
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False  # the service names the rule

    def _post_clean(self):
        """The service validates the finding."""


class CloseFindingForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the supplier did and where the record is."),
    )


class FindingCapaForm(forms.Form):
    site = forms.ModelChoiceField(label=_("CAPA at site"), queryset=None, empty_label=None)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code


class ApprovedSourceFilterForm(forms.Form):
    q = forms.CharField(label=_("Item or supplier"), required=False)
    verdict = forms.ChoiceField(label=_("Verdict"), required=False)
    supplier_status = forms.ChoiceField(label=_("Supplier status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verdict"].choices = [("", _("Any")), *Verdict.choices]
        self.fields["supplier_status"].choices = [("", _("Any")), *SupplierStatus.choices]

    def values(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
