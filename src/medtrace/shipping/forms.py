from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.partners.models import Customer

from .choices import OrderStatus, ReturnDecision


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *OrderStatus.choices]
    )


class OrderForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Shipping site"), queryset=None)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None)
    customer_reference = forms.CharField(
        label=_("Customer's order number"), max_length=60, required=False
    )
    requested_on = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ship_to = forms.CharField(
        label=_("Ship to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Default: the customer's address."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sites, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["customer"].queryset = Customer.objects.filter(organization=organization)


class LineForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=0)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(organization=organization).order_by(
            "code"
        )


LineFormSet = forms.formset_factory(LineForm, extra=4, max_num=20)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    received_by = forms.CharField(label=_("Received by (name)"), max_length=200)
    scanned = forms.CharField(
        label=_("SSCCs scanned (optional, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ReturnDecision.choices)
    location = forms.ModelChoiceField(label=_("Restock to"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = site.locations.filter(
            kind="stock", is_active=True
        ).order_by("path")


class TermsForm(forms.Form):
    min_remaining_shelf_life_days = forms.IntegerField(
        label=_("Minimum remaining shelf life (days)"), min_value=0, max_value=3650
    )
    reason = forms.CharField(label=_("Reason"), required=False)
