import typer

from medtrace.cli.common import active_user, console, die, setup_django

app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="The user the token acts as."),
    sites: str = typer.Option(
        "", help="Comma-separated site codes; default: all the user's sites."
    ),
    write: bool = typer.Option(False, "--write", help="Allow changes (default: read-only)."),
    expires: int = typer.Option(90, help="Days until the token expires (1-366)."),
    name: str = typer.Option("cli", help="What the token is for."),
):
    """Print a new API token once; store it safely, it cannot be shown again."""
    setup_django()
    from medtrace.accounts.services import create_api_token
    from medtrace.org import access

    user = active_user(username)
    reachable = access.visible_sites(user)
    if sites:
        codes = [code.strip().upper() for code in sites.split(",") if code.strip()]
        chosen = list(reachable.filter(code__in=codes))
        missing = sorted(set(codes) - {site.code for site in chosen})
        if missing:
            die(f"{username} holds no role at site(s) {', '.join(missing)}")
    else:
        chosen = list(reachable)
    _token, plaintext = create_api_token(
        user=user, name=name, sites=chosen, can_write=write, expires_in_days=expires, by=user
    )
    console.print(plaintext, soft_wrap=True)
