"""Domain errors: what a service raises when a rule refuses an operation.

Every entry point turns a DomainError into its own shape (a form error, a flash message, the
API's error body, a CLI line) without rewording it, so the rule is named the same everywhere.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    INVALID_STATE = "invalid_state"
    SITE_NOT_ALLOWED = "site_not_allowed"
    TOKEN_READ_ONLY = "token_read_only"  # nosec B105 # error code, not a password
    REASON_REQUIRED = "reason_required"
    SIGNATURE_REFUSED = "signature_refused"
    ACCOUNT_LOCKED = "account_locked"
    NEW_IDENTIFIER_REQUIRED = "new_identifier_required"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "service_unavailable"


HTTP_STATUS = {
    ErrorCode.VALIDATION: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DUPLICATE: 409,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.SITE_NOT_ALLOWED: 403,
    ErrorCode.TOKEN_READ_ONLY: 403,
    ErrorCode.REASON_REQUIRED: 422,
    ErrorCode.SIGNATURE_REFUSED: 403,
    ErrorCode.ACCOUNT_LOCKED: 403,
    ErrorCode.NEW_IDENTIFIER_REQUIRED: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.UNAVAILABLE: 503,
}


class DomainError(Exception):
    """A business rule refused the operation; nothing was written."""

    def __init__(self, code: ErrorCode, message: Any, **details: Any):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.details = details

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def as_body(self) -> dict:
        return {
            "error": {
                "code": str(self.code),
                "message": str(self.message),
                "details": {key: _plain(value) for key, value in self.details.items()},
            }
        }


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)
