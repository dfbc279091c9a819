"""The read model's home: eventsourcing's own tracking recorders, given its tables.

Each is built by the application's factory (``app.factory.tracking_recorder(cls)``) on
the datastore the application already opened, so the read model opens no connection of
its own. They add what the read model needs beside eventsourcing's ``Tracking``: one
transaction at a time with ``?`` marks and tuple rows, taken under the read model's lock
when asked, and which tables exist. The SQL of the tables is shared (tables.py).

eventsourcing's tracking table is made and written here with SQL of our own per database
(``TRACKING_TABLE``, ``UPSERT_POSITION``), not through the library's private methods: the
same single-row table that eventsourcing 9.5 makes, with its ``__migration__`` row, so the
library's own ``max_tracking_id`` (and its ``create_table``, which then leaves it as it is)
reads what we write, and a store made by an earlier uspk (through those private methods)
opens unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteTrackingRecorder

MIGRATION = "__migration__"  # eventsourcing's own row in its tracking table


class Statements:
    """One transaction's statements, with ``?`` marks and tuple rows on either database."""

    def __init__(self, cursor: Any, mark: str) -> None:
        self.native = cursor  # what eventsourcing's own recorder methods take
        self._mark = mark

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        self.native.execute(sql if self._mark == "?" else sql.replace("?", "%s"), tuple(params))

    def many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """``sql`` once for each of ``rows`` (its parameters), in one call."""
        rows = [tuple(row) for row in rows]
        if rows:
            statement = sql if self._mark == "?" else sql.replace("?", "%s")
            self.native.executemany(statement, rows)

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
    row_id: str  # the database's name for a row's identity

    # Per database, with ``{table}`` for ``tracking_table``: eventsourcing's single-row
    # tracking table, and the upsert that moves a position forward only (RETURNING
    # nothing when it would not: as eventsourcing's own, that is an IntegrityError).
    TRACKING_TABLE: str
    UPSERT_POSITION = (
        "INSERT INTO {table} (application_name, notification_id) VALUES (?, ?) "
        "ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id "
        "WHERE {table}.notification_id < excluded.notification_id RETURNING notification_id"
    )

    def table(self, statement: str) -> str:
        """A statement of the index's tables (tables.SCHEMA) as this database makes them.
        SQLite compares TEXT as Python compares str (code point by code point, its BINARY
        collation): as written."""
        return statement

    def indexed_by(self, index: str) -> str:
        """The words that tell this database's planner to read a table by ``index``
        (written after the table's name), or nothing where the planner is not told."""
        return ""

    def row_pages(self, statements: Statements, query: str, size: int) -> Iterator[list[tuple]]:
        """The rows of one query, ``size`` at a time as the database hands them out
        (SQLite steps its statement; PostgreSQL fetches from a cursor it keeps): what an
        ORDER BY that no keyset can resume reads without holding every row."""
        raise NotImplementedError

    def create_table(self) -> None:
        """Nothing when the factory builds the recorder: the read model makes
        eventsourcing's tracking table and its own together, under its lock, and refuses
        to remake some of them silently (``make_tracking_table``)."""

    def make_tracking_table(self, statements: Statements, present: Collection[str]) -> None:
        """eventsourcing's tracking table, made as eventsourcing makes it, if missing: with
        its ``__migration__`` row, without which eventsourcing would take it for an older
        multi-row table and move it aside."""
        if self.tracking_table_name in present:
            return
        statements.execute(self.TRACKING_TABLE.format(table=self.tracking_table))
        self.insert_position(statements, Tracking(MIGRATION, 1))

    def insert_position(self, statements: Statements, tracking: Tracking) -> None:
        """eventsourcing's ``Tracking``, in the transaction that writes the rows."""
        returned = statements.one(
            self.UPSERT_POSITION.format(table=self.tracking_table),
            (tracking.application_name, tracking.notification_id),
        )
        if returned is None:  # another writer got there first: this page is not applied
            raise IntegrityError(
                f"Failed to record tracking for {tracking.application_name} "
                f"{tracking.notification_id}"
            )


class SQLiteIndexRecorder(IndexRecorder, SQLiteTrackingRecorder):
    tracking_table = tracking_table_name = "tracking"
    row_id = "rowid"  # a row's identity, to read whole only the rows an index chose

    def indexed_by(self, index: str) -> str:
        # SQLite plans without statistics unless ANALYZE was run: told, for the few
        # questions whose best index it misjudges (projections/kept_reading.py says which).
        return f"INDEXED BY {index}"

    def row_pages(self, statements: Statements, query: str, size: int) -> Iterator[list[tuple]]:
        statements.execute(query)
        cursor = statements.native.sqlite_cursor  # eventsourcing's wrapper has no fetchmany
        while rows := cursor.fetchmany(size):
            yield rows

    TRACKING_TABLE = (  # eventsourcing.sqlite.SQLiteTrackingRecorder's, single-row
        "CREATE TABLE IF NOT EXISTS {table} (application_name TEXT, notification_id INTEGER, "
        "PRIMARY KEY (application_name)) WITHOUT ROWID"
    )

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
