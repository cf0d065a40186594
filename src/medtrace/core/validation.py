"""Model validation as a service refusal: a record's field rules turned into a DomainError
whose details name each field, so a form can show every message beside its field."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode


def validated(instance):
    """The instance, once its fields pass full_clean(); uniqueness is the service's to check
    (it names the duplicate) and the database's to guarantee."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The %(model)s is not valid.") % {"model": instance._meta.verbose_name},
            fields={
                field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
            },
        ) from None
    return instance
