"""Reading the catalog: what a user may see (their own organization's items, nothing of any
other), the search, the scan-box lookup, the packaging tree and a DI's version history.

The catalog is organization-wide master data, not owned by a site: a user who may view items
at any of their sites sees all items of their organization.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from medtrace.catalog import identifiers
from medtrace.catalog.models import (
    Bom,
    DeviceIdentifier,
    DeviceIdentifierVersion,
    Item,
    LotNumberRule,
    ProductVersion,
    Routing,
    VersionStatus,
)
from medtrace.scan.checks import gtin14

MAX_SCAN_LENGTH = 400


def _own(queryset: QuerySet, user, perm: str) -> QuerySet:
    if not user.is_authenticated or user.organization_id is None or not user.has_perm(perm):
        return queryset.none()
    return queryset.filter(organization_id=user.organization_id)


def visible_items(user) -> QuerySet[Item]:
    return _own(Item.objects.all(), user, "catalog.view_item")


def visible_device_identifiers(user) -> QuerySet[DeviceIdentifier]:
    return _own(DeviceIdentifier.objects.all(), user, "catalog.view_deviceidentifier")


def get_item_or_404(user, code: str) -> Item:
    return get_object_or_404(visible_items(user), code=code.upper())


def get_device_identifier_or_404(user, value: str) -> DeviceIdentifier:
    """By its value as stored, or as typed in any form its agency accepts (a GTIN-13 for the
    stored GTIN-14, an HIBC DI with its '+')."""
    found = (
        visible_device_identifiers(user)
        .filter(value__in=identifiers.lookup_keys(value))
        .select_related("item", "contains")
        .first()
    )
    if found is None:
        raise Http404
    return found


def active_identifiers() -> Prefetch:
    """Prefetch an item list's active DIs as `item.active_identifiers` (one query a page)."""
    return Prefetch(
        "device_identifiers",
        queryset=DeviceIdentifier.objects.filter(is_active=True).order_by("value"),
        to_attr="active_identifiers",
    )


