"""The complaint pages' forms: they parse and present; resolving the scanned device, the
dates, the decision's rules and the patient-data permission are the services'."""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from medtrace.catalog import selectors as catalog_selectors
from medtrace.catalog.choices import DEVICE_KINDS
from medtrace.org.models import Site
from medtrace.partners import selectors as partner_selectors
from medtrace.quality.choices import (
    ComplaintChannel,
    ComplaintStatus,
    EventOutcome,
    MarketRegion,
    Severity,
)
from medtrace.quality.imdrf import coded_choices
from medtrace.quality.models import Complaint
from medtrace.quality.models.complaint import PATIENT_FIELDS, PERSONAL_FIELDS
from medtrace.quality.services.complaints import AFTER_DECISION

UNCODED = "none"  # the problem-code filter's value for complaints not coded yet
FACTS = [
    "item",
    "channel",
    "customer",
    "complainant_name",
    "complainant_contact",
    "description",
    "event_date",
    "aware_on",
    "aware_time",
    "outcomes",
    "regions",
    "remedial_action_needed",
    "occurred_outside_china",
    "expected_side_effect",
]
FINDINGS = ["problem_code", "investigation", "root_cause", "closure_letter"]
CHECKBOXES = forms.CheckboxSelectMultiple


class _ComplaintFields(forms.ModelForm):
    """The fields shared by intake and correction: the device as a scanned or typed code,
    outcomes and markets as checkboxes."""

    code = forms.CharField(
        label=_("Device"),
        required=False,
        max_length=300,
        help_text=_(
            "Scan the device's UDI label, or type its serial or lot number. The trace shows "
            "where it was shipped."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "data-scan": "device"}
        ),
    )
    outcomes = forms.MultipleChoiceField(
        label=_("What happened"),
        choices=EventOutcome.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("Decides the reporting clocks; a public health threat or a cluster comes "
                    "with one of the others."),
    )  # fmt: skip
    regions = forms.MultipleChoiceField(
        label=_("Marketed in"),
        choices=MarketRegion.choices,
        required=False,
        widget=CHECKBOXES,
    )
    # A plain text field behind the select: the service checks the code, so that an unknown
    # one is refused naming the IMDRF annex, as over the API.
    problem_code = forms.CharField(
        label=_("Device problem (IMDRF Annex A)"),
        required=False,
        widget=forms.Select,
        help_text=_("What went wrong with the device, as observed (not why); complaints are "
                    "trended by it. It may wait for the investigation."),
    )  # fmt: skip

    class Meta:
        model = Complaint
        fields = [*FACTS, "problem_code", *PATIENT_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "injury_description": forms.Textarea(attrs={"rows": 3}),
            "event_date": forms.DateInput(attrs={"type": "date"}),
            "aware_on": forms.DateInput(attrs={"type": "date"}),
            "aware_time": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {
            "item": _(
                "Only when neither the lot nor the serial is known; else it is the device's."
            ),
            "aware_on": _("The day we learned of it: the reporting clocks start here (day 0)."),
            "customer": _("Leave empty to take the hospital the device was shipped to."),
            "remedial_action_needed": _(
                "Remedial action is needed to prevent an unreasonable risk of substantial harm "
                "to public health (FDA 5-day report, 21 CFR 803.53)."
            ),
            "expected_side_effect": _(
                "Documented in the product information and quantified in the technical "
                "documentation (EU: trend-reported, MDR Art. 87(1))."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["problem_code"].widget.choices = BLANK_CHOICE_DASH + coded_choices()
        if "customer" in self.fields:
            customers = partner_selectors.visible_customers(user)
            self.fields["customer"].queryset = customers.order_by("code")
        if "item" in self.fields:
            items = catalog_selectors.visible_items(user).filter(kind__in=DEVICE_KINDS)
            self.fields["item"].queryset = items.order_by("code")
            self.fields["item"].label_from_instance = lambda item: (
                f"{item.code} {item.display_name}"
            )

    def _post_clean(self):
        """The services validate the record as a whole; the form only parses."""


class ComplaintForm(_ComplaintFields):
    """A new complaint at one of `sites`. Whoever takes it writes down the patient's
    involvement as they hear it, even without the right to read it back."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: f"{site.code} · {site.display_name}"
        self.fields["code"].widget.attrs["autofocus"] = True  # the scanner types into it
        self.order_fields(["site", "code", "item", "channel", "customer"])


class ComplaintEditForm(_ComplaintFields):
    """Corrections with their reason. The patient's fields are there only for readers who
    may see them; once the decision is approved only who complained and the letter remain."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta(_ComplaintFields.Meta):
        fields = [*FACTS, *PATIENT_FIELDS, *FINDINGS]
        widgets = _ComplaintFields.Meta.widgets | {
            "investigation": forms.Textarea(attrs={"rows": 5}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "closure_letter": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, patient: bool, **kwargs):
        super().__init__(*args, **kwargs)
        complaint = self.instance
        if not patient:
            for name in (*PATIENT_FIELDS, *PERSONAL_FIELDS):
                del self.fields[name]
        if complaint.status == ComplaintStatus.DECIDED:
            for name in list(self.fields):
                if name not in (*AFTER_DECISION, "reason"):
                    del self.fields[name]
        else:
            self.initial.setdefault("code", complaint.scanned_code)

    def changes(self) -> dict:
        """The fields as the service takes them (reason apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class DecisionForm(forms.Form):
    reportable = forms.TypedChoiceField(
        label=_("Reportability decision"),
        choices=[("yes", _("Reportable")), ("no", _("Not reportable"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why, naming the rule (a reportable event's rules are listed above)."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)


class OpenNcrForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    hold = forms.BooleanField(
        label=_("Hold the lot"),
        required=False,
        help_text=_("Record a hold on the lot's remaining stock until the NCR is decided."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_ncr_%s")
        super().__init__(*args, **kwargs)


class LinkForm(forms.Form):
    """Link an existing NCR or CAPA by its number."""

    number = forms.CharField(label=_("Number"), max_length=20)
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)

    def __init__(self, *args, kind: str, **kwargs):
        kwargs.setdefault("auto_id", f"id_link_{kind}_%s")
        super().__init__(*args, **kwargs)


class ComplaintFilterForm(forms.Form):
    """The list's filters and order (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number, complainant, lot or serial"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Received via"), required=False)
    problem_code = forms.ChoiceField(label=_("Device problem (IMDRF Annex A)"), required=False)
    reportable = forms.ChoiceField(
        label=_("Reportable"),
        required=False,
        choices=[
            ("", _("Any")),
            ("yes", _("Reportable")),
            ("no", _("Not reportable")),
            ("undecided", _("Not decided yet")),
        ],
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    open = forms.BooleanField(label=_("Open only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    # Set by the links of the complaint trend pages (analytics), shown when set.
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lot = forms.IntegerField(required=False, widget=forms.HiddenInput)
    aware_from = forms.DateField(label=_("Aware from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    aware_to = forms.DateField(label=_("Aware until"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    counted = forms.BooleanField(label=_("Without cancelled"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("due", _("Report due soonest")),
            ("newest", _("Newest")),
            ("oldest", _("Oldest (aging)")),
        ],
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["status"].choices = any_choice + list(ComplaintStatus.choices)
        self.fields["channel"].choices = any_choice + list(ComplaintChannel.choices)
        self.fields["problem_code"].choices = [
            *any_choice,
            (UNCODED, _("Not coded yet")),
            *coded_choices(),
        ]
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code
