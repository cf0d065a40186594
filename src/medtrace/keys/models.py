from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A data key (AES-256) that encrypts personal data in the database, stored only wrapped
    (encrypted) by the master key, which never enters the database (keys.keyring). The newest
    key not retired encrypts; every key decrypts what it encrypted until re-encryption moves
    those values to a newer one and retires it."""

    wrapped = models.CharField(max_length=200, unique=True)
    # Which master key wraps it (keyring.fingerprint): rotation re-wraps key by key.
    master_fingerprint = models.CharField(max_length=16)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        ordering = ["pk"]

    def __str__(self):
        return f"data key {self.pk}"
