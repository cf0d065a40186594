from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.models import User
from medtrace.accounts.roles import Role
from medtrace.accounts.services import MAX_TOKEN_DAYS


def site_label(site) -> str:
    return f"{site.code} · {site.display_name}"


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for."))
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    can_write = forms.BooleanField(
        label=_("Allow changes"),
        required=False,
        help_text=_("Without this the token can only read."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, initial=90
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = sites
        self.fields["sites"].label_from_instance = site_label


class GrantRoleForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = site_label


class CreateUserForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[A-Za-z0-9._-]{2,150}$",
        error_messages={"invalid": _("Use 2-150 letters, digits, '.', '_' or '-'.")},
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("Printed with every electronic signature of this user."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Tell the user in person; they should change it at first sign-in."),
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = site_label


class LoginForm(AuthenticationForm):
    """Django's sign-in form, refusing a locked account with a message that says so (whatever
    the password, so trying passwords on a locked account teaches nothing)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "This account is locked after too many failed attempts. Ask an administrator to "
            "unlock it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if (
            username
            and User.objects.filter(username__iexact=username, locked_at__isnull=False).exists()
        ):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()
