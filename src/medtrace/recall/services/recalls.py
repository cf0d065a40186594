"""Opening a recall (or a drill) with its first scope, widening or narrowing the scope with a
reason, QA's signed approval that puts every affected lot and unit in our stock on status
recalled (one transaction with the approval; a drill holds nothing), closure by signature,
cancelling a draft. Each write is audited in its transaction."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.services.moves import set_status
from medtrace.inventory.statuses import disposition_status
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality.services.numbering import next_number
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall, ScopeSnapshot
from medtrace.recall.workflows import RECALL
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, TraceEvent, TraceObject

from . import scope as scoping
from .closure import require_closable

HOLD_STEP = "holding"
RECALLED = "recalled"  # CBV 2.0 disposition
ROOT_KINDS = (ObjectKind.LOT, ObjectKind.UNIT, ObjectKind.CONTAINER)


def _refuse(code, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def supplier_lots(organization, supplier, supplier_lot_number: str) -> list[Lot]:
    """Our lots received from `supplier` under its lot number: a recall of the supplier's lot
    starts from them."""
    return list(
        Lot.objects.filter(
            organization=organization,
            supplier=supplier,
            supplier_lot_number__iexact=supplier_lot_number.strip(),
        ).order_by("pk")
    )


def item_lots(organization, item, made_from=None, made_to=None) -> list[Lot]:
    """Our lots of `item` manufactured between the two dates (either may be left open): a
    recall of a device over a production period starts from them. Refused when there is none."""
    if made_from and made_to and made_from > made_to:
        _refuse(
            ErrorCode.VALIDATION,
            _("The period starts on %(start)s, after it ends on %(end)s.")
            % {"start": made_from, "end": made_to},
            "made_from",
        )
    lots = Lot.objects.filter(organization=organization, item=item)
    if made_from:
        lots = lots.filter(manufactured_on__gte=made_from)
    if made_to:
        lots = lots.filter(manufactured_on__lte=made_to)
    found = list(lots.order_by("lot_number", "pk"))
    if not found:
        _refuse(
            ErrorCode.NOT_FOUND,
            _("No lot of %(item)s was made in that period.") % {"item": item.code},
            "item",
        )
    return found


def _check_roots(site: Site, roots: list[TraceObject]) -> list[TraceObject]:
    roots = list({root.pk: root for root in roots}.values())
    if not roots:
        _refuse(
            ErrorCode.VALIDATION,
            _("Name the lots, units or supplier lot the recall starts from."),
            "roots",
        )
    for root in roots:
        if root.organization_id != site.organization_id:
            _refuse(ErrorCode.NOT_FOUND, _("%(object)s is not known here.") % {"object": root})
        if root.kind not in ROOT_KINDS:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(object)s is not a lot, unit or case.") % {"object": root.identifier},
                "roots",
            )
    return roots


@transaction.atomic
def open_recall(
    *,
    site: Site,
    title: str,
    reason: str,
    depth: str,
    strategy: str,
    roots: list[TraceObject],
    by,
    hazard: str = "",
    nmpa_class: str = "",
    fda_class: str = "",
    eu_fsca: bool = False,
    drill: bool = False,
    drill_external_mail: bool = False,
    effectiveness: str = "A",
    effectiveness_share: int | None = None,
    nonconformance=None,
    complaint=None,
    capa=None,
) -> Recall:
    """A draft recall (or drill) started from `roots`, its scope computed and frozen (v1)."""
    if not access.permits(by, "recall.add_recall", site):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow opening recalls at %(site)s.") % {"site": site.code},
        )
    roots = _check_roots(site, roots)
    for record in (nonconformance, complaint, capa):
        if record is not None and record.organization_id != site.organization_id:
            _refuse(ErrorCode.NOT_FOUND, _("%(record)s is not known here.") % {"record": record})
    if not drill and not (nmpa_class or fda_class or eu_fsca):
        _refuse(
            ErrorCode.VALIDATION,
            _("Classify the recall: an NMPA or FDA class, or an EU FSCA."),
            "nmpa_class",
        )
    recall = Recall(
        organization_id=site.organization_id,
        site=site,
        number="-",
        drill=drill,
        title=title.strip(),
        reason=reason.strip(),
        hazard=hazard.strip(),
        nmpa_class=nmpa_class,
        fda_class=fda_class,
        eu_fsca=eu_fsca,
        depth=depth,
        strategy=strategy,
        effectiveness=effectiveness,
        effectiveness_share=effectiveness_share,
        drill_external_mail=drill and drill_external_mail,
        nonconformance=nonconformance,
        complaint=complaint,
        capa=capa,
        opened_by=by,
    )
    validated(recall)
    if effectiveness == "B" and not (effectiveness_share and 10 < effectiveness_share <= 100):
        _refuse(
            ErrorCode.VALIDATION,
            _("Level B verifies a share of the consignees above 10%: give the percentage."),
            "effectiveness_share",
        )
    recall.number = next_number(site.organization, "DRL" if drill else "RCL")
    recall.save()
    recall.roots.set(roots)
    snapshot = scoping.freeze(recall, roots, by=by)
    changes = audit.created(recall)
    changes["roots"] = [None, snapshot.roots]
    changes["scope"] = [None, {"version": 1, **_counts(snapshot)}]
    audit.record(AuditAction.CREATE, recall, by=by, changes=changes)
    return recall


def _counts(snapshot: ScopeSnapshot) -> dict:
    summary = snapshot.summary
    return {key: summary.get(key) for key in ("lots", "units", "consignees")}


def _require_change(recall: Recall, by) -> None:
    if not access.permits(by, "recall.change_recall", recall):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(recall)s.") % {"recall": recall.number},
        )


def _locked(recall: Recall) -> Recall:
    return (
        Recall.objects.select_for_update(of=("self",))
        .select_related("site__organization")
        .get(pk=recall.pk)
    )


@transaction.atomic
def rescope(
    recall: Recall, *, by, reason: str, add: list[TraceObject] = (), remove: list[TraceObject] = ()
) -> ScopeSnapshot:
    """Widen (`add` roots) or narrow (`remove` roots) the scope, saying why: a new snapshot
    with the difference. An approved recall holds what the wider scope adds to our stock."""
    recall = _locked(recall)
    if recall.status not in (RecallStatus.DRAFT, RecallStatus.APPROVED):
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s; its scope no longer changes.")
            % {"recall": recall.number, "status": recall.get_status_display()},
        )
    _require_change(recall, by)
    if not reason.strip():
        _refuse(ErrorCode.VALIDATION, _("Say why the scope changes."), "reason")
    current = list(recall.roots.all())
    strangers = [obj.identifier for obj in remove if obj.pk not in {r.pk for r in current}]
    if strangers:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(objects)s: not a root of %(recall)s.")
            % {"objects": ", ".join(strangers), "recall": recall.number},
            "remove",
        )
    removed = {root.pk for root in remove}
    roots = [root for root in current if root.pk not in removed] + list(add)
    roots = _check_roots(recall.site, roots)
    recall.roots.set(roots)
    snapshot = scoping.freeze(recall, roots, by=by, reason=reason)
    changes = {"scope": [snapshot.version - 1, snapshot.version], "diff": snapshot.diff}
    if recall.status == RecallStatus.APPROVED and not recall.drill:
        event = _hold(recall, snapshot, by=by, tag=f"scope-{snapshot.version}")
        if event is not None:
            changes["hold_event"] = [None, event.event_id]
    audit.record(AuditAction.CHANGE, recall, by=by, changes=changes, reason=reason.strip())
    return snapshot


def in_our_stock(snapshot: ScopeSnapshot) -> list[TraceObject]:
    """The affected lots and units with stock of ours now (a location or a line: what the
    scope found there, and what came back since), not yet recalled."""
    ids = set(
        Stock.objects.filter(
            object_id__in=snapshot.entries.values("object_id"), quantity__gt=0
        ).values_list("object_id", flat=True)
    )
    objects = TraceObject.objects.filter(pk__in=ids).order_by("pk")
    # Recalled is a disposition (status_of would add the setting event: a query per object).
    return [obj for obj in objects if disposition_status(obj.disposition) != StockStatus.RECALLED]


@transaction.atomic
def hold_what_came_back(recall: Recall, *, by) -> TraceEvent | None:
    """Put on status recalled what of the scope is in our stock and not recalled yet: goods
    returned since the approval come back in quarantine (returned), not recalled."""
    recall = _locked(recall)
    if recall.drill:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is a drill; it holds nothing.") % {"recall": recall.number},
        )
    if recall.status != RecallStatus.APPROVED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(recall)s is %(status)s; it holds nothing now.")
            % {"recall": recall.number, "status": recall.get_status_display()},
        )
    _require_change(recall, by)
    event = _hold(recall, recall.current_scope(), by=by, tag=f"back-{uuid.uuid4()}")
    if event is not None:
        audit.record(AuditAction.CHANGE, recall, by=by,
                     changes={"hold_event": [None, event.event_id]},
                     reason=str(_("Goods of the scope back in our stock held")))  # fmt: skip
    return event


def _hold(recall: Recall, snapshot: ScopeSnapshot, *, by, tag: str) -> TraceEvent | None:
    """One event putting every affected lot and unit in our stock on status recalled."""
    held = in_our_stock(snapshot)
    if not held:
        return None
    site = recall.site
    name = f"urn:medtrace:{site.organization.slug}:recall:{recall.number}:{tag}"
    reason = str(_("Recalled by %(recall)s: %(title)s") % {"recall": recall.number,
                                                           "title": recall.title})  # fmt: skip
    return set_status(
        site=site,
        objects=held,
        biz_step=HOLD_STEP,
        disposition=RECALLED,
        by=by,
        reason=reason,
        event_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
    )


def approve(recall: Recall, *, by, password: str, reason: str = "") -> Recall:
    """QA's signed decision: the clocks start; every affected lot and unit in our stock goes to
    status recalled in the same transaction (picking and shipping then refuse them, naming the
    recall). A drill is approved without holding anything."""

    def effects(record):
        record.approved_at = timezone.now()
        if record.drill:
            return {"hold_event": [None, None]}
        event = _hold(record, record.current_scope(), by=by, tag="approval")
        return {"hold_event": [None, event.event_id if event else None]}

    return RECALL.take(recall, "approve", by=by, password=password, reason=reason,
                       effects=effects)  # fmt: skip


def close(recall: Recall, *, by, password: str, reason: str = "") -> Recall:
    """Signed closure, refused (nothing written) while a closure criterion is open
    (closure.open_criteria: effectiveness, returns awaited, our stock, the CAPA)."""

    def effects(record):
        record.closed_at = timezone.now()
        return None

    return RECALL.take(recall, "close", by=by, password=password, reason=reason,
                       guard=require_closable, effects=effects)  # fmt: skip


def cancel(recall: Recall, *, by, reason: str) -> Recall:
    def effects(record):
        record.cancel_reason = reason.strip()
        return None

    return RECALL.take(recall, "cancel", by=by, reason=reason, effects=effects)
