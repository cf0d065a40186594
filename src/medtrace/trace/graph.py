"""The genealogy graph of a trace, as the trace page's chart draws it: nodes (the objects and
parties of a TraceResult) and edges (made from, unit of lot, packed in, shipped to, received
from), each node with its distance from the root.

Kept readable when large: where one generation (the nodes at one distance) has more than
COLUMN_NODES, its nodes are drawn as groups (units by their lot, lots by item, containers by
status), and at most GRAPH_NODES nodes are drawn, nearest the root first. The tables and
exports of the same trace list every object; the JSON says what was grouped or left out."""

from collections import defaultdict, deque

from django.urls import reverse
from django.utils.translation import gettext as _

from medtrace.trace.choices import LinkKind, ObjectKind, PartyRole
from medtrace.trace.engine import FORWARD, TraceResult
from medtrace.trace.models import Consignment, Containment, Party, TraceObject
from medtrace.trace.templatetags.trace_tags import (
    disposition_label,
    object_label,
    party_name,
    party_url,
    status_class,
)

GRAPH_NODES = 300
COLUMN_NODES = 24
CHUNK = 900  # ids per IN (...) list, under SQLite's variable limit


def build(root: TraceObject, result: TraceResult, *, as_of=None) -> dict:
    objects = {root.pk: root}
    for obj in (*result.lots, *result.units, *result.containers):
        objects[obj.pk] = obj
    nodes = {str(pk): _object_node(obj, root) for pk, obj in objects.items()}
    edges = {
        (str(source), str(target), kind)
        for source, target, kind in result.edges
        if source in objects and target in objects
    }
    edges |= _packed(objects, as_of)
    if result.parties:
        nodes |= _party_nodes(result.parties)
        edges |= _consigned(result, objects)
    total = len(nodes)
    depth = _depths(str(root.pk), nodes, edges)
    nodes, edges, depth, grouped = _grouped(nodes, edges, depth)
    shown = sorted(nodes, key=lambda key: (depth[key], nodes[key]["kind"], nodes[key]["label"]))
    shown = shown[:GRAPH_NODES]
    kept = set(shown)
    labels = _edge_labels()
    return {
        "direction": result.direction,
        "root": str(root.pk),
        "nodes": [_public(nodes[key], depth[key]) for key in shown],
        "edges": [
            {"source": source, "target": target, "kind": kind, "label": labels[kind]}
            for source, target, kind in sorted(edges)
            if source in kept and target in kept
        ],
        "categories": [
            {"kind": kind, "name": str(label)}
            for kind, label in (*ObjectKind.choices, ("party", _("Party")))
        ],
        "total_nodes": total,
        "grouped": grouped,
        "truncated": len(nodes) > len(shown),
        "elapsed_ms": round(result.elapsed_ms, 1),
    }


def _edge_labels() -> dict[str, str]:
    return {
        LinkKind.TRANSFORMATION: _("made from"),
        LinkKind.MEMBERSHIP: _("unit of lot"),
        "packed": _("packed in"),
        "shipped": _("shipped to"),
        "received": _("received from"),
    }


def _object_node(obj, root) -> dict:
    node = {
        "id": str(obj.pk),
        "label": object_label(obj),
        "short": short_label(obj),
        "kind": obj.kind,
        "status": disposition_label(obj.disposition),
        "status_class": status_class(obj.disposition),
        "url": reverse("trace:object", args=[obj.pk]),
        "root": obj.pk == root.pk,
        "count": 1,
    }
    if obj.kind == ObjectKind.UNIT:
        lot = obj.lot if obj.lot_id else None
        node["group"] = (f"lot-{obj.lot_id}", lot.lot_number if lot else "", lot)
    elif obj.kind == ObjectKind.LOT:
        node["group"] = (f"item-{obj.item_id}", obj.item.code, None)
    else:
        node["group"] = (f"status-{obj.disposition}", "", None)
    return node


def short_label(obj) -> str:
    if obj.kind == ObjectKind.LOT:
        return obj.lot_number
    if obj.kind == ObjectKind.UNIT:
        return obj.serial
    return obj.sscc or object_label(obj)


def _party_nodes(parties) -> dict:
    found = Party.objects.filter(pk__in=[party.pk for party in parties])
    nodes = {}
    for party in found.select_related("customer", "supplier"):
        key = f"party-{party.pk}"
        nodes[key] = {
            "id": key,
            "label": party_name(party),
            "short": party_name(party),
            "kind": "party",
            "status": "",
            "status_class": "",
            "url": party_url(party),
            "root": False,
            "count": 1,
            "group": ("parties", "", None),
        }
    return nodes


