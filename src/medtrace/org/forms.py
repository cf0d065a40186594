from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.org.choices import LocationKind, SiteKind
from medtrace.org.models import code_validator


class CodeField(forms.CharField):
    """A record code: typed in any case, stored upper-case, then checked."""

    default_validators = [code_validator]

    def __init__(self, **kwargs):
        super().__init__(label=_("Code"), max_length=32, **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


def _zone_choices():
    return [(zone, zone) for zone in sorted(available_timezones())]


class SiteForm(forms.Form):
    code = CodeField()
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=_zone_choices, initial="Asia/Shanghai"
    )
    country = forms.CharField(label=_("Country"), max_length=2, initial="CN")
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class LocationForm(forms.Form):
    code = CodeField()
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
    parent = forms.ModelChoiceField(label=_("Inside"), queryset=None, required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = site.locations.filter(is_active=True).order_by("path")
        self.fields["parent"].label_from_instance = lambda loc: f"{loc.path} · {loc.display_name}"


class LocationEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
