from ninja.security import HttpBearer

from medtrace.accounts.services import authenticate_api_token
from medtrace.audit import context


class ApiTokenAuth(HttpBearer):
    """Authorization: Bearer mt_… — the request then acts as the token's user, narrowed by the
    token's sites and read/write scope (see org.access)."""

    openapi_description = "A personal API token created under Administration → API tokens."

    def authenticate(self, request, token: str):
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        user = api_token.user
        user.api_token = api_token
        request.user = user
        context.bind(api_token=api_token.prefix)
        return api_token
