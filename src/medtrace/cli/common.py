import os
import sys
from contextlib import contextmanager

import typer
from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def die(message: str, code: int = 1):
    err_console.print(f"[bold red]medtrace:[/] {message}")
    raise typer.Exit(code)


@contextmanager
def fail_cleanly():
    """Turn the errors a user can fix (configuration, database, refused rule) into one line."""
    from medtrace.conf import ConfigError

    try:
        yield
    except ConfigError as exc:
        err_console.print(f"[bold red]medtrace: configuration error:[/] {exc}")
        sys.exit(2)
    except Exception as exc:
        from django.db import DatabaseError

        from medtrace.core.errors import DomainError

        if isinstance(exc, DatabaseError):
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            err_console.print(
                f"[bold red]medtrace: database error:[/] {first_line} "
                "(check DATABASE_URL and that the database server is running)"
            )
            sys.exit(3)
        if isinstance(exc, DomainError):
            err_console.print(f"[bold red]medtrace:[/] {exc.message}")
            sys.exit(1)
        raise


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def refuse_pending_migrations() -> None:
    """Stop a long-running command before it serves or works on an outdated schema."""
    pending = pending_migrations()
    if pending:
        die(
            f"{len(pending)} database migration(s) not applied (first: {pending[0]}); "
            "run: medtrace init"
        )


def active_user(username: str):
    """The active user a command acts as (their roles and sites apply); ends the command when
    there is none of that name."""
    from medtrace.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        die(f"no active user named {username!r}")
    return user
