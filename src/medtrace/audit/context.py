"""Where the current change comes from (request id, client IP, API token), for the audit
entries written while handling it. Set once per request by AuditOriginMiddleware and by the
token authenticator; the CLI and jobs leave it empty."""

from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Origin:
    request_id: str = ""
    client_ip: str = ""
    api_token: str = ""


NOWHERE = Origin()
_origin: ContextVar[Origin | None] = ContextVar("medtrace_audit_origin", default=None)


def current() -> Origin:
    return _origin.get() or NOWHERE


def over_the_network() -> bool:
    """Whether the change comes from a request (not the command line, a job or the demo)."""
    origin = current()
    return bool(origin.request_id or origin.client_ip)


def bind(**values) -> object:
    """Merge values into the current origin; returns a token for reset()."""
    return _origin.set(replace(current(), **values))


def reset(token) -> None:
    _origin.reset(token)


class AuditOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = bind(
            request_id=getattr(request, "request_id", ""),
            client_ip=request.META.get("REMOTE_ADDR", ""),
            api_token="",  # nosec B106 # token prefix (none yet), not a password
        )
        try:
            return self.get_response(request)
        finally:
            reset(token)
