"""What the purchasing services share: refusals naming the rule."""

from medtrace.core.errors import DomainError, ErrorCode


def refuse(code: ErrorCode, message, field: str | None = None, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


def require_perm(user, perm: str, record, message) -> None:
    """Refuse unless `user` holds `perm` at the record's site (re-checked inside the
    service's transaction, whatever the caller checked)."""
    if not user.has_perm(perm, record):
        refuse(ErrorCode.PERMISSION_DENIED, message)