def search_items(items: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Items whose code, name or one of whose DI values contains `text`."""
    text = text.strip()
    if not text:
        return items
    by_identifier = DeviceIdentifier.objects.filter(
        Q(value__in=identifiers.lookup_keys(text)) | Q(value__icontains=text),
        item=OuterRef("pk"),
    )
    return items.filter(
        Q(code__icontains=text)
        | Q(name__icontains=text)
        | Q(name_en__icontains=text)
        | Exists(by_identifier)
    )


def item_for_code(organization, text: str) -> Item | None:
    """The item a scanned or typed code names exactly: its item code, one of its DI values (a
    GTIN in any of its lengths, an HIBC DI with or without '+', an MA DI), or a whole label
    whose GTIN or DI is one of them. None when nothing matches."""
    text = (text or "").strip()
    if organization is None or not text or len(text) > MAX_SCAN_LENGTH:
        return None
    items = Item.objects.filter(organization=organization)
    by_code = items.filter(code=text.upper()).first()
    if by_code is not None:
        return by_code
    keys = identifiers.lookup_keys(text) | _scanned_keys(text)
    return items.filter(device_identifiers__value__in=keys).order_by("-is_active", "code").first()


def _scanned_keys(text: str) -> set[str]:
    """The DIs a whole label scan carries (GS1 element string or HRI, Digital Link, HIBC, MA)."""
    from medtrace.scan import ScanError, parse

    try:
        result = parse(text)
    except ScanError:
        return set()
    keys = set()
    if result.gtin:
        keys.add(gtin14(result.gtin))
    if result.device_identifier:
        keys |= identifiers.lookup_keys(result.device_identifier)
    return keys


@dataclass
class TreeNode:
    identifier: DeviceIdentifier
    depth: int
    children: list["TreeNode"] = field(default_factory=list)


def packaging_tree(item: Item, *, include_retired: bool = True) -> list[TreeNode]:
    """The item's DIs in tree order (base unit, then the packages holding it, outwards), each
    with its depth; one query."""
    rows = item.device_identifiers.select_related("contains").order_by("packaging_level", "value")
    if not include_retired:
        rows = rows.filter(is_active=True)
    rows = list(rows)
    ids = {row.pk for row in rows}
    children: dict[int | None, list[DeviceIdentifier]] = {}
    for row in rows:
        parent = row.contains_id if row.contains_id in ids else None
        children.setdefault(parent, []).append(row)
    ordered: list[TreeNode] = []

    def walk(parent_id, depth):
        for row in children.get(parent_id, []):
            ordered.append(TreeNode(row, depth))
            walk(row.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass(frozen=True)
class VersionChange:
    label: str
    old: str
    new: str


def versions_with_changes(identifier: DeviceIdentifier) -> list[DeviceIdentifierVersion]:
    """The DI's versions, newest first, each with `.changes` against the one before it."""
    versions = list(identifier.versions.select_related("created_by").order_by("number"))
    previous: dict = {}
    for version in versions:
        version.changes = [
            VersionChange(_label(name), _shown(previous.get(name)), _shown(value))
            for name, value in version.data.items()
            if previous and previous.get(name, _default(name)) != value
        ]
        previous = version.data
    return versions[::-1]


def _label(name: str) -> str:
    try:
        return str(DeviceIdentifier._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field removed since the version was written
        return name


def _default(name: str):
    """What a version written before the field existed would have held."""
    try:
        return DeviceIdentifier._meta.get_field(name).get_default()
    except FieldDoesNotExist:
        return None


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


# BOMs and routings.


def visible_boms(user) -> QuerySet[Bom]:
    return _own(Bom.objects.select_related("item"), user, "catalog.view_bom")


def visible_routings(user) -> QuerySet[Routing]:
    return _own(Routing.objects.select_related("item"), user, "catalog.view_routing")


def effective_bom(item: Item, at: datetime | None = None) -> Bom | None:
    """The item's BOM version production builds to (now, or as it was at `at`: what a work
    order released then snapshotted); None when there is none."""
    return _in_force(item.boms, at)


def effective_routing(item: Item, at: datetime | None = None) -> Routing | None:
    """The item's routing version in force now, or at `at`; None when there is none."""
    return _in_force(item.routings, at)


def _in_force(versions, at: datetime | None):
    if at is None:
        return versions.filter(status=VersionStatus.APPROVED).first()
    return (
        versions.filter(effective_from__isnull=False, effective_from__lte=at)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class Difference:
    key: str  # what the rows are matched by: a BOM line's component, an operation's name
    old: dict | None  # None: added
    new: dict | None  # None: removed


def compare_versions(old: ProductVersion, new: ProductVersion) -> list[Difference]:
    """The rows (BOM lines, routing operations) added, removed or changed from `old` to `new`,
    matched by component code or operation name, so that a moved position alone counts as
    unchanged; in key order."""
    key = "component" if isinstance(new, Bom) else "name"

    def rows(version: ProductVersion) -> dict[str, dict]:
        return {row[key]: row for row in version.content()}

    def without_position(row: dict) -> dict:
        return {name: value for name, value in row.items() if name != "position"}

    before, after = rows(old), rows(new)
    differences = []
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a is None or b is None or without_position(a) != without_position(b):
            differences.append(Difference(name, a, b))
    return differences


# Audit-trail links (audit.selectors.register_record_type, see apps.py).


def item_url(object_id: str, site) -> str | None:
    return reverse("catalog:item-by-id", args=[int(object_id)]) if object_id.isdigit() else None


def item_for_history(user, object_id: str) -> Item:
    return get_object_or_404(visible_items(user), pk=object_id)


def device_identifier_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("catalog:device-identifier-detail", args=[int(object_id)])


def device_identifier_for_history(user, object_id: str) -> DeviceIdentifier:
    return get_object_or_404(visible_device_identifiers(user), pk=object_id)


def bom_url(object_id: str, site) -> str | None:
    return reverse("catalog:bom-detail", args=[int(object_id)]) if object_id.isdigit() else None


def bom_for_history(user, object_id: str) -> Bom:
    return get_object_or_404(visible_boms(user), pk=object_id)


def routing_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("catalog:routing-detail", args=[int(object_id)])


def routing_for_history(user, object_id: str) -> Routing:
    return get_object_or_404(visible_routings(user), pk=object_id)


def visible_rules(user) -> QuerySet[LotNumberRule]:
    """The lot-number rules of the user's organization, for those who may view them."""
    return _own(LotNumberRule.objects.select_related("item"), user, "catalog.view_lotnumberrule")
