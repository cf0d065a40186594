"""The scan-to-trace pages: the scan box with the latest events, the page of each lot, unit
and container (status, where it is, its timeline of events), the forward and backward trace
panels (loaded by htmx, or whole pages without it), the genealogy graph's JSON, and the
trace exported as CSV or PDF (each export audited). Reads only: every query is scoped by
trace.selectors and every trace comes from the one engine."""

import csv
import io
from collections import Counter, defaultdict

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from medtrace.core.csv_export import BOM
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.paging import paginate
from medtrace.core.pdf import pdf_response, render_pdf
from medtrace.exchange.cells import escape
from medtrace.org.models import Site
from medtrace.trace import engine, graph, selectors
from medtrace.trace.choices import ObjectKind, ObjectRole
from medtrace.trace.forms import ScanForm, TraceOptionsForm
from medtrace.trace.models import (
    Container,
    Containment,
    EventObject,
    Lot,
    Party,
    TraceObject,
    Unit,
)
from medtrace.trace.services import exports
from medtrace.trace.templatetags.trace_tags import (
    biz_step_label,
    disposition_label,
    in_event_zone,
    party_name,
    party_url,
)

VIEW = "trace.view_traceobject"
VIEW_EVENTS = "trace.view_traceevent"
LATEST_EVENTS = 20
TIMELINE_PER_PAGE = 25
CONTENTS_SHOWN = 100
TABLE_ROWS = 500  # rows of each table on the page; the exports hold every row
CHUNK = 900  # ids per IN (...) list, under SQLite's variable limit

CONCRETE = {
    ObjectKind.LOT: (Lot, ("item", "site", "location", "supplier")),
    ObjectKind.UNIT: (Unit, ("item", "site", "location", "lot")),
    ObjectKind.CONTAINER: (Container, ("site", "location")),
}
EVENT_RELATED = (
    "site",
    "location",
    "recorded_by",
    "declaration",
    "declaration__recorded_by",
)


def _visible_object_or_404(user, pk: int):
    """The lot, unit or container `pk` as its own model, or 404 when the user may not see
    it (another organization, a site without the trace permission)."""
    kind = (
        selectors.visible(TraceObject.objects.filter(pk=pk), user)
        .values_list("kind", flat=True)
        .first()
    )
    if kind is None:
        raise Http404
    model, related = CONCRETE[kind]
    return model.objects.select_related(*related).get(pk=pk)


def _concrete(user, ids) -> dict[int, TraceObject]:
    """The visible objects among `ids`, each as its lot, unit or container (three queries
    whatever the count)."""
    ids = sorted(set(ids))
    found = {}
    for model, related in CONCRETE.values():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = selectors.visible(model.objects.filter(pk__in=chunk), user)
            found.update((obj.pk, obj) for obj in rows.select_related(*related))
    return found


def _with_parties(events, organization_id) -> list:
    """Each event with `.party_rows`: (direction, name, identifier, url) for the sources and
    destinations it names (read from the event as captured, one query for their names)."""
    named = {}
    for event in events:
        rows = []
        for member, key, label in (
            ("sourceList", "source", _("from")),
            ("destinationList", "destination", _("to")),
        ):
            for entry in event.document.get(member) or ():
                if entry.get(key):
                    rows.append((label, entry[key]))
        named[event.pk] = rows
    identifiers = {identifier for rows in named.values() for _label, identifier in rows}
    parties = {}
    if identifiers:
        parties = {
            party.identifier: party
            for party in Party.objects.filter(
                organization_id=organization_id, identifier__in=identifiers
            ).select_related("customer", "supplier")
        }
    for event in events:
        event.party_rows = []
        for label, identifier in named[event.pk]:
            party = parties.get(identifier)
            event.party_rows.append(
                (
                    label,
                    party_name(party) if party else identifier,
                    identifier,
                    party_url(party) if party else None,
                )
            )
    return events


