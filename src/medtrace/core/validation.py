"""Model validation as a service refusal: a record's field rules turned into a DomainError
whose details name each field, so a form can show every message beside its field."""

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
