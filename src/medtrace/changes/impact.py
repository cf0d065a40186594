"""What a change request touches, computed from the records as they are now (never stored):
the items it affects (the products of its BOM and routing versions, and the further items it
names), what each new version changes against the one in force, the approved BOMs that use
an affected item as a component (where-used), the lots of the affected items per site and
disposition, and the people who will need training on each document revision it releases.

A fixed number of queries whatever the number of lots or where-used BOMs: the comparisons and
the training cost a few per version or revision named, which a change keeps few."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from medtrace.catalog import selectors as catalog_selectors
from medtrace.catalog.models import Bom, BomLine, Item, ProductVersion, VersionStatus
from medtrace.changes.models import ChangeRequest
from medtrace.org.models import Site
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import Lot

# People named per revision on the page; the count is always whole.
PEOPLE_SHOWN = 12


@dataclass
class VersionChange:
    """A BOM or routing version the change releases, against the version in force now."""

    record: ProductVersion
    kind: str  # "bom" or "routing"
    in_force: ProductVersion | None
    added: int = 0
    removed: int = 0
    changed: int = 0


@dataclass
class WhereUsed:
    bom: Bom
    components: list[str]


@dataclass
class LotCount:
    item: str
    site: str | None
    disposition: str
    lots: int


@dataclass
class Training:
    revision: object
    required: bool
    people: int
    names: list[str] = field(default_factory=list)


@dataclass
class Impact:
    items: list[Item]
    versions: list[VersionChange]
    where_used: list[WhereUsed]
    lots: list[LotCount]
    training: list[Training]
    work_orders: list = field(default_factory=list)  # production.models.WorkOrder

    @property
    def lot_total(self) -> int:
        return sum(row.lots for row in self.lots)

    def as_dict(self) -> dict:
        return {
            "items": [item.code for item in self.items],
            "versions": [
                {
                    "kind": v.kind,
                    "id": v.record.pk,
                    "item": v.record.item.code,
                    "version": v.record.version,
                    "in_force": v.in_force.version if v.in_force else None,
                    "added": v.added,
                    "removed": v.removed,
                    "changed": v.changed,
                }
                for v in self.versions
            ],
            "where_used": [
                {
                    "bom_id": w.bom.pk,
                    "item": w.bom.item.code,
                    "version": w.bom.version,
                    "components": w.components,
                }
                for w in self.where_used
            ],
            "lots": [
                {"item": r.item, "site": r.site, "disposition": r.disposition, "lots": r.lots}
                for r in self.lots
            ],
            "training": [
                {
                    "revision_id": t.revision.pk,
                    "revision": str(t.revision),
                    "training_required": t.required,
                    "people": t.people,
                }
                for t in self.training
            ],
            "open_work_orders": len(self.work_orders),
            "work_orders": [
                {
                    "number": order.number,
                    "site": order.site.code,
                    "item": order.item.code,
                    "status": order.status,
                    "bom_version": order.snapshot.get("bom", {}).get("version"),
                    "routing_version": order.snapshot.get("routing", {}).get("version"),
                }
                for order in self.work_orders
            ],
        }


def affected_items(change: ChangeRequest) -> list[Item]:
    """The products of the change's versions and the further items it names, by code."""
    ids = set(change.boms.values_list("item_id", flat=True))
    ids |= set(change.routings.values_list("item_id", flat=True))
    ids |= set(change.items.values_list("pk", flat=True))
    return list(Item.objects.filter(pk__in=ids).order_by("code"))


def _versions(change: ChangeRequest) -> list[VersionChange]:
    rows = []
    for kind, records in (
        ("bom", change.boms.select_related("item")),
        ("routing", change.routings.select_related("item")),
    ):
        for record in records:
            if record.status == VersionStatus.DRAFT:
                in_force = record.versions().filter(status=VersionStatus.APPROVED).first()
            else:  # released: compare with the one it replaced
                in_force = (
                    record.versions().filter(version__lt=record.version).order_by("-version")
                ).first()
            row = VersionChange(record, kind, in_force)
            if in_force is not None:
                for difference in catalog_selectors.compare_versions(in_force, record):
                    if difference.old is None:
                        row.added += 1
                    elif difference.new is None:
                        row.removed += 1
                    else:
                        row.changed += 1
            else:
                row.added = len(record.content())
            rows.append(row)
    return rows


def _where_used(change: ChangeRequest, items: list[Item]) -> list[WhereUsed]:
    using = BomLine.objects.filter(component__in=items).select_related("component")
    boms = (
        Bom.objects.filter(
            organization_id=change.organization_id,
            status=VersionStatus.APPROVED,
            lines__component__in=items,
        )
        .distinct()
        .select_related("item")
        .prefetch_related(Prefetch("lines", using, to_attr="affected_lines"))
        .order_by("item__code")
    )
    return [
        WhereUsed(bom, sorted({line.component.code for line in bom.affected_lines})) for bom in boms
    ]


def _lots(change: ChangeRequest, items: list[Item], user) -> list[LotCount]:
    lots = Lot.objects.filter(organization_id=change.organization_id, item__in=items)
    if user is not None:
        lots = trace_selectors.visible(lots, user)
    grouped = (
        lots.values("item__code", "site_id", "disposition")
        .annotate(lots=Count("pk"))
        .order_by("item__code", "site_id", "disposition")
    )
    rows = list(grouped)
    codes = dict(
        Site.objects.filter(pk__in={r["site_id"] for r in rows if r["site_id"]}).values_list(
            "pk", "code"
        )
    )
    return [
        LotCount(r["item__code"], codes.get(r["site_id"]), r["disposition"], r["lots"])
        for r in rows
    ]


def _work_orders(change: ChangeRequest, items: list[Item], user) -> list:
    """Work orders not yet completed that make an affected item: planned ones will build to
    what is in force when they are released; released ones keep the versions they took."""
    from medtrace.production.choices import WorkOrderStatus
    from medtrace.production.models import WorkOrder
    from medtrace.production.selectors import visible_work_orders

    orders = (
        visible_work_orders(user)
        if user is not None
        else WorkOrder.objects.select_related("site", "item")
    )
    return list(
        orders.filter(
            organization_id=change.organization_id,
            item__in=items,
            status__in=(
                WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS
            ),
        ).order_by("planned_start", "number")
    )  # fmt: skip


def _training(change: ChangeRequest) -> list[Training]:
    from medtrace.accounts.models import User
    from medtrace.training.services.assignments import required_people

    rows = []
    for revision in change.revisions.select_related("document"):
        people = required_people(revision) if revision.training_required else {}
        names = list(
            User.objects.filter(pk__in=list(people)[:PEOPLE_SHOWN])
            .order_by("full_name", "username")
            .values_list("full_name", "username")
        )
        rows.append(
            Training(
                revision,
                revision.training_required,
                len(people),
                [full or username for full, username in names],
            )
        )
    return rows


def impact_of(change: ChangeRequest, *, user=None) -> Impact:
    """The change's impact; the lots only of the sites `user` may see the trace of (all of the
    organization's when no user asks, as a job or the command line does)."""
    items = affected_items(change)
    return Impact(
        items=items,
        versions=_versions(change),
        where_used=_where_used(change, items) if items else [],
        lots=_lots(change, items, user) if items else [],
        training=_training(change),
        work_orders=_work_orders(change, items, user) if items else [],
    )
