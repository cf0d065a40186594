"""init, demo, serve, check: getting from nothing to a running medtrace."""

import os
import shutil
import sys
from pathlib import Path

import typer

from medtrace.cli.common import (
    console,
    die,
    pending_migrations,
    refuse_pending_migrations,
    setup_django,
)

DEMO_MARKER = ".medtrace-demo"


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("demo")(demo)
    app.command("check")(check)
    app.command(
        "manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(manage)


def _admin_password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            die(f"cannot read the password file {password_file}: {exc.strerror}")
    from_env = os.environ.get("MEDTRACE_ADMIN_PASSWORD", "")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        die("no admin password: use --admin-password-file, MEDTRACE_ADMIN_PASSWORD or a terminal")
    return typer.prompt(
        "Password for the first administrator", hide_input=True, confirmation_prompt=True
    )


def _user_exists(username: str) -> bool:
    from django.db import connection

    from medtrace.accounts.models import User

    if User._meta.db_table not in connection.introspection.table_names():
        return False  # a new database
    return User.objects.filter(username=username).exists()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def init(
    admin_user: str = typer.Option("admin", help="Username of the first system administrator."),
    admin_email: str = typer.Option("", help="E-mail of the first system administrator."),
    admin_password_file: Path | None = typer.Option(
        None, help="File holding the admin password (else MEDTRACE_ADMIN_PASSWORD, else a prompt)."
    ),
    org: str = typer.Option(
        "", help="Organization name (default: keep the existing one, or 'My organization')."
    ),
    site_code: str = typer.Option("MAIN", help="Code of the first site."),
    site_name: str = typer.Option("Main plant", help="Name of the first site."),
):
    """Create the data directory, migrate, and create the organization, first site and admin.

    Safe to run again: what exists is left as it is.
    """
    setup_django()
    from django.conf import settings

    from medtrace.accounts.models import User
    from medtrace.accounts.roles import Role
    from medtrace.accounts.services import check_password_strength, create_user
    from medtrace.org import services as org_services
    from medtrace.org.models import Organization, Site

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Asked and checked before migrating: migrating a new database takes a while, and a
    # weak password should be refused before that wait, not after it.
    password = None
    if not _user_exists(admin_user):
        password = _admin_password(admin_password_file)
        check_password_strength(
            password, User(username=admin_user, email=admin_email, full_name=admin_user)
        )
    _migrate()
    console.print(f"Data directory: {settings.DATA_DIR}")

    organization = Organization.objects.filter(name=org).first() if org else None
    if organization is None and not org:
        organization = Organization.objects.order_by("pk").first()
    if organization is None:
        organization, _created = org_services.ensure_organization(name=org or "My organization")
        console.print(f"Created organization {organization.name}")

    site = Site.objects.filter(organization=organization, code=site_code.upper()).first()
    if site is None:
        site = org_services.create_site(
            organization=organization,
            code=site_code.upper(),
            name=site_name,
            time_zone=settings.TIME_ZONE if settings.TIME_ZONE != "UTC" else "Asia/Shanghai",
            default_locations=True,
        )
        console.print(f"Created site {site.code} with its default locations")

    if password is None:
        console.print(f"User {admin_user} exists; left unchanged")
    else:
        admin = create_user(
            organization=organization,
            username=admin_user,
            email=admin_email,
            password=password,
            full_name=admin_user,
        )
        org_services.grant_role(user=admin, site=site, role=Role.SYSTEM_ADMIN)
        console.print(f"Created system administrator {admin.username} at {site.code}")
    console.print("Ready. Start it with: medtrace serve")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, help="Web worker processes."),
    no_worker: bool = typer.Option(False, "--no-worker", help="Do not run a job worker alongside."),
):
    """Serve medtrace with gunicorn (static files included), plus one background-job worker."""
    setup_django()
    refuse_pending_migrations()
    from medtrace.cli.server import run_gunicorn

    run_gunicorn(host=host, port=port, workers=workers, with_job_worker=not no_worker)


