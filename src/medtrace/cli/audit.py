"""medtrace audit verify / checkpoint."""

from pathlib import Path

import typer

from medtrace.cli.common import console, die, setup_django

app = typer.Typer(
    help="The audit trail: verify the hash chains, sign checkpoints.", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")


@app.command("verify")
def verify(
    from_sequence: int = typer.Option(1, "--from", min=1, help="Start at this sequence number."),
    checkpoint: list[Path] = typer.Option(
        [], help="An exported checkpoint to check against (repeatable)."
    ),
    stored: bool = typer.Option(
        True, help="Also check against the checkpoints kept in the data dir."
    ),
):
    """Recompute every chain; exit 1 naming the first entry that does not hold."""
    setup_django()
    from medtrace.audit import checkpoints as signed
    from medtrace.audit.verification import verify as run

    paths = [*checkpoint, *(signed.stored() if stored else [])]
    try:
        documents = [signed.read(path) for path in paths]
    except signed.CheckpointError as exc:
        die(str(exc))
    result = run(from_sequence=from_sequence, checkpoints=documents)
    if not result.ok:
        die(f"FAILED after {result.entries} good entries: {result.problem}")
    for key, (sequence, digest) in sorted(result.heads.items()):
        console.print(f"ok: {key}: {sequence} entries, head {digest}")
    console.print(
        f"ok: {result.entries} entries, head {_head_text(result.heads)}"
        f"; {len(documents)} checkpoint(s) agree"
    )


def _head_text(heads: dict) -> str:
    if len(heads) == 1:
        return next(iter(heads.values()))[1]
    return ", ".join(f"{key}={digest[:16]}…" for key, (_seq, digest) in sorted(heads.items()))


@app.command("checkpoint")
def checkpoint(
    out: Path | None = typer.Option(
        None, help="Write the checkpoint here (default: the data dir)."
    ),
):
    """Sign the head of every chain with the installation's Ed25519 key."""
    setup_django()
    from medtrace.audit.services import write_checkpoint

    path, document = write_checkpoint(out)
    for head in document["chains"]:
        console.print(f"{head['key']}: entry {head['sequence']}, hash {head['hash']}")
    console.print(f"checkpoint written to {path}")
