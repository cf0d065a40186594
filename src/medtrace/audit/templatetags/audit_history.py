"""A record's history on its own page, and the audit log's "field: old → new" lines.

    {% load audit_history %}
    {% audit_history location %}

shows the record's last entries to readers holding audit.view_auditentry at its site, and
nothing to anyone else.
"""

import json
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.audit import selectors
from medtrace.org import access
from medtrace.org.models import Site

register = template.Library()


@register.inclusion_tag("audit/_history.html", takes_context=True)
def audit_history(context, record, limit: int = selectors.HISTORY_LIMIT):
    request = context.get("request")
    user = getattr(request, "user", None)
    if record is None or user is None or not selectors.may_see_history(user, record):
        return {"shown": False}
    entries = selectors.history(user, record, limit=limit + 1)
    return {
        "shown": True,
        "entries": entries[:limit],
        "more": len(entries) > limit,
        "limit": limit,
        "log_url": selectors.log_url(
            object_type=record._meta.label_lower, object_id=str(record.pk)
        ),
        "time_zone": _zone_of(record),
    }


def _zone_of(record) -> str:
    """The record's site's time zone (times are shown where the record lives), else the
    reader's current one."""
    if isinstance(record, Site):
        return record.time_zone
    if access.site_id_of(record) is not None:
        return record.site.time_zone
    return timezone.get_current_timezone_name()


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str = ""
    new: str = ""
    value: str = ""
    is_change: bool = False


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@register.filter
def audit_changes(entry) -> list[ChangeLine]:
    """An entry's changes, one line per field: [old, new] pairs as a change, anything else
    (a checkpoint's heads, an export's filter) as a value."""
    changes = entry.changes
    if not isinstance(changes, dict):
        return [ChangeLine(label=_("changes"), value=_shown(changes))]
    lines = []
    for name, value in changes.items():
        label = selectors.field_label(entry.object_type, name)
        if isinstance(value, list) and len(value) == 2:
            lines.append(
                ChangeLine(label=label, old=_shown(value[0]), new=_shown(value[1]), is_change=True)
            )
        else:
            lines.append(ChangeLine(label=label, value=_shown(value)))
    return lines
