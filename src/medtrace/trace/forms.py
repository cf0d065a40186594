"""The trace pages' forms: the scan box and the options of a forward or backward trace."""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DEPTH_LIMIT = 100


class ScanForm(forms.Form):
    q = forms.CharField(
        label=_("Scan or type a code"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "enterkeyhint": "search",
                "placeholder": _("GS1 / HIBC / MA label, Digital Link, lot, serial or SSCC"),
            }
        ),
    )


class TraceOptionsForm(forms.Form):
    """How far to walk (links from the root) and as of when (events after it are ignored);
    both empty: the whole trace as it stands now."""

    max_depth = forms.IntegerField(
        label=_("Max depth"),
        required=False,
        min_value=1,
        max_value=MAX_DEPTH_LIMIT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    as_of = forms.DateTimeField(
        label=_("As of"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def options(self) -> dict:
        """The engine's keyword arguments (only those given)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {name: data[name] for name in ("max_depth", "as_of") if data.get(name) is not None}

    def query(self) -> str:
        """The options as a query string for the export and graph links ('' when none)."""
        if not self.is_bound or not self.is_valid():
            return ""
        given = {name: self.data[name] for name in ("max_depth", "as_of") if self.data.get(name)}
        return urlencode(given)
