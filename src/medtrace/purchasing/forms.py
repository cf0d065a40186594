"""The purchasing pages' forms: they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.audit.signature_forms import SignatureForm
from medtrace.catalog.models import Item
from medtrace.org.models import Site
from medtrace.partners.choices import SupplierStatus
from medtrace.partners.models import Supplier
from medtrace.purchasing.choices import PurchaseOrderStatus

ANY = [("", _("Any"))]
DATE = forms.DateInput(attrs={"type": "date"})


def _site_choices(field, sites):
    field.queryset = sites
    field.label_from_instance = lambda site: f"{site.code} · {site.display_name}"


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or supplier"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + PurchaseOrderStatus.choices
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        _site_choices(self.fields["site"], sites)


class OrderForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Receiving site"), queryset=Site.objects.none())
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sites, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _site_choices(self.fields["site"], sites)
        self.fields["supplier"].queryset = Supplier.objects.filter(
            organization=organization
        ).exclude(status=SupplierStatus.DISQUALIFIED)


class LineForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=6)
    expected_on = forms.DateField(label=_("Expected"), widget=DATE)
    supplier_gtin = forms.CharField(label=_("Supplier's GTIN"), required=False, max_length=14)
    supplier_item_code = forms.CharField(
        label=_("Supplier's item code"), required=False, max_length=40
    )
    tolerance_percent = forms.DecimalField(
        label=_("Over-receipt tolerance (%)"), required=False, min_value=0, max_value=100
    )
    min_remaining_days = forms.IntegerField(
        label=_("Minimum remaining shelf life (days)"), required=False, min_value=0
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = (
            Item.objects.filter(organization=organization, is_active=True)
            .exclude(tracking="serial")
            .order_by("code")
        )
        self.fields["item"].label_from_instance = lambda item: f"{item.code} {item.display_name}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput)


class ExceptionForm(SignatureForm):
    """The QA manager's signature on a source exception: the reason is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meanings=[SignatureMeaning.APPROVED], **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].label = _("Reason for the exception")


class ReceiveForm(forms.Form):
    code = forms.CharField(
        label=_("Scan the supplier's label"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off",
                                      "autofocus": True, "inputmode": "text"}),
    )  # fmt: skip
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=18,
                                  decimal_places=6)  # fmt: skip
    supplier_lot = forms.CharField(label=_("Supplier lot"), required=False, max_length=40)
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=DATE)
    manufactured_on = forms.DateField(label=_("Production date"), required=False, widget=DATE)
    reason = forms.CharField(
        label=_("Reason (when it differs from the order)"), required=False, max_length=1000
    )
    certificate = forms.FileField(label=_("Certificate of analysis"), required=False)


class CertificateForm(forms.Form):
    certificate = forms.FileField(label=_("Certificate of analysis"))
