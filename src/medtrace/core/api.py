"""The REST API's shared pieces: one error body everywhere, permission checks, error responses.

Every error answers {"error": {"code": ..., "message": ..., "details": {...}}}; `code` is an
ErrorCode value that scripts can branch on, `message` is translated for the caller's language.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.access import is_read_perm


class ErrorDetail(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(Schema):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, type[ErrorBody]]:
    return {status: ErrorBody for status in statuses}


READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)

STATUS_CODES = {
    400: ErrorCode.VALIDATION,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    422: ErrorCode.VALIDATION,
}


def require_perm(request, perm: str, obj=None) -> None:
    """Refuse with a named reason unless the caller (and their token) may `perm` on `obj`."""
    token = getattr(request.user, "api_token", None)
    if token is not None and not token.can_write and not is_read_perm(perm):
        raise DomainError(
            ErrorCode.TOKEN_READ_ONLY,
            _("This API token is read-only; create a read-write token to make changes."),
        )
    if not request.user.has_perm(perm, obj):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow this (%(perm)s).") % {"perm": perm},
        )


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, code: str, message: str, details: dict | None = None):
        body = {"error": {"code": str(code), "message": message, "details": details or {}}}
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_body(), status=exc.http_status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [
            {"loc": [str(part) for part in error.get("loc", [])], "msg": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        return respond(
            request, 422, ErrorCode.VALIDATION, _("The request is not valid."), {"errors": errors}
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return respond(
            request,
            401,
            ErrorCode.NOT_AUTHENTICATED,
            _("Sign in, or send a valid API token as 'Authorization: Bearer <token>'."),
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = STATUS_CODES.get(exc.status_code, ErrorCode.CONFLICT)
        return respond(request, exc.status_code, code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, ErrorCode.NOT_FOUND, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(
            request, 403, ErrorCode.PERMISSION_DENIED, _("Your roles do not allow this.")
        )
