"""The locks uspk takes on a store, and how long it waits for them.

A uspk process stopped while holding a lock (Ctrl-Z, a laptop asleep) must not make
every other command wait forever: each wait is bounded, and running out of patience is
one line that says what to do.
"""

from __future__ import annotations

import os

# Keys of the PostgreSQL advisory locks, one per purpose (any fixed numbers).
CREATE_TABLES_LOCK = 0x7573_706B  # "uspk": eventsourcing (re)declaring the store's tables
READ_MODEL_LOCK = 7_573_706  # the read model's writers take turns (the key earlier releases used)

LOCK_TIMEOUT_ENV_VAR = "USPK_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30  # seconds


class StoreLocked(Exception):
    """Another process held one of the store's locks for longer than we wait."""

    def __init__(self, seconds: int, holder: int | None = None) -> None:
        held_by = f" (PostgreSQL backend pid {holder})" if holder else ""
        super().__init__(
            f"another uspk process has held the store's lock for more than {seconds} s"
            f"{held_by}; try again, or stop that process"
        )


def lock_timeout() -> int:
    """Seconds to wait for a lock: ``$USPK_LOCK_TIMEOUT``, else 30."""
    value = os.environ.get(LOCK_TIMEOUT_ENV_VAR, "").strip()
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    if not value.isdigit() or int(value) < 1:
        raise ValueError(
            f"{LOCK_TIMEOUT_ENV_VAR}={value!r}: expected a whole number of seconds (1 or more)"
        )
    return int(value)


def is_lock_timeout(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a database giving up waiting for a lock:
    SQLite's busy/locked codes, PostgreSQL's lock_not_available (55P03)."""
    import sqlite3

    seen: BaseException | None = error
    while seen is not None:
        if getattr(seen, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return True
        if getattr(seen, "sqlstate", None) == "55P03":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def advisory_lock_holder(execute, key: int) -> int | None:
    """The PostgreSQL backend pid holding advisory lock ``key``, if it can be seen.

    ``execute(sql, params)`` runs a query and returns its first row. A bigint key shows in
    pg_locks as its high 32 bits (classid) and low 32 bits (objid), objsubid 1.
    """
    row = execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objsubid = 1 AND classid::bigint = %s AND objid::bigint = %s "
        # advisory locks are per database: another store's holder of the key is not ours
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "LIMIT 1",
        (key >> 32, key & 0xFFFF_FFFF),
    )
    return row[0] if row else None
