"""The change-control pages' forms: they parse and present; what may change when, and what a
change needs before each step, is changes.services' and the CHANGE workflow's to say."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.models import ChangeRequest, ChangeTask
from medtrace.org.models import Site
from medtrace.quality.deviation_forms import site_label

ANY = [("", _("Any"))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The fields of the change itself, in the order the form asks them.
FIELDS = [
    "title",
    "kind",
    "reason",
    "description",
    "risk_level",
    "risk_assessment",
    "registration_change",
    "new_udi_di",
    "regulator_notification",
    "regulatory_assessment",
    "capa",
    "planned_effective_on",
]


def owner_label(user) -> str:
    return user.printed_name


def version_label(record) -> str:
    return f"{record.item.code} · v{record.version} · {record.item.display_name}"


class ChangeFilterForm(forms.Form):
    """The list's filters (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number or title"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + ChangeStatus.choices
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + ChangeKind.choices)
    open = forms.BooleanField(label=_("Open only"), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code


class ChangeForm(forms.ModelForm):
    """The change itself: what and why, its risk and regulatory impact, the CAPA it answers
    and the day it takes effect. `sites` given: a new change, at one of them."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    reason_for_edit = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=1000
    )

    class Meta:
        model = ChangeRequest
        fields = FIELDS
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "risk_assessment": forms.Textarea(attrs={"rows": 3}),
            "regulatory_assessment": forms.Textarea(attrs={"rows": 3}),
            "planned_effective_on": DATE,
        }

    def __init__(self, *args, capas, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is None:
            del self.fields["site"]
        else:
            del self.fields["reason_for_edit"]
            self.fields["site"].queryset = sites
            self.fields["site"].label_from_instance = site_label
            self.order_fields(["site"])
        self.fields["capa"].queryset = capas
        self.fields["capa"].label_from_instance = lambda capa: f"{capa.number} · {capa.title}"
        self.fields["kind"].help_text = _(
            "Standard: approved by QA, production and regulatory affairs. Fast track (minor "
            "changes): approved by QA alone; still signed."
        )

    def _post_clean(self):
        """The service validates the change as a whole; the form only parses."""

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS}


class ScopeForm(forms.Form):
    """What a draft releases and affects: BOM and routing drafts, document revisions on their
    way, and further affected items."""

    boms = forms.ModelMultipleChoiceField(
        label=_("BOM drafts it releases"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    routings = forms.ModelMultipleChoiceField(
        label=_("Routing drafts it releases"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    revisions = forms.ModelMultipleChoiceField(
        label=_("Document revisions it releases"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each is approved on its own route, and takes effect with the change."),
    )  # fmt: skip
    items = forms.ModelMultipleChoiceField(
        label=_("Other affected items"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Items the change affects beyond the products of its versions."),
    )  # fmt: skip

    def __init__(self, *args, boms, routings, revisions, items, **kwargs):
        kwargs.setdefault("auto_id", "id_scope_%s")
        super().__init__(*args, **kwargs)
        self.fields["boms"].queryset = boms
        self.fields["boms"].label_from_instance = version_label
        self.fields["routings"].queryset = routings
        self.fields["routings"].label_from_instance = version_label
        self.fields["revisions"].queryset = revisions
        self.fields["revisions"].label_from_instance = lambda r: (
            f"{r} · {r.document.display_title} · {r.get_status_display()}"
        )
        self.fields["items"].queryset = items
        self.fields["items"].label_from_instance = lambda item: f"{item.code} · {item.display_name}"


class TaskForm(forms.ModelForm):
    class Meta:
        model = ChangeTask
        fields = ["description", "owner", "due_on", "before_release"]
        widgets = {"description": forms.TextInput(), "due_on": DATE}

    def __init__(self, *args, owners, **kwargs):
        kwargs.setdefault("auto_id", "id_task_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = owner_label

    def _post_clean(self):
        """The service validates the task; the form only parses."""


class TaskDoneForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,  # the service names the rule
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, and where the record of it is."),
    )

    def __init__(self, *args, task: ChangeTask, **kwargs):
        kwargs.setdefault("auto_id", f"id_done_{task.pk}_%s")
        super().__init__(*args, **kwargs)
