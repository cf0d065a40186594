"""The production box on a lot's or unit's trace page: the work order that made it, its status,
and the device history record (of the lot, or of the unit)."""

from django import template
from django.db.models import CharField, F, Value

from medtrace.production import selectors
from medtrace.trace.choices import ObjectKind

register = template.Library()


@register.inclusion_tag("production/_made_by_panel.html", takes_context=True)
def made_by_panel(context, obj):
    request = context["request"]
    if obj.kind not in (ObjectKind.LOT, ObjectKind.UNIT):
        return {"shown": False}
    orders = selectors.visible_work_orders(request.user)
    if obj.kind == ObjectKind.UNIT:
        # One query: the order of the unit's lot, with the unit's serial for the link.
        orders = orders.filter(lot__units=obj.pk).annotate(serial=F("lot__units__serial"))
    else:
        orders = orders.filter(lot_id=obj.pk).annotate(serial=Value(None, CharField()))
    order = orders.first()
    return {"shown": order is not None, "order": order, "serial": getattr(order, "serial", None)}
