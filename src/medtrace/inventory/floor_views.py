"""The warehouse floor's scan screens (phone or handheld): put away, transfer, issue to
production, and the printable location labels.

A task takes two or three scans: what moves (a lot, a unit, an SSCC case), the location it
leaves when several hold it, and the destination; an optional quantity rides with the
destination scan. What has been scanned so far is kept in the session per task, so a queue
of scans made offline and sent in order later (core/_scan_station.html) replays the same
dialogue. A scan whose key already moved stock is answered like the first time (the key is
recorded once: inventory.services.moves)."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from medtrace.core import scanning
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.labels import symbols
from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location, Site
from medtrace.trace.models import TraceEvent, TraceObject
from medtrace.trace.selectors import find_one

from . import location_codes
from .models import Stock
from .services import floor, moves
from .services.floor import Task

MOVE = "inventory.add_stockmove"
VIEW = "inventory.view_stock"
MOVED_EVENT = "floor-moved"
RECENT = 8

PROMPTS = {
    Task.PUTAWAY: gettext_lazy("Scan the lot, unit or case to put away."),
    Task.TRANSFER: gettext_lazy("Scan the lot, unit or case to move."),
    Task.ISSUE: gettext_lazy("Scan the lot to issue to production."),
}


@dataclass(frozen=True)
class FloorTask:
    """A big button on the floor page."""

    url_name: str
    args: tuple
    label: Promise
    help: Promise
    perm: str


# The floor's tasks, in the order of the buttons: receiving and picking open their apps'
# lists (an expected receipt, a released order), whose screens are scan stations too.
TASKS: list[FloorTask] = [
    FloorTask(
        "purchasing:expected", (), gettext_lazy("Receive"),
        gettext_lazy("Open an expected receipt and scan the supplier's label."),
        "purchasing.add_receipt",
    ),
    *(
        FloorTask("inventory:floor-station", (task.value,), task.label, PROMPTS[task], MOVE)
        for task in (Task.PUTAWAY, Task.TRANSFER, Task.ISSUE)
    ),
    FloorTask(
        "shipping:order-list", (), gettext_lazy("Pick and pack"),
        gettext_lazy("Open a released order and scan what you pick."),
        "shipping.pick_shipmentorder",
    ),
    FloorTask(
        "production:floor", (), gettext_lazy("Production"),
        gettext_lazy("Open a work order: scan components, perform its operations, record output."),
        "production.execute_workorder",
    ),
]  # fmt: skip


def _task(name: str) -> Task:
    try:
        return Task(name)
    except ValueError:
        raise Http404 from None


def _sites(user):
    return Site.objects.filter(pk__in=access.site_ids_with_perm(user, MOVE)).order_by("code")


def _site(request) -> Site | None:
    """The site the clerk works at: the header's site, or their only one."""
    if request.site is not None:
        return request.site if request.user.has_perm(MOVE, request.site) else None
    sites = list(_sites(request.user)[:2])
    return sites[0] if len(sites) == 1 else None


def _home_site(request, tasks) -> Site | None:
    """The site the floor page names: the clerk's (_site), or for someone who moves no stock
    the header's site or their only site with a floor task."""
    if request.user.has_perm(MOVE):
        return _site(request)
    if request.site is not None:
        return request.site
    ids = set().union(*(access.site_ids_with_perm(request.user, task.perm) for task in tasks))
    return Site.objects.get(pk=ids.pop()) if len(ids) == 1 else None


def floor_home(request):
    """The floor's big buttons: the tasks the user's roles allow (an operator sees only
    production's)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    tasks = [task for task in TASKS if request.user.has_perm(task.perm)]
    if not tasks:
        raise PermissionDenied
    buttons = [
        {"url": reverse(task.url_name, args=task.args), "label": task.label, "help": task.help}
        for task in tasks
    ]
    return render(
        request,
        "inventory/floor/home.html",
        {
            "buttons": buttons,
            "site": _home_site(request, tasks),
            "can_label": request.user.has_perm("org.view_location"),
        },
    )


@perm_required(MOVE)
def station(request, task: str, *, feedback: str = ""):
    task = _task(task)
    site = _site(request)
    return render(
        request,
        "inventory/floor/station.html",
        {
            "task": task,
            "site": site,
            "prompt": PROMPTS[task],
            "pending": _pending_view(request, task, site),
            "recent": _recent(request.user, site),
            "moved_event": MOVED_EVENT,
            "feedback": mark_safe(feedback),  # nosec B308 B703 # our own autoescaped fragment
        },
    )


@perm_required(MOVE)
def panel(request, task: str):
    """The pending scan and the clerk's last moves (refreshed after each scan)."""
    task = _task(task)
    site = _site(request)
    return render(
        request,
        "inventory/floor/_panel.html",
        {
            "task": task,
            "site": site,
            "pending": _pending_view(request, task, site),
            "recent": _recent(request.user, site),
        },
    )


