"""The production box on a lot's or unit's trace page: the work order that made it, its status,
and the device history record (of the lot, or of the unit)."""

from django import template

from medtrace.production import selectors
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Unit

register = template.Library()


@register.inclusion_tag("production/_made_by_panel.html", takes_context=True)
def made_by_panel(context, obj):
    request = context["request"]
    if obj.kind not in (ObjectKind.LOT, ObjectKind.UNIT):
        return {"shown": False}
    serial = None
    lot_id = obj.pk
    if obj.kind == ObjectKind.UNIT:
        unit = Unit.objects.filter(pk=obj.pk).values("lot_id", "serial").first()
        lot_id, serial = unit["lot_id"], unit["serial"]
    order = (
        selectors.visible_work_orders(request.user).filter(lot_id=lot_id).first()
        if lot_id is not None
        else None
    )
    return {"shown": order is not None, "order": order, "serial": serial}
