from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.audit.signature_forms import SignatureForm, otp_field
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location

from .choices import AdjustmentReason, StockStatus


class SignedReleaseForm(SignatureForm):
    """QA's signed release of a lot out of quarantine (a receipt's, a work order's), and the
    stock location of the site to put it away to, if any."""

    stay = _("Leave where it is")

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, meanings=[SignatureMeaning.RELEASED], **kwargs)
        self.fields["location"] = forms.ModelChoiceField(
            label=_("Put away to"),
            queryset=Location.objects.filter(
                site=site, kind=LocationKind.STOCK, is_active=True
            ).order_by("path"),
            required=False,
            empty_label=self.stay,
        )
        self.fields["location"].label_from_instance = lambda location: location.path


class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("Item or lot"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *StockStatus.choices]
    )
    location = forms.CharField(label=_("Location"), required=False)
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("rows", _("Lots and units")), ("totals", _("Totals per lot and location"))],
    )


class StartCountForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


class CountLineForm(forms.Form):
    code = forms.CharField(
        label=_("Lot, unit or barcode"),
        help_text=_("Scan the label or type the lot number."),
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    counted = forms.CharField(label=_("Counted"))
    reason = forms.ChoiceField(
        label=_("Reason for a difference"),
        required=False,
        choices=[("", "—"), *AdjustmentReason.choices],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


class PostCountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), required=False, widget=forms.PasswordInput)
    otp = otp_field()
    reason = forms.CharField(label=_("Comment"), required=False)


class CancelCountForm(forms.Form):
    reason = forms.CharField(label=_("Reason"))
