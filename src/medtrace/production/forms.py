from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import DEVICE_KINDS


class WorkOrderForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None, label=_("Site"))
    item = forms.ModelChoiceField(queryset=None, label=_("Item"))
    quantity = forms.CharField(label=_("Quantity"), max_length=24)
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


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
