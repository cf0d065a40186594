"""The UDI submission forms: they parse; the rules are the services'."""

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from medtrace.udi.models import Registrant
from medtrace.udi.services import REGISTRANT_FIELDS


class RegistrantForm(forms.ModelForm):
    """The registrant's details; a correction of saved details asks for the reason."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail."),
    )

    class Meta:
        model = Registrant
        fields = REGISTRANT_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, registrant: Registrant | None = None, **kwargs):
        if registrant is not None:
            kwargs.setdefault("initial", model_to_dict(registrant, fields=REGISTRANT_FIELDS))
        super().__init__(*args, **kwargs)
        if registrant is None:
            del self.fields["reason"]

    def _post_clean(self):
        """The service validates the record (and names the rule)."""

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in REGISTRANT_FIELDS}


class SubmittedForm(forms.Form):
    reference = forms.CharField(
        label=_("Acknowledgement"),
        max_length=200,
        help_text=_("The submission ID, batch number or receipt the database gave."),
    )


class RejectedForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the database gave"), widget=forms.Textarea(attrs={"rows": 2})
    )
