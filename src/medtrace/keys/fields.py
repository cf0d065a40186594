"""A text column stored encrypted (keys.keyring): the model sees the text, the database only
ciphertext. It cannot be searched or sorted in the database; the audit trail records that such
a field changed, never its value (audit.services.snapshot)."""

from django import forms
from django.core import validators
from django.db import models

from medtrace.keys import keyring

# Texts up to this long are edited on one line (a name, a phone number), like a CharField's.
SHORT_TEXT = 255


class EncryptedTextField(models.TextField):
    """`max_length` limits the text (forms, validation), not the column, which holds the longer
    ciphertext. Empty text stays empty, so blank stays cheap to test. A value written before the
    column was encrypted is read as it is (the migration that encrypts a column saves each
    row through the field)."""

    encrypted = True

    def __init__(self, *args, max_length=None, **kwargs):
        self.text_max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.text_max_length is not None:
            kwargs["max_length"] = self.text_max_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value and keyring.is_encrypted(value):
            return keyring.decrypt(value, context=self.context)
        return value

    def get_prep_value(self, value):
        # Every text is encrypted, even one that looks like ciphertext: typed text must never
        # pass for a stored value.
        value = super().get_prep_value(value)
        if not value:
            return value
        return keyring.encrypt(value, context=self.context)

    def get_lookup(self, lookup_name):
        # A lookup would compare ciphertext: only "is it empty" means anything.
        if lookup_name not in ("exact", "isnull", "in"):
            return None
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs):
        if self.text_max_length is not None:
            kwargs.setdefault("max_length", self.text_max_length)
            if self.text_max_length <= SHORT_TEXT:
                kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)
