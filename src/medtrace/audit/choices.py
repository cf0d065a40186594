from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    TRANSITION = "transition", _("Status changed")
    SIGN = "sign", _("Signed")
    SIGN_FAILED = "sign_failed", _("Signature refused")
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked")
    PERMISSION_CHANGE = "permission_change", _("Permission changed")
    CONFIGURATION_CHANGE = "configuration_change", _("Configuration changed")
    EXPORT = "export", _("Exported")
    VERIFY = "verify", _("Chain verified")
    CHECKPOINT = "checkpoint", _("Checkpoint signed")
