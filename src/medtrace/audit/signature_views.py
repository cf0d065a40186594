"""Signing a record from its page: the signing form posts here, then returns to the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from medtrace.audit import signatures
from medtrace.audit.choices import SignatureMeaning
from medtrace.audit.signature_forms import SignatureForm
from medtrace.core.errors import DomainError


def _back(request, record) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return record.get_absolute_url() if hasattr(record, "get_absolute_url") else "/"


@sensitive_post_parameters("password")
@require_POST
@login_required
def sign(request, object_type, object_id):
    entry, record = signatures.signable_record(request.user, object_type, object_id)
    if not request.user.has_perm(entry.permission, record):
        raise PermissionDenied
    try:
        signatures.require_standalone(entry, record)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_back(request, record))
    form = SignatureForm(request.POST, meanings=entry.meanings)
    if not form.is_valid():
        messages.error(request, _("Choose a meaning and enter your password to sign."))
        return redirect(_back(request, record))
    data = form.cleaned_data
    try:
        signatures.sign(
            record,
            data["meaning"],
            by=request.user,
            password=data["password"],
            reason=data["reason"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Signed as “%(meaning)s”.") % {"meaning": SignatureMeaning(data["meaning"]).label},
        )
    return redirect(_back(request, record))
