"""medtrace import / export: master data sheets from the command line, as the pages do it."""

import sys
from pathlib import Path

import typer

from medtrace.cli.common import active_user, console, die, setup_django

KIND_HELP = "items, device_identifiers, suppliers, customers, boms or equipment"


def register(root: typer.Typer) -> None:
    root.command("import")(import_file)
    root.command("export")(export_file)


def _kind(kind: str) -> str:
    from medtrace.exchange.choices import ImportKind

    if kind not in ImportKind.values:
        die(f"unknown kind {kind!r}; use {KIND_HELP}")
    return kind


def import_file(
    kind: str = typer.Argument(..., help=KIND_HELP),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".xlsx or .csv file"),
    user: str = typer.Option(..., "--user", help="Import as this user (their roles apply)."),
    apply: bool = typer.Option(False, "--apply", help="Write the rows if the file is valid."),
    reason: str = typer.Option("", help="Recorded with every change (needed to correct DIs)."),
):
    """Validate a sheet and print its report (exit 2 when it has problems); --apply writes
    every row or none."""
    setup_django()
    from medtrace.exchange import services, sheets
    from medtrace.exchange.choices import BatchStatus

    kind = _kind(kind)
    importer = active_user(user)
    sheets.check_size(file.stat().st_size)
    batch = services.upload(
        user=importer,
        kind=kind,
        file_name=file.name,
        content=file.read_bytes(),
        reason=reason,
    )
    counts = batch.counts
    console.print(
        f"Import #{batch.pk} {kind} {file.name}: {batch.row_count} rows; "
        f"{counts.get('create', 0)} to create, {counts.get('update', 0)} to update, "
        f"{counts.get('unchanged', 0)} unchanged; {batch.problem_count} problem(s).",
        markup=False,
    )
    if batch.status != BatchStatus.READY:
        for problem in batch.problems:
            column = problem["column"] or "-"
            value = f" {problem['value']!r}" if problem["value"] else ""
            console.print(
                f"row {problem['row']}, column {column}{value}: "
                f"[{problem['rule']}] {problem['message']}",
                soft_wrap=True,
                markup=False,  # the values are the file's, not rich markup
            )
        if batch.problem_count > len(batch.problems):
            console.print(f"… and {batch.problem_count - len(batch.problems)} more")
        console.print("Nothing was written.")
        sys.exit(2)
    if not apply:
        console.print("Valid. Nothing was written; run again with --apply to import it.")
        return
    services.apply_batch(batch=batch, user=importer)
    console.print(f"Applied import #{batch.pk}.")


def export_file(
    kind: str = typer.Argument(..., help=KIND_HELP),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Write the file here."),
    user: str = typer.Option(..., "--user", help="Export what this user may see."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv"),
):
    """Write the records the user may see, in the columns an import reads."""
    setup_django()
    from medtrace.exchange import services
    from medtrace.exchange.choices import FileFormat

    kind = _kind(kind)
    if fmt not in FileFormat.values:
        die(f"unknown format {fmt!r}; use xlsx or csv")
    content = services.export(user=active_user(user), kind=kind, fmt=fmt)
    out.write_bytes(content)
    console.print(f"{kind} written to {out} ({len(content)} bytes)")