@require_POST
@perm_required(MOVE)
def scan(request, task: str):
    """One scan: the feedback fragment for the station's script; a plain form post (no
    script on the device) gets the whole page with the feedback in place."""
    task = _task(task)
    try:
        answer = _scan(request, task)
    except DomainError as error:
        answer = scanning.feedback(
            request, ok=False, message=error.message, detail=_fields_detail(error),
            trigger=MOVED_EVENT,
        )  # fmt: skip
    if request.headers.get("X-Scan-Station"):
        return answer
    return station(request, task.value, feedback=answer.content.decode())


def _scan(request, task: Task):
    code, key, at = scanning.scan_fields(request)
    site = _site(request)
    if site is None:
        raise DomainError(
            ErrorCode.SITE_NOT_ALLOWED, _("Choose the site you work at in the header first.")
        )
    if not code:
        raise DomainError(ErrorCode.VALIDATION, _("Nothing was scanned."))
    earlier = moves.already_recorded(site.organization, key)
    if earlier is not None:
        return _moved(request, task, earlier)
    location = location_codes.find_location(request.user, code)
    if location is None:
        return _object_scanned(request, task, site, code, at)
    pending = _pending(request, task, site)
    if pending is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(location)s is a location: scan the lot, unit or case first.")
            % {"location": location.path},
        )
    obj, source = pending
    if source is None:
        floor.source_for(obj, site, location)
        _remember(request, task, site, obj, location)
        return scanning.feedback(
            request,
            ok=True,
            message=_("Taking %(object)s from %(location)s.")
            % {"object": floor.name_of(obj), "location": location.path},
            next_prompt=_("Scan the destination."),
            trigger=MOVED_EVENT,
        )
    event = floor.execute(
        task,
        site=site,
        obj=obj,
        source=source,
        destination=location,
        quantity=request.POST.get("quantity", ""),
        by=request.user,
        key=key,
        at=at,
    )
    _forget(request, task)
    return _moved(request, task, event)


def _object_scanned(request, task: Task, site: Site, code: str, at):
    obj = find_one(request.user, code)
    floor.check_object(task, obj, site, at=at)
    held = floor.holdings(obj, site)
    if not held:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(object)s has no stock at site %(site)s.")
            % {"object": floor.name_of(obj), "site": site.code},
        )
    places = ", ".join(str(each) for each in held)
    if len(held) == 1:
        _remember(request, task, site, obj, held[0].location)
        return scanning.feedback(
            request,
            ok=True,
            message=_("%(object)s at %(places)s.")
            % {"object": floor.name_of(obj), "places": places},
            next_prompt=_("Enter a quantity (empty: all of it), then scan the destination.")
            if obj.kind == "lot"
            else _("Scan the destination."),
            trigger=MOVED_EVENT,
        )
    _remember(request, task, site, obj, None)
    return scanning.feedback(
        request,
        ok=True,
        message=_("%(object)s is at %(places)s.")
        % {"object": floor.name_of(obj), "places": places},
        next_prompt=_("Scan the location you take it from."),
        trigger=MOVED_EVENT,
    )


def _moved(request, task: Task, event: TraceEvent):
    lines = list(event.stock_moves.select_related("location", "object"))
    arrived = [line for line in lines if line.quantity > 0]
    left = [line for line in lines if line.quantity < 0]
    amount = " + ".join(
        f"{plain(sum(line.quantity for line in arrived if line.uom == uom))} {uom}"
        for uom in sorted({line.uom for line in arrived})
    )
    source = left[0].location.path if left else "—"
    destination = arrived[0].location.path if arrived else "—"
    verb = _("Issued") if task == Task.ISSUE else _("Moved")
    message = _("%(verb)s %(amount)s from %(source)s to %(destination)s.") % {
        "verb": verb,
        "amount": amount,
        "source": source,
        "destination": destination,
    }
    return scanning.feedback(
        request,
        ok=True,
        message=message,
        detail=_stock_after(lines),
        next_prompt=PROMPTS[task],
        trigger=MOVED_EVENT,
        complete=True,
    )


