from functools import cached_property

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.models import User
from medtrace.audit import selectors
from medtrace.audit.choices import AuditAction


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The audit log's filters (a GET form). The object-type list is read from the trail only
    when the form is shown, not when it merely filters (htmx updates of the table)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    actor = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    object_type = forms.CharField(
        label=_("Object type"), required=False, max_length=100, widget=forms.Select
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AuditAction.choices],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Object, object id, reason or user name"),
    )

    def __init__(self, data=None, *, user, with_choices: bool = True):
        super().__init__(data)
        self.user = user
        people = User.objects.order_by("username")
        if user.organization_id is not None:
            people = people.filter(organization_id=user.organization_id)
        else:
            people = people.filter(pk=user.pk)
        self.fields["actor"].queryset = people
        self.fields["site"].choices = self._site_choices
        if with_choices:
            self._set_object_types()

    @cached_property
    def _sites(self) -> list[tuple[str, str]]:
        return [
            (str(site.pk), f"{site.code} · {site.display_name}")
            for site in selectors.viewable_sites(self.user)
        ]

    def _site_choices(self):
        # Called when validating and again when rendering: one query for both.
        everywhere = [("", _("All sites")), (selectors.NO_SITE, _("Organization (no site)"))]
        return [*everywhere, *self._sites]

    def _set_object_types(self):
        types = selectors.object_types(self.user)
        current = self.data.get("object_type", "") if self.is_bound else ""
        if current and current not in {name for name, _label in types}:
            types.append((current, selectors.type_label(current)))
        self.fields["object_type"].widget.choices = [("", _("Any type")), *types]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> selectors.EntryFilters:
        """The filters from the fields that are valid (an invalid one is shown, not applied)."""
        if not self.is_bound:
            return selectors.EntryFilters()
        self.is_valid()
        data = self.cleaned_data
        site = data.get("site") or ""
        actor = data.get("actor")
        return selectors.EntryFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor_id=actor.pk if actor else None,
            site_id=int(site) if site.isdigit() else None,
            without_site=site == selectors.NO_SITE,
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            action=data.get("action") or "",
            text=data.get("q") or "",
        )
