"""The nonconformance pages' forms: they parse and present (a scanned or typed lot code is
resolved to the lot through the trace selectors); the rules are the services' and the NCR
workflow's."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from medtrace.audit.signature_forms import SignatureForm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.workflow import Transition
from medtrace.equipment import selectors as equipment_selectors
from medtrace.org.models import Site
from medtrace.partners import selectors as partner_selectors
from medtrace.quality.choices import NcrSource, NcrStatus, Severity
from medtrace.quality.models import Disposition, Nonconformance
from medtrace.quality.selectors import OPEN_FOR_DAYS
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot

NCR_FIELDS = [
    "title",
    "description",
    "source",
    "severity",
    "quantity",
    "uom",
    "supplier",
    "equipment",
    "due_on",
]


class NonconformanceForm(forms.ModelForm):
    """A new NCR at one of `sites` (those where the user may report one). The lot is typed
    or scanned and resolved as the scan box does; whether it is a lot of the chosen site is
    the service's rule."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    lot = forms.CharField(
        label=_("Lot"),
        required=False,
        max_length=300,
        help_text=_("Type the lot number or scan the lot's label. Leave empty if no lot."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )
    hold = forms.BooleanField(
        label=_("Hold the lot"),
        required=False,
        initial=True,
        help_text=_("Record a hold on the lot so that it cannot be used until it is decided."),
    )

    class Meta:
        model = Nonconformance
        fields = NCR_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "quantity": forms.NumberInput(attrs={"step": "any", "min": "0"}),
        }
        help_texts = {
            "supplier": _("Leave empty to take the lot's supplier."),
            "quantity": _("The nonconforming quantity, if known."),
        }

    def __init__(self, *args, user, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: f"{site.code} · {site.display_name}"
        suppliers = partner_selectors.visible_suppliers(user)
        self.fields["supplier"].queryset = suppliers.order_by("code")
        self.fields["equipment"].queryset = (
            equipment_selectors.visible_equipment(user)
            .filter(site__in=sites)
            .order_by("site__code", "code")
        )
        self.fields["equipment"].label_from_instance = lambda equipment: (
            f"{equipment.site.code} · {equipment.code} {equipment.display_name}"
        )
        self.order_fields(["site", "title", "description", "source", "severity", "lot"])

    def clean(self):
        cleaned = super().clean()
        code = (cleaned.get("lot") or "").strip()
        cleaned["lot"] = resolve_lot(self.user, code, cleaned.get("site")) if code else None
        return cleaned

    def _post_clean(self):
        """The services validate the record as a whole; the form only parses."""


def resolve_lot(user, code: str, site: Site | None) -> Lot:
    """The lot `code` names, as the scan box reads it (any label, a URI or a bare lot number);
    a bare number several items share is narrowed to the lots of the chosen site."""
    try:
        found = trace_selectors.find_one(user, code)
    except DomainError as error:
        named = trace_selectors.find(user, code) if error.code == ErrorCode.CONFLICT else []
        lots_here = [
            obj
            for obj in named
            if obj.kind == ObjectKind.LOT and site is not None and obj.site_id == site.pk
        ]
        if len(lots_here) != 1:
            raise ValidationError({"lot": str(error.message)}) from None
        found = lots_here[0]
    if found.kind != ObjectKind.LOT:
        raise ValidationError(
            {
                "lot": _("%(code)s is a %(kind)s, not a lot.")
                % {"code": code, "kind": found.get_kind_display()}
            }
        )
    return Lot.objects.select_related("item", "supplier", "site").get(pk=found.pk)


class DispositionForm(forms.ModelForm):
    class Meta:
        model = Disposition
        fields = ["decision", "quantity", "justification"]
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 3}),
            "quantity": forms.NumberInput(attrs={"step": "any", "min": "0"}),
        }

    def __init__(self, *args, ncr: Nonconformance, **kwargs):
        kwargs.setdefault("auto_id", "id_disposition_%s")
        super().__init__(*args, **kwargs)
        if ncr.uom:
            self.fields["quantity"].help_text = _("In %(uom)s.") % {"uom": ncr.uom}
        self.fields["justification"].required = False  # the service names the rule

    def _post_clean(self):
        """The service validates the disposition; the form only parses."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmptyForm(forms.Form):
    """An action without fields (its button is the whole form)."""


def action_form(transition: Transition, data=None) -> forms.Form:
    """The form of a workflow action: a signature (password re-entry, the meaning, a comment)
    when the transition is signed, a reason when it needs one, else just the button."""
    auto_id = f"id_{transition.name}_%s"
    if transition.signature is not None:
        return SignatureForm(data, meanings=[transition.signature], auto_id=auto_id)
    if transition.needs_reason:
        return ReasonForm(data, auto_id=auto_id)
    return EmptyForm(data, auto_id=auto_id)


# Formatted when shown, in the reader's language.
_more_than = lazy(lambda days: gettext("More than %(days)s days") % {"days": days}, str)


def open_for_field() -> forms.TypedChoiceField:
    """How long a record has been open: the lists' (and the home dashboard's) aging filter."""
    return forms.TypedChoiceField(
        label=_("Open for"),
        choices=[("", _("Any time")), *((days, _more_than(days)) for days in OPEN_FOR_DAYS)],
        coerce=int, empty_value=None, required=False,
    )  # fmt: skip


class NonconformanceFilterForm(forms.Form):
    """The list's filters (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number, title or lot"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    open = forms.BooleanField(label=_("Open only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    open_for = open_for_field()
    supplier = forms.CharField(label=_("Supplier code"), required=False)
    opened_from = forms.DateField(label=_("Opened from"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    opened_to = forms.DateField(label=_("Opened until"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["status"].choices = any_choice + list(NcrStatus.choices)
        self.fields["severity"].choices = any_choice + list(Severity.choices)
        self.fields["source"].choices = any_choice + list(NcrSource.choices)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code
