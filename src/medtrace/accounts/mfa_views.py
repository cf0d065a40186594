"""The pages of two-factor sign-in: the second step of signing in, setting up an authenticator,
new recovery codes, and removing an authenticator (oneself, or an administrator for a user)."""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from medtrace.accounts import mfa, mfa_services, selectors, services
from medtrace.accounts.middleware import LAST_SEEN_KEY, MFA_CHECKED_KEY
from medtrace.accounts.models import User
from medtrace.core import ratelimit
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.labels.symbols import qr_code

PENDING_KEY = "medtrace_mfa_pending"
SECRET_KEY = "medtrace_mfa_secret"  # nosec B105 # a session key's name, not a secret
# The second step must follow the first soon: a password typed long ago proves little.
PENDING_SECONDS = 300
QR_MODULE_MM = 1.0


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 20}
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def start_second_step(request, user, redirect_to: str):
    """After a right password: remember who is half signed in, and ask for the second factor."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
        "next": redirect_to,
    }
    return redirect("accounts:login-verify")


def finish_sign_in(request, user, backend: str):
    login(request, user, backend=backend)
    request.session[LAST_SEEN_KEY] = time.time()
    services.record_sign_in(user=user)


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True, locked_at__isnull=True).first()
    return user, pending


@never_cache
@sensitive_post_parameters("code")
def login_verify(request):
    """The second step of signing in: an authenticator code, or a recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.warning(request, _("Sign in again: the first step expired."))
        return redirect(settings.LOGIN_URL)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        if ratelimit.over_limit("sign-in", address, limit=settings.RATE_LIMIT_SIGN_INS):
            form.add_error(None, ratelimit.refusal().message)
            status = 429
        elif mfa_services.verify_sign_in(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            finish_sign_in(request, user, pending["backend"])
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, request.is_secure()
            ):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
        else:
            ratelimit.count("sign-in", address, limit=settings.RATE_LIMIT_SIGN_INS)
            services.record_failed_sign_in(username=user.username)
            user.refresh_from_db(fields=["locked_at"])
            if user.is_locked:
                del request.session[PENDING_KEY]
                messages.error(
                    request,
                    _("This account is locked after too many failed attempts. Ask an "
                      "administrator to unlock it."),
                )  # fmt: skip
                return redirect(settings.LOGIN_URL)
            form.add_error("code", _("The code does not match."))
            status = 422
    return render(request, "accounts/login_verify.html", {"form": form}, status=status)


@never_cache
@login_required
@sensitive_post_parameters("code")
def mfa_setup(request):
    """Set up an authenticator (or replace the one in use): scan the code, type what it shows."""
    secret = request.session.get(SECRET_KEY) or mfa.new_secret()
    request.session[SECRET_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa_services.enrol(
                user=request.user, secret=secret, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            del request.session[SECRET_KEY]
            request.session.pop(MFA_CHECKED_KEY, None)
            messages.success(request, _("Two-factor sign-in is set up."))
            return _show_codes(request, codes)
    uri = mfa.provisioning_uri(secret, request.user.username)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr": qr_code(uri).svg(x_mm=QR_MODULE_MM),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "replacing": mfa_services.device_of(request.user) is not None,
        },
        status=422 if form.errors else 200,
    )


def _show_codes(request, codes):
    # Shown once, on this response only: nothing to bookmark, nothing a cache may keep.
    response = render(request, "accounts/mfa_codes.html", {"codes": codes})
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def mfa_recovery_codes(request):
    try:
        codes = mfa_services.issue_recovery_codes(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:profile")
    return _show_codes(request, codes)


@require_POST
@login_required
def mfa_remove(request):
    try:
        mfa_services.remove(user=request.user, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Two-factor sign-in is off for your account."))
    return redirect("accounts:profile")


@require_POST
@perm_required("accounts.change_user")
def user_mfa_reset(request, pk):
    """An administrator removes a user's authenticator (a lost phone); they set up a new one
    at their next sign-in."""
    person = get_object_or_404(selectors.manageable_users(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        mfa_services.remove(
            user=person,
            by=request.user,
            reason=form.data.get("reason", "") if form.is_valid() else "",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(user)s's authenticator was removed.") % {"user": person.printed_name},
        )
    return redirect("accounts:user-detail", person.pk)
