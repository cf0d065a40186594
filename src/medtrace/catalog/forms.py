"""The catalog's forms: they parse and present; the rules are the services' (a refusal comes
back through core.forms.show_domain_error)."""

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import Tracking
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.catalog.selectors import search_items
from medtrace.catalog.services import DI_ATTRIBUTES, ITEM_FIELDS, NEW_DI_FIELDS
from medtrace.org.forms import CodeField


class ItemForm(forms.ModelForm):
    """Create an item (with its code) or, given `item`, edit its description."""

    code = CodeField()

    class Meta:
        model = Item
        fields = ITEM_FIELDS

    def __init__(self, *args, item: Item | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", model_to_dict(item, fields=ITEM_FIELDS))
        super().__init__(*args, **kwargs)
        if item is not None:
            del self.fields["code"]
        self.order_fields(["code", *ITEM_FIELDS])


class ItemFilterForm(forms.Form):
    """The item list's search and filters (GET)."""

    ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Inactive")), ("all", _("All"))]

    q = forms.CharField(label=_("Code, name or device identifier"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tracking = forms.ChoiceField(label=_("Tracking"), required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["kind"].choices = any_choice + list(Item._meta.get_field("kind").choices)
        self.fields["tracking"].choices = any_choice + list(Tracking.choices)

    def filter(self, items):
        data = self.cleaned_data if self.is_valid() else {}
        items = search_items(items, data.get("q", ""))
        if data.get("kind"):
            items = items.filter(kind=data["kind"])
        if data.get("tracking"):
            items = items.filter(tracking=data["tracking"])
        active = data.get("active") or "1"
        if active != "all":
            items = items.filter(is_active=active == "1")
        return items


class DeviceIdentifierForm(forms.ModelForm):
    """A new DI for `item`; given `identifier`, a correction of it: the attributes whose change
    needs a new DI are shown but fixed, and a reason is required."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the DI's version history and the audit trail."),
    )

    eifu_url = forms.URLField(
        label=_("electronic instructions for use (URL)"), required=False, assume_scheme="https"
    )

    class Meta:
        model = DeviceIdentifier
        fields = ("issuing_agency", "value", *DI_ATTRIBUTES)

    def __init__(self, *args, item: Item, identifier: DeviceIdentifier | None = None, **kwargs):
        if identifier is not None:
            kwargs.setdefault("initial", model_to_dict(identifier, fields=DI_ATTRIBUTES))
        super().__init__(*args, **kwargs)
        inner = item.device_identifiers.order_by("packaging_level", "value")
        if identifier is None:
            inner = inner.filter(is_active=True)
        else:  # fixed: the DI it holds, even if since retired
            inner = inner.exclude(pk=identifier.pk)
        self.fields["contains"].queryset = inner
        self.fields["contains"].label_from_instance = lambda di: (
            f"{di.value} · {di.get_packaging_level_display()}"
        )
        if identifier is None:
            del self.fields["reason"]
            return
        del self.fields["issuing_agency"], self.fields["value"]
        for name in NEW_DI_FIELDS:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Fixed: a change needs a new device identifier.")

    FIELDSETS = [
        (_("Identifier and packaging"), ["issuing_agency", "value", "packaging_level", "contains",
                                         "quantity_per_package", "basic_udi_di"]),
        (_("Device"), ["brand", "model_number", "registration_number", "risk_class_cn",
                       "risk_class_eu", "risk_class_us", "gmdn_code", "nmpa_classification_code"]),
        (_("Use and safety"), ["sterile", "sterilization_method", "single_use", "mri_safety",
                               "contains_latex", "prescription"]),
        (_("For the UDI databases"), ["description", "catalog_number", "kit",
                                      "combination_product", "implantable", "active_device",
                                      "measuring_function", "direct_marking",
                                      "sterilize_before_use", "max_reuses", "eifu_url",
                                      "fda_product_code", "fda_premarket_number",
                                      "fda_premarket_exempt", "emdn_code", "insurance_code_cn"]),
        (_("Production identifiers on the label"), ["label_has_lot", "label_has_serial",
                                                    "label_has_expiry",
                                                    "label_has_manufacturing_date"]),
        (_("Reason"), ["reason"]),
    ]  # fmt: skip

    def fieldsets(self):
        """(legend, bound fields) in the order the form is read; absent fields left out."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
            if any(name in self.fields for name in names)
        ]

    def _post_clean(self):
        """The services validate the record as a whole (and name the rule); the form only
        parses, so the model's own validation is left to them."""

    def attributes(self) -> dict:
        return {name: self.cleaned_data[name] for name in DI_ATTRIBUTES if name in self.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ObsoleteForm(forms.Form):
    """Making a BOM or routing version obsolete: the reason is required."""

    reason = forms.CharField(label=_("Reason"), max_length=1000)
