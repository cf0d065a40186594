"""The server side of a scan station (core/_scan_station.html, medtrace/scanstation.js): what a
scan posts, and the fragment that answers it.

A station posts `code` (the scanned or typed text), `key` (a UUID the browser gives each scan)
and `at` (when it was scanned, ISO 8601), with the station's own hidden fields. The answer is
always the feedback fragment with status 200, green or red: a refused scan is an answer, not a
failure. Only a failure to reach the server leaves a scan in the browser's queue, to be sent
again, with the same key, when the connection is back: the movement services record a key once
(inventory.services.moves), so a resent scan is answered like the first."""

import json
from datetime import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode

KEY_LENGTH = 64


def scan_fields(request) -> tuple[str, str | None, datetime | None]:
    """(code, key, at) from a station's post; a malformed key or time is refused."""
    code = request.POST.get("code", "").strip()
    key = request.POST.get("key", "").strip() or None
    if key is not None and (len(key) > KEY_LENGTH or not key.replace("-", "").isalnum()):
        raise DomainError(ErrorCode.VALIDATION, _("The scan's key is malformed."))
    at = None
    text = request.POST.get("at", "").strip()
    if text:
        at = parse_datetime(text)
        if at is None:
            raise DomainError(ErrorCode.VALIDATION, _("%(value)s is not a time.") % {"value": text})
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
    return code, key, at


def feedback(
    request,
    *,
    ok: bool,
    message,
    detail: str = "",
    next_prompt: str = "",
    trigger: str = "",
    complete: bool = False,
):
    """The station's answer; `trigger` names an htmx event the page listens to (to refresh
    a list beside the station); `complete` tells the station a task is done, so it clears
    the inputs that belong to one task (a quantity)."""
    response = render(
        request,
        "core/_scan_feedback.html",
        {
            "ok": ok,
            "message": message,
            "detail": detail,
            "next_prompt": next_prompt,
            "complete": complete,
        },
    )
    if trigger:
        response["HX-Trigger"] = json.dumps({trigger: {"ok": ok}})
    return response
