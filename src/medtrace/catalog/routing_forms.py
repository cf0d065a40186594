"""The routing pages' form: one operation, its process parameters as text, one per line."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.services import ParameterIn
from medtrace.core.numbers import plain
from medtrace.equipment.choices import EquipmentType


def parameters_as_text(parameters) -> str:
    def shown(value):
        return plain(value) or ""

    return "\n".join(
        "; ".join(
            [p.name, p.unit, shown(p.lower_limit), shown(p.target), shown(p.upper_limit)]
        ).rstrip("; ")
        for p in parameters
    )


class OperationForm(forms.Form):
    name = forms.CharField(label=_("Operation"), max_length=100)
    work_center = forms.CharField(label=_("Work center"), max_length=32, required=False)
    equipment_type = forms.ChoiceField(
        label=_("Equipment type"),
        choices=[("", "—"), *EquipmentType.choices],
        required=False,
    )
    inspection_plan = forms.CharField(
        label=_("Inspection plan"),
        max_length=32,
        required=False,
        help_text=_("The number of the inspection plan that checks this operation."),
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = forms.CharField(
        label=_("Required documents"),
        required=False,
        max_length=500,
        help_text=_(
            "Numbers of the SOPs and work instructions the operator must be trained on, "
            "separated by commas, e.g. “SOP-0003, WI-0012”."
        ),
    )
    per_unit = forms.BooleanField(
        label=_("Components per serial"),
        required=False,
        help_text=_(
            "Components consumed during this operation are recorded against each serialized "
            "unit they go into (unit-level genealogy), not against the lot."
        ),
    )
    parameters = forms.CharField(
        label=_("Process parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=_(
            "One line per parameter: name; unit; lower limit; target; upper limit. "
            "Leave a limit empty for a one-sided spec, e.g. “seal strength; N; 15”."
        ),
    )
    reason = forms.CharField(label=_("Comment"), required=False, max_length=1000)

    def clean_documents(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.cleaned_data["documents"].split(",") if n.strip())

    def clean_parameters(self) -> tuple[ParameterIn, ...]:
        parsed = []
        for number, raw in enumerate(self.cleaned_data["parameters"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [part.strip() for part in raw.split(";")]
            if len(parts) < 3 or len(parts) > 5 or not parts[0]:
                raise forms.ValidationError(
                    _("Row %(number)s: write “name; unit; lower limit; target; upper limit”.")
                    % {"number": number}
                )
            parts += [""] * (5 - len(parts))
            name, unit, lower, target, upper = parts
            parsed.append(ParameterIn(name, unit, lower, target, upper))
        return tuple(parsed)
