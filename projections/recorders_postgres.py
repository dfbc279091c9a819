"""The read model's PostgreSQL recorder (a module of its own: psycopg is optional)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.rows import tuple_row

from projections.locks import READ_MODEL_LOCK, advisory_lock_holder
from projections.recorders import IndexRecorder, Statements


class PostgresIndexRecorder(IndexRecorder, PostgresTrackingRecorder):
    row_id = "ctid"  # a row's identity, to read whole only the rows an index chose
    TRACKING_TABLE = (  # eventsourcing.postgres.PostgresTrackingRecorder's, single-row
        "CREATE TABLE IF NOT EXISTS {table} (application_name text, notification_id bigint, "
        "PRIMARY KEY (application_name)) WITH (autovacuum_enabled = true, "
        "autovacuum_vacuum_threshold = 100000000, autovacuum_vacuum_scale_factor = 0.5, "
        "autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0.01)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tracking_table = f'"{self.datastore.schema}"."{self.tracking_table_name}"'

    @property
    def lock_seconds(self) -> int:
        return self.datastore.lock_timeout

    def table(self, statement: str) -> str:
        """Every TEXT column compared as Python compares str, code point by code point
        (the "C" collation), whatever the database's own: its ORDER BY ... LIMIT choose
        the latest entries the text shows, and a collation such as en-US puts '|' before
        the digits ('rank|1' before 'rank1|0') or ignores punctuation (glibc's). The
        indexes on those columns keep that order, so they still serve the ORDER BY."""
        return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', statement)

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[Statements]:
        """One transaction on a connection of the application's pool, its lock waits
        bounded; with ``lock``, writers of the read model take turns on an advisory
        lock (schema set-up and catch-ups alike: no deadlock)."""
        with self.datastore.get_connection() as connection, connection.transaction():
            cursor = connection.cursor(row_factory=tuple_row)
            if not lock:  # a reader's pages all see one snapshot, as on SQLite
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # SET LOCAL (set_config's true): this transaction's settings, not the connection's.
            # Its lock waits are bounded. The time between its statements is ours (a page's
            # rows folded in Python, a timeline's pages written to a reader who pauses): the
            # pool's idle-in-transaction limit (eventsourcing's 5 s) would end it halfway; a
            # stopped process is found by the others' lock timeout instead, which names it.
            settings = {"idle_in_transaction_session_timeout": "0"}
            if self.lock_seconds:
                settings["lock_timeout"] = f"{self.lock_seconds}s"
            cursor.execute(
                "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                [value for pair in settings.items() for value in pair],
            )
            if lock:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (READ_MODEL_LOCK,))
            yield Statements(cursor, "%s")

    def row_pages(self, statements: Statements, query: str, size: int) -> Iterator[list[tuple]]:
        # psycopg's ordinary cursor would take the whole result at once: a cursor of the
        # server's, within this transaction, hands it out a page at a time.
        statements.execute(f"DECLARE uspk_row_pages NO SCROLL CURSOR FOR {query}")
        try:
            while rows := statements.all(f"FETCH {size} FROM uspk_row_pages"):
                yield rows
        finally:
            statements.execute("CLOSE uspk_row_pages")

    def existing(self, statements: Statements, names: Collection[str]) -> set[str]:
        """Which of these tables exist."""
        marks = ", ".join("?" for _ in names)
        rows = statements.all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            f"AND tablename IN ({marks})",
            names,
        )
        return {row[0] for row in rows}

    def erase_what_is_dropped(self, statements: Statements) -> None:
        """Nothing: a dropped table's file is removed at commit."""

    def lock_holder(self, key: int) -> int | None:
        """Asked in a transaction of its own (the one that timed out is over)."""
        with self.transaction() as statements:
            return advisory_lock_holder(statements.one, key)
