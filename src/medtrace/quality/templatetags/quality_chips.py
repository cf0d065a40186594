"""Chips other pages show for deviations and CAPAs: on a lot's trace page, the deviations that
keep it from release; on an NCR's page, its CAPA, or the button that escalates it to one.

    {% load quality_chips %}
    {% release_blockers obj %}
    {% ncr_capas ncr %}
"""

from django import template

from medtrace.quality import deviation_selectors
from medtrace.quality.choices import CapaStatus

register = template.Library()


@register.inclusion_tag("quality/_deviation_blockers.html", takes_context=True)
def release_blockers(context, lot):
    user = context["request"].user
    return {"blockers": deviation_selectors.blocking_for(user, lot)}


@register.inclusion_tag("quality/_ncr_capa_chips.html", takes_context=True)
def ncr_capas(context, ncr):
    """The NCR's CAPAs (a cancelled one too, marked so), and the escalation button for a
    reader who may open a CAPA at its site while none but cancelled ones exist."""
    user = context["request"].user
    linked = list(ncr.capas.order_by("pk"))
    live = [capa for capa in linked if capa.status != CapaStatus.CANCELLED]
    return {
        "ncr": ncr,
        "capas": linked,
        "may_escalate": not live and user.has_perm("quality.add_capa", ncr),
        "csrf_token": context.get("csrf_token"),
    }