@perm_required(VIEW)
def scan(request):
    """The scan box: one object named → its page; several → a list to choose from; none →
    the rule, with the code left in the box."""
    form = ScanForm(request.GET or None)
    code = form.cleaned_data["q"] if form.is_valid() else ""
    problem, candidates = None, []
    if code:
        try:
            found = selectors.find_one(request.user, code)
        except DomainError as error:
            problem = error.message
            if error.code == ErrorCode.CONFLICT:
                named = selectors.find(request.user, code)
                concrete = _concrete(request.user, [obj.pk for obj in named])
                candidates = [concrete[obj.pk] for obj in named if obj.pk in concrete]
        else:
            return redirect("trace:object", found.pk)
    events = []
    if request.user.has_perm(VIEW_EVENTS):
        events = _with_parties(_latest_events(request.user), request.user.organization_id)
        named = _concrete(request.user, [e.first_object_id for e in events if e.first_object_id])
        for event in events:
            event.first_object = named.get(event.first_object_id)
    return render(
        request,
        "trace/scan.html",
        {"form": form, "problem": problem, "candidates": candidates, "events": events},
    )


def _latest_events(user) -> list:
    touched = EventObject.objects.filter(event=OuterRef("pk"))
    first = touched.order_by("pk")
    count = touched.values("event").annotate(count=Count("pk")).values("count")
    return list(
        selectors.visible_events(user)
        .filter(declares__isnull=True)
        .select_related(*EVENT_RELATED)
        .annotate(
            object_count=Subquery(count),
            first_object_id=Subquery(first.values("object_id")[:1]),
            first_identifier=Subquery(first.values("identifier")[:1]),
        )
        .order_by("-event_time", "-pk")[:LATEST_EVENTS]
    )


@perm_required(VIEW)
def object_detail(request, pk: int):
    obj = _visible_object_or_404(request.user, pk)
    watched = [obj.pk]
    if obj.kind == ObjectKind.UNIT and obj.lot_id:
        watched.append(obj.lot_id)  # a lot-level event is an event of each of its units
    context = {
        "obj": obj,
        "timeline": _timeline(request, watched),
        "inside": _inside(request.user, obj),
        "contents": [],
        "content_count": 0,
        "unit_count": obj.units.count() if obj.kind == ObjectKind.LOT else None,
        # the object's times in its site's zone (the events carry their own offsets)
        "zone": obj.site.time_zone if obj.site_id else timezone.get_current_timezone_name(),
    }
    if obj.kind == ObjectKind.CONTAINER:
        context["contents"], context["content_count"] = _contents(request.user, obj)
    return render(request, "trace/object_detail.html", context)


def _timeline(request, watched: list[int]):
    """The events that touched the object (or its lot), newest first, a page at a time; each
    with `.roles` (how it touched the object) and `.party_rows`."""
    touching = EventObject.objects.filter(object_id__in=watched).values("event_id")
    events = (
        selectors.visible_events(request.user)
        .filter(pk__in=touching, declares__isnull=True)
        .select_related(*EVENT_RELATED)
        .order_by("-event_time", "-pk")
    )
    page = paginate(request, events, TIMELINE_PER_PAGE)
    listed = list(page.object_list)
    roles = defaultdict(list)
    rows = EventObject.objects.filter(
        event_id__in=[event.pk for event in listed], object_id__in=watched
    ).values_list("event_id", "object_id", "role", "quantity", "uom")
    for event_id, object_id, role, quantity, uom in rows:
        roles[event_id].append(
            {
                "role": ObjectRole(role).label,
                "lot_level": object_id != watched[0],
                "quantity": quantity,
                "uom": uom,
            }
        )
    for event in listed:
        event.roles = roles[event.pk]
    page.object_list = _with_parties(listed, request.user.organization_id)
    return page


