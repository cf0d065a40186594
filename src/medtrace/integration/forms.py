from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.integration.topics import all_topics


def topic_choices() -> list:
    """The topics grouped by app, as a select's optgroups."""
    return [
        (group, [(topic.code, topic.label) for topic in topics])
        for group, topics in groupby(all_topics(), key=lambda topic: topic.group)
    ]


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=500,
        help_text=_("Where each message is POSTed. Leave empty for a feed read by cursor."),
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/medtrace-hook"}),
    )
    query = forms.ModelChoiceField(
        label=_("EPCIS query"),
        queryset=None,
        required=False,
        help_text=_("Only the trace events this named query selects, as EPCIS documents."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each change of these records is sent; trace events go as EPCIS 2.0."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, sites, queries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = topic_choices()
        self.fields["sites"].queryset = sites
        if queries is None:
            del self.fields["query"]
        else:
            self.fields["query"].queryset = queries


class ActivityForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class QueryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parameters = forms.CharField(
        label=_("Query parameters"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One EPCIS 2.0 query parameter per line, as name=value; lists separated by |. "
            "For example EQ_bizStep=shipping|receiving."
        ),
    )

    def clean_parameters(self) -> dict:
        parameters = {}
        for number, line in enumerate(self.cleaned_data["parameters"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, equals, value = line.partition("=")
            if not equals or not name.strip() or not value.strip():
                raise forms.ValidationError(
                    _("Line %(number)s is not name=value.") % {"number": number}
                )
            parameters[name.strip()] = value.strip()
        if not parameters:
            raise forms.ValidationError(_("Give at least one query parameter."))
        return parameters
