"""medtrace user unlock: the way back in when every administrator is locked out."""

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="User accounts.", no_args_is_help=True)

CLI_ACTOR = "command line (medtrace user unlock)"


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
