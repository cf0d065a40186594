"""medtrace training overdue / can-perform: the open training past its date, and whether someone
is trained for a routing operation (what production asks before recording it)."""

import json
from datetime import datetime

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Training: overdue assignments, qualification checks.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="training")


@app.command()
def overdue(
    site: str = typer.Option("", "--site", help="Only this site (code)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Open training assignments past their due date, oldest first."""
    setup_django()
    from medtrace.org.models import Site
    from medtrace.training.choices import AssignmentStatus
    from medtrace.training.models import TrainingAssignment

    found = TrainingAssignment.objects.filter(status=AssignmentStatus.OPEN).select_related(
        "site", "trainee", "revision__document"
    )
    if site:
        chosen = Site.objects.filter(code=site.upper()).first()
        if chosen is None:
            die(f"no site with code {site!r}")
        found = found.filter(site=chosen)
    rows = [
        {
            "id": assignment.pk,
            "site": assignment.site.code,
            "trainee": assignment.trainee.username,
            "name": assignment.trainee.printed_name,
            "document": assignment.revision.document.number,
            "revision": assignment.revision.revision,
            "due_on": str(assignment.due_on),
            "days_overdue": (assignment.site.local_date() - assignment.due_on).days,
        }
        for assignment in found.order_by("due_on", "pk")
        if assignment.due_on < assignment.site.local_date()
    ]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print("no overdue training")
        return
    for row in rows:
        console.print(
            f"{row['site']}  {row['trainee']} ({row['name']})  {row['document']} rev. "
            f"{row['revision']}  due {row['due_on']}  [bold red]{row['days_overdue']} days "
            "overdue[/]"
        )


@app.command("can-perform")
def can_perform(
    username: str = typer.Argument(..., help="Who would perform the operation."),
    routing_id: int = typer.Argument(..., help="The routing's id."),
    position: int = typer.Argument(..., help="The operation's position (10, 20, …)."),
    at: str = typer.Option("", "--at", help="As of this time (ISO 8601 with offset)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Whether USERNAME is trained on every document the operation requires. Exits 0 when
    allowed, 1 when not (each reason printed)."""
    setup_django()
    from django.utils import timezone

    from medtrace.accounts.models import User
    from medtrace.catalog.models import Routing
    from medtrace.training.services.qualification import can_perform as verdict_for

    user = User.objects.filter(username=username).first()
    if user is None:
        die(f"no user named {username!r}")
    routing = Routing.objects.filter(pk=routing_id, organization_id=user.organization_id).first()
    if routing is None:
        die(f"no routing {routing_id} in {username}'s organization")
    operation = routing.operations.filter(position=position).first()
    if operation is None:
        die(f"routing {routing_id} has no operation at position {position}")
    when = timezone.now()
    if at:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            die(f"--at {at!r} is not an ISO 8601 time")
        if timezone.is_naive(when):
            die("--at needs its offset, e.g. 2026-03-01T08:00:00+08:00")
    verdict = verdict_for(user, operation, when)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "user": user.username,
                    "routing_id": routing.pk,
                    "operation": operation.position,
                    "operation_name": operation.name,
                    "at": when.isoformat(),
                    "allowed": verdict.allowed,
                    "reasons": verdict.reasons,
                },
                ensure_ascii=False,
            )
        )
    elif verdict.allowed:
        documents = ", ".join(operation.documents) or "none required"
        console.print(
            f"[green]allowed[/]: {user.printed_name} may perform {operation.position} "
            f"{operation.name} ({documents})"
        )
    else:
        console.print(f"[bold red]not allowed[/]: {user.printed_name}, {operation.name}")
        for reason in verdict.reasons:
            console.print(f"  - {reason}")
    if not verdict.allowed:
        raise typer.Exit(1)
