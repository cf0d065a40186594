"""The client's address behind trusted proxies, request id for log and audit correlation, the
security headers Django does not set, and the answer when the database cannot serve a
request."""

import ipaddress
import logging
import re
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}\Z")

# No inline script or style anywhere in our templates, so the policy can stay strict.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestIdMiddleware:
    """Take a well-formed X-Request-ID from the proxy or make one; echo it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class ClientAddressMiddleware:
    """Behind trusted reverse proxies (settings.TRUSTED_PROXIES), REMOTE_ADDR becomes the
    client's: the nearest address in X-Forwarded-For that is not one of those proxies. Anyone
    can send the header, so it is believed only as far as the proxies that added it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            settings.TRUSTED_PROXIES,
        )
        return self.get_response(request)


def client_address(remote: str, forwarded_for: str, proxies) -> str:
    address = remote
    hops = [hop.strip() for hop in forwarded_for.split(",")] if forwarded_for else []
    while _is_proxy(address, proxies) and hops:
        hop = hops.pop()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: the proxy's own word ends here
        address = hop
    return address


def _is_proxy(address: str, proxies) -> bool:
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(found in network for network in proxies)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response


# A connection lost mid-request (a database restart, a failover), or SQLite's lock still held
# by another writer when the busy timeout ran out. Each write is one transaction, so nothing of
# the request was kept (unless the connection broke during the COMMIT itself) and trying again
# is right: a scan station queues a scan answered 503 and sends it again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE_MESSAGE = _(
    "The database is busy or could not be reached before your request finished. "
    "Try again in a moment."
)
RETRY_AFTER_SECONDS = 5


def log_database_unavailable(request, exception: Exception) -> None:
    logger.error(
        "database unavailable: %s %s (request %s)",
        request.method,
        request.path,
        getattr(request, "request_id", "-"),
        exc_info=exception,
    )


class DatabaseUnavailableMiddleware:
    """A page saying to try again (503), not a server error, when the database fails a view.
    The page is rendered without the request: the context processors would ask the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        log_database_unavailable(request, exception)
        page = render_to_string(
            "core/database_unavailable.html", {"message": DATABASE_UNAVAILABLE_MESSAGE}
        )
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
