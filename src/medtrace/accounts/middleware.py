"""Session controls of Part 11 §11.300: a browser session ends after IDLE_MINUTES without a
request or as soon as its account is locked, and a user whose password has expired can only
change it. API tokens are not sessions: they are refused for locked users at authentication
(accounts.services.authenticate_api_token)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from medtrace.accounts import mfa, mfa_services, services
from medtrace.accounts.passwords import password_expired
from medtrace.core.errors import ErrorCode

LAST_SEEN_KEY = "medtrace_last_seen"
# Writing the session on every request would turn each page view into a write.
TOUCH_SECONDS = 30
API_PREFIX = "/api/"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _to_login(request):
    login_url = reverse(settings.LOGIN_URL)
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    if request.method == "GET":
        return redirect_to_login(request.get_full_path())
    return redirect(login_url)


def _send_to(request, url_name: str, message: str, cause: str):
    """The only page a session may see until it does something (change an expired password,
    set up an authenticator): the API says why (403), a page is redirected with the message."""
    if request.path.startswith(API_PREFIX):
        body = {
            "error": {
                "code": str(ErrorCode.PERMISSION_DENIED),
                "message": message,
                "details": {"cause": cause},
            }
        }
        return JsonResponse(body, status=403)
    messages.warning(request, message)
    target = reverse(url_name)
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            ended = self._end_if_needed(request, user)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _end_if_needed(self, request, user):
        now = time.time()
        if user.is_locked:
            message = _("Your account is locked; ask an administrator to unlock it.")
            return self._sign_out(request, user, "locked", message)
        minutes = settings.IDLE_MINUTES
        last_seen = request.session.get(LAST_SEEN_KEY)
        if minutes and last_seen is not None and now - last_seen > minutes * 60:
            message = _(
                "You were signed out after %(minutes)s minutes without activity. Sign in again."
            ) % {"minutes": minutes}
            return self._sign_out(request, user, "idle", message)
        if last_seen is None or now - last_seen >= TOUCH_SECONDS:
            request.session[LAST_SEEN_KEY] = now
        return None

    def _sign_out(self, request, user, reason: str, message: str):
        services.record_sign_out(user=user, reason=reason)
        logout(request)
        if request.path.startswith(API_PREFIX):
            # The API answers an anonymous caller itself (401 with its error body).
            return None
        messages.warning(request, message)
        return _to_login(request)


class PasswordExpiryMiddleware:
    """After sign-in, a user with an expired password sees only the change-password page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and password_expired(user) and not self._exempt(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        allowed = {
            reverse("accounts:password-change"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
        }
        return request.path in allowed or request.path.startswith((settings.STATIC_URL, "/i18n/"))

    @staticmethod
    def _refuse(request):
        message = _("Your password has expired; choose a new one to continue.")
        return _send_to(request, "accounts:password-change", message, "password_expired")


OTP_HEADER = "X-Medtrace-OTP"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SigningOtpMiddleware:
    """Hand the authenticator code a request presents to the signature service: the `otp`
    field of a signing form, or the X-Medtrace-OTP header of an API call (accounts.mfa)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.headers.get(OTP_HEADER, "")
        if not code and request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            code = request.POST.get("otp", "")
        token = mfa.presented_otp.set(code[:32])
        try:
            return self.get_response(request)
        finally:
            mfa.presented_otp.reset(token)


MFA_CHECKED_KEY = "medtrace_mfa_checked"
# How long a session trusts its last look at whether the user must still set up an
# authenticator (a role granted meanwhile is noticed within this time).
MFA_RECHECK_SECONDS = 300


class MfaEnrolmentMiddleware:
    """A signed-in user whose roles require two-factor sign-in and who has no authenticator
    sees only the page that sets one up (and signing out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not self._exempt(request) and self._must_enrol(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request) -> bool:
        checked = request.session.get(MFA_CHECKED_KEY)
        if checked is not None and time.time() - checked < MFA_RECHECK_SECONDS:
            return False
        user = request.user
        if mfa_services.required_for(user) and mfa_services.device_of(user) is None:
            return True
        request.session[MFA_CHECKED_KEY] = time.time()
        return False

    @staticmethod
    def _exempt(request) -> bool:
        allowed = {
            reverse("accounts:mfa-setup"),
            reverse("accounts:logout"),
            reverse("accounts:password-change"),
        }
        return request.path in allowed or request.path.startswith((settings.STATIC_URL, "/i18n/"))

    @staticmethod
    def _refuse(request):
        message = _("Your roles require two-factor sign-in; set up an authenticator to continue.")
        return _send_to(request, "accounts:mfa-setup", message, "mfa_not_set_up")
