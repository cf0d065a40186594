"""The lot-number rule form: it parses; the pattern rules are services.lot_numbers'."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import LotNumberRule, LotSequenceReset
from medtrace.catalog.selectors import visible_items

PREVIEW_ATTRS = {
    "hx-get": reverse_lazy("catalog:lot-rule-preview"),
    "hx-include": "closest form",
    "hx-target": "#lot-preview",
}


class LotRuleForm(forms.Form):
    """A new rule (for an item, or the default with no item) or, given `rule`, its pattern."""

    item = forms.ModelChoiceField(
        label=_("Item"),
        queryset=None,
        required=False,
        empty_label=_("(default rule of the organization)"),
    )
    pattern = forms.CharField(
        label=_("Pattern"),
        max_length=100,
        help_text=_("Tokens: {SITE} {YYYY} {YY} {MM} {DD} {JJJ} (day of the year) {SEQ:n}."),
        widget=forms.TextInput(attrs={**PREVIEW_ATTRS, "hx-trigger": "input changed delay:300ms"}),
    )
    reset = forms.ChoiceField(
        label=_("Sequence restarts"),
        choices=LotSequenceReset.choices,
        initial=LotSequenceReset.YEAR,
        widget=forms.Select(attrs={**PREVIEW_ATTRS, "hx-trigger": "change"}),
    )

    def __init__(self, *args, user, rule: LotNumberRule | None = None, **kwargs):
        if rule is not None:
            kwargs.setdefault("initial", {"pattern": rule.pattern, "reset": rule.reset})
        super().__init__(*args, **kwargs)
        if rule is not None:
            del self.fields["item"]
        else:
            self.fields["item"].queryset = visible_items(user).filter(is_active=True)
