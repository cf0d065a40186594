"""The deviation pages' forms: they parse and present. Lots are typed or scanned one per line
and resolved as the scan box reads them; the window is typed in the site's time zone. Whether
the scope is at the deviation's site, and what may change when, is quality.services.deviation's
to say."""

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.equipment import selectors as equipment_selectors
from medtrace.org.models import Site
from medtrace.quality.choices import DeviationKind, DeviationStatus, RiskLevel
from medtrace.quality.forms import open_for_field, resolve_lot
from medtrace.quality.models import Deviation
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import Lot

ANY = [("", _("Any"))]
SCOPE_FIELDS = ["equipment", "operation", "window_start", "window_end"]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def site_label(site: Site) -> str:
    return f"{site.code} · {site.display_name}"


class DeviationFilterForm(forms.Form):
    """The list's filters (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number, title or lot"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + DeviationKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + DeviationStatus.choices
    )
    risk_level = forms.ChoiceField(label=_("Risk"), required=False, choices=ANY + RiskLevel.choices)
    open = forms.BooleanField(label=_("Open only"), required=False)
    open_for = open_for_field()

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code


def parse_lots(user, text: str, site: Site | None) -> list[Lot]:
    """The lots named one per line (numbers, scanned labels or URIs), in order, each once;
    every line that names no single lot is reported."""
    lots, errors = [], []
    for code in dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()):
        try:
            lot = resolve_lot(user, code, site)
        except ValidationError as error:
            errors.extend(error.message_dict.get("lot", error.messages))
            continue
        if lot.pk not in {each.pk for each in lots}:
            lots.append(lot)
    if errors:
        raise ValidationError(errors)
    return lots


def _zone(site: Site) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(site.time_zone)


def local_to_site(value, site: Site):
    """A typed time (parsed in the current zone) read as the site's wall-clock time."""
    if value is None:
        return None
    return timezone.make_aware(timezone.make_naive(value), _zone(site))


def site_local(value, site: Site):
    """A stored time as the site's wall-clock time, for a datetime-local input."""
    if value is None:
        return None
    return timezone.localtime(value, _zone(site)).replace(tzinfo=None)


class DeviationForm(forms.ModelForm):
    """A new deviation at one of `sites` (those where the user may raise one), or the changes
    to `deviation` while it is open (then the site and kind are fixed and a reason is asked for)."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    lots = forms.CharField(
        label=_("Lots"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "autocapitalize": "off"}),
        help_text=_("One lot per line: type its lot number or scan its label."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Deviation
        fields = [
            "kind", "title", "description", "equipment", "operation", "window_start",
            "window_end", "impact_assessment", "risk_level",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "impact_assessment": forms.Textarea(attrs={"rows": 3}),
            "window_start": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=LOCAL_INPUT
            ),
            "window_end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        }
        help_texts = {
            "window_start": _("In the site's time zone."),
            "impact_assessment": _("Needed, with the risk, before the deviation is approved."),
        }

    def __init__(self, *args, user, sites, deviation: Deviation | None = None, **kwargs):
        if deviation is not None:
            kwargs["initial"] = {
                "title": deviation.title,
                "description": deviation.description,
                "equipment": deviation.equipment_id,
                "operation": deviation.operation,
                "window_start": site_local(deviation.window_start, deviation.site),
                "window_end": site_local(deviation.window_end, deviation.site),
                "impact_assessment": deviation.impact_assessment,
                "risk_level": deviation.risk_level,
                "lots": "\n".join(
                    trace_selectors.shortest_code(user, lot)
                    for lot in deviation.lots.order_by("pk")
                ),
            } | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        self.user, self.deviation = user, deviation
        self.fields["risk_level"].required = False
        if deviation is None:
            del self.fields["reason"]
            self.fields["kind"].choices = DeviationKind.choices
            self.fields["site"].queryset = sites
            self.fields["site"].label_from_instance = site_label
            equipment_sites = sites
        else:
            del self.fields["site"], self.fields["kind"]
            equipment_sites = [deviation.site]
        self.fields["equipment"].queryset = (
            equipment_selectors.visible_equipment(user)
            .filter(site__in=equipment_sites)
            .order_by("site__code", "code")
        )
        self.fields["equipment"].label_from_instance = lambda equipment: (
            f"{equipment.site.code} · {equipment.code} {equipment.display_name}"
        )
        self.order_fields(["site", "kind", "title", "description", "lots", *SCOPE_FIELDS])

    @property
    def chosen_site(self) -> Site | None:
        if self.deviation is not None:
            return self.deviation.site
        return self.cleaned_data.get("site")

    def clean(self):
        cleaned = super().clean()
        site = self.chosen_site
        try:
            cleaned["lots"] = parse_lots(self.user, cleaned.get("lots") or "", site)
        except ValidationError as error:
            self.add_error("lots", error)
        if site is not None:
            for name in ("window_start", "window_end"):
                cleaned[name] = local_to_site(cleaned.get(name), site)
        return cleaned

    def _post_clean(self):
        """The service validates the deviation as a whole; the form only parses."""

    def changes(self) -> dict:
        """The service's keyword arguments for update_deviation."""
        fields = {name: self.cleaned_data[name] for name in self.fields if name != "reason"}
        return fields | {"reason": self.cleaned_data["reason"]}


class ClosureSummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Closure summary"),
        required=False,  # the service says when it is needed
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done and found; the closing signature covers it."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_summary_%s")
        super().__init__(*args, **kwargs)
