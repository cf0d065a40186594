"""The stock panel of a lot's or unit's page: where it is held, how much, and its status with
the event that set it."""

from django import template
from django.utils import timezone

from medtrace.inventory import selectors
from medtrace.inventory.statuses import status_of
from medtrace.trace.choices import ObjectKind

register = template.Library()


@register.inclusion_tag("inventory/_stock_panel.html", takes_context=True)
def stock_panel(context, obj):
    request = context["request"]
    if obj.kind == ObjectKind.CONTAINER or not request.user.has_perm(selectors.VIEW):
        return {"shown": False}
    rows = selectors.visible_stock(request.user)
    rows = rows.filter(lot=obj) if obj.kind == ObjectKind.LOT else rows.filter(object=obj)
    today = obj.site.local_date() if obj.site_id else timezone.localdate()
    held = selectors.totals(selectors.with_status(rows, today))
    return {"shown": True, "held": held, "status": status_of(obj)}
