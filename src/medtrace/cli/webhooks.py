"""medtrace webhooks list / redeliver: the subscriptions and their queues from the command
line, and sending every dead letter of one subscription again after its receiver is fixed."""

import typer

from medtrace.cli.common import active_user, console, die, setup_django

app = typer.Typer(
    help="Webhooks and feeds: list them, send dead letters again.", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="webhooks")


@app.command("list")
def list_subscriptions(
    user: str = typer.Option(..., "--user", help="List what this user may see."),
):
    """Every subscription with its address, state and how many deliveries wait or are dead."""
    setup_django()
    from rich.table import Table

    from medtrace.integration import selectors

    table = Table()
    for column in ("id", "name", "sent to", "sites", "state", "waiting", "dead", "last delivered"):
        table.add_column(column, overflow="fold")
    subscriptions = selectors.with_counts(selectors.visible_subscriptions(active_user(user)))
    for subscription in subscriptions.order_by("name"):
        delivered = subscription.last_delivered_at
        table.add_row(
            str(subscription.pk),
            subscription.name,
            subscription.url or "feed",
            ", ".join(site.code for site in subscription.sites.all()),
            "active" if subscription.is_active else "off",
            str(subscription.waiting),
            str(subscription.dead),
            f"{delivered:%Y-%m-%d %H:%M:%S}" if delivered else "—",
        )
    console.print(table)


@app.command()
def redeliver(
    subscription_id: int = typer.Argument(..., help="The subscription's id (see `list`)."),
    user: str = typer.Option(..., "--user", help="Act as this user (recorded)."),
):
    """Queue every dead letter of the subscription again, each with fresh attempts."""
    setup_django()
    from medtrace.core.errors import DomainError
    from medtrace.integration import selectors, services
    from medtrace.integration.choices import DeliveryStatus

    by = active_user(user)
    subscription = (
        selectors.visible_subscriptions(by, "integration.change_subscription")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        die(f"no subscription {subscription_id} that {user} may change")
    dead = list(selectors.deliveries_of(subscription, status=DeliveryStatus.DEAD))
    try:
        for delivery in dead:
            services.redeliver(delivery, by=by)
    except DomainError as error:
        die(str(error.message))
    console.print(f"{len(dead)} dead letter(s) of {subscription.name} queued again.")
