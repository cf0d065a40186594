"""medtrace keys status / rotate: the keys that encrypt personal data in the database."""

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(help="Encryption keys of personal data.", no_args_is_help=True)


@app.command("status")
def status():
    """The master key at hand, the data keys and how many values each encrypts; exits 1 when a
    key is missing (after a restore without the master key from escrow)."""
    setup_django()
    from medtrace.keys import keyring, services
    from medtrace.keys.models import DataKey

    counts = services.values_by_key()
    at_hand = keyring.master_keys()
    console.print(f"master keys at hand: {', '.join(at_hand) or 'none'}")
    for key in DataKey.objects.all():
        state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "in use"
        console.print(
            f"data key {key.pk}: wrapped by {key.master_fingerprint}, {state}, "
            f"{counts.get(key.pk, 0)} values"
        )
    if counts.get(None):
        console.print(
            f"{counts[None]} values not encrypted yet (run `medtrace keys rotate --data-key`)"
        )
    found = services.problems()
    for problem in found:
        console.print(f"[bold red]problem:[/] {problem}")
    if found:
        raise typer.Exit(1)


@app.command("rotate")
def rotate(
    data_key: bool = typer.Option(
        False, "--data-key", help="Also encrypt every value again with a new data key."
    ),
):
    """Wrap the data keys with a new master key (written next to the old one, which it then
    replaces); with --data-key, also re-encrypt every value. The server may keep running."""
    setup_django()
    from medtrace.keys import keyring, services

    try:
        done = services.rotate_master_key()
        console.print(
            f"master key {done['master_key']}: {done['data_keys_rewrapped']} data keys re-wrapped"
        )
        if data_key:
            moved = services.rotate_data_key()
            console.print(
                f"data key {moved['data_key']}: {moved['values_reencrypted']} values "
                f"re-encrypted, data keys retired: {moved['data_keys_retired'] or 'none'}"
            )
    except keyring.KeyringError as error:
        die(str(error))
    console.print("Put the new master key in key escrow now; the old one is no longer needed.")
