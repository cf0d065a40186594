"""medtrace shipping orders / link: the open shipment orders per site, and a shipped order's
delivery confirmation link for the customer."""

import json

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Shipping: open orders, delivery confirmation links.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="shipping")


@app.command()
def orders(
    site: str | None = typer.Option(None, "--site", help="Only this site (code)."),
    status: str | None = typer.Option(None, "--status", help="Only this status."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Shipment orders not yet delivered or cancelled (or of the status given), oldest first."""
    setup_django()
    from medtrace.shipping.choices import OrderStatus
    from medtrace.shipping.models import ShipmentOrder

    found = ShipmentOrder.objects.select_related("site", "customer").order_by("created_at", "pk")
    if status:
        if status not in OrderStatus.values:
            die(f"no status {status!r}; one of {', '.join(OrderStatus.values)}")
        found = found.filter(status=status)
    else:
        found = found.exclude(status__in=[OrderStatus.DELIVERED, OrderStatus.CANCELLED])
    if site:
        found = found.filter(site__code=site.upper())
    rows = [
        {
            "number": order.number,
            "site": order.site.code,
            "customer": order.customer.code,
            "status": order.status,
            "requested_on": order.requested_on.isoformat() if order.requested_on else None,
        }
        for order in found
    ]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print("no open shipment orders")
    for row in rows:
        console.print(
            f"{row['number']}  {row['site']}  {row['customer']}  {row['status']}"
            f"  {row['requested_on'] or ''}"
        )


@app.command()
def link(
    number: str = typer.Argument(..., help="The shipment order number, e.g. SO-2026-0001."),
    base_url: str = typer.Option("", "--base-url", help="Prefix, e.g. https://medtrace.example"),
):
    """The delivery confirmation link of a shipped order (no sign-in needed to open it)."""
    setup_django()
    from django.urls import reverse

    from medtrace.shipping.choices import OrderStatus
    from medtrace.shipping.models import ShipmentOrder
    from medtrace.shipping.services.shipment import delivery_token

    order = ShipmentOrder.objects.filter(number=number.upper()).first()
    if order is None:
        die(f"no shipment order {number!r}")
    if order.status != OrderStatus.SHIPPED:
        die(f"{order.number} is {order.status}; only a shipped order has a confirmation link")
    typer.echo(base_url.rstrip("/") + reverse("shipping:confirm", args=[delivery_token(order)]))
