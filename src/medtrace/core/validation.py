"""Model validation as a service refusal: a record's field rules turned into a DomainError
whose details name each field, so a form can show every message beside its field; and the
text no database stores, refused wherever outside input arrives (API bodies, EPCIS)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode


def validated(instance):
    """The instance, once its fields pass full_clean() and none that may be blank but not NULL
    is None; uniqueness is the service's to check (it names the duplicate) and the database's
    to guarantee."""
    problems = {}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = {
            field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
        }
    for field in _null_but_not_nullable(instance):
        problems.setdefault(field.name, [str(field.error_messages["null"])])
    if problems:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The %(model)s is not valid.") % {"model": instance._meta.verbose_name},
            fields=problems,
        )
    return instance


def _null_but_not_nullable(instance):
    """full_clean() lets None through a field that allows blank values (None counts as empty),
    and the database then refuses it with a server error: a JSON null in a PATCH body."""
    for field in instance._meta.concrete_fields:
        if field.null or field.primary_key or field.is_relation:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if getattr(instance, field.attname) is None:
            yield field


def unstorable_text(text: str) -> str | None:
    """Why the text cannot be stored, or None: NUL (PostgreSQL stores none in text or JSON, and
    no field of medtrace means one) or a lone surrogate (JSON can carry "\\ud800", UTF-8
    cannot)."""
    if "\x00" in text:
        return str(_("Text must not contain the NUL character (\\u0000)."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return str(
            _("Text must not contain a lone surrogate (\\ud800–\\udfff): it is not Unicode.")
        )
    return None
