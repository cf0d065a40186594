"""medtrace purchasing expected: the open purchase order lines by expected date, per site."""

import json

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Purchasing: expected receipts.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="purchasing")


@app.command()
def expected(
    site: str | None = typer.Option(None, "--site", help="Only this site (code)."),
    days: int | None = typer.Option(
        None, "--days", min=0, help="Only lines expected within this many days (overdue too)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Lines of released purchase orders still open, soonest first; overdue ones flagged."""
    setup_django()
    from datetime import timedelta

    from django.db.models import F

    from medtrace.org.models import Site
    from medtrace.purchasing.choices import RECEIVABLE
    from medtrace.purchasing.models import PurchaseOrderLine

    lines = (
        PurchaseOrderLine.objects.filter(
            order__status__in=RECEIVABLE, received_quantity__lt=F("quantity")
        )
        .select_related("order__site", "order__supplier", "item")
        .order_by("expected_on", "order__number", "position")
    )
    if site:
        if not Site.objects.filter(code=site.upper()).exists():
            die(f"no site with code {site!r}")
        lines = lines.filter(order__site__code=site.upper())
    rows = []
    for line in lines:
        today = line.order.site.local_date()
        if days is not None and line.expected_on > today + timedelta(days=days):
            continue
        rows.append(
            {
                "site": line.order.site.code,
                "order": line.order.number,
                "line": line.position,
                "supplier": line.order.supplier.code,
                "item": line.item.code,
                "expected_on": line.expected_on.isoformat(),
                "open": format(line.open_quantity.normalize(), "f"),
                "uom": line.uom,
                "overdue": line.expected_on < today,
            }
        )
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print("nothing is expected")
        return
    for row in rows:
        flag = " [bold red]overdue[/]" if row["overdue"] else ""
        console.print(
            f"{row['expected_on']}  {row['site']}  {row['order']}/{row['line']}  "
            f"{row['supplier']}  {row['item']}  {row['open']} {row['uom']}{flag}"
        )