def demo(
    data_dir: Path = typer.Option(
        Path("./medtrace-demo"), help="Where the demo data lives (replaced)."
    ),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Build the demo plant, do not serve it."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
):
    """Build a fresh demo plant in its own data directory, print the logins, and serve it."""
    data_dir = data_dir.expanduser().resolve()
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / DEMO_MARKER).exists():
            die(f"{data_dir} exists and is not a demo directory; choose another --data-dir")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DEMO_MARKER).write_text("Made by `medtrace demo`; replaced on the next run.\n")
    os.environ["MEDTRACE_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    # Visitors sign in as the demo's people, whose phones they do not hold: two-factor sign-in
    # is offered (the profile page), not required.
    os.environ.setdefault("MEDTRACE_MFA_REQUIRED_ROLES", "none")
    setup_django()

    from rich.progress import Progress

    from medtrace import demo as demo_plant

    _migrate()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Building the demo plant", total=len(demo_plant.STEPS))

        def on_step(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, description=label or "done")

        plant = demo_plant.generate(on_step=on_step)
    _print_logins(plant, host, port)
    if not no_serve:
        serve(host=host, port=port, workers=2, no_worker=False)


def _print_logins(plant, host: str, port: int) -> None:
    from rich.table import Table

    from medtrace.org.models import Membership

    table = Table(title=f"Demo logins (password for all: {plant_password()})")
    table.add_column("username")
    table.add_column("name")
    table.add_column("roles")
    for username, user in plant.users.items():
        grants = Membership.objects.filter(user=user).select_related("site").order_by("site__code")
        roles = sorted({f"{grant.get_role_display()}" for grant in grants})
        sites = ", ".join(grant.site.code for grant in grants)
        table.add_row(username, user.full_name, f"{'; '.join(roles)} @ {sites}")
    console.print(table)
    console.print(f"Demo plant: {plant.organization.name_en} Open http://{host}:{port}/")


def plant_password() -> str:
    from medtrace.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def _report_last_backup() -> None:
    """A warning, not a failure: a new installation has none yet."""
    from medtrace.audit.choices import AuditAction
    from medtrace.audit.models import AuditEntry

    last = AuditEntry.objects.filter(action=AuditAction.BACKUP).order_by("-pk").first()
    if last is None:
        console.print("[yellow]warn[/] last backup: none recorded; run: medtrace backup")
    else:
        console.print(
            f"[green]ok[/]   last backup: {last.at:%Y-%m-%d %H:%M} UTC, {last.object_repr}"
        )


def check():
    """Check the configuration: database reachable, migrations applied, secret key, time zone."""
    setup_django()
    from django.conf import settings
    from django.db import DatabaseError, connection

    from medtrace.conf import SECRET_KEY_FILE

    problems = []

    def report(ok: bool, label: str, detail: str = "") -> None:
        mark = "[green]ok[/]  " if ok else "[red]FAIL[/]"
        console.print(f"{mark} {label}{': ' + detail if detail else ''}")
        if not ok:
            problems.append(label)

    report(True, "time zone", settings.TIME_ZONE)
    key_file = settings.DATA_DIR / SECRET_KEY_FILE
    if os.environ.get("MEDTRACE_SECRET_KEY") or os.environ.get("MEDTRACE_SECRET_KEY_FILE"):
        report(len(settings.SECRET_KEY) >= 32, "secret key", "from the environment")
    elif key_file.exists():
        mode = key_file.stat().st_mode & 0o777
        report(mode & 0o077 == 0, "secret key", f"{key_file} (mode {mode:o}; must be 600)")
    else:
        report(False, "secret key", "missing")
    try:
        connection.ensure_connection()
        report(True, "database", connection.vendor)
    except DatabaseError as exc:
        report(
            False,
            "database",
            str(exc).strip().splitlines()[0] if str(exc).strip() else "unreachable",
        )
    else:
        pending = pending_migrations()
        report(
            not pending,
            "migrations",
            f"{len(pending)} not applied; run: medtrace init" if pending else "all applied",
        )
        if not pending:
            _report_last_backup()
            _report_keys(report)
    writable = os.access(settings.DATA_DIR, os.W_OK) if settings.DATA_DIR.exists() else False
    report(writable, "data directory", str(settings.DATA_DIR))
    if problems:
        raise typer.Exit(1)


def _report_keys(report) -> None:
    """Whether the master key opens every data key (personal data is readable)."""
    from medtrace.keys import services as keys

    found = keys.problems()
    report(not found, "encryption keys", "; ".join(found) or "every data key opens")


def manage(ctx: typer.Context):
    """Run a Django management command (for operators; e.g. `medtrace manage createcachetable`)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["medtrace manage", *ctx.args])
