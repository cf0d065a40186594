"""What the partner services share: refusals with a field, and the allowed-fields check."""

from medtrace.core.errors import DomainError, ErrorCode


def refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def only(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
