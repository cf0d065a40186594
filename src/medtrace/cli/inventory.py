"""medtrace stock / expiring / mark-expired: stock by lot and location with its status, what
expires within N days, and the expiry marking the hourly job does, run now."""

import json

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Inventory: stock, expiry.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="inventory")


def _sites(site: str | None):
    from medtrace.org.models import Site

    sites = Site.objects.filter(is_active=True).order_by("code")
    if site:
        sites = sites.filter(code=site.upper())
        if not sites.exists():
            die(f"no active site {site!r}")
    return list(sites)


def _stock_rows(sites, item: str | None, status: str | None) -> list[dict]:
    from medtrace.inventory import selectors
    from medtrace.inventory.models import Stock

    rows = []
    for site in sites:
        stock = Stock.objects.filter(site=site)
        if item:
            stock = stock.filter(item__code=item.upper())
        stock = selectors.with_status(stock, site.local_date())
        if status:
            stock = stock.filter(status=status)
        for row in selectors.totals(stock):
            rows.append(
                {
                    "site": row["site__code"],
                    "item": row["item__code"],
                    "lot": row["lot__lot_number"],
                    "expires_on": row["lot__expires_on"].isoformat()
                    if row["lot__expires_on"]
                    else None,
                    "location": row["location__path"],
                    "quantity": format(row["quantity"].normalize(), "f"),
                    "uom": row["uom"],
                    "status": row["status"],
                }
            )
    return rows


@app.command()
def stock(
    site: str | None = typer.Option(None, help="Site code (default: every active site)."),
    item: str | None = typer.Option(None, help="Item code."),
    status: str | None = typer.Option(
        None, help="available, quarantine, on_hold, rejected, expired, recalled, in_transit."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Stock per lot and location, with its status."""
    setup_django()
    from medtrace.inventory.choices import StockStatus

    if status and status not in StockStatus.values:
        die(f"unknown status {status!r}; one of {', '.join(StockStatus.values)}")
    rows = _stock_rows(_sites(site), item, status)
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        console.print(
            f"{row['site']}  {row['item']:<10} {row['lot'] or '—':<16} {row['location']:<14}"
            f" {row['quantity']:>10} {row['uom']:<4} {row['status']}"
            f"  [dim]{row['expires_on'] or ''}[/]"
        )
    console.print(f"{len(rows)} lines")


@app.command()
def expiring(
    days: int = typer.Option(90, "--days", min=0, help="Expiring within this many days."),
    site: str | None = typer.Option(None, help="Site code (default: every active site)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Stock whose lots expire within N days, and expired stock still held."""
    setup_django()
    rows = [
        row
        for row in _stock_rows(_sites(site), None, None)
        if row["expires_on"] and row["status"] not in ("rejected", "recalled")
    ]
    from datetime import date

    today = date.today()
    rows = [
        {**row, "days_left": (date.fromisoformat(row["expires_on"]) - today).days} for row in rows
    ]
    rows = sorted(
        (row for row in rows if row["days_left"] <= days), key=lambda row: row["expires_on"]
    )
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        flag = "[bold red]EXPIRED[/]" if row["days_left"] < 0 else f"{row['days_left']:>4} days"
        console.print(
            f"{row['site']}  {row['item']:<10} {row['lot']:<16} {row['expires_on']} {flag}"
            f"  {row['quantity']} {row['uom']} @ {row['location']}"
        )
    console.print(f"{len(rows)} lines expire within {days} days or have expired")


@app.command("mark-expired")
def mark_expired():
    """Mark lots in stock past their expiry date expired now (the hourly job does this)."""
    setup_django()
    from medtrace.inventory.services import expiry

    marked = expiry.mark_expired()
    for lot in marked:
        console.print(f"{lot.item.code} {lot.lot_number}: expired on {lot.expires_on}")
    console.print(f"{len(marked)} lots marked expired")