def _packed(objects: dict, as_of) -> set:
    """content → container, for each time one drawn object was packed in another."""
    edges = set()
    ids = sorted(objects)
    for start in range(0, len(ids), CHUNK):
        held = Containment.objects.filter(content_id__in=ids[start : start + CHUNK])
        if as_of is not None:
            held = held.filter(valid_from__lte=as_of)
        for content, container in held.values_list("content_id", "container_id"):
            if container in objects:
                edges.add((str(content), str(container), "packed"))
    return edges


def _consigned(result: TraceResult, objects: dict) -> set:
    """What was shipped to each destination (forward), or received from each source."""
    forward = result.direction == FORWARD
    sent = Consignment.objects.filter(
        event_id__in=[event.pk for event in result.shipments],
        role=PartyRole.DESTINATION if forward else PartyRole.SOURCE,
    ).values_list("object_id", "party_id")
    edges = set()
    for object_id, party_id in sent.distinct():
        if object_id in objects:
            party = f"party-{party_id}"
            pair = (str(object_id), party) if forward else (party, str(object_id))
            edges.add((*pair, "shipped" if forward else "received"))
    return edges


def _depths(root: str, nodes: dict, edges) -> dict[str, int]:
    """Each node's distance from the root, edges read both ways; nodes the walk cannot reach
    (their link runs through an object the user may not see) count as one step away."""
    neighbours = defaultdict(set)
    for source, target, _kind in edges:
        neighbours[source].add(target)
        neighbours[target].add(source)
    depth = {root: 0}
    queue = deque([root])
    while queue:
        current = queue.popleft()
        for following in neighbours[current]:
            if following not in depth:
                depth[following] = depth[current] + 1
                queue.append(following)
    for key in nodes:
        depth.setdefault(key, 1)
    return depth


def _grouped(nodes: dict, edges: set, depth: dict):
    """Generations of more than COLUMN_NODES nodes drawn as groups of two or more alike
    nodes; returns the new nodes, edges and depths, and how many nodes went into groups."""
    columns = defaultdict(list)
    for key in nodes:
        columns[depth[key]].append(key)
    alias, groups = {}, {}
    for level, keys in columns.items():
        if len(keys) <= COLUMN_NODES:
            continue
        buckets = defaultdict(list)
        for key in keys:
            if not nodes[key]["root"]:
                buckets[(nodes[key]["kind"], nodes[key]["group"][0])].append(key)
        for (kind, group_key), members in buckets.items():
            if len(members) < 2:
                continue
            group_id = f"group-{level}-{kind}-{group_key}"
            groups[group_id] = _group_node(group_id, kind, [nodes[key] for key in members])
            depth[group_id] = level
            alias.update((key, group_id) for key in members)
    if not alias:
        return nodes, edges, depth, 0
    kept = {key: node for key, node in nodes.items() if key not in alias} | groups
    folded = {
        (alias.get(source, source), alias.get(target, target), kind)
        for source, target, kind in edges
    }
    folded = {(source, target, kind) for source, target, kind in folded if source != target}
    return kept, folded, depth, len(alias)


def _group_node(group_id: str, kind: str, members: list[dict]) -> dict:
    count = len(members)
    _key, name, lot = members[0]["group"]
    statuses = {(member["status"], member["status_class"]) for member in members}
    status, status_class_ = statuses.pop() if len(statuses) == 1 else (_("mixed"), "")
    if kind == ObjectKind.UNIT:
        label = (
            _("%(count)s units of lot %(lot)s") % {"count": count, "lot": name}
            if name
            else _("%(count)s units") % {"count": count}
        )
    elif kind == ObjectKind.LOT:
        label = _("%(count)s lots of %(item)s") % {"count": count, "item": name}
    elif kind == ObjectKind.CONTAINER:
        label = _("%(count)s containers") % {"count": count}
    else:
        label = _("%(count)s parties") % {"count": count}
    return {
        "id": group_id,
        "label": label,
        "short": f"{count} \u00d7 {name}" if name else label,  # 40 times SZ01-26101-001
        "kind": kind,
        "status": status,
        "status_class": status_class_,
        # a group of units opens their lot, where the units are listed
        "url": reverse("trace:object", args=[lot.pk]) if lot is not None else None,
        "root": False,
        "count": count,
        "group": members[0]["group"],
    }


def _public(node: dict, depth: int) -> dict:
    return {**{key: value for key, value in node.items() if key != "group"}, "depth": depth}
