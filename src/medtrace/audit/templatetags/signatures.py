"""Signatures shown with the record they sign (21 CFR 11.50): printed name, date and time in
the site's time zone, meaning, and whether the record still reads as it did when signed.

    {% load signatures %}
    {% signature_block review %}     the signatures, on screen and in print
    {% sign_form review %}           the signing form, for users allowed to sign it
"""

import zoneinfo
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import timezone

from medtrace.audit import signatures
from medtrace.audit.models import Signature
from medtrace.audit.signature_forms import SignatureForm

register = template.Library()


@dataclass(frozen=True)
class SignatureRow:
    signature: Signature
    valid: bool
    local_time: str
    time_zone: str


def local_time(signature: Signature) -> tuple[str, str]:
    """The signing time in the record's site's zone (else the current one), and the zone as
    "Asia/Shanghai (UTC+08:00)"."""
    zone = (
        zoneinfo.ZoneInfo(signature.site.time_zone)
        if signature.site_id
        else timezone.get_current_timezone()
    )
    moment = signature.signed_at.astimezone(zone)
    offset = moment.strftime("%z")
    name = getattr(zone, "key", None) or str(zone)
    return moment.strftime("%Y-%m-%d %H:%M:%S"), f"{name} (UTC{offset[:3]}:{offset[3:]})"


@register.inclusion_tag("audit/signature_block.html")
def signature_block(record):
    rows = []
    for signature, valid in signatures.with_validity(record):
        shown, zone = local_time(signature)
        rows.append(SignatureRow(signature, valid, shown, zone))
    return {"rows": rows}


@register.inclusion_tag("audit/sign_form.html", takes_context=True)
def sign_form(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    entry = signatures.signable_for(record)
    if user is None or entry is None or not user.has_perm(entry.permission, record):
        return {"shown": False}
    form = SignatureForm(meanings=entry.meanings, auto_id="id_sign_%s")
    return {
        "shown": True,
        "form": form,
        "action": reverse("audit-signatures:sign", args=[entry.object_type, str(record.pk)]),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
