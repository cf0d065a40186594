from django import forms

from medtrace.core.errors import DomainError


def show_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: its message on top, field details on the fields."""
    form.add_error(None, str(error.message))
    for field, messages in (error.details.get("fields") or {}).items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
