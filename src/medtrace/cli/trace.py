"""medtrace epcis import/export and medtrace trace forward/backward."""

import json
import sys
import time
from datetime import datetime
from functools import partial
from pathlib import Path

import typer

from medtrace.cli.common import console, die, err_console, setup_django

epcis_app = typer.Typer(help="EPCIS 2.0 documents in and out.", no_args_is_help=True)
trace_app = typer.Typer(help="Trace a lot, unit or container.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(epcis_app, name="epcis")
    root.add_typer(trace_app, name="trace")


def _site(code: str | None):
    from medtrace.org.models import Site

    if code:
        site = Site.objects.filter(code=code.upper(), is_active=True).first()
        if site is None:
            die(f"no active site {code!r}")
        return site
    sites = list(Site.objects.filter(is_active=True)[:2])
    if len(sites) != 1:
        die("there are several sites; say which with --site CODE")
    return sites[0]


def _user(username: str | None, organization):
    if not username:
        return None
    from medtrace.accounts.models import User

    user = User.objects.filter(username=username, is_active=True, organization=organization).first()
    if user is None:
        die(f"no active user named {username!r} in {organization}")
    return user


def _advance(progress, task, done: int, total: int) -> None:
    progress.update(task, completed=done, total=total)


@epcis_app.command("import")
def import_files(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="JSON-LD files"),
    site: str | None = typer.Option(None, help="Site code (default: the only site)."),
    create_missing: bool = typer.Option(
        False, "--create-missing", help="Create lots, units, containers and items met first here."
    ),
    user: str | None = typer.Option(None, help="Record the events as this user."),
):
    """Validate each document against GS1's EPCIS 2.0 schema and record its events; a
    document with one invalid event records nothing (exit 1 naming the event and field)."""
    setup_django()
    from rich.progress import Progress

    from medtrace.core.errors import DomainError
    from medtrace.trace.services import capture

    chosen = _site(site)
    recorder = _user(user, chosen.organization)
    failed = False
    for path in files:
        started = time.perf_counter()
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task(path.name, total=None)
            try:
                result = capture.capture(
                    path.read_bytes(),
                    organization=chosen.organization,
                    site=chosen,
                    by=recorder,
                    create_missing=create_missing,
                    source=path.name,
                    on_progress=partial(_advance, progress, task),
                )
            except DomainError as error:
                failed = True
                err_console.print(f"[bold red]{path.name}: nothing imported:[/] {error.message}")
                for key, value in error.details.items():
                    err_console.print(f"  {key}: {value}")
                continue
        seconds = time.perf_counter() - started
        rate = len(result.events) / seconds if seconds else 0
        console.print(
            f"{path.name}: {len(result.events)} events, {result.new} new, "
            f"{result.already_recorded} already recorded in {seconds:.2f} s "
            f"({rate:,.0f} events/s)"
        )
    if failed:
        raise typer.Exit(1)


@epcis_app.command("export")
def export(
    since: datetime | None = typer.Option(None, help="Only events recorded from then on."),
    site: str | None = typer.Option(None, help="Only events recorded at this site."),
    out: Path | None = typer.Option(None, help="Write here (default: standard output)."),
):
    """The event log as one EPCIS 2.0 JSON-LD document, error declarations included; it
    validates against GS1's schema and re-imports to the same state."""
    setup_django()
    from medtrace.org.models import Site
    from medtrace.trace.services import capture

    chosen = _site(site) if site else None
    if chosen is None:
        sites = list(Site.objects.filter(is_active=True).select_related("organization")[:1])
        if not sites:
            die("there is no site yet; run medtrace init")
        organization = sites[0].organization
    else:
        organization = chosen.organization
    if since is not None and since.tzinfo is None:
        from django.utils import timezone

        since = timezone.make_aware(since)
    events = capture.events_for_export(organization, since=since, site=chosen)
    document = capture.export_document(events)
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")
        count = len(document["epcisBody"]["eventList"])
        err_console.print(f"{count} events written to {out}")


def _trace(direction: str, code: str, user: str, as_json: bool, max_depth: int | None):
    setup_django()
    from medtrace.accounts.models import User
    from medtrace.core.errors import DomainError
    from medtrace.trace import contract, engine, selectors

    viewer = User.objects.filter(username=user, is_active=True).first()
    if viewer is None:
        die(f"no active user named {user!r}")
    try:
        root = selectors.find_one(viewer, code)
    except DomainError as error:
        if as_json:
            print(json.dumps(error.as_body(), ensure_ascii=False))
            raise typer.Exit(2) from None
        die(str(error.message), 2)
    result = engine.trace(root, direction, max_depth=max_depth)
    data = contract.as_dict(selectors.visible_result(result, viewer))
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    console.print(f"{direction} from {data['root']['id']} ({data['elapsed_ms']} ms)")
    for key in ("lots", "units", "containers"):
        console.print(f"{key}: {len(data[key])}")
        for row in data[key][:20]:
            console.print(f"  {row['id']}  {row.get('status') or ''}")
    parties = data["destinations"] if direction == engine.FORWARD else data["sources"]
    console.print(("destinations" if direction == engine.FORWARD else "sources") + ":")
    for party in parties:
        console.print(f"  {party}")


CODE_HELP = "A scan, Digital Link URI, EPC URN, or a lot / serial number."


@trace_app.command("forward")
def forward(
    code: str = typer.Argument(..., help=CODE_HELP),
    user: str = typer.Option(..., help="Trace what this user may see."),
    as_json: bool = typer.Option(False, "--json", help="Print the trace contract as JSON."),
    max_depth: int | None = typer.Option(None, help="Stop after this many steps."),
):
    """Where did it go: every lot and unit made from it, and who received them."""
    _trace("forward", code, user, as_json, max_depth)


@trace_app.command("backward")
def backward(
    code: str = typer.Argument(..., help=CODE_HELP),
    user: str = typer.Option(..., help="Trace what this user may see."),
    as_json: bool = typer.Option(False, "--json", help="Print the trace contract as JSON."),
    max_depth: int | None = typer.Option(None, help="Stop after this many steps."),
):
    """Where did it come from: every lot it was made from, and the suppliers."""
    _trace("backward", code, user, as_json, max_depth)
