"""medtrace equipment due: the calibrations and maintenance falling due (or overdue) within N
days, site by site, each judged on its site's own day."""

import json

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Equipment: calibration and maintenance due.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="equipment")


def _rows(sites, days: int) -> list[dict]:
    from medtrace.equipment import calibration_selectors, selectors
    from medtrace.equipment.services.usability import site_day

    rows = []
    for site in sites:
        today = site_day(site)
        for equipment in selectors.calibration_due([site.pk], days, today):
            rows.append(
                {
                    "site": site.code,
                    "equipment": equipment.code,
                    "what": "calibration",
                    "task": "",
                    "due_on": equipment.calibration_due_on.isoformat(),
                    "overdue": equipment.overdue,
                    "status": equipment.status,
                }
            )
        for plan in calibration_selectors.plans_due([site.pk], days, today):
            rows.append(
                {
                    "site": site.code,
                    "equipment": plan.equipment.code,
                    "what": "maintenance",
                    "task": plan.task,
                    "due_on": plan.next_due_on.isoformat(),
                    "overdue": plan.next_due_on < today,
                    "status": plan.equipment.status,
                }
            )
    return sorted(rows, key=lambda row: (row["site"], row["due_on"], row["equipment"]))


@app.command()
def due(
    days: int = typer.Option(30, "--days", min=0, help="Due within this many days."),
    site: str | None = typer.Option(None, help="Site code (default: every active site)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """What falls due for calibration or maintenance within N days, and what is overdue."""
    setup_django()
    from medtrace.org.models import Site

    sites = Site.objects.filter(is_active=True).order_by("code")
    if site:
        sites = sites.filter(code=site.upper())
        if not sites.exists():
            die(f"no active site {site!r}")
    rows = _rows(sites, days)
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print(f"nothing falls due within {days} days")
        return
    for row in rows:
        flag = "[bold red]OVERDUE[/]" if row["overdue"] else "due    "
        what = row["what"] + (f": {row['task']}" if row["task"] else "")
        console.print(
            f"{row['site']}  {row['equipment']:<12} {flag} {row['due_on']}  {what}"
            f"  [dim]{row['status']}[/]"
        )
    overdue = sum(1 for row in rows if row["overdue"])
    console.print(f"{len(rows)} due within {days} days, {overdue} overdue")
