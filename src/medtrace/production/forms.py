"""The production pages' forms: they parse what was typed, scanned or chosen; the services
decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import DEVICE_KINDS
from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.models import Equipment
from medtrace.inventory.forms import SignedReleaseForm
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location


class WorkOrderForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None, label=_("Site"))
    item = forms.ModelChoiceField(queryset=None, label=_("Item"))
    quantity = forms.CharField(label=_("Quantity"), max_length=24)
    line = forms.ModelChoiceField(
        queryset=None, label=_("Production line"), required=False,
        empty_label=_("Choose at release"),
        help_text=_("A production location of the chosen site."),
    )  # fmt: skip
    planned_start = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end = forms.DateField(
        label=_("Planned end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sites, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["item"].queryset = items.filter(kind__in=DEVICE_KINDS, is_active=True)
        self.fields["line"].queryset = (
            Location.objects.filter(site__in=sites, kind=LocationKind.PRODUCTION, is_active=True)
            .select_related("site")
            .order_by("site__code", "path")
        )
        self.fields["line"].label_from_instance = lambda line: f"{line.site.code} · {line.path}"


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


# --- executing an order ---------------------------------------------------------------------


class StartForm(forms.Form):
    """The equipment an operation is started on: chosen from the site's equipment of the type
    it needs, or its code scanned from the machine's plate."""

    equipment = forms.ModelChoiceField(
        queryset=None, label=_("Equipment"), required=False, empty_label=_("Choose…")
    )
    equipment_code = forms.CharField(
        label=_("or scan its code"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )  # fmt: skip

    def __init__(self, *args, equipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = equipment
        self.fields["equipment"].label_from_instance = _equipment_label

    def chosen(self, site):
        """The equipment chosen or scanned (a scanned code wins), None when neither; a code
        unknown at the site is a form error."""
        code = self.cleaned_data.get("equipment_code", "").strip()
        if code:
            found = Equipment.objects.filter(site=site, code__iexact=code).first()
            if found is None:
                self.add_error(
                    "equipment_code",
                    _("No equipment %(code)s at site %(site)s.")
                    % {"code": code.upper(), "site": site.code},
                )
            return found
        return self.cleaned_data.get("equipment")


def _equipment_label(equipment) -> str:
    text = f"{equipment.code} · {equipment.display_name}"
    if equipment.calibration_due_on:
        text += " · " + str(_("calibration due %(date)s") % {"date": equipment.calibration_due_on})
    if equipment.status != EquipmentStatus.IN_SERVICE:
        text += f" · {equipment.get_status_display()}"
    return text


class FinishForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ReadingForm(forms.Form):
    parameter = forms.ChoiceField(label=_("Parameter"))
    value = forms.CharField(
        label=_("Value"), max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args, parameters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parameter"].choices = [
            (spec["name"], _limits_label(spec)) for spec in parameters
        ]


def _limits_label(spec: dict) -> str:
    lower, upper = spec.get("lower_limit"), spec.get("upper_limit")
    if lower in (None, "") and upper in (None, ""):
        limits = ""
    elif upper in (None, ""):
        limits = f" ≥ {lower}"
    elif lower in (None, ""):
        limits = f" ≤ {upper}"
    else:
        limits = f" {lower} ~ {upper}"
    return f"{spec['name']} [{spec['unit']}]{limits}"


class OutputForm(forms.Form):
    """What was made: a quantity of a lot-tracked item; a serialized one's serials scanned
    from pre-printed labels (one a line) or how many to generate."""

    quantity = forms.CharField(
        label=_("Quantity made"), required=False, max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    serials = forms.CharField(
        label=_("Serials scanned (one a line)"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    generate = forms.IntegerField(label=_("or generate this many serials"), required=False)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def serial_list(self) -> list[str]:
        text = self.cleaned_data.get("serials", "")
        return [line.strip() for line in text.splitlines() if line.strip()]


class PrintLabelsForm(forms.Form):
    identifier = forms.ModelChoiceField(queryset=None, label=_("Device identifier"))
    copies = forms.IntegerField(
        label=_("Copies"), initial=1,
        help_text=_("Serialized base-unit labels print one per unit made."),
    )  # fmt: skip

    def __init__(self, *args, identifiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].queryset = identifiers
        self.fields["identifier"].label_from_instance = _identifier_label


class ReconcileForm(forms.Form):
    identifier = forms.ModelChoiceField(queryset=None, label=_("Device identifier"))
    used = forms.IntegerField(label=_("Used on product"))
    destroyed = forms.IntegerField(label=_("Destroyed"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def __init__(self, *args, identifiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].queryset = identifiers
        self.fields["identifier"].label_from_instance = _identifier_label


def _identifier_label(identifier) -> str:
    return f"{identifier.value} · {identifier.get_packaging_level_display()}"


class TakeBackForm(forms.Form):
    """A consumed component taken back out (disassembly, rework): where it goes, and why."""

    location = forms.ModelChoiceField(label=_("Return it to"), queryset=Location.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(
            site=site, is_active=True
        ).order_by("path")
        self.fields["location"].label_from_instance = lambda location: location.path


class LotReleaseForm(SignedReleaseForm):
    """QA's signed release of the lot an order made, and where to put it away."""

    stay = _("Leave it at the line")
