"""medtrace user unlock / remove-two-factor: the way back in when every administrator is locked
out, or has lost their authenticator."""

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="User accounts.", no_args_is_help=True)

CLI_ACTOR = "command line (medtrace user unlock)"
TWO_FACTOR_ACTOR = "command line (medtrace user remove-two-factor)"


@app.command("unlock")
def unlock(username: str = typer.Argument(..., help="The locked user.")):
    """Unlock an account locked after failed sign-ins or signatures; audited."""
    setup_django()
    from medtrace.accounts.models import User
    from medtrace.accounts.services import unlock_user

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        die(f"no user named {username!r}")
    unlock_user(user=user, by=None, actor_name=CLI_ACTOR)
    console.print(f"{user.username} can sign in again.")


@app.command("remove-two-factor")
def remove_two_factor(
    username: str = typer.Argument(..., help="The user whose authenticator is lost."),
    reason: str = typer.Option(..., "--reason", help="Why, for the audit trail."),
):
    """Remove a user's authenticator; they set up a new one at next sign-in. Audited."""
    setup_django()
    from medtrace.accounts.mfa_services import remove
    from medtrace.accounts.models import User
    from medtrace.core.errors import DomainError

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        die(f"no user named {username!r}")
    try:
        remove(user=user, by=None, reason=reason, actor_name=TWO_FACTOR_ACTOR)
    except DomainError as error:
        die(str(error.message))
    console.print(f"{user.username} sets up a new authenticator at next sign-in.")