def _stock_after(lines) -> str:
    """ "Now: RCV 15 KG · WH/WH-A01 10 KG": what the moved goods left and reached."""
    objects = {line.object_id for line in lines}
    places = []
    for line in lines:
        if line.location not in places:
            places.append(line.location)
    parts = []
    for location in places:
        rows = Stock.objects.filter(location=location, object_id__in=objects)
        totals: dict[str, Decimal] = {}
        for row in rows:
            totals[row.uom] = totals.get(row.uom, Decimal(0)) + row.quantity
        amount = " + ".join(f"{plain(total)} {uom}" for uom, total in sorted(totals.items()))
        parts.append(f"{location.path} {amount or '0 ' + lines[0].uom}")
    return _("Now: %(places)s") % {"places": " · ".join(parts)}


def _fields_detail(error: DomainError) -> str:
    fields = error.details.get("fields") or {}
    return " ".join(str(message) for messages in fields.values() for message in messages)


# --- the dialogue's state ------------------------------------------------------------------


def _key(task: Task) -> str:
    return f"medtrace.floor.{task.value}"


def _remember(request, task: Task, site: Site, obj: TraceObject, source: Location | None):
    request.session[_key(task)] = {
        "site": site.pk,
        "object": obj.pk,
        "source": source.pk if source is not None else None,
    }


def _forget(request, task: Task):
    request.session.pop(_key(task), None)


def _pending(request, task: Task, site: Site | None):
    state = request.session.get(_key(task))
    if not state or site is None or state.get("site") != site.pk:
        return None
    obj = TraceObject.objects.filter(pk=state["object"], organization=site.organization).first()
    if obj is None:
        return None
    source = None
    if state.get("source"):
        source = Location.objects.filter(pk=state["source"], site=site).first()
    return obj, source


def _pending_view(request, task: Task, site: Site | None) -> dict | None:
    pending = _pending(request, task, site)
    if pending is None:
        return None
    obj, source = pending
    return {"object": floor.name_of(obj), "source": source.path if source else ""}


def _recent(user, site: Site | None) -> list[TraceEvent]:
    if site is None:
        return []
    events = (
        TraceEvent.objects.filter(site=site, recorded_by=user, stock_moves__isnull=False)
        .distinct()
        .order_by("-record_time", "-pk")[:RECENT]
    )
    events = list(
        events.prefetch_related("stock_moves__location", "stock_moves__item", "stock_moves__lot")
    )
    for event in events:
        lines = list(event.stock_moves.all())
        event.arrived = [line for line in lines if line.quantity > 0]
        event.left = [line for line in lines if line.quantity < 0]
        # What moved: the arrivals, or what left for no location of ours (a shipment).
        event.goods = [(line, abs(line.quantity)) for line in event.arrived or event.left]
    return events


# --- location labels -----------------------------------------------------------------------


@perm_required("org.view_location")
def location_labels(request):
    """Printable bin labels (QR and Code 128 of LOC:<site>:<code>) for the current site's
    locations, or the ones asked for (?code=A-01&code=A-02), or of one kind (?kind=stock)."""
    site = request.site
    sites = access.visible_sites(request.user).order_by("code")
    if site is None:
        only = list(sites[:2])
        site = only[0] if len(only) == 1 else None
    locations = []
    if site is not None:
        rows = Location.objects.filter(site=site, is_active=True).select_related("site")
        codes = [code.strip().upper() for code in request.GET.getlist("code") if code.strip()]
        if codes:
            rows = rows.filter(code__in=codes)
        kind = request.GET.get("kind", "")
        if kind in LocationKind.values:
            rows = rows.filter(kind=kind)
        for location in rows.order_by("path")[:200]:
            text = location_codes.label_text(location)
            locations.append(
                {
                    "location": location,
                    "text": text,
                    "qr": symbols.qr_code(text).svg(x_mm=0.8),
                    "linear": symbols.code_128(text).svg(x_mm=0.33, height_mm=12),
                }
            )
    return render(
        request,
        "inventory/floor/location_labels.html",
        {"site": site, "labels": locations, "kinds": LocationKind.choices},
    )
