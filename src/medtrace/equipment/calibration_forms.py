"""The forms of calibration, maintenance and the impact review: they parse and present; the
rules are the services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import CalibrationResult, MaintenanceKind, MaintenanceResult
from medtrace.equipment.models import (
    CalibrationRecord,
    Equipment,
    MaintenancePlan,
    MaintenanceRecord,
)
from medtrace.quality.choices import Severity

DATE = forms.DateInput(attrs={"type": "date"})
SEPARATORS = ("|", ";", "\t")
READING_COLUMNS = ("point", "nominal", "tolerance", "as_found", "as_left", "unit")
READINGS_HELP = _(
    "One value a line: point | nominal | tolerance (±) | as found | as left | unit. A value "
    "found outside its tolerance makes the calibration fail."
)


def people_at(equipment: Equipment):
    """Who may be named as having done the work: active users with a role at the site."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            organization_id=equipment.organization_id,
            memberships__site_id=equipment.site_id,
            memberships__revoked_at__isnull=True,
        )
        .distinct()
        .order_by("username")
    )


def parse_readings(text: str) -> list[dict]:
    """One measured value a line: point | nominal | tolerance ± | as found | as left | unit
    (';' or a tab separates too); the service checks the numbers."""
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        separator = next((s for s in SEPARATORS if s in line), "|")
        cells = [cell.strip() for cell in line.split(separator)]
        if len(cells) > len(READING_COLUMNS):
            raise forms.ValidationError(
                _("“%(line)s” has more than six columns.") % {"line": line.strip()}
            )
        rows.append(dict(zip(READING_COLUMNS, cells, strict=False)))
    return rows


def readings_text(readings: list[dict]) -> str:
    return "\n".join(" | ".join(row.get(name, "") for name in READING_COLUMNS) for row in readings)


class CalibrationForm(forms.ModelForm):
    readings = forms.CharField(
        label=_("Measured values"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "10 kPa | 0.50 | 0.05 | 0.52 | 0.50 | Pa/s"}
        ),
        help_text=READINGS_HELP,
    )

    class Meta:
        model = CalibrationRecord
        fields = (
            "performed_on", "performed_by", "external_lab", "reference_standard",
            "reference_certificate", "traceability", "as_found", "as_left", "result",
            "certificate_number", "certificate", "correction_reason",
        )  # fmt: skip
        widgets = {
            "performed_on": DATE,
            "as_found": forms.Textarea(attrs={"rows": 2}),
            "as_left": forms.Textarea(attrs={"rows": 2}),
            "correction_reason": forms.Textarea(attrs={"rows": 2}),
            "result": forms.RadioSelect,
        }

    def __init__(self, *args, equipment: Equipment, corrects: CalibrationRecord | None, **kwargs):
        kwargs.setdefault("auto_id", "id_calibration_%s")
        super().__init__(*args, **kwargs)
        self.corrects = corrects
        self.fields["performed_by"].queryset = people_at(equipment)
        self.fields["performed_by"].label_from_instance = lambda user: user.printed_name
        self.fields["performed_by"].help_text = _("Or name the external laboratory.")
        self.fields["result"].choices = CalibrationResult.choices
        for name in ("reference_standard", "traceability", "as_found", "as_left"):
            self.fields[name].required = False  # the service names what is missing
        if corrects is None:
            del self.fields["correction_reason"]
        else:
            self.fields["correction_reason"].required = True

    def clean_readings(self):
        return parse_readings(self.cleaned_data.get("readings", ""))

    def _post_clean(self):
        """Validated by services.calibration.record_calibration."""

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            **data,
            "corrects": self.corrects,
            "correction_reason": data.get("correction_reason", ""),
        }


class MaintenanceForm(forms.ModelForm):
    returns_to_service = forms.BooleanField(
        label=_("Return the equipment to service"), required=False
    )

    class Meta:
        model = MaintenanceRecord
        fields = (
            "kind", "plan", "performed_on", "performed_by", "external_party", "work_done",
            "parts", "result",
        )  # fmt: skip
        widgets = {
            "performed_on": DATE,
            "work_done": forms.Textarea(attrs={"rows": 3}),
            "parts": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, equipment: Equipment, **kwargs):
        kwargs.setdefault("auto_id", "id_maintenance_%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = MaintenanceKind.choices
        self.fields["result"].choices = MaintenanceResult.choices
        self.fields["plan"].queryset = equipment.maintenance_plans.filter(active=True)
        self.fields["plan"].label_from_instance = lambda plan: plan.task
        self.fields["performed_by"].queryset = people_at(equipment)
        self.fields["performed_by"].label_from_instance = lambda user: user.printed_name
        self.fields["performed_by"].help_text = _("Or name the service company.")
        self.fields["work_done"].required = False

    def _post_clean(self):
        """Validated by services.maintenance.record_maintenance."""


class PlanForm(forms.ModelForm):
    class Meta:
        model = MaintenancePlan
        fields = ("task", "interval_days", "next_due_on", "instructions")
        widgets = {"next_due_on": DATE, "instructions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_plan_%s")
        super().__init__(*args, **kwargs)
        self.fields["next_due_on"].required = False
        self.fields["next_due_on"].help_text = _("Empty: one interval from today.")

    def _post_clean(self):
        """Validated by services.maintenance.create_plan."""


class OpenRecordForm(forms.Form):
    """The one action of an impact review: a deviation over the lots, or an NCR."""

    record = forms.ChoiceField(
        label=_("Open"),
        choices=[("deviation", _("A deviation over these lots")), ("ncr", _("An NCR"))],
        widget=forms.RadioSelect,
        initial="deviation",
    )
    severity = forms.ChoiceField(
        label=_("NCR severity"), choices=Severity.choices, initial=Severity.MAJOR, required=False
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_open_%s")
        super().__init__(*args, **kwargs)


class AssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("Impact assessment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the out-of-tolerance values mean for each lot listed, and what is done."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_assessment_%s")
        super().__init__(*args, **kwargs)
