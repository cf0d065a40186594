"""The signing form used wherever a record is signed: meaning, password, reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning


class SignatureForm(forms.Form):
    meaning = forms.ChoiceField(label=_("Meaning"), choices=SignatureMeaning.choices)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signing is the legally binding equivalent of your handwritten signature."),
    )
    reason = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.TextInput,
    )

    def __init__(self, *args, meanings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meanings is not None:
            self.fields["meaning"].choices = [
                (value, SignatureMeaning(value).label) for value in meanings
            ]
