"""Nonconformance reports: opened with everything they concern linked (the lot, its item,
supplier and supplier lot, the equipment and its calibration state at the time), the lot
contained by a hold recorded through the trace core, then MRB review, dispositions approved by
electronic signature, and closure. Status changes go through the NCR workflow."""

import uuid
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.core.validation import validated
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.equipment.models import Equipment
from medtrace.inventory.ledger import location_uri
from medtrace.inventory.models import Stock
from medtrace.org.choices import LocationKind
from medtrace.org.models import Site
from medtrace.partners.models import Supplier
from medtrace.quality.choices import Decision, NcrStatus
from medtrace.quality.models import Disposition, Nonconformance
from medtrace.quality.services.numbering import next_number
from medtrace.quality.workflows import NCR
from medtrace.trace.models import Lot
from medtrace.trace.services import objects as trace_objects
from medtrace.trace.services.recording import record_event

# CBV 2.0: a lot held for a quality decision.
HOLD_STEP = "holding"
HOLD_DISPOSITION = "non_conformant"


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _require_site(record, site: Site, label) -> None:
    if record is not None and getattr(record, "site_id", site.pk) != site.pk:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(record)s is not at site %(site)s.") % {"record": record, "site": site.code},
            label,
        )
    if record is not None and record.organization_id != site.organization_id:
        _refuse(ErrorCode.NOT_FOUND, _("%(record)s is not known here.") % {"record": record}, label)


@transaction.atomic
def open_nonconformance(
    *,
    site: Site,
    title: str,
    description: str,
    source: str,
    severity: str,
    by,
    lot: Lot | None = None,
    item: Item | None = None,
    quantity: Decimal | None = None,
    uom: str = "",
    supplier: Supplier | None = None,
    supplier_lot_number: str = "",
    equipment: Equipment | None = None,
    inspection=None,
    due_on: date | None = None,
    hold: bool = True,
) -> Nonconformance:
    """Open an NCR. From the lot come its item, supplier and supplier lot unless given; the
    equipment's status and calibration due date are copied as they are now; `inspection` is
    the inspection record that rejected the lot, if any. With `hold` (the
    default) the lot is contained: a hold event (CBV holding / non_conformant) is recorded
    through the trace core, in the same transaction."""
    for record, label in ((lot, "lot"), (equipment, "equipment")):
        _require_site(record, site, label)
    for record, label in ((item, "item"), (supplier, "supplier")):
        if record is not None and record.organization_id != site.organization_id:
            _refuse(
                ErrorCode.NOT_FOUND, _("%(record)s is not known here.") % {"record": record}, label
            )
    if lot is not None:
        if item is not None and item.pk != lot.item_id:
            _refuse(
                ErrorCode.VALIDATION,
                _("Lot %(lot)s is of item %(item)s, not %(given)s.")
                % {"lot": lot.lot_number, "item": lot.item.code, "given": item.code},
                "item",
            )
        item = lot.item
        supplier = supplier or lot.supplier
        supplier_lot_number = supplier_lot_number or lot.supplier_lot_number
    if quantity is not None and not uom:
        _refuse(ErrorCode.VALIDATION, _("Give the unit of measure of the quantity."), "uom")
    ncr = Nonconformance(
        organization_id=site.organization_id,
        site=site,
        title=title.strip(),
        description=description.strip(),
        source=source,
        severity=severity,
        lot=lot,
        item=item,
        quantity=quantity,
        uom=uom,
        supplier=supplier,
        supplier_lot_number=supplier_lot_number,
        equipment=equipment,
        equipment_status=equipment.status if equipment else "",
        equipment_calibration_due_on=equipment.calibration_due_on if equipment else None,
        inspection=inspection,
        due_on=due_on,
        opened_by=by,
    )
    ncr.number = "-"  # drawn only once the record is valid: numbers are gap-free
    validated(ncr)
    ncr.number = next_number(site.organization, "NCR")
    ncr.save()
    changes = audit.created(ncr)
    if lot is not None and hold:
        ncr.hold_event = _hold(ncr, lot, by=by)
        ncr.save(update_fields=["hold_event"])
        changes["hold_event"] = [None, ncr.hold_event.event_id]
    audit.record(AuditAction.CREATE, ncr, by=by, changes=changes)
    return ncr


def _site_event(ncr: Nonconformance, **what) -> Event:
    """An ObjectEvent of the NCR's lot, now, in its site's time zone."""
    now = timezone.localtime(timezone=ZoneInfo(ncr.site.time_zone))
    offset = now.strftime("%z")
    return Event(
        event_type="ObjectEvent",
        event_time=now,
        event_time_zone_offset=f"{offset[:3]}:{offset[3:]}",
        action="OBSERVE",
        **what,
    )


