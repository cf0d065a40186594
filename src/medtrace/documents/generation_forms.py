"""The forms of generated documents: what to generate (template, market, language, site and
the subject, whose choices follow the template), filtering the generations, and taking a
skeleton in as a controlled document. They parse and present; the rules are the service's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.documents.choices import Market
from medtrace.documents.generation import registry
from medtrace.documents.generation.content import EN, ZH
from medtrace.org.models import Site

LANGUAGE_CHOICES = [
    ("", _("The market's (Chinese for NMPA, English for FDA and EU)")),
    (ZH, "简体中文"),
    (EN, "English"),
]


def may_generate(user, template: registry.DocumentTemplate) -> bool:
    """Whether the user may generate the template at one of their sites at least."""
    if template.permission and not user.has_perm(template.permission):
        return False
    kind = template.subject
    return kind is None or kind.view_perm is None or user.has_perm(kind.view_perm)


def offered_templates(user) -> list[registry.DocumentTemplate]:
    return [template for template in registry.templates() if may_generate(user, template)]


class GenerateForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"))
    market = forms.ChoiceField(label=_("Market"), choices=Market.choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_(
            "Where the document is filed; a report about a CAPA or NCR is filed at its site."
        ),
    )
    subject = forms.ChoiceField(label=_("About"), required=False)

    def __init__(self, *args, user, sites, url: str, **kwargs):
        super().__init__(*args, **kwargs)
        templates = offered_templates(user)
        self.fields["template"].choices = registry_choices(templates)
        self.fields["site"].queryset = sites
        # Changing the template redraws the form with the subjects it takes.
        self.fields["template"].widget.attrs.update({
            "hx-get": url,
            "hx-target": "#generate-form",
            "hx-select": "#generate-form",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        })  # fmt: skip
        key = self.data.get("template") if self.is_bound else self.initial.get("template")
        template = registry.get(key or "") or (templates[0] if templates else None)
        self.chosen = template
        if template is None or template.subject is None:
            del self.fields["subject"]
            return
        self.fields["subject"].label = template.subject.label
        self.fields["subject"].required = True
        self.fields["subject"].choices = [("", "—"), *template.subject.choices(user)]
        if template.subject.site_owned:  # filed at the record's own site
            del self.fields["site"]


def registry_choices(templates) -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    language = ZH if (get_language() or "").startswith("zh") else EN
    return [(template.key, template.title.pick(language)) for template in templates]


class GeneratedFilterForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), required=False)
    market = forms.ChoiceField(
        label=_("Market"), required=False, choices=[("", _("Any")), *Market.choices]
    )
    q = forms.CharField(label=_("Title or record"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("Any")), *registry.choices()]


class TakeInForm(forms.Form):
    number = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=32,
        help_text=_("Leave empty to number it by its type (SOP-0007)."),
    )
