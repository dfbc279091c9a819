"""What every command shares: the group's settings (--db, --create) and the opened store.

Opening imports the service layer, so it happens only when a command runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click


class Settings:
    def __init__(self, db: str | None, create: bool = False) -> None:
        self.db = db
        self.create = create


def settings(ctx: click.Context) -> Settings:
    """The group's settings; defaults when a command runs on its own, outside `uspk`."""
    return ctx.find_object(Settings) or Settings(None)


@contextmanager
def open_session(ctx: click.Context, recording: bool = False) -> Iterator[Any]:
    """A session on the chosen store (service.bootstrap.Session): the shipped history
    loaded, the read model up to date. A new store is announced, never silent. For
    ``recording``, a store we may not write is refused first, in its one line alone."""
    from service.bootstrap import Session, checked_store
    from service.stores import refuse_writing

    chosen = checked_store(settings(ctx).db, create=settings(ctx).create)
    if recording:
        refuse_writing(chosen, "recording")
    with Session(chosen) as opened:
        # A mistyped path shows up here; of processes racing to make one store, only
        # the one that loaded the history says so (another may have made the file).
        if opened.created_store and (chosen.new or not chosen.is_postgres):
            click.echo(
                f"uspk: created a new store at {chosen.address} with the shipped history",
                err=True,
            )
        if opened.broken:  # never answer what follows a forged link in silence
            click.echo(f"uspk: warning: {opened.broken}", err=True)
        elif opened.behind:  # a reader's answer leaves out what the index has not caught
            click.echo(
                f"uspk: the index is {opened.behind} recorded change(s) behind the event "
                "log, and you may not catch it up: this answer leaves them out until a "
                "curator runs any uspk command on this store (e.g. `uspk timeline`)",
                err=True,
            )
        if opened.history_not_loaded:
            click.echo(
                "uspk: this release's shipped history was not loaded into the store "
                f"({opened.history_not_loaded}); the store answers as it was recorded",
                err=True,
            )
        yield opened


@contextmanager
def open_upkeep(ctx: click.Context) -> Iterator[Any]:
    """The chosen store's log and read model as they are (service.bootstrap.Upkeep), to
    verify or rebuild; a store that does not exist yet is refused, not made."""
    from service.bootstrap import Upkeep, checked_store

    with Upkeep(checked_store(settings(ctx).db, settings(ctx).create, existing=True)) as opened:
        yield opened


def store_files(ctx: click.Context) -> list[str]:
    """The chosen SQLite store's file and the files SQLite keeps beside it (none for
    PostgreSQL, or for an address that opening will refuse in its own words)."""
    from service.stores import StoreError, resolve_store

    try:
        chosen = resolve_store(settings(ctx).db, create=settings(ctx).create)
    except StoreError:
        return []
    if chosen.is_postgres:
        return []
    path = chosen.address  # the file's path (a read-only store's env holds a URI)
    return [path, *(path + suffix for suffix in ("-wal", "-shm", "-journal"))]
