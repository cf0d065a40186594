"""medtrace production work-orders / blockers: work orders with their progress, and what keeps
QA from releasing an order's lot (the same list the release refuses with)."""

import json

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Production: work orders, release blockers.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="production")


def _orders(site: str | None, status: str | None):
    from django.db.models import OuterRef, Subquery, Sum

    from medtrace.production.models import Output, WorkOrder

    made = (
        Output.objects.filter(work_order=OuterRef("pk"))
        .values("work_order")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    orders = (
        WorkOrder.objects.select_related("site", "item", "lot", "line")
        .annotate(made=Subquery(made))
        .order_by("site__code", "number")
    )
    if site:
        orders = orders.filter(site__code=site.upper())
    if status:
        orders = orders.filter(status=status)
    return orders


def _row(order) -> dict:
    from medtrace.core.numbers import plain

    return {
        "site": order.site.code,
        "number": order.number,
        "item": order.item.code,
        "quantity": plain(order.quantity),
        "made": plain(order.made) or "0",
        "unit": order.unit,
        "status": order.status,
        "line": order.line.path if order.line_id else None,
        "lot": order.lot.lot_number if order.lot_id else None,
        "planned_start": order.planned_start.isoformat() if order.planned_start else None,
    }


@app.command("work-orders")
def work_orders(
    site: str | None = typer.Option(None, help="Site code (default: every site)."),
    status: str | None = typer.Option(
        None, help="planned, released, in_progress, completed, closed, cancelled."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Work orders with their lot and the quantity made so far."""
    setup_django()
    from medtrace.production.choices import WorkOrderStatus

    if status and status not in WorkOrderStatus.values:
        die(f"unknown status {status!r}; one of {', '.join(WorkOrderStatus.values)}")
    rows = [_row(order) for order in _orders(site, status)]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        console.print(
            f"{row['site']}  {row['number']:<14} {row['item']:<10} {row['status']:<11}"
            f" {row['made']:>8} / {row['quantity']:<8} {row['unit']:<4} {row['lot'] or '—'}"
        )
    console.print(f"{len(rows)} work orders")


@app.command()
def blockers(
    number: str = typer.Argument(..., help="Work-order number, e.g. WO-2026-0001."),
    site: str | None = typer.Option(None, help="Site code, when several organizations use it."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """What keeps QA from releasing the order's lot, and who may not release it."""
    setup_django()
    from medtrace.accounts.models import User
    from medtrace.production.services import lot_release

    found = list(_orders(site, None).filter(number=number.strip().upper())[:2])
    if not found:
        die(f"no work order {number!r}")
    if len(found) > 1:
        die(f"{number} names work orders at several sites; give --site")
    order = found[0]
    missing = lot_release.blockers(order)
    did = lot_release.participants(order)
    names = dict(User.objects.filter(pk__in=did).values_list("pk", "username"))
    participants = [{"user": names[pk], "did": what} for pk, what in did.items()]
    if as_json:
        body = {"number": order.number, "status": order.status, "blockers": missing,
                "participants": participants}  # fmt: skip
        console.print_json(json.dumps(body, ensure_ascii=False))
        return
    console.print(f"{order.number} ({order.get_status_display()})")
    for line in missing:
        console.print(f"  [red]✗[/] {line}")
    if not missing:
        console.print("  [green]nothing blocks the release of the lot[/]")
    for each in participants:
        console.print(f"  [dim]may not release: {each['user']} ({each['did']})[/]")
