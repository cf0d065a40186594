from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import ReviewConclusion


class ReviewForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    reviewed_from = forms.IntegerField(
        label=_("From entry"),
        min_value=1,
        required=False,
        help_text=_(
            "Sequence number of the first audit-trail entry reviewed; empty: the one after "
            "the site's last review. The review ends at the newest entry."
        ),
    )
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=ReviewConclusion.choices)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: f"{site.code} · {site.display_name}"


class AmendReviewForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=ReviewConclusion.choices)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: the old values stay in the audit trail with this reason."),
    )