def _hold(ncr: Nonconformance, lot: Lot, *, by):
    """The hold as a trace event; its ID follows from the NCR (one hold per NCR), so the same
    NCR never holds twice."""
    name = f"urn:medtrace:{ncr.site.organization.slug}:ncr:{ncr.number}:hold"
    event = _site_event(
        ncr,
        event_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        biz_step=HOLD_STEP,
        disposition=HOLD_DISPOSITION,
        quantity_list=(QuantityElement(lot.identifier),),
    )
    reason = str(_("Held by %(ncr)s") % {"ncr": ncr.number})
    return record_event(
        event, organization=ncr.site.organization, site=ncr.site, by=by, reason=reason
    )


def start_review(ncr: Nonconformance, *, by, reason: str = "") -> Nonconformance:
    return NCR.take(ncr, "start_review", by=by, reason=reason)


@transaction.atomic
def add_disposition(
    ncr: Nonconformance, *, decision: str, quantity: Decimal, justification: str, by
) -> Disposition:
    """Record an MRB decision on part of the quantity, while the NCR is under review; the
    decisions together may not exceed the nonconforming quantity."""
    ncr = Nonconformance.objects.select_for_update().get(pk=ncr.pk)
    if ncr.status != NcrStatus.UNDER_REVIEW:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(ncr)s is %(status)s; dispositions are recorded during the MRB review.")
            % {"ncr": ncr.number, "status": ncr.get_status_display()},
        )
    if not by.has_perm("quality.review_nonconformance", ncr):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow recording dispositions on %(ncr)s.") % {"ncr": ncr.number},
        )
    if not justification.strip():
        _refuse(
            ErrorCode.VALIDATION,
            _("Every disposition needs its justification."),
            "justification",
        )
    row = Disposition(
        nonconformance=ncr,
        decision=decision,
        quantity=quantity,
        justification=justification.strip(),
        decided_by=by,
    )
    validated(row)
    if ncr.quantity is not None:
        decided = sum((d.quantity for d in ncr.dispositions.all()), Decimal(0))
        if decided + quantity > ncr.quantity:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(ncr)s has %(total)s %(uom)s nonconforming; %(decided)s are decided already.")
                % {
                    "ncr": ncr.number,
                    "total": plain(ncr.quantity),
                    "uom": ncr.uom,
                    "decided": plain(decided),
                },
                "quantity",
            )
    row.save()
    audit.record(
        AuditAction.CHANGE,
        ncr,
        by=by,
        changes={"disposition": [None, [row.decision, row.quantity, row.justification]]},
    )
    return row


def approve_dispositions(
    ncr: Nonconformance, *, by, password: str, reason: str = ""
) -> Nonconformance:
    """The MRB's decisions approved by `by`'s signature (meaning approved). Needs at least
    one decision, and decisions for the whole quantity when the NCR has one."""
    return NCR.take(
        ncr, "approve_dispositions", by=by, password=password, reason=reason,
        guard=_require_complete_dispositions,
    )  # fmt: skip


def _require_complete_dispositions(ncr: Nonconformance) -> None:
    decided = sum((d.quantity for d in ncr.dispositions.all()), Decimal(0))
    if not decided:
        _refuse(ErrorCode.INVALID_STATE, _("Record at least one disposition before approving."))
    if ncr.quantity is not None and decided != ncr.quantity:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Dispositions cover %(decided)s of %(total)s %(uom)s; decide on all of it.")
            % {"decided": plain(decided), "total": plain(ncr.quantity), "uom": ncr.uom},
        )


# What carrying out a disposition records in the trace, for a lot: (business step,
# disposition). A lot returned leaves for its supplier; a lot scrapped is destroyed. The other
# decisions change where nothing goes (rework and repair come back through production).
TRACED_DECISIONS = {
    Decision.RETURN_TO_SUPPLIER: ("shipping", "returned"),
    Decision.SCRAP: ("destroying", "destroyed"),
}


