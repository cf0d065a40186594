"""Training's forms: they parse and present; the rules (who may sign, assess, assign; what a
curriculum may list) are the services'. Choice lists are scoped to what the reader may see."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.audit.signature_forms import otp_field
from medtrace.documents.models import ControlledDocument
from medtrace.org.forms import CodeField
from medtrace.org.models import Site
from medtrace.training.choices import DUE_DAYS, Assessment, AssignmentStatus
from medtrace.training.models import Curriculum

SIGNING_HELP = _("Signing is the legally binding equivalent of your handwritten signature.")


def _site_label(site: Site) -> str:
    return f"{site.code} · {site.display_name}"


def _person_label(user) -> str:
    return f"{user.printed_name} ({user.username})"


class PasswordField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Your password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            help_text=SIGNING_HELP,
            **kwargs,
        )


class ReadAndUnderstoodForm(forms.Form):
    """The trainee's signature that they read and understood the revision."""

    password = PasswordField()
    otp = otp_field()
    note = forms.CharField(label=_("Comment"), required=False, max_length=1000)

    def __init__(self, *args, assignment, **kwargs):
        kwargs.setdefault("auto_id", f"id_read_{assignment.pk}_%s")
        super().__init__(*args, **kwargs)


class InstructorLedForm(forms.Form):
    """The trainer's record of a session: the assessment's result, signed by the trainer."""

    assessment = forms.ChoiceField(
        label=_("Assessment"), choices=Assessment.choices, widget=forms.RadioSelect
    )
    score = forms.DecimalField(
        label=_("Score"), required=False, min_value=0, max_value=100, max_digits=5,
        decimal_places=1, help_text=_("0-100, if the assessment is scored."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was covered, how it was assessed."),
    )  # fmt: skip
    password = PasswordField()
    otp = otp_field()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_instructor_%s")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    """Assign training on an effective revision to someone working at one of `sites`."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    trainee = forms.ModelChoiceField(label=_("Trainee"), queryset=None)
    revision = forms.ModelChoiceField(label=_("Effective revision"), queryset=None)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Why"), max_length=200,
        help_text=_("A new hire, a new role, retraining after a deviation…"),
    )  # fmt: skip

    def __init__(self, *args, sites, people, revisions, **kwargs):
        kwargs.setdefault("initial", {"due_on": timezone.localdate() + timedelta(days=DUE_DAYS)})
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = _site_label
        self.fields["trainee"].queryset = people.order_by("full_name", "username")
        self.fields["trainee"].label_from_instance = _person_label
        self.fields["revision"].queryset = revisions
        self.fields["revision"].label_from_instance = lambda revision: (
            f"{revision} · {revision.document.display_title}"
        )


class AssignmentFilterForm(forms.Form):
    """The assignments list's filters (GET); the header's site switcher narrows it too."""

    q = forms.CharField(label=_("Trainee"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    document = forms.ModelChoiceField(
        label=_("Document"), queryset=ControlledDocument.objects.none(), required=False,
        empty_label=_("Any"),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, sites, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = _site_label
        self.fields["document"].queryset = documents.order_by("number")
        self.fields["document"].label_from_instance = lambda document: document.number
        self.fields["status"].choices = [("", _("Any")), *AssignmentStatus.choices]


class MatrixFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=None
    )
    curriculum = forms.ModelChoiceField(
        label=_("Curriculum"), queryset=Curriculum.objects.none(), required=False,
        empty_label=_("All"),
    )  # fmt: skip
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args, sites, curricula, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = _site_label
        self.fields["curriculum"].queryset = curricula
        self.fields["role"].choices = [("", _("All")), *Role.choices]


class CurriculumForm(forms.Form):
    """A new curriculum at one of `sites` (with its code) or, given `curriculum`, its content.
    Documents are the organization's controlled documents; members its active people."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    code = CodeField()
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Whoever holds one of these roles where a document is in force."),
    )  # fmt: skip
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents"), queryset=ControlledDocument.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )  # fmt: skip
    members = forms.ModelMultipleChoiceField(
        label=_("Named members"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("People trained on it whatever their roles."),
    )  # fmt: skip
    requalify_months = forms.IntegerField(
        label=_("Requalify every (months)"), required=False, min_value=1, max_value=120,
        help_text=_("Empty: a qualification holds as long as the revision is effective."),
    )  # fmt: skip
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, documents, people, sites=None, curriculum=None, **kwargs):
        if curriculum is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": curriculum.name,
                    "name_en": curriculum.name_en,
                    "roles": curriculum.roles,
                    "members": list(curriculum.members.all()),
                    "documents": list(curriculum.documents.all()),
                    "requalify_months": curriculum.requalify_months,
                    "is_active": curriculum.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if curriculum is not None:
            del self.fields["site"], self.fields["code"]
        else:
            self.fields["site"].queryset = sites
            self.fields["site"].label_from_instance = _site_label
            del self.fields["is_active"]
        self.fields["documents"].queryset = documents.order_by("number")
        self.fields["members"].queryset = people.order_by("full_name", "username")
        self.fields["members"].label_from_instance = _person_label
