"""medtrace suppliers expiring / check-certificates / check-source: the supplier certificates
to renew, the nightly certificate check run now, and the approved-source verdict."""

import json

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Suppliers: certificates and approved sources.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="suppliers")


def _organizations(name: str | None):
    from medtrace.org.models import Organization

    organizations = Organization.objects.order_by("pk")
    if name:
        organizations = organizations.filter(name=name) | organizations.filter(name_en=name)
        if not organizations.exists():
            die(f"no organization named {name!r}")
    return list(organizations)


@app.command()
def expiring(
    days: int = typer.Option(60, "--days", min=0, help="Expiring within this many days."),
    org: str | None = typer.Option(None, "--org", help="Only this organization (name)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Supplier certificates expired or expiring within DAYS (the latest of each kind of every
    supplier not disqualified), soonest first."""
    setup_django()
    from medtrace.partners.choices import Expiry
    from medtrace.partners.expiry import expiry_of
    from medtrace.partners.expiry import today as local_today
    from medtrace.partners.selectors import certificates_to_renew

    today = local_today()
    rows = []
    for organization in _organizations(org):
        for certificate in certificates_to_renew(organization, days, today=today):
            rows.append(
                {
                    "organization": organization.name,
                    "supplier": certificate.supplier.code,
                    "supplier_status": certificate.supplier.status,
                    "kind": certificate.kind,
                    "number": certificate.number,
                    "valid_until": certificate.valid_until.isoformat(),
                    "expired": expiry_of(certificate.valid_until, today) == Expiry.EXPIRED,
                }
            )
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print(f"no supplier certificate expires within {days} days")
        return
    for row in rows:
        state = "[red]expired[/]" if row["expired"] else "expires"
        console.print(
            f"{row['supplier']}  {row['kind']} {row['number']}  {state} {row['valid_until']}"
            f"  [dim]({row['supplier_status']})[/]"
        )


@app.command("check-certificates")
def check_certificates():
    """Run the nightly certificate check now: approved suppliers whose last ISO 13485
    certificate or production licence has expired become conditional."""
    setup_django()
    from medtrace.partners.services import lapse_expired_certificates

    decisions = lapse_expired_certificates()
    for decision in decisions:
        console.print(f"{decision.supplier.code}: conditional. {decision.reason}")
    if not decisions:
        console.print("no approved supplier's required certificate has lapsed")


@app.command("check-source")
def check_source(
    supplier: str = typer.Argument(..., help="Supplier code."),
    item: str = typer.Argument(..., help="Item code."),
    org: str | None = typer.Option(None, "--org", help="The organization (name)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Whether SUPPLIER may supply ITEM today: allowed, conditional (with the conditions) or
    refused (with the reason); exit status 1 when refused."""
    setup_django()
    from medtrace.catalog.models import Item
    from medtrace.partners.models import Supplier
    from medtrace.partners.sourcing import check_approved_source

    organizations = _organizations(org)
    if len(organizations) > 1 and org is None:
        die("there are several organizations; name one with --org")
    organization = organizations[0] if organizations else die("there is no organization yet")
    found = Supplier.objects.filter(organization=organization, code=supplier.upper()).first()
    if found is None:
        die(f"no supplier {supplier.upper()}")
    material = Item.objects.filter(organization=organization, code=item.upper()).first()
    if material is None:
        die(f"no item {item.upper()}")
    verdict = check_approved_source(supplier=found, item=material)
    if as_json:
        body = verdict.as_dict()
        if body["conditions_due_on"] is not None:
            body["conditions_due_on"] = body["conditions_due_on"].isoformat()
        console.print_json(json.dumps(body, ensure_ascii=False))
    else:
        console.print(f"{verdict.verdict}: {verdict.reason}")
        if verdict.conditions:
            due = f" (due {verdict.conditions_due_on})" if verdict.conditions_due_on else ""
            console.print(f"conditions{due}: {verdict.conditions}")
    if not verdict.allowed:
        raise typer.Exit(1)
