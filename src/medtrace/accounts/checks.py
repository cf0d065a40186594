from django.conf import settings
from django.core.checks import Error, register

from medtrace.accounts.roles import Role


@register()
def mfa_roles_exist(app_configs, **kwargs):
    """A misspelt role in MEDTRACE_MFA_REQUIRED_ROLES would silently require nothing of it."""
    unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"MEDTRACE_MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Use 'none' or some of: {', '.join(Role.values)}.",
            id="medtrace.E001",
        )
    ]
