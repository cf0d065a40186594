"""The forms of the notices pages. They only parse; the services decide (and name the rule
when they refuse)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from medtrace.core.numbers import plain

from .choices import Audience

EXTRA_AUDIENCES = [(a.value, a.label) for a in (Audience.REGULATOR, Audience.END_USER)]
REPORTED = (
    ("on_hand", _("on hand")),
    ("used", _("already used")),
    ("to_return", _("to return")),
)


class AddNoticeForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=EXTRA_AUDIENCES)
    recipient_name = forms.CharField(label=_("Recipient"), max_length=200)
    recipient_email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class BounceForm(forms.Form):
    detail = forms.CharField(
        label=_("What the bounce message says"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectAddressForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PostedForm(forms.Form):
    reference = forms.CharField(
        label=_("Post or courier reference"), max_length=100, required=False
    )


class AckForm(forms.Form):
    """The consignee's acknowledgement: its name, and per line on hand / used / to return."""

    name = forms.CharField(label=_("Your name and role"), max_length=200)
    note = forms.CharField(
        label=_("Remarks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the rest is, when you account for less than was shipped."),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            for name, label in REPORTED:
                self.fields[f"line-{line.pk}-{name}"] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
                )

    @staticmethod
    def initial_for(notice, lines) -> dict:
        initial = {"name": notice.acknowledged_by, "note": notice.acknowledgement_note}
        for line in lines:
            for name, _label in REPORTED:
                value = getattr(line, name)
                if value is not None:
                    initial[f"line-{line.pk}-{name}"] = plain(value)
        return initial

    def rows(self):
        return [
            (line, [self[f"line-{line.pk}-{name}"] for name, _ in REPORTED]) for line in self.lines
        ]

    def quantities(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            line.pk: {name: data.get(f"line-{line.pk}-{name}", "") for name, _ in REPORTED}
            for line in self.lines
        }
