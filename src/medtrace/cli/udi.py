"""medtrace udi status / prepare: where each device stands with a UDI database, and writing
the bulk submission file for the devices new or changed since the last accepted one."""

from pathlib import Path

import typer

from medtrace.cli.common import active_user, console, die, setup_django

app = typer.Typer(
    help="UDI databases (NMPA UDID, FDA GUDID, EUDAMED): status and submission files.",
    no_args_is_help=True,
)
DATABASES = ("nmpa", "gudid", "eudamed")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="udi")


def _database(value: str) -> str:
    if value not in DATABASES:
        die(f"unknown database {value!r}: use one of {', '.join(DATABASES)}")
    return value


@app.command()
def status(
    database: str = typer.Argument(..., help="nmpa, gudid or eudamed"),
    user: str = typer.Option(..., "--user", help="Read as this user."),
):
    """Each device the database holds: new, changed or up to date, and what it lacks."""
    setup_django()
    from rich.table import Table

    from medtrace.udi import selectors

    database = _database(database)
    reader = active_user(user)
    if not reader.has_perm("udi.view_submission"):
        die(f"{user} may not read UDI submissions")
    table = Table()
    for column in ("item", "device identifier", "state", "missing or wrong"):
        table.add_column(column, overflow="fold")
    statuses = selectors.device_statuses(reader.organization_id, database)
    for entry in statuses:
        device = entry.record.device
        table.add_row(
            device.item.code, device.value, str(entry.state.label), "\n".join(entry.problems)
        )
    console.print(table)
    counts = selectors.summary(statuses)
    console.print(
        f"{counts['devices']} device(s): {counts['current']} up to date, "
        f"{counts['to_submit']} to submit, {counts['blocked']} of them incomplete."
    )


@app.command()
def prepare(
    database: str = typer.Argument(..., help="nmpa, gudid or eudamed"),
    user: str = typer.Option(..., "--user", help="Act as this user (recorded)."),
    out: Path = typer.Option(..., "--out", help="Where to write the submission file."),
):
    """Write the bulk file of every device new or changed since the last accepted submission;
    refused, naming each device and what it lacks, if one is incomplete."""
    setup_django()
    from medtrace.core.errors import DomainError
    from medtrace.udi import services

    database = _database(database)
    by = active_user(user)
    if not by.has_perm("udi.add_submission"):
        die(f"{user} may not prepare UDI submissions")
    try:
        submission = services.prepare_submission(
            organization=by.organization, database=database, by=by
        )
    except DomainError as error:
        lines = (error.details.get("fields") or {}).get("device_identifiers") or []
        die("\n".join([str(error.message), *lines[1:]]))
    out.write_bytes(bytes(submission.content))
    console.print(
        f"{submission} prepared: {submission.records.count()} device(s) written to {out} "
        f"(SHA-256 {submission.sha256}). Record the database's answer on its page."
    )
