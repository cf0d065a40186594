"""Recalls over the REST API, mounted at /api/v1/recalls. Reads are scoped to the caller's
sites; writes call the same services as the pages. A recall starts from codes (any scan, lot or
serial number) and/or a supplier's lot; its scope is read page by page, per place; it is
widened or narrowed by POST …/rescope with a reason; its status moves only through
POST …/actions/{name} (approval and closure take the caller's password, entered now)."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.partners import selectors as partner_selectors
from medtrace.quality import capa_selectors, complaint_selectors
from medtrace.quality import selectors as ncr_selectors
from medtrace.quality.capa_api import AllowedActionOut, allowed_actions
from medtrace.trace.models import TraceObject
from medtrace.trace.templatetags.trace_tags import party_name

from . import selectors
from .choices import Depth, Place, RecallClass, RecallEffectiveness, RecallStatus, Strategy
from .forms import item_named, resolve
from .models import Recall, ScopeSnapshot
from .services import recalls
from .workflows import RECALL

router = Router(tags=["recalls"])

ADD, CHANGE = selectors.ADD, selectors.CHANGE


class RecallCountsOut(Schema):
    version: int
    computed_at: datetime
    lots: int = 0
    units: int = 0
    consignees: int = 0
    places: dict[str, int] = Field({}, description="Entries per place: stock, wip, consignee")

    @staticmethod
    def resolve_lots(snapshot) -> int:
        return snapshot.summary.get("lots", 0)

    @staticmethod
    def resolve_units(snapshot) -> int:
        return snapshot.summary.get("units", 0)

    @staticmethod
    def resolve_consignees(snapshot) -> int:
        return snapshot.summary.get("consignees", 0)

    @staticmethod
    def resolve_places(snapshot) -> dict:
        return snapshot.summary.get("places", {})


class ScopeOut(RecallCountsOut):
    computed_by: str = Field(..., alias="computed_by.username")
    reason: str
    roots: list[str] = Field(..., description="The identifiers the scope was computed from")
    added: list[str] = Field([], description="Lots and units added since the version before")
    removed: list[str] = Field([], description="Lots and units no longer in scope")
    elapsed_ms: int

    @staticmethod
    def resolve_added(snapshot) -> list[str]:
        return snapshot.diff.get("added", [])

    @staticmethod
    def resolve_removed(snapshot) -> list[str]:
        return snapshot.diff.get("removed", [])


class RecallOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    drill: bool
    title: str
    status: RecallStatus
    nmpa_class: str
    fda_class: str
    eu_fsca: bool
    depth: Depth
    strategy: Strategy
    opened_by: str = Field(..., alias="opened_by.username")
    opened_at: datetime
    approved_at: datetime | None
    closed_at: datetime | None
    lots: int | None = Field(None, description="Affected lots in the current scope")
    units: int | None = Field(None, description="Affected units in the current scope")
    consignees: int | None = Field(None, description="Consignees in the current scope")

    @staticmethod
    def resolve_lots(recall) -> int | None:
        return getattr(recall, "scope_lots", None)

    @staticmethod
    def resolve_units(recall) -> int | None:
        return getattr(recall, "scope_units", None)

    @staticmethod
    def resolve_consignees(recall) -> int | None:
        return getattr(recall, "scope_consignees", None)


class RecallDeadlineOut(Schema):
    regime: str = Field(..., description="NMPA, FDA or EU")
    what: str
    rule: str
    period: str
    due: datetime | None = Field(..., description="None until the recall is approved")
    overdue: bool


class RecallDetailOut(RecallOut):
    reason: str
    hazard: str
    cancel_reason: str
    roots: list[str] = Field(..., description="Identifiers of the lots, units and cases")
    nonconformance: str | None = Field(None, alias="nonconformance.number")
    complaint: str | None = Field(None, alias="complaint.number")
    capa: str | None = Field(None, alias="capa.number")
    deadlines: list[RecallDeadlineOut]
    scope: RecallCountsOut | None = Field(None, description="The current scope's counts")
    allowed_actions: list[AllowedActionOut] = Field(
        [], description="The workflow actions the caller may take now"
    )

    @staticmethod
    def resolve_roots(recall) -> list[str]:
        return list(recall.roots.order_by("pk").values_list("identifier", flat=True))

    @staticmethod
    def resolve_deadlines(recall) -> list[dict]:
        return [
            {
                "regime": clock.deadline.regime,
                "what": str(clock.deadline.what),
                "rule": clock.deadline.rule,
                "period": str(clock.deadline.period),
                "due": clock.deadline.due,
                "overdue": clock.overdue,
            }
            for clock in selectors.clocks(recall)
        ]

    @staticmethod
    def resolve_scope(recall):
        return recall.current_scope()

    @staticmethod
    def resolve_allowed_actions(recall, context) -> list[dict]:
        return allowed_actions(RECALL, recall, context["request"].user)


class RecallEntryOut(Schema):
    object: str = Field(..., alias="object.identifier", description="The lot's or unit's")
    item: str = Field(..., alias="item.code")
    lot: str = Field(..., alias="lot.lot_number")
    serial: str
    place: Place
    site: str | None = Field(None, alias="location.site.code")
    location: str | None = Field(None, alias="location.path")
    consignee: str | None = Field(None, description="The party's identifier")
    consignee_name: str | None = None
    shipment: str | None = Field(None, alias="shipment.event_id", description="Its event ID")
    shipped_at: datetime | None = Field(None, alias="shipment.event_time")
    quantity: Decimal | None
    uom: str

    @staticmethod
    def resolve_consignee(entry) -> str | None:
        return entry.party.identifier if entry.party_id else None

    @staticmethod
    def resolve_consignee_name(entry) -> str | None:
        return party_name(entry.party) if entry.party_id else None


class RecallQuery(Schema):
    site: str | None = Field(None, description="Site code")
    status: RecallStatus | None = None
    drill: bool | None = Field(None, description="Only drills (true) or only recalls (false)")


class RecallEntryQuery(Schema):
    place: Place | None = None
    version: int | None = Field(None, description="A scope version; the current one if left out")


class RecallIn(Schema):
    site: str = Field(..., description="The responsible site's code")
    title: str
    reason: str
    hazard: str = ""
    nmpa_class: RecallClass | None = None
    fda_class: RecallClass | None = None
    eu_fsca: bool = False
    depth: Depth
    strategy: Strategy
    drill: bool = False
    drill_external_mail: bool = Field(False, description="A drill writes to the consignees")
    effectiveness: RecallEffectiveness = Field(
        RecallEffectiveness.A, description="Effectiveness-check level A-E (21 CFR 7.42(b)(3))"
    )
    effectiveness_share: int | None = Field(None, description="Percent verified, level B")
    codes: list[str] = Field([], description="Lots, units or cases: any scan, lot or serial")
    supplier: str | None = Field(None, description="A supplier's code, with supplier_lot")
    supplier_lot: str | None = Field(None, description="The supplier's lot number")
    item: str | None = Field(None, description="An item code or device identifier: its lots")
    made_from: date | None = Field(None, description="With item: lots manufactured from")
    made_to: date | None = Field(None, description="With item: lots manufactured until")
    nonconformance: str | None = Field(None, description="An NCR number")
    complaint: str | None = Field(None, description="A complaint number")
    capa: str | None = Field(None, description="A CAPA number")


class RescopeIn(Schema):
    reason: str
    add: list[str] = Field([], description="Codes of lots, units or cases to add as roots")
    remove: list[str] = Field([], description="Codes of roots to remove")


class RecallActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""


def _objects(request, codes: list[str], site: Site | None) -> list[TraceObject]:
    """The objects the codes name as the caller sees them; 404 when one names none, 409 when
    a bare number names several."""
    found = {}
    for code in codes:
        obj = resolve(request.user, code, site)
        found.setdefault(obj.pk, obj)
    return list(found.values())


def _supplier_lots(request, payload: RecallIn) -> list:
    if not payload.supplier and not payload.supplier_lot:
        return []
    if not (payload.supplier and payload.supplier_lot):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("A supplier's lot needs both the supplier and its lot number."),
            fields={"supplier_lot": [str(_("Give both the supplier and its lot number."))]},
        )
    supplier = partner_selectors.get_supplier_or_404(request.user, payload.supplier)
    ours = recalls.supplier_lots(request.user.organization, supplier, payload.supplier_lot)
    if not ours:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("No lot of ours was received as %(supplier)s's lot %(number)s.")
            % {"supplier": supplier.display_name, "number": payload.supplier_lot},
        )
    return ours


def _item_lots(request, payload: RecallIn) -> list:
    if not payload.item:
        if payload.made_from or payload.made_to:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("Name the item whose lots of the period are recalled."),
                fields={"item": [str(_("Required with a period."))]},
            )
        return []
    item = item_named(request.user, payload.item)
    if item is None:
        raise Http404
    return recalls.item_lots(request.user.organization, item, payload.made_from, payload.made_to)


def _numbered(queryset, number: str | None):
    if not number:
        return None
    record = queryset.filter(number__iexact=number.strip()).first()
    if record is None:
        raise Http404
    return record


def _listed(user):
    return selectors.with_scope_counts(selectors.visible_recalls(user))


@router.get("", response={200: list[RecallOut], **READ_ERRORS})
@paginate(Pages)
def list_recalls(request, filters: Query[RecallQuery]):
    records = _listed(request.user)
    if filters.site:
        records = records.filter(site__code=filters.site.upper())
    if filters.status is not None:
        records = records.filter(status=filters.status)
    if filters.drill is not None:
        records = records.filter(drill=filters.drill)
    return records


@router.post("", response={201: RecallDetailOut, **WRITE_ERRORS})
def open_recall(request, payload: RecallIn):
    """Open a draft recall (or drill) and compute its first scope. 404 when a code, the
    supplier, its lot or a linked record is not known to you; 422 without roots or a class."""
    # A site the caller may see but not open recalls at answers 403; one of no role, 404.
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=selectors.VIEW, code=payload.site.upper()
    )
    require_perm(request, ADD, site)
    roots = _objects(request, payload.codes, site)
    for lot in _supplier_lots(request, payload) + _item_lots(request, payload):
        if lot.pk not in {root.pk for root in roots}:
            roots.append(lot)
    user = request.user
    recall = recalls.open_recall(
        site=site,
        title=payload.title,
        reason=payload.reason,
        hazard=payload.hazard,
        nmpa_class=payload.nmpa_class or "",
        fda_class=payload.fda_class or "",
        eu_fsca=payload.eu_fsca,
        depth=payload.depth,
        strategy=payload.strategy,
        drill=payload.drill,
        drill_external_mail=payload.drill_external_mail,
        effectiveness=payload.effectiveness,
        effectiveness_share=payload.effectiveness_share,
        roots=roots,
        nonconformance=_numbered(
            ncr_selectors.visible_nonconformances(user), payload.nonconformance
        ),
        complaint=_numbered(complaint_selectors.visible_complaints(user), payload.complaint),
        capa=_numbered(capa_selectors.visible_capas(user), payload.capa),
        by=user,
    )
    return Status(201, selectors.get_recall_or_404(user, recall.pk))


@router.get("/{int:pk}", response={200: RecallDetailOut, **READ_ERRORS})
def get_recall(request, pk: int):
    return selectors.get_recall_or_404(request.user, pk)


@router.get("/{int:pk}/scopes", response={200: list[ScopeOut], **READ_ERRORS})
def list_scopes(request, pk: int):
    """Every version of the scope, newest first, each with what it added and removed."""
    return selectors.snapshots(selectors.get_recall_or_404(request.user, pk))


@router.get("/{int:pk}/scope", response={200: list[RecallEntryOut], **READ_ERRORS})
@paginate(Pages)
def list_scope_entries(request, pk: int, filters: Query[RecallEntryQuery]):
    """The affected lots and units by place: in our stock or on a line (site and location),
    or at a consignee (with the shipping event)."""
    recall = selectors.get_recall_or_404(request.user, pk)
    scopes = ScopeSnapshot.objects.filter(recall=recall)
    snapshot = (
        scopes.filter(version=filters.version).first()
        if filters.version is not None
        else scopes.order_by("-version").first()
    )
    if snapshot is None:
        raise Http404
    rows = selectors.entries(snapshot, filters.place)
    return rows if filters.place else rows.order_by("place", "pk")


@router.post("/{int:pk}/rescope", response={201: ScopeOut, **WRITE_ERRORS})
def rescope(request, pk: int, payload: RescopeIn):
    """Widen (`add`) or narrow (`remove`) the roots with a reason: a new scope version (201).
    An approved recall holds what the wider scope adds to our stock. 422 when a code to
    remove is not a root."""
    recall = selectors.get_recall_or_404(request.user, pk)
    require_perm(request, CHANGE, recall)
    add = _objects(request, payload.add, recall.site)
    remove = _objects(request, payload.remove, recall.site)
    snapshot = recalls.rescope(recall, by=request.user, reason=payload.reason, add=add,
                               remove=remove)  # fmt: skip
    return Status(201, ScopeSnapshot.objects.select_related("computed_by").get(pk=snapshot.pk))


ACTIONS = {
    "approve": lambda recall, user, body: recalls.approve(
        recall, by=user, password=body.password, reason=body.reason
    ),
    "close": lambda recall, user, body: recalls.close(
        recall, by=user, password=body.password, reason=body.reason
    ),
    "cancel": lambda recall, user, body: recalls.cancel(recall, by=user, reason=body.reason),
}


@router.post("/{int:pk}/actions/{name}", response={200: RecallDetailOut, **WRITE_ERRORS})
def take_action(request, pk: int, name: str, payload: RecallActionIn):
    """Take a workflow action: approve (signature: approved; every affected lot and unit in
    our stock goes to status recalled, a drill holds nothing), close (signature: verified),
    cancel a draft (reason required). 409 when the recall's status does not allow it, 403
    without the permission or when the signature is refused."""
    recall: Recall = selectors.get_recall_or_404(request.user, pk)
    transition = RECALL.transition(name)
    require_perm(request, transition.permission, recall)
    ACTIONS[transition.name](recall, request.user, payload)
    return selectors.get_recall_or_404(request.user, pk)


from .recovery_api import router as recovery_router  # noqa: E402  (recovery, drill timing)

router.add_router("", recovery_router)
router.add_router("", "medtrace.recall.report_api.router")