def _inside(user, obj) -> list:
    """The containers the object is in now (its open containment as content)."""
    open_rows = Containment.objects.filter(content_id=obj.pk, valid_to__isnull=True)
    held = list(open_rows.values_list("container_id", "valid_from"))
    found = _concrete(user, [container for container, _since in held]) if held else {}
    return [(found[container], since) for container, since in held if container in found]


def _contents(user, container) -> tuple[list, int]:
    """What the container holds now (nearest first, up to CONTENTS_SHOWN), and how many."""
    open_rows = Containment.objects.filter(container_id=container.pk, valid_to__isnull=True)
    count = open_rows.count()
    held = list(open_rows.order_by("valid_from", "pk").values_list("content_id", "valid_from"))
    held = held[:CONTENTS_SHOWN]
    found = _concrete(user, [content for content, _since in held]) if held else {}
    return [(found[content], since) for content, since in held if content in found], count


# --- the trace: panels, graph, exports -----------------------------------------------------


def _options_form(request) -> TraceOptionsForm:
    given = any(request.GET.get(name) for name in ("max_depth", "as_of"))
    return TraceOptionsForm(request.GET if given else None)


def _run(request, obj, direction: str, form: TraceOptionsForm):
    """The engine's trace as the user may see it, or None when the options are refused."""
    if form.is_bound and not form.is_valid():
        return None
    result = engine.trace(obj, direction, **form.options())
    return selectors.visible_result(result, request.user)


def _by_status(objects) -> list[tuple[str, int]]:
    counts = Counter(obj.disposition for obj in objects)
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def _party_rows(result) -> list[dict]:
    """The consignees (forward) or sources (backward), with the shipping or receiving events
    that name them, in time order."""
    if not result.parties:
        return []
    parties = Party.objects.filter(pk__in=[party.pk for party in result.parties])
    parties = {party.pk: party for party in parties.select_related("customer", "supplier")}
    events = defaultdict(list)
    for event in result.shipments:
        for party in event.parties:
            events[party.pk].append(event)
    rows = []
    for party in result.parties:
        party = parties[party.pk]
        rows.append(
            {
                "party": party,
                "name": party_name(party),
                "url": party_url(party),
                "events": events[party.pk],
            }
        )
    return rows


def _trace_context(request, obj, direction: str) -> dict:
    form = _options_form(request)
    result = _run(request, obj, direction, form)
    query = form.query()
    context = {
        "obj": obj,
        "direction": direction,
        "form": form,
        "result": result,
        "options": query,
        "options_query": f"?{query}" if query else "",
        "table_rows": TABLE_ROWS,
        "graph_nodes": graph.GRAPH_NODES,
        "graph_column": graph.COLUMN_NODES,
    }
    if result is not None:
        context |= {
            "lot_statuses": _by_status(result.lots),
            "unit_statuses": _by_status(result.units),
            "lots": result.lots[:TABLE_ROWS],
            "units": result.units[:TABLE_ROWS],
            "containers": result.containers[:TABLE_ROWS],
            "party_rows": _party_rows(result),
        }
    return context


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def trace_panel(request, pk: int, direction: str):
    """Forward or backward from the object: the panel (htmx) or a page of its own."""
    obj = _visible_object_or_404(request.user, pk)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "trace/_trace_panel.html" if fragment else "trace/trace_page.html"
    return render(request, template, _trace_context(request, obj, direction))


@perm_required(VIEW)
def graph_json(request, pk: int):
    """The genealogy graph of a trace for the page's chart (see trace.graph)."""
    obj = _visible_object_or_404(request.user, pk)
    direction = request.GET.get("direction", engine.FORWARD)
    if direction not in (engine.FORWARD, engine.BACKWARD):
        return JsonResponse({"error": _("The direction is forward or backward.")}, status=400)
    form = _options_form(request)
    result = _run(request, obj, direction, form)
    if result is None:
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    return JsonResponse(graph.build(obj, result, as_of=form.options().get("as_of")))


def _export_result(request, pk: int, direction: str):
    obj = _visible_object_or_404(request.user, pk)
    form = _options_form(request)
    return obj, form, _run(request, obj, direction, form)


