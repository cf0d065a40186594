"""medtrace quality sampling / tasks: the ISO 2859-1 plan for a lot, and what waits on a user."""

import json

import typer

from medtrace.cli.common import active_user, console, die, setup_django

app = typer.Typer(help="Quality records: sampling plans and tasks.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="quality")


@app.command()
def sampling(
    lot_size: int = typer.Option(..., "--lot-size", help="Items in the lot."),
    aql: str = typer.Option(..., help="AQL of the class, e.g. 1.0 (the ISO 2859-1 series)."),
    level: str = typer.Option("II", help="Inspection level: I, II, III, S-1 … S-4."),
    severity: str = typer.Option("normal", help="normal, tightened or reduced."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """The single sampling plan for a lot (ISO 2859-1 / ANSI Z1.4 / MIL-STD-105E)."""
    from medtrace.quality import sampling as iso2859

    try:
        plan = iso2859.plan(lot_size, aql, level=level, severity=severity)
    except ValueError as error:
        die(str(error))
    fields = {
        "lot_size": plan.lot_size,
        "aql": str(plan.aql),
        "level": str(plan.level),
        "severity": str(plan.severity),
        "code_letter": plan.code_letter,
        "plan_letter": plan.plan_letter,
        "sample_size": plan.sample_size,
        "accept": plan.accept,
        "reject": plan.reject,
        "inspect_all": plan.inspect_all,
    }
    if as_json:
        console.print_json(json.dumps(fields))
        return
    console.print(
        f"lot {plan.lot_size}, level {plan.level}, {plan.severity}: code letter "
        f"{plan.code_letter} → plan {plan.plan_letter}; inspect {plan.sample_size}"
        f"{' (the whole lot)' if plan.inspect_all else ''}; AQL {plan.aql}: accept with "
        f"{plan.accept} nonconforming or fewer, reject with {plan.reject} or more"
    )


@app.command()
def tasks(
    username: str = typer.Argument(..., help="Whose tasks."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """What waits on a user: records whose next step they may take, CAPA actions they own."""
    setup_django()
    from medtrace.quality.tasks import inbox

    user = active_user(username)
    waiting = inbox(user)
    rows = {kind: [_row(task) for task in items] for kind, items in waiting.items()}
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for kind, items in rows.items():
        if not items:
            continue
        console.print(f"[bold]{kind.replace('_', ' ')}[/] ({len(items)})")
        for row in items:
            extra = ", ".join(row["actions"]) or f"due {row.get('due_on')}"
            console.print(f"  {row['number']}  {row['title']}  [dim]{extra}[/]")
    if not any(rows.values()):
        console.print("nothing waits on you")


def _row(task) -> dict:
    """A task as a line: a record with the actions open to the user, a CAPA action, or a
    training assignment."""
    if hasattr(task, "trainee_id"):  # a training assignment
        return {
            "number": str(task.revision),
            "title": task.revision.document.display_title[:80],
            "actions": [],
            "due_on": str(task.due_on),
        }
    if hasattr(task, "as_row"):  # a supplier alert (partners.alerts)
        return task.as_row()
    if hasattr(task, "before_release"):  # a change request's implementation task
        return {
            "number": task.change.number,
            "title": task.description[:80],
            "actions": [],
            "due_on": str(task.due_on),
        }
    if hasattr(task, "next_review_on"):  # a controlled document due for periodic review
        return {
            "number": task.number,
            "title": task.display_title[:80],
            "actions": ["periodic_review"],
            "due_on": str(task.next_review_on),
        }
    if hasattr(task, "record") and hasattr(task.record, "document"):  # a document revision
        return {
            "number": str(task.record),
            "title": task.record.document.display_title[:80],
            "actions": [transition.name for transition in task.actions],
        }
    if hasattr(task, "record"):
        record = task.record
        return {
            "number": record.number,
            "title": getattr(record, "title", "") or record.get_status_display(),
            "actions": [transition.name for transition in task.actions],
        }
    return {
        "number": task.capa.number,
        "title": task.description[:80],
        "actions": [],
        "due_on": str(task.due_on),
    }
