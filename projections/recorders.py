"""The read model's home: eventsourcing's own tracking recorders, given its tables.

Each is built by the application's factory (``app.factory.tracking_recorder(cls)``) on
the datastore the application already opened, so the read model opens no connection of
its own. They add what the read model needs beside eventsourcing's ``Tracking``: one
transaction at a time with ``?`` marks and tuple rows, taken under the read model's lock
when asked, and which tables exist. The SQL of the tables is shared (readmodel.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteTrackingRecorder

MIGRATION = "__migration__"  # eventsourcing's own row in its tracking table


class Statements:
    """One transaction's statements, with ``?`` marks and tuple rows on either database."""

    def __init__(self, cursor: Any, mark: str) -> None:
        self.native = cursor  # what eventsourcing's own recorder methods take
        self._mark = mark

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        self.native.execute(sql if self._mark == "?" else sql.replace("?", "%s"), tuple(params))

    def one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        self.execute(sql, params)
        return self.native.fetchone()

    def all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        self.execute(sql, params)
        return self.native.fetchall()


class IndexRecorder:
    """What both databases' index recorders add to eventsourcing's tracking recorder."""

    tracking_table: str  # eventsourcing's tracking table, as SQL names it
    tracking_table_name: str  # ... and as the catalogue lists it

    def create_table(self) -> None:
        """Nothing when the factory builds the recorder: the read model makes
        eventsourcing's tracking table and its own together, under its lock, and refuses
        to remake some of them silently (``make_tracking_table``)."""

    def make_tracking_table(self, statements: Statements, present: Collection[str]) -> None:
        """eventsourcing's tracking table, made as eventsourcing makes it, if missing."""
        self.tracking_table_exists = self.tracking_table_name in present
        self.tracking_migration_previous = None
        if self.tracking_table_exists:
            row = statements.one(
                f"SELECT notification_id FROM {self.tracking_table} WHERE application_name = ?",
                (MIGRATION,),
            )
            self.tracking_migration_previous = row[0] if row else None
        self._create_table(statements.native)

    def insert_position(self, statements: Statements, tracking: Any) -> None:
        """eventsourcing's ``Tracking``, in the transaction that writes the rows."""
        self._insert_tracking(statements.native, tracking)


class SQLiteIndexRecorder(IndexRecorder, SQLiteTrackingRecorder):
    tracking_table = tracking_table_name = "tracking"

    @property
    def lock_seconds(self) -> int:
        return self.datastore.pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[Statements]:
        """One transaction on a connection of the application's pool; with ``lock``,
        begun IMMEDIATE: a catch-up takes the write lock before reading its position,
        so it never has to upgrade a read lock that another writer is waiting on."""
        with self.datastore.get_connection(commit=lock) as connection:
            cursor = connection.cursor()
            cursor.sqlite_cursor.row_factory = None  # tuples, not sqlite3.Row
            cursor.execute("BEGIN IMMEDIATE" if lock else "BEGIN")
            try:
                yield Statements(cursor, "?")
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    def existing(self, statements: Statements, names: Collection[str]) -> set[str]:
        """Which of these tables exist."""
        marks = ", ".join("?" for _ in names)
        rows = statements.all(
            f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
            names,
        )
        return {row[0] for row in rows}

    def lock_holder(self, key: int) -> int | None:
        return None  # SQLite does not say who holds its file lock

    def erase_what_is_dropped(self, statements: Statements) -> None:
        """Pages this connection frees are overwritten with zeros, not left in the file
        (SQLite's secure_delete; Debian builds SQLite with it on, others do not), so
        dropped rows cannot be read from its bytes."""
        statements.execute("PRAGMA secure_delete = ON")