@transaction.atomic
def execute_disposition(row: Disposition, *, note: str, by) -> Disposition:
    """Record that an approved disposition was carried out, with how. A lot returned to its
    supplier is shipped to the supplier (the trace's forward view then names them); a lot
    scrapped is destroyed; both as trace events of the quantity decided."""
    row = Disposition.objects.select_for_update().get(pk=row.pk)
    ncr = Nonconformance.objects.select_related("site", "lot", "supplier").get(
        pk=row.nonconformance_id
    )
    if ncr.status != NcrStatus.DISPOSITIONED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(ncr)s is %(status)s; dispositions are carried out once approved.")
            % {"ncr": ncr.number, "status": ncr.get_status_display()},
        )
    if not by.has_perm("quality.review_nonconformance", ncr):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow carrying out dispositions of %(ncr)s.")
            % {"ncr": ncr.number},
        )
    if row.executed_at is not None:
        _refuse(ErrorCode.INVALID_STATE, _("This disposition is already carried out."))
    if not note.strip():
        _refuse(ErrorCode.VALIDATION, _("Say how the disposition was carried out."), "note")
    if row.decision == Decision.RETURN_TO_SUPPLIER and ncr.lot is not None and not ncr.supplier:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(ncr)s names no supplier to return the lot to.") % {"ncr": ncr.number},
        )
    if ncr.lot is not None and row.decision in TRACED_DECISIONS:
        row.event = _dispose(ncr, row, by=by)
    row.execution_note, row.executed_at, row.executed_by = note.strip(), timezone.now(), by
    row.save(update_fields=["execution_note", "executed_at", "executed_by", "event"])
    audit.record(
        AuditAction.CHANGE,
        ncr,
        by=by,
        changes={
            "disposition_carried_out": [
                None,
                [row.decision, row.quantity, row.execution_note, row.event and row.event.event_id],
            ]
        },
    )
    return row


def _dispose(ncr: Nonconformance, row: Disposition, *, by):
    """The disposition as trace events of the quantity decided, taken from where the lot's
    stock lies at the NCR's site (the MRB cage and quarantine first), one event per location;
    a lot with no stock there (consumed, never stocked) is recorded without a location.
    Returns the first event."""
    biz_step, disposition = TRACED_DECISIONS[row.decision]
    destinations = ()
    if row.decision == Decision.RETURN_TO_SUPPLIER:
        party = trace_objects.ensure_party(
            organization=ncr.site.organization, supplier=ncr.supplier, by=by
        )
        destinations = (TypedId("owning_party", party.identifier),)
    # Named by its place among the NCR's dispositions, not its key: the same NCR gives the
    # same event IDs wherever it is recorded (the demo's history is reproducible).
    position = ncr.dispositions.filter(pk__lte=row.pk).count()
    name = f"urn:medtrace:{ncr.site.organization.slug}:ncr:{ncr.number}:disposition:{position}"
    reason = str(
        _("%(decision)s by %(ncr)s") % {"decision": row.get_decision_display(), "ncr": ncr.number}
    )
    recorded = []
    for part, (location, quantity) in enumerate(_taken_from(ncr, row.quantity)):
        sources = ()
        if location is not None:
            sources = (TypedId("location", location_uri(location)),)
        named = f"{name}:{part}" if part else name
        event = _site_event(
            ncr,
            event_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, named)}",
            biz_step=biz_step,
            disposition=disposition,
            quantity_list=(QuantityElement(ncr.lot.identifier, quantity, ncr.uom or None),),
            sources=sources,
            destinations=destinations,
        )
        recorded.append(
            record_event(
                event, organization=ncr.site.organization, site=ncr.site, by=by, reason=reason
            )
        )
    return recorded[0]


def _taken_from(ncr: Nonconformance, quantity: Decimal) -> list[tuple]:
    """[(location, quantity)] that make up `quantity` of the NCR's lot from its stock at the
    site, segregation areas first; [(None, quantity)] when the site holds none of it."""
    held = list(
        Stock.objects.filter(site=ncr.site, object=ncr.lot)
        .select_related("location__site")
        .order_by("-quantity", "pk")
    )
    segregated = (LocationKind.QUARANTINE, LocationKind.RETURNS, LocationKind.SCRAP)
    held.sort(key=lambda stock: stock.location.kind not in segregated)
    if not held:
        return [(None, quantity)]
    taken, wanted = [], quantity
    for stock in held:
        if wanted <= 0:
            break
        used = min(stock.quantity, wanted)
        taken.append((stock.location, used))
        wanted -= used
    if wanted > 0:  # the ledger refuses it, naming what is there
        taken.append((held[0].location, wanted))
    return taken


def _carried_out(ncr: Nonconformance) -> None:
    waiting = ncr.dispositions.filter(executed_at__isnull=True).count()
    if waiting:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(count)s dispositions are not carried out yet.") % {"count": waiting},
        )


def close(ncr: Nonconformance, *, by, password: str, reason: str = "") -> Nonconformance:
    """Closure by `by`'s signature (meaning verified), once every disposition is carried
    out."""

    def closed(record):
        record.closed_at = timezone.now()
        return {"closed_at": [None, record.closed_at]}

    return NCR.take(
        ncr, "close", by=by, password=password, reason=reason, guard=_carried_out,
        effects=closed,
    )  # fmt: skip


def cancel(ncr: Nonconformance, *, by, reason: str) -> Nonconformance:
    """Withdraw an NCR opened in error; the reason is required."""
    return NCR.take(ncr, "cancel", by=by, reason=reason)
