"""The signing form used wherever a record is signed: meaning, password, authenticator code,
reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning


def otp_field() -> forms.CharField:
    """The authenticator code a signer with two-factor sign-in gives with their password. The
    signature service reads it from the request (accounts.mfa.presented_otp); the form shows it
    and keeps it out of the page when the form comes back with an error."""
    return forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        help_text=_("The 6 digits of your authenticator app, if you set up two-factor sign-in."),
    )


class SignatureForm(forms.Form):
    meaning = forms.ChoiceField(label=_("Meaning"), choices=SignatureMeaning.choices)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signing is the legally binding equivalent of your handwritten signature."),
    )
    otp = otp_field()
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
