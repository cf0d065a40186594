"""How the trace pages say things: CBV business steps and dispositions in the reader's
language, a status badge coloured by what the disposition means for use, an event's time in
the zone it happened in, and a short name for a lot, unit, container or party."""

from datetime import UTC, datetime, timedelta, timezone

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from medtrace.epcis import cbv

register = template.Library()

BIZ_STEPS = {
    "accepting": _("accepting"),
    "arriving": _("arriving"),
    "assembling": _("assembling"),
    "collecting": _("collecting"),
    "commissioning": _("commissioning"),
    "consigning": _("consigning"),
    "creating_class_instance": _("creating class instance"),
    "cycle_counting": _("cycle counting"),
    "decommissioning": _("decommissioning"),
    "departing": _("departing"),
    "destroying": _("destroying"),
    "disassembling": _("disassembling"),
    "dispensing": _("dispensing"),
    "encoding": _("encoding"),
    "entering_exiting": _("entering or exiting"),
    "holding": _("holding"),
    "inspecting": _("inspecting"),
    "installing": _("installing"),
    "killing": _("killing"),
    "loading": _("loading"),
    "other": _("other"),
    "packing": _("packing"),
    "picking": _("picking"),
    "receiving": _("receiving"),
    "removing": _("removing"),
    "repackaging": _("repackaging"),
    "repairing": _("repairing"),
    "replacing": _("replacing"),
    "reserving": _("reserving"),
    "retail_selling": _("retail selling"),
    "sampling": _("sampling"),
    "sensor_reporting": _("sensor reporting"),
    "shipping": _("shipping"),
    "staging_outbound": _("staging outbound"),
    "stock_taking": _("stock taking"),
    "stocking": _("stocking"),
    "storing": _("storing"),
    "transporting": _("transporting"),
    "unloading": _("unloading"),
    "unpacking": _("unpacking"),
    "void_shipping": _("void shipping"),
}

DISPOSITIONS = {
    "active": _("active"),
    "available": _("available"),
    "completeness_inferred": _("completeness inferred"),
    "completeness_verified": _("completeness verified"),
    "conformant": _("conformant"),
    "container_closed": _("container closed"),
    "container_open": _("container open"),
    "damaged": _("damaged"),
    "destroyed": _("destroyed"),
    "dispensed": _("dispensed"),
    "disposed": _("disposed"),
    "encoded": _("encoded"),
    "expired": _("expired"),
    "in_progress": _("in progress"),
    "in_transit": _("in transit"),
    "inactive": _("inactive"),
    "mismatch_class": _("mismatch (class)"),
    "mismatch_instance": _("mismatch (instance)"),
    "mismatch_quantity": _("mismatch (quantity)"),
    "needs_replacement": _("needs replacement"),
    "no_pedigree_match": _("no pedigree match"),
    "non_conformant": _("nonconforming"),
    "non_sellable_other": _("not sellable"),
    "partially_dispensed": _("partially dispensed"),
    "recalled": _("recalled"),
    "reserved": _("reserved"),
    "retail_sold": _("sold"),
    "returned": _("returned"),
    "sellable_accessible": _("sellable"),
    "sellable_not_accessible": _("sellable, not accessible"),
    "stolen": _("stolen"),
    "unavailable": _("unavailable"),
    "unknown": _("unknown"),
}

ERROR_REASONS = {
    "did_not_occur": _("did not occur"),
    "incorrect_data": _("incorrect data"),
}

# What a disposition means for using or shipping the goods: ok (green), warn (amber), bad (red).
BAD = frozenset(
    {
        "damaged",
        "destroyed",
        "disposed",
        "expired",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "recalled",
        "stolen",
    }
)
WARN = frozenset(
    {
        "container_open",
        "inactive",
        "non_sellable_other",
        "returned",
        "sellable_not_accessible",
        "unavailable",
        "unknown",
    }
)
OK = frozenset(
    {
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "dispensed",
        "encoded",
        "in_transit",
        "partially_dispensed",
        "retail_sold",
        "sellable_accessible",
    }
)


def _named(value, vocabulary: cbv.Vocabulary, labels: dict) -> str:
    if not value:
        return ""
    bare = vocabulary.bare(value)
    return str(labels.get(bare, bare))


@register.filter
def biz_step_label(value) -> str:
    return _named(value, cbv.BIZ_STEP, BIZ_STEPS)


@register.filter
def disposition_label(value) -> str:
    return _named(value, cbv.DISPOSITION, DISPOSITIONS)


@register.filter
def error_reason_label(value) -> str:
    return _named(value, cbv.ERROR_REASON, ERROR_REASONS)


@register.filter
def status_class(value) -> str:
    bare = cbv.DISPOSITION.bare(value) if value else ""
    if bare in BAD:
        return "bad"
    if bare in WARN:
        return "warn"
    if bare in OK:
        return "ok"
    return ""


@register.simple_tag
def status_badge(value):
    """The disposition as a badge; “no status” when no event has given one."""
    if not value:
        return format_html('<span class="badge">{}</span>', _("no status"))
    return format_html(
        '<span class="badge {}">{}</span>', status_class(value), disposition_label(value)
    )


def zone_of(offset: str) -> timezone:
    """A fixed zone from an EPCIS offset ("+08:00", "-05:30", "Z"); UTC when unreadable."""
    text = (offset or "").strip()
    if text in ("", "Z", "z"):
        return UTC
    sign = -1 if text.startswith("-") else 1
    hours, _sep, minutes = text.lstrip("+-").partition(":")
    try:
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
    except ValueError:
        return UTC


def in_event_zone(moment: datetime, offset: str) -> str:
    """`moment` as the clock read where the event happened, with that zone's offset."""
    local = moment.astimezone(zone_of(offset))
    return f"{local:%Y-%m-%d %H:%M:%S} {offset or '+00:00'}"


@register.filter
def event_time(event) -> str:
    return in_event_zone(event.event_time, event.event_time_zone_offset)


@register.filter
def trace_label(obj) -> str:
    """A short name: item and lot number, item and serial, SSCC or container code."""
    return object_label(obj)


def object_label(obj) -> str:
    item = getattr(obj, "item", None)
    if hasattr(obj, "lot_number"):
        return f"{item.code} · {_('Lot')} {obj.lot_number}"
    if hasattr(obj, "serial"):
        return f"{item.code} · {_('SN')} {obj.serial}"
    if getattr(obj, "sscc", ""):
        return f"{_('SSCC')} {obj.sscc}"
    return str(obj)


def party_name(party) -> str:
    """Our customer's or supplier's name when the party is one of them, else the name the
    party came with, else its identifier (a GLN's Digital Link)."""
    if party.customer_id:
        return party.customer.display_name
    if party.supplier_id:
        return party.supplier.display_name
    return party.name or party.identifier


def party_url(party) -> str | None:
    if party.customer_id:
        return reverse("partners:customer-detail", args=[party.customer.code])
    if party.supplier_id:
        return reverse("partners:supplier-detail", args=[party.supplier.code])
    return None
