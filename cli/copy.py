"""`uspk copy SOURCE_DB TARGET_DB`: move a whole history to another store."""

from __future__ import annotations

import click

from cli.context import settings


@click.command("copy")
@click.argument("source", metavar="SOURCE_DB")
@click.argument("target", metavar="TARGET_DB")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="Stored events written to TARGET_DB in one transaction.",
)
@click.pass_context
def copy(ctx: click.Context, source: str, target: str, batch_size: int) -> None:
    """Copy the whole history in SOURCE_DB into TARGET_DB, unchanged.

    Each store is a SQLite file path or postgresql://user:pass@host:port/dbname
    (--db and USPK_DB are not used here). Every stored event is copied as it is:
    the same ids, the same recorded times, in the same order, so every query
    (timeline, state, --known-at) answers the same on both stores.

    TARGET_DB should be new or empty: copy before any other command uses it (the
    first use of a store loads the shipped history). A SQLite TARGET_DB is created
    if need be, its folder only with --create (uspk --create copy ...). If it already
    holds this same history, nothing is written; if it holds the beginning of it
    (an interrupted copy, or SOURCE_DB has grown since), only the rest is copied.
    A TARGET_DB holding any other history is refused and left untouched.

    Counts: a stored event is one row of the event log: each recorded change (an
    event, amendment or retraction, as `uspk verify` counts them), plus the record's
    creation and each load of the shipped history.

    \b
    Example: move the default SQLite store to a shared PostgreSQL database
      uspk copy ~/.local/share/uspk/uspk.sqlite postgresql://me@db.example/uspk
    """
    from service.upkeep import copy_history

    for name, value in (("SOURCE_DB", source), ("TARGET_DB", target)):
        if not value.strip():
            raise click.BadParameter(
                "give a SQLite file path or a postgresql:// URL", param_hint=name
            )
    report = copy_history(source, target, create=settings(ctx).create, batch_size=batch_size)
    if report.copied == 0:
        click.echo(
            f"{report.target} already holds this history "
            f"({report.present} stored events); nothing copied"
        )
        return
    already = f"; {report.present} were already there" if report.present else ""
    click.echo(
        f"copied {report.copied} stored event(s) from {report.source} to {report.target}{already}"
    )
