"""The read model: believed events materialized in the store, kept up to date from the
application's notification log.

One row per recorded happening, with its date interval and replay rank as columns, and
one row per hiding (a retraction, or an amendment superseding an event) with the
recorded interval in which it holds. So "believed at T, occurring in this window" is
an indexed query whose cost grows with the answer, not with the history, and the
projections (timeline, state, diff, replay) run on just those rows.

Catching up reads notifications after the tracked position and applies them in one
transaction together with the new position, under a lock, so each notification is
applied exactly once however many processes catch up at the same time.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from domain.chronicle import Chronicle, Record, decode_json
from domain.store import Store
from domain.world import actor_registry, kind_rank
from events.dates import parse_date
from events.model import mentioned_ids

RECORDED = f"{Chronicle.Recorded.__module__}:{Chronicle.Recorded.__qualname__}"
HISTORY_LOADED = f"{Chronicle.HistoryLoaded.__module__}:{Chronicle.HistoryLoaded.__qualname__}"
TRACKING_NAME = "believed-events"
# Bump when the tables change: a read model of another version is rebuilt from the log.
SCHEMA_VERSION = 2
_PAGE = 2000
_END_OF_TIME = "9999-12-31T23:59:59.999999"

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS uspk_view_tracking (
        name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL, history_digest TEXT,
        chronicle_version BIGINT NOT NULL DEFAULT 0, schema_version INTEGER)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_events (
        position BIGINT PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        occ_start TEXT,
        occ_end TEXT,
        rank INTEGER,
        recorded_at TEXT NOT NULL,
        introduces INTEGER NOT NULL,
        agreement TEXT,
        step TEXT,
        document TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS uspk_view_events_agreement ON uspk_view_events (agreement)""",
    """CREATE INDEX IF NOT EXISTS uspk_view_events_step ON uspk_view_events (step)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_mentions (
        actor_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (actor_id, event_id))""",
    """CREATE INDEX IF NOT EXISTS uspk_view_events_replay
        ON uspk_view_events (occ_start, rank, event_id)""",
    """CREATE INDEX IF NOT EXISTS uspk_view_events_end ON uspk_view_events (occ_end)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_hidden (
        event_id TEXT NOT NULL,
        by_id TEXT NOT NULL,
        hidden_from TEXT NOT NULL,
        hidden_until TEXT,
        PRIMARY KEY (event_id, by_id))""",
    """CREATE INDEX IF NOT EXISTS uspk_view_hidden_by ON uspk_view_hidden (by_id)""",
]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Decoding many records makes objects that all live on, and each garbage-collection
    pass walks every one already made: measured at 100,000 records, pausing the cyclic
    collector for the decode makes it 2.5 times faster (benchmarks/README.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def database_errors() -> tuple[type[BaseException], ...]:
    """What the read model's database drivers raise when a database cannot be used."""
    import sqlite3

    try:
        import psycopg
    except ImportError:  # PostgreSQL support is optional
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def moment(value: datetime) -> str:
    """A recorded time as fixed-width UTC text, so text order is time order (isoformat,
    not strftime: glibc's %Y writes year 300 as "300", which sorts after "2025")."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


class ReadModel:
    """The materialized believed-events view of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        if store.is_postgres:
            import psycopg

            env = store.env
            self.conn = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")),
                autocommit=True,  # so that transaction() blocks are real transactions
            )
            self.mark = "%s"
        else:
            import sqlite3

            self.conn = sqlite3.connect(
                store.env["SQLITE_DBNAME"],
                timeout=float(store.env["SQLITE_LOCK_TIMEOUT"]),
                isolation_level=None,  # transactions are begun explicitly
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.mark = "?"
        with self._transaction(lock=True):  # SQLite: write lock first, no upgrade later
            for statement in SCHEMA:
                self._execute(statement)
            self._execute(
                "INSERT INTO uspk_view_tracking (name, notification_id, schema_version) "
                "VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING",
                (TRACKING_NAME, SCHEMA_VERSION),
            )
            self.outdated = (
                self._one(
                    "SELECT schema_version FROM uspk_view_tracking WHERE name = ?", (TRACKING_NAME,)
                )[0]
                != SCHEMA_VERSION
            )

    def close(self) -> None:
        self.conn.close()

    # -- keeping up ------------------------------------------------------------------

    def catch_up(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Apply the notifications recorded since the tracked position; return how many."""
        applied = 0
        while True:
            with self._transaction(lock=True):
                position = self.position()
                page = recorder.select_notifications(
                    start=position + 1, limit=_PAGE, topics=[RECORDED, HISTORY_LOADED]
                )
                if not page:
                    return applied
                # Positions number the records; counted here once a page, not once a row.
                last = self._one("SELECT COALESCE(MAX(position), 0) FROM uspk_view_events")[0]
                for notification in page:
                    if self._apply(notification, last + 1):
                        last += 1
                self._execute(
                    "UPDATE uspk_view_tracking SET notification_id = ?, chronicle_version = ? "
                    "WHERE name = ?",
                    (page[-1].id, page[-1].originator_version, TRACKING_NAME),
                )
            applied += len(page)
            if progress is not None:
                progress(len(page))

    def rebuild(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Forget everything and apply the whole notification log again."""
        with self._transaction(lock=True):
            for table in ("uspk_view_events", "uspk_view_hidden", "uspk_view_mentions"):
                self._execute(f"DELETE FROM {table}")
            self._execute(
                "UPDATE uspk_view_tracking SET notification_id = 0, history_digest = NULL, "
                "chronicle_version = 0, schema_version = ? WHERE name = ?",
                (SCHEMA_VERSION, TRACKING_NAME),
            )
        self.outdated = False
        return self.catch_up(recorder, progress)

    def position(self) -> int:
        return self._one(
            "SELECT notification_id FROM uspk_view_tracking WHERE name = ?", (TRACKING_NAME,)
        )[0]

    def chronicle_version(self) -> int:
        """The version of the chronicle that the rows reflect (0: nothing recorded)."""
        return self._one(
            "SELECT chronicle_version FROM uspk_view_tracking WHERE name = ?", (TRACKING_NAME,)
        )[0]

    def history_digest(self) -> str | None:
        return self._one(
            "SELECT history_digest FROM uspk_view_tracking WHERE name = ?", (TRACKING_NAME,)
        )[0]

    def _apply(self, notification: Any, position: int) -> bool:
        """Apply one notification; True when it added a record at ``position``."""
        state = json.loads(notification.state)
        if notification.topic == HISTORY_LOADED:
            self._execute(
                "UPDATE uspk_view_tracking SET history_digest = ? WHERE name = ?",
                (state["digest"], TRACKING_NAME),
            )
            return False
        document = state["document"]
        recorded = moment(datetime.fromisoformat(state["timestamp"]["_data_"]))
        kind = document["kind"]
        if kind == "retraction":
            occ_start = occ_end = rank = None
            self._hide(document["retracts"], document["id"], recorded)
            # A retracted amendment no longer hides what it superseded.
            self._execute(
                "UPDATE uspk_view_hidden SET hidden_until = ? "
                "WHERE by_id = ? AND hidden_until IS NULL",
                (recorded, document["retracts"]),
            )
        else:
            occurred = parse_date(document["occurred"])
            occ_start, occ_end = occurred.start.isoformat(), occurred.end.isoformat()
            rank = kind_rank(kind, document.get("status"))
            if document.get("supersedes"):
                self._hide(document["supersedes"], document["id"], recorded)
        agreement = document.get("agreement") or document.get("about")
        self._execute(
            "INSERT INTO uspk_view_events (position, event_id, kind, occ_start, occ_end, rank,"
            " recorded_at, introduces, agreement, step, document)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                document["id"],
                kind,
                occ_start,
                occ_end,
                rank,
                recorded,
                int(bool(document.get("introduces"))),
                agreement,
                document.get("step"),
                json.dumps(document, ensure_ascii=False, separators=(",", ":")),
            ),
        )
        for actor_id in mentioned_ids(document):  # a retraction names none
            self._execute(
                "INSERT INTO uspk_view_mentions (actor_id, event_id) VALUES (?, ?)",
                (actor_id, document["id"]),
            )
        return True

    def _hide(self, event_id: str, by_id: str, recorded: str) -> None:
        self._execute(
            "INSERT INTO uspk_view_hidden (event_id, by_id, hidden_from) VALUES (?, ?, ?)",
            (event_id, by_id, recorded),
        )

    # -- asking ----------------------------------------------------------------------

    def believed(
        self,
        known_at: datetime | None = None,
        starting_by: date | None = None,
        ending_from: date | None = None,
        kinds: Iterable[str] = (),
    ) -> list[Record]:
        """Believed happenings in replay order: recorded by ``known_at``, not hidden then,
        starting on or before ``starting_by`` and ending on or after ``ending_from``."""
        where, params = self._believed_where(known_at)
        if starting_by is not None:
            where.append("e.occ_start <= ?")
            params.append(starting_by.isoformat())
        if ending_from is not None:
            where.append("e.occ_end >= ?")
            params.append(ending_from.isoformat())
        kinds = list(kinds)
        if kinds:
            where.append(f"e.kind IN ({', '.join('?' for _ in kinds)})")
            params.extend(kinds)
        return self._records(
            "SELECT e.document, e.recorded_at, e.position FROM uspk_view_events e "
            f"WHERE {' AND '.join(where)} ORDER BY e.occ_start, e.rank, e.event_id",
            params,
        )

    def registry(self, known_at: datetime | None = None) -> dict:
        """Every actor introduced by a believed happening, whatever its date."""
        where, params = self._believed_where(known_at)
        where.append("e.introduces = 1")
        records = self._records(
            "SELECT e.document, e.recorded_at, e.position FROM uspk_view_events e "
            f"WHERE {' AND '.join(where)}",
            params,
        )
        return actor_registry(r.document for r in records)

    def everything(self) -> list[Record]:
        """Every record, retractions and hidden ones included, in recorded order."""
        return self._records(
            "SELECT document, recorded_at, position FROM uspk_view_events ORDER BY position", []
        )

    def record_of(self, event_id: str) -> Record | None:
        found = self._records(
            "SELECT document, recorded_at, position FROM uspk_view_events WHERE event_id = ?",
            [event_id],
        )
        return found[0] if found else None

    # -- the lookups that checking a batch needs (domain.recording.RecordLookup) --------

    def recorded(self, ids: Collection[str]) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ", ".join("?" for _ in chunk)
            for record in self._records(
                "SELECT document, recorded_at, position FROM uspk_view_events "
                f"WHERE event_id IN ({marks})",
                chunk,
            ):
                found[record.id] = record
        return found

    def standing(self, ids: Collection[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(ids)):
            where, params = self._believed_where(None)
            where.append(f"e.event_id IN ({', '.join('?' for _ in chunk)})")
            rows = self._all(
                f"SELECT e.event_id FROM uspk_view_events e WHERE {' AND '.join(where)}",
                [*params, *chunk],
            )
            found.update(row[0] for row in rows)
        return found

    def related(
        self, agreements: Collection[str], steps: Collection[str], actors: Collection[str]
    ) -> list[Record]:
        found: dict[str, Record] = {}
        for column, keys in (
            ("e.agreement", agreements),
            ("e.step", steps),
            ("m.actor_id", actors),
        ):
            for chunk in _chunks(sorted(keys)):
                where, params = self._believed_where(None)
                where.append(f"{column} IN ({', '.join('?' for _ in chunk)})")
                join = (
                    " JOIN uspk_view_mentions m ON m.event_id = e.event_id"
                    if column.startswith("m.")
                    else ""
                )
                for record in self._records(
                    "SELECT e.document, e.recorded_at, e.position FROM uspk_view_events e"
                    f"{join} WHERE {' AND '.join(where)}",
                    [*params, *chunk],
                ):
                    found.setdefault(record.id, record)
        return list(found.values())

    def introductions(self) -> list[Record]:
        where, params = self._believed_where(None)
        where.append("e.introduces = 1")
        return self._records(
            "SELECT e.document, e.recorded_at, e.position FROM uspk_view_events e "
            f"WHERE {' AND '.join(where)}",
            params,
        )

    def _believed_where(self, known_at: datetime | None) -> tuple[list[str], list[Any]]:
        at = moment(known_at) if known_at else _END_OF_TIME
        where = [
            "e.kind <> 'retraction'",
            "e.recorded_at <= ?",
            "NOT EXISTS (SELECT 1 FROM uspk_view_hidden h WHERE h.event_id = e.event_id"
            " AND h.hidden_from <= ? AND (h.hidden_until IS NULL OR h.hidden_until > ?))",
        ]
        return where, [at, at, at]

    def _records(self, sql: str, params: list[Any]) -> list[Record]:
        rows = self._all(sql, params)
        with _collector_paused():
            return [
                Record(decode_json(document), datetime.fromisoformat(recorded + "+00:00"), position)
                for document, recorded, position in rows
            ]

    # -- SQL plumbing for both databases ------------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql if self.mark == "?" else sql.replace("?", "%s")

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        self.conn.execute(self._sql(sql), tuple(params))

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple:
        return self.conn.execute(self._sql(sql), tuple(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.conn.execute(self._sql(sql), tuple(params)).fetchall()

    @contextmanager
    def _transaction(self, lock: bool = False) -> Iterator[None]:
        """One transaction; with ``lock``, writers to the view take turns (exactly once)."""
        if self.store.is_postgres:
            with self.conn.transaction():
                if lock:  # schema set-up and catch-ups take turns on one lock: no deadlock
                    self._execute("SELECT pg_advisory_xact_lock(7573706)")
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE" if lock else "BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
