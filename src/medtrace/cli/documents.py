"""medtrace documents: generate a document from a template (the quality manual, an SOP
skeleton, a CAPA / NCR / supplier audit report) for a market and write its PDF, as the pages
do; list the templates; take a generated skeleton in as a controlled document's draft."""

import json
from pathlib import Path

import typer

from medtrace.cli.common import active_user, console, die, setup_django

app = typer.Typer(help="Document control: generated documents.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="documents")


@app.command()
def templates(as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """The document templates, the markets each is written for and what it is about."""
    setup_django()
    from medtrace.documents.generation import registry

    rows = [
        {
            "key": t.key,
            "title": t.title.en,
            "title_zh": t.title.zh,
            "markets": list(t.markets),
            "subject": t.subject.key if t.subject else None,
        }
        for t in registry.templates()
    ]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        about = f" about a {row['subject']}" if row["subject"] else ""
        console.print(
            f"{row['key']:<24} {row['title']} / {row['title_zh']}{about} "
            f"[dim]({', '.join(row['markets'])})[/]"
        )


@app.command()
def generate(
    template: str = typer.Argument(..., help="quality-manual, sop-skeleton, capa-report, ..."),
    market: str = typer.Option(..., help="nmpa, fda or eu."),
    user: str = typer.Option(
        ..., "--user", help="Generate as this user (their roles and sites apply; recorded)."
    ),
    subject: str | None = typer.Option(
        None, help="The record's number or id (CAPA-2026-0007), or the SOP topic (capa, recall…)."
    ),
    site: str | None = typer.Option(
        None, help="Site code (default: the user's only site; a report goes to its record's)."
    ),
    language: str | None = typer.Option(None, help="zh-hans or en (default: the market's)."),
    out: Path | None = typer.Option(
        None, "--out", dir_okay=False, help="Write the PDF here (default: its generated name)."
    ),
):
    """Generate the document from live data, record the generation (with its SHA-256 and an
    audit entry) and write the PDF. Refusals name the rule and exit 1."""
    setup_django()
    from medtrace.core.errors import DomainError
    from medtrace.documents.generation import services

    generator = active_user(user)
    chosen = _site(generator, site) if site else _only_site(generator)
    try:
        document = services.generate(
            template,
            market=market.lower(),
            by=generator,
            subject=subject,
            site=chosen,
            language=language,
        )
    except DomainError as error:
        die(str(error.message))
    target = out or Path(document.file.name.rsplit("/", 1)[-1])
    with document.file.open("rb") as stored:
        target.write_bytes(stored.read())
    console.print(
        f"{document.title}: generation #{document.pk}, SHA-256 {document.sha256}, "
        f"written to {target}"
    )


@app.command("take-in")
def take_in(
    generated_id: int = typer.Argument(..., help="The generation's number (#id)."),
    user: str = typer.Option(..., "--user", help="Register the document as this user."),
    number: str = typer.Option("", help="Document number (default: numbered by its type)."),
):
    """Register a controlled document whose first draft is a generated quality manual or SOP
    skeleton."""
    setup_django()
    from django.http import Http404

    from medtrace.core.errors import DomainError
    from medtrace.documents.generation import selectors, services

    taker = active_user(user)
    try:
        document = selectors.get_generated_or_404(taker, generated_id)
    except Http404:
        die(f"no generated document #{generated_id} that {taker.username} may see")
    try:
        controlled = services.take_in(document, by=taker, number=number)
    except DomainError as error:
        die(str(error.message))
    console.print(f"{controlled.number} registered with its first draft from #{document.pk}")


def _site(user, code: str):
    from medtrace.org.models import Site

    found = Site.objects.filter(organization_id=user.organization_id, code=code.upper()).first()
    if found is None:
        die(f"no site {code!r} in {user.username}'s organization")
    return found


def _only_site(user):
    """The user's site when they hold roles at one only; otherwise the service asks (unless
    the template files the document at its record's site)."""
    from medtrace.org import access

    sites = list(access.visible_sites(user).filter(organization_id=user.organization_id)[:2])
    return sites[0] if len(sites) == 1 else None
