"""Where the event store lives: a SQLite file (default) or a PostgreSQL database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from domain.locks import (
    CREATE_TABLES_LOCK,
    StoreLocked,
    advisory_lock_holder,
    is_lock_timeout,
    lock_timeout,
)

DB_ENV_VAR = "USPK_DB"


class StoreError(ValueError):
    """A store address that cannot be used."""


@dataclass(frozen=True)
class Store:
    """A resolved store address and the eventsourcing settings that open it."""

    address: str  # what to show the user: a file path or a URL without password
    env: dict[str, str]

    @property
    def is_postgres(self) -> bool:
        return self.env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("uspk", appauthor=False) / "uspk.sqlite"


def resolve_store(db: str | None = None) -> Store:
    """``--db`` if given, else ``$USPK_DB``, else the SQLite file in the user's data dir."""
    db = db or os.environ.get(DB_ENV_VAR) or None
    if db and db.startswith(("postgresql://", "postgres://")):
        return _postgres(db)
    if db and "://" in db:
        raise StoreError(f"unsupported store address {db!r}: give a file path or postgresql://...")
    path = Path(db).expanduser() if db else default_sqlite_path()
    if path.is_dir():
        raise StoreError(f"{path} is a directory; give the path of a SQLite file")
    path.parent.mkdir(parents=True, exist_ok=True)
    return Store(
        address=str(path),
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": _lock_timeout(),
        },
    )


def _lock_timeout() -> str:
    try:
        return str(lock_timeout())
    except ValueError as error:
        raise StoreError(str(error)) from None


def _postgres(url: str) -> Store:
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not dbname:
        raise StoreError(f"{url!r} names no database: postgresql://user:pass@host:port/dbname")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or os.environ.get("USER", "postgres")),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": _lock_timeout(),
        # Insert a batch through one database function call: the default pipelines one
        # INSERT per event, and a batch of ~10,000 hangs there (measured, benchmarks/).
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
    }
    shown = f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
    return Store(address=f"{shown}/{dbname}", env=env)


@contextmanager
def tables_created_one_at_a_time(store: Store, factory: Any) -> Iterator[None]:
    """Hold a lock while eventsourcing creates (or re-declares) the store's tables.

    On PostgreSQL, eventsourcing runs CREATE TYPE / CREATE TABLE IF NOT EXISTS / CREATE
    OR REPLACE FUNCTION each time a store is opened; two processes doing so at the same
    moment fail ("tuple concurrently updated", duplicate key in pg_type). A transaction-
    scoped advisory lock, taken on a connection of the store's own pool, makes them take
    turns; it is released when that transaction ends, or when the process dies, and
    waited for at most the lock timeout (a stopped process keeps holding it). SQLite
    needs nothing: its writers already take turns on the file lock.
    """
    if not store.is_postgres:
        yield
        return
    seconds = int(store.env["POSTGRES_LOCK_TIMEOUT"])
    locked = False  # a lock timeout after this point is eventsourcing's, not ours
    try:
        with factory.datastore.transaction(commit=True) as cursor:
            # SET LOCAL: bounds this transaction's waits only, not the pooled connection's.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (f"{seconds}s",))
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CREATE_TABLES_LOCK,))
            locked = True
            yield
    except Exception as error:
        if locked or not is_lock_timeout(error):
            raise
        raise StoreLocked(seconds, _holder(factory)) from None


def _holder(factory: Any) -> int | None:
    """The backend pid holding the table-creation lock, asked in a transaction of its own
    (the one that timed out is over). The pool's rows are dictionaries."""
    with factory.datastore.transaction(commit=False) as cursor:

        def first_row(sql: str, params: tuple) -> tuple | None:
            row = cursor.execute(sql, params).fetchone()
            return tuple(row.values()) if row else None

        return advisory_lock_holder(first_row, CREATE_TABLES_LOCK)
