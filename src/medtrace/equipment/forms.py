"""The equipment ledger's forms: they parse and present; the rules are the services'."""

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import EquipmentStatus, EquipmentType, allowed_statuses
from medtrace.equipment.models import Equipment
from medtrace.equipment.services import EQUIPMENT_FIELDS
from medtrace.org.forms import CodeField
from medtrace.org.models import Location, Site


class EquipmentForm(forms.ModelForm):
    """New equipment at one of `sites` (with its code) or, given `equipment`, its description."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    code = CodeField()

    class Meta:
        model = Equipment
        fields = EQUIPMENT_FIELDS
        widgets = {
            "last_calibrated_on": forms.DateInput(attrs={"type": "date"}),
            "maintenance_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, sites=None, equipment: Equipment | None = None, **kwargs):
        if equipment is not None:
            kwargs.setdefault("initial", model_to_dict(equipment, fields=EQUIPMENT_FIELDS))
        super().__init__(*args, **kwargs)
        locations = Location.objects.filter(is_active=True).select_related("site")
        if equipment is not None:
            del self.fields["site"], self.fields["code"]
            locations = locations.filter(site=equipment.site)
        else:
            self.fields["site"].queryset = sites
            locations = locations.filter(site__in=sites)
        self.fields["location"].queryset = locations.order_by("site__code", "path")
        self.fields["location"].label_from_instance = lambda loc: f"{loc.site.code} · {loc.path}"
        self.order_fields(["site", "code", *EQUIPMENT_FIELDS])

    def _post_clean(self):
        """The services validate the record as a whole; the form only parses."""


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, equipment: Equipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, EquipmentStatus(value).label) for value in allowed_statuses(equipment.status)
        ]


class EquipmentFilterForm(forms.Form):
    """The list's filters (GET); the site is the header's site switcher."""

    CALIBRATION_CHOICES = [
        ("", _("Any")),
        ("due30", _("Due within 30 days")),
        ("overdue", _("Overdue")),
    ]

    q = forms.CharField(label=_("Code, name or serial number"), required=False)
    equipment_type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    calibration = forms.ChoiceField(
        label=_("Calibration"), choices=CALIBRATION_CHOICES, required=False
    )
    maintenance = forms.ChoiceField(
        label=_("Maintenance"), choices=[("", _("Any")), ("overdue", _("Overdue"))], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["equipment_type"].choices = any_choice + list(EquipmentType.choices)
        self.fields["status"].choices = any_choice + list(EquipmentStatus.choices)
