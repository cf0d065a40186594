"""medtrace scan: the parser as a command (for tools, scripts and tests)."""

import json
import sys

import typer

from medtrace.cli.common import console, setup_django


def register(root: typer.Typer) -> None:
    root.command("scan")(scan)


def scan(
    codes: list[str] = typer.Argument(..., help="The codes read from one label."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    reference_year: int | None = typer.Option(
        None, help="Year for the two-digit-year century rule (default: this year)."
    ),
):
    """Parse GS1 / Digital Link / EPC / HIBC / MA codes; exit 2 with the rule when invalid."""
    setup_django()
    from medtrace.scan import ScanError, parse

    try:
        result = parse(codes, reference_year=reference_year).as_dict()
    except ScanError as error:
        if as_json:
            print(json.dumps(error.as_dict(), ensure_ascii=False))
        else:
            console.print(f"[red]{error.code}[/]: {error.message}")
        sys.exit(2)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        if value not in (None, {}, []):
            console.print(f"{key}: {value}")
