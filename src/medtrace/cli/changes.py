"""medtrace changes list / implement-due: the change requests (ECO) of every site, and
implementing the released ones whose planned date has come (as the hourly job does)."""

import json

import typer

from medtrace.cli.common import console, err_console, setup_django

app = typer.Typer(help="Change control: change requests (ECO).", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="changes")


def _row(change) -> dict:
    return {
        "number": change.number,
        "site": change.site.code,
        "title": change.title,
        "kind": change.kind,
        "status": change.status,
        "planned_effective_on": (
            change.planned_effective_on.isoformat() if change.planned_effective_on else None
        ),
        "implemented_at": change.implemented_at.isoformat() if change.implemented_at else None,
        "open_tasks": change.open_tasks,
    }


@app.command("list")
def list_changes(
    open_only: bool = typer.Option(False, "--open", help="Only changes not yet implemented."),
    site: str | None = typer.Option(None, help="Site code (default: every site)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """The change requests, newest first, with their status and open tasks."""
    setup_django()
    from medtrace.changes import selectors
    from medtrace.changes.models import ChangeRequest

    found = ChangeRequest.objects.select_related("site")
    if site:
        found = found.filter(site__code=site.upper())
    rows = [
        _row(change)
        for change in selectors.with_counts(selectors.filter_changes(found, {"open": open_only}))
    ]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print("no change requests" + (" open" if open_only else ""))
        return
    for row in rows:
        when = row["implemented_at"] or row["planned_effective_on"] or "when released"
        console.print(
            f"{row['number']}  {row['site']}  {row['status']:<11} {row['kind']:<10} "
            f"{row['title'][:60]}  [dim]effective {when[:10]} · {row['open_tasks']} open task(s)[/]"
        )


@app.command("implement-due")
def implement_due():
    """Implement the released changes whose planned date has come at their site."""
    setup_django()
    from medtrace.changes.services import changes

    failures = []
    done = changes.implement_due(failures=failures)
    for change in done:
        console.print(f"{change.number} implemented")
    for change, error in failures:
        err_console.print(f"[bold red]{change.number} not implemented:[/] {error.message}")
    console.print(f"{len(done)} change(s) implemented")
    if failures:
        raise typer.Exit(1)
