"""The CAPA pages' forms: they parse and present (five whys as a column of inputs, the fishbone
as one box per category with a cause per line); what may change when, and what a CAPA needs
before each step, is quality.services.capa's to say."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Site
from medtrace.quality.choices import CapaSource, CapaStatus, Effectiveness, FishboneCategory
from medtrace.quality.deviation_forms import site_label
from medtrace.quality.forms import open_for_field
from medtrace.quality.models import Capa, CapaAction

ANY = [("", _("Any"))]
# NCRs and deviations are escalated from their own pages, which link the CAPA to them.
OWN_SOURCES = [
    (value, label)
    for value, label in CapaSource.choices
    if value not in (CapaSource.NONCONFORMANCE, CapaSource.DEVIATION)
]
MIN_WHYS, MAX_WHYS = 5, 10
# The investigation form's fields before the whys and fishbone, and after them.
GENERAL = ("title", "problem_statement", "containment")
CONCLUSIONS = ("root_cause", "effectiveness_criteria", "effectiveness_due_on", "owner", "due_on")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def owner_label(user) -> str:
    return user.printed_name


class CapaFilterForm(forms.Form):
    """The list's filters (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number or title"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + CapaStatus.choices)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=ANY + CapaSource.choices)
    open = forms.BooleanField(label=_("Open only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    open_for = open_for_field()

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code


class CapaForm(forms.ModelForm):
    """A CAPA opened on its own (an audit finding, a trend, a management review) at one of
    `sites`."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())

    class Meta:
        model = Capa
        fields = ["title", "source", "problem_statement", "owner", "due_on"]
        widgets = {"problem_statement": forms.Textarea(attrs={"rows": 4}), "due_on": DATE}

    def __init__(self, *args, sites, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = site_label
        self.fields["source"].choices = OWN_SOURCES
        self.fields["source"].help_text = _(
            "A CAPA for a nonconformance or a deviation is opened from its page "
            "(“Escalate to CAPA”)."
        )
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = owner_label
        self.order_fields(["site"])

    def _post_clean(self):
        """The service validates the CAPA as a whole; the form only parses."""


def why_count(capa: Capa) -> int:
    """Five inputs, or one more than the whys written so far (ten at most)."""
    return max(MIN_WHYS, min(MAX_WHYS, len(capa.five_whys) + 1))


class InvestigationForm(forms.Form):
    """The investigation of an open or implementing CAPA: problem, containment, five whys,
    fishbone, root cause, owner, due dates and the effectiveness criteria."""

    title = forms.CharField(label=_("Title"), max_length=200)
    problem_statement = forms.CharField(
        label=_("Problem statement"), widget=forms.Textarea(attrs={"rows": 3})
    )
    containment = forms.CharField(
        label=_("Containment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done at once to stop the problem spreading."),
    )
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)
    effectiveness_criteria = forms.CharField(
        label=_("Effectiveness criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the check will judge that the actions worked."),
    )
    effectiveness_due_on = forms.DateField(
        label=_("Effectiveness check due"), required=False, widget=DATE
    )
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=1000)

    def __init__(self, *args, capa: Capa, owners, **kwargs):
        kwargs.setdefault("auto_id", "id_investigation_%s")
        whys = why_count(capa)
        initial = {
            "title": capa.title,
            "problem_statement": capa.problem_statement,
            "containment": capa.containment,
            "root_cause": capa.root_cause,
            "owner": capa.owner_id,
            "due_on": capa.due_on,
            "effectiveness_criteria": capa.effectiveness_criteria,
            "effectiveness_due_on": capa.effectiveness_due_on,
        }
        for number, why in enumerate(capa.five_whys[:whys], start=1):
            initial[f"why_{number}"] = why
        for category in FishboneCategory.values:
            initial[f"fishbone_{category}"] = "\n".join(capa.fishbone.get(category, []))
        kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = owner_label
        for number in range(1, whys + 1):
            self.fields[f"why_{number}"] = forms.CharField(
                label=_("Why %(number)s") % {"number": number}, required=False, max_length=500
            )
        for category, label in FishboneCategory.choices:
            self.fields[f"fishbone_{category}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def whys(self):
        return [self[name] for name in self.fields if name.startswith("why_")]

    def fishbone(self):
        return [self[name] for name in self.fields if name.startswith("fishbone_")]

    def general(self):
        return [self[name] for name in GENERAL]

    def conclusions(self):
        return [self[name] for name in CONCLUSIONS]

    def changes(self) -> dict:
        """The service's keyword arguments for update_investigation."""
        data = self.cleaned_data
        fields = {name: data[name] for name in (*GENERAL, *CONCLUSIONS)}
        fields["five_whys"] = [data[name] for name in self.fields if name.startswith("why_")]
        fields["fishbone"] = {
            category: data[f"fishbone_{category}"].splitlines()
            for category in FishboneCategory.values
        }
        return fields | {"reason": data["reason"]}


class CapaActionForm(forms.ModelForm):
    class Meta:
        model = CapaAction
        fields = ["kind", "description", "owner", "due_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DATE}

    def __init__(self, *args, owners, **kwargs):
        kwargs.setdefault("auto_id", "id_action_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = owner_label

    def _post_clean(self):
        """The service validates the action; the form only parses."""


class ActionDoneForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,  # the service names the rule
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was changed, and where the record of it is."),
    )

    def __init__(self, *args, action: CapaAction, **kwargs):
        kwargs.setdefault("auto_id", f"id_done_{action.pk}_%s")
        super().__init__(*args, **kwargs)


class EffectivenessForm(forms.Form):
    """The effectiveness check's result; the field names are the service's."""

    effectiveness = forms.ChoiceField(
        label=_("Result"), required=False, choices=Effectiveness.choices, widget=forms.RadioSelect
    )
    effectiveness_note = forms.CharField(
        label=_("What the check found, or why it was skipped"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, capa: Capa, **kwargs):
        kwargs.setdefault("auto_id", "id_effectiveness_%s")
        kwargs["initial"] = {
            "effectiveness": capa.effectiveness,
            "effectiveness_note": capa.effectiveness_note,
        } | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
