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
    BACKUP = "backup", _("Backup made")
    RESTORE = "restore", _("Restored from a backup")
    MFA_ENROLLED = "mfa_enrolled", _("Two-factor sign-in set up")
    MFA_REMOVED = "mfa_removed", _("Two-factor sign-in removed")
    RECOVERY_CODES_ISSUED = "recovery_codes_issued", _("Recovery codes issued")
    RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")


class SignatureMeaning(models.TextChoices):
    """What a signer declares by signing (21 CFR 11.50(a)(3))."""

    AUTHORED = "authored", _("Authored")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    RELEASED = "released", _("Released")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    # A trainee's declaration that they read a document revision and understood it.
    READ_AND_UNDERSTOOD = "read_understood", _("Read and understood")
    # Whoever withdraws a record in force (a document revision made obsolete).
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewConclusion(models.TextChoices):
    NO_FINDINGS = "no_findings", _("No findings")
    FINDINGS_RECORDED = "findings_recorded", _("Findings recorded")
