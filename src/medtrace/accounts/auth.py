from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from ninja.security import HttpBearer

from medtrace.accounts.services import authenticate_api_token
from medtrace.audit import context
from medtrace.core import ratelimit


class ApiTokenAuth(HttpBearer):
    """Authorization: Bearer mt_… — the request then acts as the token's user, narrowed by the
    token's sites and read/write scope (see org.access)."""

    openapi_description = "A personal API token created under Administration → API tokens."

    # An error report shows no variable of this frame or those below it (ninja's parsing of
    # the header, ours): a crash while a token is checked must not mail it to anyone.
    @sensitive_variables()
    def __call__(self, request):
        return super().__call__(request)

    def authenticate(self, request, token: str):
        address = request.META.get("REMOTE_ADDR", "")
        limit = settings.RATE_LIMIT_TOKENS
        if ratelimit.over_limit("api-token", address, limit=limit):
            raise ratelimit.refusal()
        api_token = authenticate_api_token(token)
        if api_token is None:
            # Only unknown tokens count: guessing is what is slowed, not a busy integration.
            ratelimit.count("api-token", address, limit=limit)
            return None
        user = api_token.user
        user.api_token = api_token
        request.user = user
        context.bind(api_token=api_token.prefix)
        return api_token
