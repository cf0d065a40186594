"""Document control's forms: they parse and present; the rules are the services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.audit.signature_forms import SignatureForm
from medtrace.documents.choices import DocumentType, ReviewOutcome
from medtrace.documents.models import ControlledDocument, DocumentRevision
from medtrace.org.models import Site

MARKDOWN_ROWS = 18


class DocumentForm(forms.ModelForm):
    """A new controlled document and its first draft."""

    site = forms.ModelChoiceField(label=_("Owning site"), queryset=Site.objects.none())
    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=32,
        help_text=_("Leave empty to number it by its type (SOP-0007)."),
    )
    applies_to = forms.ModelMultipleChoiceField(
        label=_("Also in force at"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    change_summary = forms.CharField(
        label=_("What changed and why"), initial=_("First issue."), max_length=2000
    )
    body = forms.CharField(
        label=_("Content"),
        required=False,
        widget=forms.Textarea(attrs={"rows": MARKDOWN_ROWS, "class": "mono"}),
        help_text=_("Markdown: # headings, lists, **bold**, tables. Or upload a file instead."),
    )
    file = forms.FileField(label=_("File"), required=False)
    effective_on = forms.DateField(
        label=_("Effective on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: as soon as it is approved."),
    )

    class Meta:
        model = ControlledDocument
        fields = ["document_type", "title", "title_en", "owner", "review_interval_months"]

    def __init__(self, *args, sites, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["applies_to"].queryset = sites.model.objects.filter(
            organization_id__in=sites.values("organization_id")
        ).order_by("code")
        self.fields["owner"].queryset = owners
        self.fields["owner"].required = False
        self.order_fields(["site", "document_type", "number", "title", "title_en"])


class DocumentEditForm(forms.ModelForm):
    applies_to = forms.ModelMultipleChoiceField(
        label=_("In force at"),
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000)

    class Meta:
        model = ControlledDocument
        fields = ["title", "title_en", "owner", "review_interval_months"]

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["applies_to"].queryset = Site.objects.filter(
            organization_id=self.instance.organization_id, is_active=True
        ).order_by("code")
        self.initial.setdefault("applies_to", list(self.instance.applies_to.all()))


class NewRevisionForm(forms.Form):
    change_summary = forms.CharField(
        label=_("What changes and why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    training_required = forms.BooleanField(
        label=_("People must be trained on it"), required=False, initial=True
    )


class DraftForm(forms.ModelForm):
    """A draft's content: text, or a file that replaces it."""

    file = forms.FileField(
        label=_("Replace with a file"),
        required=False,
        help_text=_("PDF or Office file; it replaces the text above."),
    )

    class Meta:
        model = DocumentRevision
        fields = ["change_summary", "body", "effective_on", "training_required"]
        widgets = {
            "change_summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": MARKDOWN_ROWS, "class": "mono"}),
            "effective_on": forms.DateInput(attrs={"type": "date"}),
        }


class PrintForm(forms.Form):
    controlled = forms.BooleanField(label=_("Controlled copy (numbered, issued)"), required=False)
    issued_to = forms.CharField(
        label=_("Issued to"),
        required=False,
        max_length=200,
        help_text=_("The person or workstation that holds the controlled copy."),
    )


class PeriodicReviewForm(SignatureForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    note = forms.CharField(
        label=_("What the review found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        from medtrace.audit.choices import SignatureMeaning

        super().__init__(*args, meanings=[SignatureMeaning.REVIEWED], **kwargs)
        self.fields.pop("reason")  # the note is the signature's comment


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False)
    document_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any")), *DocumentType.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any")),
            ("in_force", _("In force")),
            ("changing", _("Revision on its way")),
            ("not_in_force", _("Not in force")),
        ],
    )
    review_due = forms.BooleanField(label=_("Periodic review due"), required=False)


class RouteForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Approver roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.AUDITOR],
        widget=forms.CheckboxSelectMultiple,
    )


def owner_choices(organization_id):
    return (
        get_user_model()
        .objects.filter(organization_id=organization_id, is_active=True)
        .order_by("full_name", "username")
    )
