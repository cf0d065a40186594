"""Reading work orders: scoped to the reader's sites; the kitting list of a released order."""

from dataclasses import dataclass, field
from decimal import Decimal

from medtrace.catalog.models import Item
from medtrace.inventory import selectors as stock
from medtrace.org import access

from .choices import WorkOrderStatus
from .models import WorkOrder

VIEW = "production.view_workorder"
KITTING_LIMIT = 50  # stock rows looked at per component


def visible_work_orders(user):
    return access.scoped(
        WorkOrder.objects.select_related("site", "item", "lot", "created_by"), user, perm=VIEW
    )


@dataclass
class Pick:
    stock: object  # inventory.models.Stock
    quantity: Decimal  # what to take from it


@dataclass
class KitLine:
    line: dict  # the snapshot BOM line with "required"
    picks: list[Pick] = field(default_factory=list)
    available: Decimal = Decimal(0)

    @property
    def shortage(self) -> Decimal:
        return max(self.line["required"] - self.available, Decimal(0))


def kitting_list(order: WorkOrder) -> list[KitLine]:
    """Per BOM line of the released order: the available stock at its site to take, first
    expiry first out, until the required quantity is covered; what is not covered is the
    shortage. Empty for an order not released."""
    if order.status != WorkOrderStatus.RELEASED or not order.snapshot:
        return []
    today = order.site.local_date()
    required = order.required()
    codes = {line["component"] for line in required}
    items = {
        item.code: item
        for item in Item.objects.filter(organization_id=order.organization_id, code__in=codes)
    }
    lines = []
    for line in required:
        kit = KitLine(line=line)
        item = items.get(line["component"])
        rows = stock.fefo(order.site, item, today=today, limit=KITTING_LIMIT) if item else []
        for row in rows:
            if kit.available >= line["required"]:
                break
            take = min(row.quantity, line["required"] - kit.available)
            kit.picks.append(Pick(row, take))
            kit.available += take
        lines.append(kit)
    return lines
