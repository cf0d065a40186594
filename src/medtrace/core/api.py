"""The REST API's shared pieces: one error body everywhere, permission checks, error responses.

Every error answers {"error": {"code": ..., "message": ..., "details": {...}}}; `code` is an
ErrorCode value that scripts can branch on, `message` is translated for the caller's language.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.middleware import (
    DATABASE_UNAVAILABLE_MESSAGE,
    RETRY_AFTER_SECONDS,
    log_database_unavailable,
)
from medtrace.core.validation import unstorable_text
from medtrace.org.access import is_read_perm

logger = logging.getLogger(__name__)


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


# The answers every operation can give because of the layers each request passes, whatever its
# own code does: a body that cannot be read, authentication, a refusal (roles, read-only token,
# missing CSRF token), a record named in the path or a parameter that is not there, parameters
# or a body that do not validate.
COMMON_RESPONSES = {
    400: "The body could not be read (not JSON, or not the declared form).",
    401: "Not signed in, or the API token is unknown, expired or revoked.",
    403: "Refused: the caller's roles, a read-only token or a missing CSRF token.",
    404: "No such record, or none the caller may see.",
    422: "The parameters or the body are not valid; `details` names each.",
    429: "Too many attempts in a minute (unknown API tokens from one address, signatures).",
}
ERROR_BODY_REF = "#/components/schemas/ErrorBody"


def declare_common_responses(schema: dict) -> dict:
    """Add COMMON_RESPONSES to each operation of an OpenAPI document where they apply, so the
    document names every status the API can answer (the operation's own declarations win)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in components:
        error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorBody"] = error_schema
    body = {"content": {"application/json": {"schema": {"$ref": ERROR_BODY_REF}}}}
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            wanted = []
            if operation.get("security"):
                wanted += [401, 403, 429]
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            if operation.get("requestBody"):
                wanted.append(400)
            if "{" in path or takes_input:
                wanted.append(404)
            if takes_input:
                wanted.append(422)
            responses = operation.setdefault("responses", {})
            for status in wanted:
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": COMMON_RESPONSES[status], **body}
    return schema


def _refuse_unstorable_text(value, location: list) -> None:
    """A ValidationError naming where text no database stores is (NUL, a lone surrogate).
    Walked without recursion: a body may nest deeper than Python recurses."""
    pending = [(location, value)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            if message := unstorable_text(value):
                raise ValidationError([{"loc": where, "msg": message}])
        elif isinstance(value, dict):
            for key, item in value.items():
                if message := unstorable_text(key):
                    raise ValidationError([{"loc": where, "msg": message}])
                pending.append(([*where, key], item))
        elif isinstance(value, list):
            pending.extend(([*where, index], item) for index, item in enumerate(value))


class TextParser(Parser):
    """JSON bodies, query strings and forms as django-ninja reads them, without NUL or lone
    surrogates."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            # Every JSON body this API declares is an object; django-ninja would read any other
            # value as an object of defaults when no field is required (a PATCH changing nothing).
            raise ValidationError([{"loc": ["body"], "msg": _("The body must be a JSON object.")}])
        _refuse_unstorable_text(data, ["body"])
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_unstorable_text(result, ["query"])
        return result


class MedtraceAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return declare_common_responses(schema)


@csrf_exempt
def unknown_endpoint(request, *args, **kwargs):
    """Any /api/v1/ address no operation takes (a path parameter that does not parse among
    them): the API's own 404 body, not the HTML page."""
    body = {"error": {"code": str(ErrorCode.NOT_FOUND), "message": _("Not found."), "details": {}}}
    return JsonResponse(body, status=404)


class Pages(PageNumberPagination):
    """`page` and `page_size` with bounds the database can take (an offset beyond a 64-bit
    integer would be a server error instead of a named refusal)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=500)


def require_writing_token(request) -> None:
    """Refuse a read-only token: for the writes a read permission allows (queuing a job that
    recomputes figures the caller may read), and for every write through require_perm."""
    token = getattr(request.user, "api_token", None)
    if token is not None and not token.can_write:
        raise DomainError(
            ErrorCode.TOKEN_READ_ONLY,
            _("This API token is read-only; create a read-write token to make changes."),
        )


def require_perm(request, perm: str, obj=None) -> None:
    """Refuse with a named reason unless the caller (and their token) may `perm` on `obj`."""
    if not is_read_perm(perm):
        require_writing_token(request)
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
        # django-ninja answers whatever the body parser raises as a bare 400; the parser's own
        # refusals (TextParser) name the place and the rule.
        if isinstance(exc.__cause__, ValidationError):
            return validation_error(request, exc.__cause__)
        code = STATUS_CODES.get(exc.status_code, ErrorCode.CONFLICT)
        return respond(request, exc.status_code, code, str(exc))

    # A number or a text the database cannot hold (an id beyond 64 bits, a text longer than
    # its column) is the request's fault: named, never a server error. Logged, because a value
    # the API's own validation let through is worth a look.
    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def unstorable(request, exc):
        logger.warning("refused a value the database cannot hold: %s", exc)
        return respond(
            request,
            422,
            ErrorCode.VALIDATION,
            _("A value in the request is too large or too long to be stored."),
        )

    # The database lost, or too busy to answer in time (core.middleware): try again.
    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        log_database_unavailable(request, exc)
        message = str(DATABASE_UNAVAILABLE_MESSAGE)
        details = {"retry_after": RETRY_AFTER_SECONDS}
        response = respond(request, 503, ErrorCode.UNAVAILABLE, message, details)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, ErrorCode.NOT_FOUND, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(
            request, 403, ErrorCode.PERMISSION_DENIED, _("Your roles do not allow this.")
        )