def _audit_export(request, obj, direction, form, result, fmt: str, size: int) -> None:
    exports.record_export(
        obj,
        by=request.user,
        direction=direction,
        fmt=fmt,
        options=form.options(),
        result=result,
        size=size,
    )


def _filename(obj, direction: str, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"trace-{direction}-{obj.kind}-{obj.pk}-{stamp}.{extension}"


@perm_required(VIEW)
def trace_csv(request, pk: int, direction: str):
    """The trace's tables as one CSV (a row per object, consignment and shipment)."""
    obj, form, result = _export_result(request, pk, direction)
    if result is None:
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    text = BOM + _csv_text(obj, result)
    body = text.encode("utf-8")
    _audit_export(request, obj, direction, form, result, "csv", len(body))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(obj, direction, "csv")}"'
    return response


def _csv_text(root, result) -> str:
    site_ids = {obj.site_id for obj in (root, *result.lots, *result.units, *result.containers)}
    sites = Site.objects.in_bulk([pk for pk in site_ids if pk])
    kinds = dict(ObjectKind.choices)

    def object_row(relation: str, obj) -> list:
        item = getattr(obj, "item", None)
        expires = getattr(obj, "expires_on", None)
        return [
            relation,
            str(kinds[obj.kind]),
            obj.identifier,
            item.code if item else "",
            getattr(obj, "lot_number", "")
            or (obj.lot.lot_number if getattr(obj, "lot", None) else ""),
            getattr(obj, "serial", ""),
            getattr(obj, "sscc", ""),
            disposition_label(obj.disposition),
            expires.isoformat() if expires else "",
            sites[obj.site_id].code if obj.site_id in sites else "",
            "",
            "",
            "",
            "",
        ]

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Relation"),
            _("Kind"),
            _("Identifier"),
            _("Item"),
            _("Lot number"),
            _("Serial number"),
            _("SSCC"),
            _("Status"),
            _("Expires on"),
            _("Site"),
            _("Party"),
            _("Party identifier"),
            _("Event time"),
            _("Business step"),
        ]
    )
    rows = [object_row(_("traced object"), root)]
    rows += [object_row(_("lot"), lot) for lot in result.lots]
    rows += [object_row(_("unit"), unit) for unit in result.units]
    rows += [object_row(_("container"), container) for container in result.containers]
    role = _("destination") if result.direction == engine.FORWARD else _("source")
    for row in _party_rows(result):
        for event in row["events"] or [None]:
            when = in_event_zone(event.event_time, event.event_time_zone_offset) if event else ""
            step = biz_step_label(event.biz_step) if event else ""
            blank = [""] * 8
            rows.append(
                [role, _("Party"), *blank, row["name"], row["party"].identifier, when, step]
            )
    for row in rows:
        writer.writerow([escape(str(cell)) for cell in row])
    return buffer.getvalue()


def _lot_number(obj) -> str:
    if obj.kind == ObjectKind.LOT:
        return obj.lot_number
    if obj.kind == ObjectKind.UNIT and obj.lot_id:
        return obj.lot.lot_number
    return ""


@perm_required(VIEW)
def trace_pdf(request, pk: int, direction: str):
    """The trace as a printable PDF (the same tables, every row)."""
    obj, form, result = _export_result(request, pk, direction)
    if result is None:
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    context = {
        "obj": obj,
        "direction": direction,
        "result": result,
        "options": form.options(),
        "lot_statuses": _by_status(result.lots),
        "unit_statuses": _by_status(result.units),
        "party_rows": _party_rows(result),
        "organization": request.user.organization,
        "printed_at": timezone.now(),
    }
    pdf = render_pdf("trace/trace_pdf.html", context, request=request)
    _audit_export(request, obj, direction, form, result, "pdf", len(pdf))
    return pdf_response(pdf, _filename(obj, direction, "pdf"))
