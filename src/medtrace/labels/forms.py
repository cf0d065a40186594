"""The label forms: they parse what was typed; what a label may carry is the services' rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.labels.services import CaseContent, fields_on_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
IDENTIFIER = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
CONTENT_EXAMPLE = "19506000100118 L2401 20"


class DeviceLabelForm(forms.Form):
    """The production identifiers of one label; only those the DI's label carries are asked."""

    lot = forms.CharField(label=_("Lot"), max_length=40, widget=forms.TextInput(IDENTIFIER))
    serial = forms.CharField(
        label=_("Serial number"), max_length=40, widget=forms.TextInput(IDENTIFIER)
    )
    expiry = forms.DateField(label=_("Use-by date"), widget=DATE)
    production_date = forms.DateField(label=_("Date of manufacture"), widget=DATE)

    def __init__(self, *args, identifier, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = fields_on_label(identifier)
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]


class SsccLabelForm(forms.Form):
    sscc = forms.CharField(
        label=_("SSCC"),
        max_length=40,
        help_text=_("18 digits, the last the check digit; “(00)” and spaces are ignored."),
        widget=forms.TextInput(IDENTIFIER),
    )
    contents = forms.CharField(
        label=_("Contents"),
        required=False,
        help_text=_(
            "One line per trade item: GTIN, lot (if any) and count, separated by spaces, "
            "e.g. “19506000100118 L2401 20”."
        ),
        widget=forms.Textarea(attrs={"rows": 3, **IDENTIFIER}),
    )
    ship_from = forms.CharField(
        label=_("Ship from"),
        required=False,
        max_length=300,
        help_text=_("Printed under your organization's name."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ship_to = forms.CharField(
        label=_("Ship to"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_contents(self) -> list[CaseContent]:
        try:
            return content_lines(self.cleaned_data["contents"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


def content_lines(text: str) -> list[CaseContent]:
    """ "GTIN [LOT] COUNT" per line (a GS1 lot holds no spaces), blank lines skipped; a line
    that is not in that shape is a ValueError naming it."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3) or not parts[-1].isdigit():
            raise ValueError(
                _("Line %(number)s: write GTIN, lot (if any) and count, e.g. “%(example)s”.")
                % {"number": number, "example": CONTENT_EXAMPLE}
            )
        lot = parts[1] if len(parts) == 3 else ""
        lines.append(CaseContent(gtin=parts[0], lot=lot, count=int(parts[-1])))
    return lines
