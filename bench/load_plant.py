"""What the load test's virtual users work on, read from the demo plant in-process before the
run: API tokens for the roles of the mix, codes to scan, open purchase-order lines, the work
order the line consumes into and the lots the stores issue and move.

Everything here is read once; the writes of the run (receipts, issues, consumptions,
transfers, inspection results) are chosen so that they stay valid however long it runs.
"""

import os
import random
from dataclasses import dataclass
from decimal import Decimal

SITE = "SZ01"
# Whose token the API calls of each part of the mix carry.
TOKEN_USERS = ("qa", "warehouse", "operator", "inspector")
ENOUGH_TO_MOVE = Decimal(1000)


@dataclass
class Plant:
    tokens: dict[str, str]
    # (as a scanner sends it, the trace direction that answers "where is it / what is in it")
    scan_codes: list[tuple[str, str]]
    receiving_lines: list[int]
    work_order: int
    line: str
    # (lot identifier, location code) of stock the stores issue to the line and move
    issue_from: tuple[str, str]
    transfer_from: tuple[str, str]
    transfer_to: str


def setup_django(sqlite_dir: str | None) -> None:
    """Point Django at the database the server uses: DATABASE_URL if set, else the SQLite
    file of the data dir."""
    if sqlite_dir and not os.environ.get("DATABASE_URL"):
        os.environ["MEDTRACE_DATA_DIR"] = sqlite_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
    os.environ.setdefault("MEDTRACE_MFA_REQUIRED_ROLES", "none")
    import django

    django.setup()


def ensure_demo() -> bool:
    """Build the demo plant unless the database holds one already; True when it was built."""
    from django.core.management import call_command
    from django.db import connection

    from medtrace.org.models import Organization

    tables = connection.introspection.table_names()
    if "org_organization" in tables and Organization.objects.exists():
        return False
    from medtrace.demo import generate

    call_command("migrate", verbosity=0)
    generate()
    return True


def read_plant(*, sample: int, seed: int) -> Plant:
    from django.db import connections

    from medtrace.accounts.models import User
    from medtrace.accounts.services import create_api_token
    from medtrace.org import access

    tokens = {}
    for username in TOKEN_USERS:
        user = User.objects.get(username=username)
        _token, tokens[username] = create_api_token(
            user=user,
            name="load test",
            sites=access.visible_sites(user),
            can_write=username != "qa",
            expires_in_days=1,
            by=user,
        )
    work_order, line = _work_order()
    issue_from, transfer_from, transfer_to = _stock_to_move(work_order)
    plant = Plant(
        tokens=tokens,
        scan_codes=_scan_codes(sample, random.Random(seed)),  # nosec B311 # sampling, not secrets
        receiving_lines=_receiving_lines(),
        work_order=work_order.pk,
        line=line,
        issue_from=issue_from,
        transfer_from=transfer_from,
        transfer_to=transfer_to,
    )
    # The server's workers open their own connections; this process is done with the database.
    connections.close_all()
    return plant


def _scan_codes(sample: int, rng: random.Random) -> list[tuple[str, str]]:
    """Labels as a scanner reads them: GS1 (AI) text of units, lots and cases, and the plain
    lot numbers of internal lots; backward from a unit, forward from a lot or a case."""
    from medtrace.trace.models import Container, Lot, Unit

    codes = [(f"(01){u.gtin}(21){u.serial}", "backward") for u in Unit.objects.exclude(gtin="")]
    for lot in Lot.objects.all():
        code = f"(01){lot.gtin}(10){lot.lot_number}" if lot.gtin else lot.lot_number
        codes.append((code, "forward"))
    codes += [(f"(00){c.sscc}", "forward") for c in Container.objects.exclude(sscc="")]
    rng.shuffle(codes)
    return codes[:sample]


def _receiving_lines() -> list[int]:
    """Lines of released orders still open, at the site whose clerk receives."""
    from medtrace.purchasing.choices import RECEIVABLE
    from medtrace.purchasing.models import PurchaseOrderLine

    lines = PurchaseOrderLine.objects.filter(order__status__in=RECEIVABLE, order__site__code=SITE)
    return [line.pk for line in lines if line.open_quantity > 0]


def _work_order():
    """A released or running order whose current operation takes components without a unit
    being built: the line consumes into it all run long."""
    from medtrace.production.choices import WorkOrderStatus
    from medtrace.production.models import WorkOrder
    from medtrace.production.services import operations

    orders = WorkOrder.objects.filter(
        site__code=SITE, status__in=[WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS]
    ).select_related("line")
    for order in orders.order_by("pk"):
        current = operations.current(order)
        first = order.operations.order_by("position").first()
        if (current or first) is not None and not (current or first).per_unit:
            return order, order.line.code
    raise SystemExit(f"no work order at {SITE} takes components without a unit: not the demo?")


def _stock_to_move(order) -> tuple[tuple[str, str], tuple[str, str], str]:
    """The available lot of the order's components with the most stock in a store bin (issued
    to the line and consumed), another available lot in a store bin (moved to the next bin
    and back), and that next bin."""
    from medtrace.catalog.choices import Tracking
    from medtrace.inventory.choices import StockStatus
    from medtrace.inventory.models import Stock
    from medtrace.inventory.statuses import status_of
    from medtrace.org.choices import LocationKind
    from medtrace.org.models import Location

    components = {line["component"] for line in order.required()}
    rows = (
        Stock.objects.filter(
            location__site=order.site,
            location__kind=LocationKind.STOCK,
            quantity__gte=ENOUGH_TO_MOVE,
            object__as_lot__isnull=False,
        )
        .exclude(object__as_lot__item__tracking=Tracking.SERIAL)
        .select_related("location", "object__as_lot__item")
        .order_by("-quantity")
    )
    available = [row for row in rows if status_of(row.object).status == StockStatus.AVAILABLE]
    issued = next(row for row in available if row.object.as_lot.item.code in components)
    moved = next((row for row in available if row.object_id != issued.object_id), issued)
    bins = Location.objects.filter(site=order.site, kind=LocationKind.STOCK, is_active=True)
    other = bins.exclude(pk=moved.location_id).order_by("path").first()
    return (
        (issued.object.identifier, issued.location.code),
        (moved.object.identifier, moved.location.code),
        other.code,
    )
