"""medtrace label: print a device label or an SSCC case label to a PDF file, as the pages do."""

from pathlib import Path

import typer

from medtrace.cli.common import active_user, console, die, setup_django


def register(root: typer.Typer) -> None:
    root.command("label")(label)


def label(
    device_identifier: str | None = typer.Argument(
        None, help="The device identifier (GTIN, +HIBC) whose label to print."
    ),
    user: str = typer.Option(
        ..., "--user", help="Print as this user (their roles apply; the print is audited)."
    ),
    lot: str | None = typer.Option(None, help="Lot, when the DI's label carries it."),
    serial: str | None = typer.Option(None, help="Serial number, when the label carries it."),
    expiry: str | None = typer.Option(None, help="Use-by date, YYYY-MM-DD."),
    production_date: str | None = typer.Option(None, help="Date of manufacture, YYYY-MM-DD."),
    sscc: str | None = typer.Option(None, "--sscc", help="Print the case label of this SSCC."),
    content: list[str] = typer.Option(
        [], "--content", help='SSCC label content "GTIN [LOT] COUNT" (repeatable).'
    ),
    ship_from: str = typer.Option("", help="SSCC label: sender's address."),
    ship_to: str = typer.Option("", help="SSCC label: receiver's address."),
    out: Path | None = typer.Option(
        None, "--out", dir_okay=False, help="Write the PDF here (default: a name from the data)."
    ),
):
    """Write a GS1 label PDF: the DI's label (GS1 DataMatrix, or HIBC) for a lot or serial, or
    with --sscc a GS1-128 case label. Refusals name the rule and exit 1."""
    if (device_identifier is None) == (sscc is None):
        die("give either a device identifier or --sscc")
    setup_django()
    from django.http import Http404

    from medtrace.catalog import selectors
    from medtrace.labels import services
    from medtrace.labels.forms import content_lines

    printer = active_user(user)
    if not printer.has_perm(services.PRINT_PERMISSION) or printer.organization_id is None:
        die(f"{printer.username} may not print labels ({services.PRINT_PERMISSION})")
    if sscc is not None:
        try:
            lines = content_lines("\n".join(content))
        except ValueError as error:
            die(str(error))
        pdf = services.sscc_label_pdf(
            sscc=sscc, contents=lines, ship_from=ship_from, ship_to=ship_to, by=printer
        )
        target = out or Path(services.label_filename("sscc", sscc))
    else:
        try:
            identifier = selectors.get_device_identifier_or_404(printer, device_identifier)
        except Http404:
            die(f"no device identifier {device_identifier!r} in {printer.username}'s catalog")
        pdf = services.device_label_pdf(
            identifier=identifier,
            lot=lot,
            serial=serial,
            expiry=expiry,
            production_date=production_date,
            by=printer,
        )
        target = out or Path(services.label_filename("label", identifier.value, lot, serial))
    target.write_bytes(pdf)
    console.print(f"Label written to {target} ({len(pdf)} bytes).")
