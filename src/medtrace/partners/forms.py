"""The partners' forms: they parse and present; the rules are the services' (a refusal comes
back through core.forms.show_domain_error)."""

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from medtrace.org.forms import CodeField
from medtrace.partners.choices import SupplierStatus
from medtrace.partners.models import ApprovedSource, Customer, Supplier, SupplierCertificate
from medtrace.partners.selectors import search_customers, search_suppliers
from medtrace.partners.services import CUSTOMER_FIELDS, SUPPLIER_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _EditForm(forms.ModelForm):
    """Create a record (with its code) or, given `record`, edit its description."""

    code = CodeField()
    FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, record=None, **kwargs):
        if record is not None:
            kwargs.setdefault("initial", model_to_dict(record, fields=self.FIELDS))
        super().__init__(*args, **kwargs)
        if record is not None:
            del self.fields["code"]
        self.order_fields(["code", *self.FIELDS])

    def _post_clean(self):
        """The services validate the record (and name the rule); the form only parses."""


class SupplierForm(_EditForm):
    FIELDS = SUPPLIER_FIELDS

    class Meta:
        model = Supplier
        fields = SUPPLIER_FIELDS


class CustomerForm(_EditForm):
    FIELDS = CUSTOMER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data["language"] or Customer._meta.get_field("language").default

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {"licence_valid_until": DATE}


class CertificateForm(forms.ModelForm):
    class Meta:
        model = SupplierCertificate
        fields = ("kind", "number", "issuer", "valid_from", "valid_until", "file")
        widgets = {"valid_from": DATE, "valid_until": DATE}

    def _post_clean(self):
        """Validated by services.add_certificate."""


class ApprovedSourceForm(forms.ModelForm):
    class Meta:
        model = ApprovedSource
        fields = ("item", "status", "since", "note")
        widgets = {"since": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items.filter(is_active=True).order_by("code")
        self.fields["since"].required = False

    def _post_clean(self):
        """Validated by services.approve_source."""


class SupplierFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *SupplierStatus.choices]

    def filter(self, suppliers):
        data = self.cleaned_data if self.is_valid() else {}
        suppliers = search_suppliers(suppliers, data.get("q", ""))
        if data.get("status"):
            suppliers = suppliers.filter(status=data["status"])
        return suppliers


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Code, name, region or GLN"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any")), *Customer._meta.get_field("kind").choices]

    def filter(self, customers):
        data = self.cleaned_data if self.is_valid() else {}
        customers = search_customers(customers, data.get("q", ""))
        if data.get("kind"):
            customers = customers.filter(kind=data["kind"])
        return customers
