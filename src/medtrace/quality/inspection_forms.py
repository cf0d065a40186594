"""The inspection pages' forms: they parse and present (a scanned or typed lot code is resolved
to the lot as the NCR form does; the results grid's cells are read into the results the service
records); the rules, sample sizes and verdicts are quality.services.inspection's."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.catalog import selectors as catalog_selectors
from medtrace.equipment import selectors as equipment_selectors
from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.models import Equipment
from medtrace.org.models import Site
from medtrace.quality.choices import (
    CharacteristicKind,
    InspectionStage,
    InspectionStatus,
    InspectionVerdict,
)
from medtrace.quality.forms import resolve_lot
from medtrace.quality.inspection_selectors import Column, cell_name
from medtrace.quality.models import Characteristic, InspectionPlan, InspectionRecord
from medtrace.quality.services.inspection_plans import CHARACTERISTIC_FIELDS

ANY = [("", _("Any"))]


def _site_label(site: Site) -> str:
    return f"{site.code} · {site.display_name}"


# --- plans -----------------------------------------------------------------------------------


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=ANY + InspectionStage.choices
    )
    item = forms.ModelChoiceField(
        label=_("Item"),
        queryset=InspectionPlan.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    active = forms.ChoiceField(
        label=_("In use"),
        required=False,
        choices=[*ANY, ("yes", _("In use")), ("no", _("Withdrawn"))],
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"{item.code} {item.display_name}"


class PlanForm(forms.ModelForm):
    """A plan's own fields; its characteristics come from CharacteristicFormSet."""

    class Meta:
        model = InspectionPlan
        fields = [
            "code", "name", "stage", "item", "inspection_level",
            "aql_critical", "aql_major", "aql_minor",
        ]  # fmt: skip
        help_texts = {
            "item": _("Leave empty for a plan used on any item (in-process and final checks)."),
            "aql_critical": _("Leave a class's AQL empty when the plan does not judge it."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = catalog_selectors.visible_items(user).order_by("code")
        self.fields["item"].label_from_instance = lambda item: f"{item.code} {item.display_name}"
        self.fields["code"].widget.attrs.update(autocapitalize="characters", autocomplete="off")

    def _post_clean(self):
        """The service validates the plan as a whole; the form only parses."""


class CharacteristicForm(forms.ModelForm):
    class Meta:
        model = Characteristic
        fields = list(CHARACTERISTIC_FIELDS)
        widgets = {
            "method": forms.Textarea(attrs={"rows": 1}),
            "lower_limit": forms.NumberInput(attrs={"step": "any"}),
            "target": forms.NumberInput(attrs={"step": "any"}),
            "upper_limit": forms.NumberInput(attrs={"step": "any"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # shown in a table: its header is the label
            field.widget.attrs["aria-label"] = field.label

    def _post_clean(self):
        """The service validates each characteristic against the plan; the form only parses."""


class BaseCharacteristicFormSet(forms.BaseFormSet):
    """The characteristics in order; rows left blank are skipped, whichever they are."""

    def _construct_form(self, i, **kwargs):
        kwargs["empty_permitted"] = True
        return super()._construct_form(i, **kwargs)

    def characteristics(self) -> list[dict]:
        """The filled rows as the service takes them."""
        return [
            {name: form.cleaned_data.get(name) for name in CHARACTERISTIC_FIELDS}
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


CHARACTERISTIC_ROWS = 4
CharacteristicFormSet = forms.formset_factory(
    CharacteristicForm, formset=BaseCharacteristicFormSet, extra=CHARACTERISTIC_ROWS
)


def characteristic_formset(data=None, *, rows_from=None) -> BaseCharacteristicFormSet:
    """The formset bound to `data`; or, to offer more rows, unbound with the rows already typed
    in `rows_from` (a POST) as its initial rows and CHARACTERISTIC_ROWS blank ones after."""
    if rows_from is None:
        return CharacteristicFormSet(data, prefix="characteristics")
    bound = CharacteristicFormSet(rows_from, prefix="characteristics")
    initial = []
    for index in range(bound.total_form_count()):
        row = {
            name: rows_from.get(f"characteristics-{index}-{name}", "")
            for name in CHARACTERISTIC_FIELDS
        }
        if any(value.strip() for value in row.values()):
            initial.append(row)
    return CharacteristicFormSet(initial=initial, prefix="characteristics")


class PlanActiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- records ---------------------------------------------------------------------------------


class InspectionFilterForm(forms.Form):
    """The list's filters (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number or lot"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + InspectionStatus.choices
    )
    verdict = forms.ChoiceField(
        label=_("Verdict"), required=False, choices=ANY + InspectionVerdict.choices
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=ANY + InspectionStage.choices
    )
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=InspectionPlan.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    supplier = forms.CharField(label=_("Supplier code"), required=False)
    completed_from = forms.DateField(label=_("Completed from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    completed_to = forms.DateField(label=_("Completed until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def __init__(self, *args, sites, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda plan: plan.code


def _equipment_label(equipment) -> str:
    """The equipment with what decides whether it may be used: its status when not in
    service, its calibration due date (flagged when past)."""
    label = f"{equipment.site.code} · {equipment.code} {equipment.display_name}"
    if equipment.status != EquipmentStatus.IN_SERVICE:
        label += f" · {equipment.get_status_display()}"
    if equipment.calibration_required:
        due = equipment.calibration_due_on
        text = _("calibration due %(due)s") % {"due": due.isoformat() if due else "—"}
        label += f" · {text}"
        if equipment.overdue:
            label += f" ({_('overdue')})"
    return label


class StartInspectionForm(forms.Form):
    """A new inspection at one of `sites` (where the user may inspect) against one of `plans`.
    The lot is typed or scanned and resolved as the scan box does; whether the plan fits it, the
    lot is at the site and the equipment is usable is the service's rule."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    plan = forms.ModelChoiceField(
        label=_("Inspection plan"), queryset=InspectionPlan.objects.none()
    )
    lot = forms.CharField(
        label=_("Lot"),
        required=False,
        max_length=300,
        help_text=_("Type the lot number or scan the lot's label. Leave empty if no lot."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )
    lot_size = forms.IntegerField(
        label=_("Lot size"),
        min_value=1,
        help_text=_("Units in the lot (or the quantity inspected): it sizes the sample."),
    )
    equipment = forms.ModelMultipleChoiceField(
        label=_("Equipment used"),
        required=False,
        queryset=Equipment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only equipment in service and in calibration may be used."),
    )

    def __init__(self, *args, user, sites, plans, equipment_sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = _site_label
        # Choosing the site lists its equipment (the page asked again for ?site=, in place).
        self.fields["site"].widget.attrs.update(
            {
                "hx-get": reverse("quality:inspection-start"),
                "hx-trigger": "change",
                "hx-target": "#equipment-field",
                "hx-select": "#equipment-field",
                "hx-swap": "outerHTML",
            }
        )
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda plan: (
            f"{plan.code} {plan.name}" + (f" · {plan.item.code}" if plan.item_id else "")
        )
        self.fields["equipment"].queryset = equipment_selectors.with_overdue(
            equipment_selectors.visible_equipment(user)
            .filter(site__in=equipment_sites if equipment_sites is not None else sites)
            .order_by("site__code", "code"),
            timezone.localdate(),
        )
        self.fields["equipment"].label_from_instance = _equipment_label

    def clean(self):
        cleaned = super().clean()
        code = (cleaned.get("lot") or "").strip()
        cleaned["lot"] = resolve_lot(self.user, code, cleaned.get("site")) if code else None
        return cleaned


# How a measured value is read: as InspectionResult.value stores it.
MEASURED = forms.DecimalField(max_digits=18, decimal_places=6)


class ResultsGridError(Exception):
    """A cell that does not read as a result: (cell name, message)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def parse_grid(record: InspectionRecord, columns: list[Column], data) -> list[dict]:
    """The results the inspector entered or changed in the grid: every filled cell whose value
    differs from the one the page showed (its hidden `o-` twin), so a save records what was
    typed, and another inspector's concurrent entries in other cells stand. A POST without the
    twins (a script) records every filled cell. Which samples a characteristic is checked on
    and whether a value conforms is the service's to decide."""
    results, errors = [], {}
    for column in columns:
        characteristic = column.characteristic
        for sample in range(1, record.sample_size + 1):
            name = cell_name(characteristic.pk, sample)
            given = (data.get(name) or "").strip()
            if not given or given == (data.get(f"o-{name}") or "").strip():
                continue
            result = {"characteristic": characteristic, "sample": sample}
            if characteristic.kind == CharacteristicKind.ATTRIBUTE:
                if given not in ("pass", "fail"):
                    errors[name] = _("Sample %(sample)s of %(characteristic)s: pass or fail?") % {
                        "sample": sample,
                        "characteristic": characteristic.name,
                    }
                    continue
                result["passed"] = given == "pass"
            else:
                try:
                    value = MEASURED.clean(given.replace(",", "."))
                except ValidationError as error:
                    errors[name] = _("Sample %(sample)s of %(characteristic)s: %(problem)s") % {
                        "sample": sample,
                        "characteristic": characteristic.name,
                        "problem": " ".join(error.messages),
                    }
                    continue
                result["value"] = value
            results.append(result)
    if errors:
        raise ResultsGridError(errors)
    return results
