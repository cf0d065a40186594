"""Recovery, effectiveness and drill timing over the REST API, under /api/v1/recalls (attached
to the recalls router). A recall is named by its number (RCL-…, DRL-…) or its id; reads are
scoped to the caller's sites like every recall read; linking a CAPA needs the right to change
the recall and a CAPA the caller may see."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality import capa_selectors

from . import selectors
from .choices import RecallEffectiveness, RecallStatus
from .models import Recall
from .services import closure, drills, effectiveness, recalls

router = Router(tags=["recalls"])


class RecoveryLotOut(Schema):
    lot: str
    item: str
    shipped: Decimal
    uom: str
    units: int = Field(..., description="Serialized units among what was shipped")
    on_hand: Decimal | None = Field(None, description="Reported by the consignee")
    used: Decimal | None = None
    to_return: Decimal | None = None
    returned: Decimal = Field(..., description="Received back since the recall opened")
    accounted: bool
    accounted_at: datetime | None


class RecoveryConsigneeOut(Schema):
    consignee: str = Field(..., description="The party's identifier")
    name: str
    customer: str | None = Field(None, description="Our customer's code, when known")
    region: str
    status: str = Field(..., description="accounted, responded, contacted, failed or waiting")
    notice: str | None = Field(None, description="The notice's number")
    contacted: bool
    responded: bool
    accounted: bool
    accounted_at: datetime | None
    shipped: Decimal
    uom: str = Field(..., description="Empty when the lots are counted in different units")
    on_hand: Decimal | None
    used: Decimal | None
    to_return: Decimal | None
    returned: Decimal
    awaited: Decimal = Field(..., description="Reported to return, not received yet")
    lots: list[RecoveryLotOut]


class RecoveryStockOut(Schema):
    object: str = Field(..., description="The lot's or unit's identifier")
    item: str
    lot: str
    serial: str
    quantity: Decimal
    uom: str
    status: str
    held: bool = Field(..., description="On status recalled")
    settled: bool = Field(..., description="Recalled, rejected, or decided as returned goods")


class CriterionOut(Schema):
    rule: str = Field(..., description="effectiveness, returns, stock or capa")
    message: str


class EffectivenessOut(Schema):
    number: str
    status: RecallStatus
    drill: bool
    scope_version: int | None
    level: RecallEffectiveness
    level_share: Decimal = Field(..., description="Percent of the consignees to verify")
    required: int = Field(..., description="Consignees to verify for the level")
    verified: int = Field(..., description="Consignees that responded or are accounted for")
    level_met: bool
    consignees_total: int
    contacted: int
    responded: int
    accounted: int
    contacted_pct: float | None
    responded_pct: float | None
    accounted_pct: float | None
    recovered_pct: float | None
    shipped_quantity: Decimal
    returned_quantity: Decimal
    uom: str
    accounted_at: datetime | None = Field(..., description="When the last consignee was")
    consignees: list[RecoveryConsigneeOut]
    stock: list[RecoveryStockOut] = Field(
        ..., description="Affected lots and units in our hands now"
    )
    closure_open: list[CriterionOut] = Field(
        ..., description="Closure criteria not met yet (an approved recall)"
    )


class KpiOut(Schema):
    name: str = Field(..., description="scope, notice or accounted")
    label: str
    seconds: float | None = Field(..., description="None until reached")
    target_seconds: float
    met: bool | None


class PreviousDrillOut(Schema):
    number: str
    opened_at: datetime
    kpis: list[KpiOut]


class NoticeTimeOut(Schema):
    notice: str
    consignee: str
    region: str
    sent_at: datetime | None
    opened_at: datetime | None
    acknowledged_at: datetime | None


class DrillScopeOut(Schema):
    roots: list[str]
    first_computed_at: datetime | None
    elapsed_ms: int | None
    version: int | None
    lots: int
    units: int
    consignees: int
    places: dict[str, int]


class DrillReportOut(Schema):
    number: str
    status: RecallStatus
    opened_at: datetime
    kpis: list[KpiOut]
    previous: list[PreviousDrillOut] = Field(..., description="The last five drills before it")
    scope: DrillScopeOut
    contacted: int
    responded: int
    accounted: int
    consignees_total: int
    timeline: list[NoticeTimeOut]


class CapaLinkIn(Schema):
    capa: str = Field(..., description="The CAPA's number")
    reason: str = ""


class CapaLinkOut(Schema):
    number: str
    capa: str
    capa_title: str


def _recall(request, ref: str) -> Recall:
    return selectors.get_recall_by_ref_or_404(request.user, ref)


def _lot(lot: effectiveness.LotProgress) -> dict:
    return {
        "lot": lot.lot_number, "item": lot.item, "shipped": lot.shipped, "uom": lot.uom,
        "units": lot.units, "on_hand": lot.on_hand, "used": lot.used,
        "to_return": lot.to_return, "returned": lot.returned, "accounted": lot.accounted,
        "accounted_at": lot.accounted_at,
    }  # fmt: skip


def _consignee(row: effectiveness.ConsigneeProgress) -> dict:
    return {
        "consignee": row.party.identifier, "name": row.name,
        "customer": row.customer.code if row.customer else None, "region": row.region,
        "status": row.status, "notice": row.notice.number if row.notice else None,
        "contacted": row.contacted, "responded": row.responded, "accounted": row.accounted,
        "accounted_at": row.accounted_at, "shipped": row.shipped, "uom": row.uom,
        "on_hand": row.on_hand, "used": row.used, "to_return": row.to_return,
        "returned": row.returned, "awaited": row.awaited,
        "lots": [_lot(lot) for lot in row.lots],
    }  # fmt: skip


def _stock(row: effectiveness.StockProgress) -> dict:
    return {
        "object": row.identifier, "item": row.item, "lot": row.lot_number, "serial": row.serial,
        "quantity": row.quantity, "uom": row.uom, "status": str(row.status), "held": row.held,
        "settled": row.settled,
    }  # fmt: skip


@router.get("/{ref}/effectiveness", response={200: EffectivenessOut, **READ_ERRORS})
def get_effectiveness(request, ref: str):
    """Recovery and effectiveness of the current scope: per consignee (and lot) what was
    shipped, whether its notice was sent and acknowledged, what it reported and returned;
    the totals against the effectiveness level; our affected stock; and, while the recall
    runs, the closure criteria still open."""
    recall = _recall(request, ref)
    found = effectiveness.progress(recall)
    criteria = (
        closure.open_criteria(recall, found) if recall.status == RecallStatus.APPROVED else []
    )
    return {
        "number": recall.number, "status": recall.status, "drill": recall.drill,
        "scope_version": found.scope.version if found.scope else None,
        "level": found.level, "level_share": found.level_share, "required": found.required,
        "verified": found.verified, "level_met": found.level_met,
        "consignees_total": found.total, "contacted": found.contacted,
        "responded": found.responded, "accounted": found.accounted,
        "contacted_pct": found.contacted_pct, "responded_pct": found.responded_pct,
        "accounted_pct": found.accounted_pct, "recovered_pct": found.recovered_pct,
        "shipped_quantity": found.shipped_quantity, "returned_quantity": found.returned_quantity,
        "uom": found.uom, "accounted_at": found.accounted_at,
        "consignees": [_consignee(row) for row in found.consignees],
        "stock": [_stock(row) for row in found.stock],
        "closure_open": [{"rule": item.rule, "message": item.message} for item in criteria],
    }  # fmt: skip


def _kpis(found: drills.Kpis) -> list[dict]:
    return [
        {"name": kpi.name, "label": kpi.label, "seconds": kpi.seconds,
         "target_seconds": kpi.target_seconds, "met": kpi.met}
        for kpi in found
    ]  # fmt: skip


@router.get("/{ref}/drill-report", response={200: DrillReportOut, **READ_ERRORS})
def get_drill_report(request, ref: str):
    """A drill's timing (time to scope, to the first notice, to 100 % of the scope accounted
    for) against the targets and the previous five drills, its scope and its notices'
    timeline. 404 for a recall that is not a drill."""
    recall = _recall(request, ref)
    if not recall.drill:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("%(recall)s is not a drill; only drills have a drill report.")
            % {"recall": recall.number},
        )
    found = drills.report(recall, among=selectors.visible_recalls(request.user))
    scope, first = found.progress.scope, found.first_scope
    summary = scope.summary if scope else {}
    return {
        "number": recall.number, "status": recall.status, "opened_at": recall.opened_at,
        "kpis": _kpis(found.kpis),
        "previous": [
            {"number": earlier.recall.number, "opened_at": earlier.recall.opened_at,
             "kpis": _kpis(earlier)}
            for earlier in found.previous
        ],
        "scope": {
            "roots": first.roots if first else [],
            "first_computed_at": first.computed_at if first else None,
            "elapsed_ms": first.elapsed_ms if first else None,
            "version": scope.version if scope else None,
            "lots": summary.get("lots", 0), "units": summary.get("units", 0),
            "consignees": summary.get("consignees", 0), "places": summary.get("places", {}),
        },
        "contacted": found.progress.contacted, "responded": found.progress.responded,
        "accounted": found.progress.accounted, "consignees_total": found.progress.total,
        "timeline": [
            {"notice": row.notice.number, "consignee": row.consignee, "region": row.region,
             "sent_at": row.sent_at, "opened_at": row.opened_at,
             "acknowledged_at": row.acknowledged_at}
            for row in found.timeline
        ],
    }  # fmt: skip


@router.post("/{ref}/capa", response={200: CapaLinkOut, **WRITE_ERRORS})
def link_capa(request, ref: str, payload: CapaLinkIn):
    """Link the CAPA that deals with the recall's cause (audited; replaces one linked
    before). 404 when the CAPA is not one you may see; 409 for a closed or cancelled recall;
    403 without the right to change the recall."""
    recall = _recall(request, ref)
    require_perm(request, selectors.CHANGE, recall)
    capa = (
        capa_selectors.visible_capas(request.user)
        .filter(number__iexact=payload.capa.strip())
        .first()
    )
    if capa is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("No CAPA %(number)s that you may see.") % {"number": payload.capa},
            fields={"capa": [str(_("Not found."))]},
        )
    closure.link_capa(recall, capa, by=request.user, reason=payload.reason)
    return {"number": recall.number, "capa": capa.number, "capa_title": capa.title}


class HoldOut(Schema):
    hold_event: str | None = Field(None, description="The status event; None: nothing to hold")


@router.post("/{ref}/hold", response={200: HoldOut, **WRITE_ERRORS})
def hold_what_came_back(request, ref: str):
    """Put on status recalled what of the scope is in our stock and not recalled yet (returns
    come back in quarantine). 409 for a drill or a recall not running."""
    recall = _recall(request, ref)
    require_perm(request, selectors.CHANGE, recall)
    event = recalls.hold_what_came_back(recall, by=request.user)
    return {"hold_event": event.event_id if event else None}
