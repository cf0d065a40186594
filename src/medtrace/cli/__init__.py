"""The `medtrace` command: set up, serve, demo, tokens, checks, jobs, suppliers, changes,
webhooks, backup and restore.

Configuration errors and an unreachable database end the command with one line naming the
problem, never a traceback (a traceback is for bugs).
"""

import sys

import typer

from medtrace.cli import (
    audit,
    backup,
    changes,
    documents,
    equipment,
    exchange,
    inventory,
    jobs,
    keys,
    label,
    production,
    purchasing,
    quality,
    scan,
    setup,
    shipping,
    suppliers,
    tokens,
    trace,
    training,
    udi,
    users,
    webhooks,
)
from medtrace.cli.common import fail_cleanly

app = typer.Typer(
    help="medtrace: quality-traceability ERP for medical-device makers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
setup.register(app)
jobs.register(app)
audit.register(app)
backup.register(app)
scan.register(app)
exchange.register(app)
label.register(app)
trace.register(app)
quality.register(app)
documents.register(app)
changes.register(app)
suppliers.register(app)
purchasing.register(app)
training.register(app)
equipment.register(app)
inventory.register(app)
production.register(app)
shipping.register(app)
webhooks.register(app)
udi.register(app)
app.add_typer(tokens.app, name="token")
app.add_typer(users.app, name="user")
app.add_typer(keys.app, name="keys")


def main() -> None:
    with fail_cleanly():
        app(prog_name="medtrace")
    sys.exit(0)
