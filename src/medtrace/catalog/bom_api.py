"""BOM versions over the REST API (read-only), mounted into /api/v1/catalog."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from medtrace.catalog import selectors
from medtrace.catalog.models import BomStatus
from medtrace.core.api import READ_ERRORS

router = Router(tags=["catalog"])


class BomLineOut(Schema):
    position: int
    component: str = Field(..., alias="component.code")
    quantity: Decimal
    unit: str
    tolerance_percent: Decimal
    trace_required: bool


class BomSummaryOut(Schema):
    id: int
    item: str = Field(..., alias="item.code")
    version: int
    status: BomStatus
    effective_from: datetime | None
    note: str
    created_at: datetime


class BomOut(BomSummaryOut):
    lines: list[BomLineOut]

    @staticmethod
    def resolve_lines(bom) -> list:
        return list(bom.lines.select_related("component"))


@router.get("/items/{code}/boms", response={200: list[BomSummaryOut], **READ_ERRORS})
def list_item_boms(request, code: str):
    """The item's BOM versions, newest first."""
    item = selectors.get_item_or_404(request.user, code)
    return selectors.visible_boms(request.user).filter(item=item).order_by("-version")


@router.get("/boms/{bom_id}", response={200: BomOut, **READ_ERRORS})
def get_bom(request, bom_id: int):
    return get_object_or_404(selectors.visible_boms(request.user), pk=bom_id)
