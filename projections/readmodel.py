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

The read model never disagrees with the log in silence: opening it finds missing tables
or a missing tracking row, catching up finds a read model ahead of its log or short of
the rows it counted, and a stored event this code cannot read stops the catch-up with
its name (unless a later retraction names it: then it is skipped as hidden). Each says
so in one line that names ``uspk verify`` / ``uspk rebuild`` or the retraction to run.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from domain.chronicle import Chronicle, Record, decode, decode_json
from domain.store import Store
from domain.world import actor_registry, kind_rank
from events.dates import parse_date
from events.model import mentioned_ids
from projections.locks import READ_MODEL_LOCK, StoreLocked, advisory_lock_holder, is_lock_timeout

RECORDED = f"{Chronicle.Recorded.__module__}:{Chronicle.Recorded.__qualname__}"
HISTORY_LOADED = f"{Chronicle.HistoryLoaded.__module__}:{Chronicle.HistoryLoaded.__qualname__}"
TRACKING_NAME = "believed-events"
# Bump when the tables change: a read model of another version is rebuilt from the log.
SCHEMA_VERSION = 3
_PAGE = 2000
_END_OF_TIME = "9999-12-31T23:59:59.999999"

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS uspk_view_tracking (
        name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL, history_digest TEXT,
        chronicle_version BIGINT NOT NULL DEFAULT 0, schema_version INTEGER,
        records BIGINT NOT NULL DEFAULT 0)""",
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
TABLES = ("uspk_view_tracking", "uspk_view_events", "uspk_view_mentions", "uspk_view_hidden")
TRACKING_COLUMNS = (
    "notification_id",
    "history_digest",
    "chronicle_version",
    "schema_version",
    "records",
)
COLUMNS = {
    "uspk_view_events": (
        "position",
        "event_id",
        "kind",
        "occ_start",
        "occ_end",
        "rank",
        "recorded_at",
        "introduces",
        "agreement",
        "step",
        "document",
    ),
    "uspk_view_mentions": ("actor_id", "event_id"),
    "uspk_view_hidden": ("event_id", "by_id", "hidden_from", "hidden_until"),
}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,70}$")  # an id a retraction can name


class ReadModelError(Exception):
    """The read model cannot answer; the message is one line that says what to do."""


class ReadModelDamaged(ReadModelError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"the read model disagrees with the event log ({what}); "
            "`uspk verify` shows how, `uspk rebuild` repairs it from the log"
        )


class UnreadableEvent(ReadModelError):
    """A stored event this code cannot read, and no later retraction names it."""

    def __init__(self, notification_id: int, event_id: str | None, reason: str) -> None:
        self.notification_id = notification_id
        # What a retraction names it by: its own id when that can be read, else its place.
        self.name = (
            event_id
            if event_id and _SLUG.match(event_id)
            else f"unreadable-notification-{notification_id}"
        )
        which = f" (event id {event_id!r})" if event_id else ""
        super().__init__(
            f"the stored event at notification {notification_id}{which} cannot be read by "
            f"this version of uspk ({reason}); queries stop before it until it is retracted: "
            f"uspk retract {self.name} --reason TEXT --publisher TEXT --title TEXT "
            "--published DATE"
        )


class Entry(NamedTuple):
    """What one notification brings to the read model."""

    digest: str | None = None  # the shipped history loaded
    row: tuple | None = None  # uspk_view_events without its position
    mentions: tuple[str, ...] = ()
    hides: str | None = None  # the event that this record retracts or supersedes
    ends_hidings_by: str | None = None  # a retracted amendment no longer hides


def read_entry(notification: Any) -> Entry:
    """The read model's rows for one notification, or UnreadableEvent if this code cannot
    read it (bad JSON, an unknown kind, a field the models refuse)."""
    state: Any = None
    try:
        state = json.loads(notification.state)
        if notification.topic == HISTORY_LOADED:
            if not isinstance(state["digest"], str):
                raise TypeError("the history digest is not text")
            return Entry(digest=state["digest"])
        return _entry_of(state["document"], state["timestamp"]["_data_"])
    except Exception as error:  # noqa: BLE001 - whatever stops the reading, say which event
        raise UnreadableEvent(notification.id, _raw_id(state), _first_line(error)) from None


def _entry_of(document: dict, timestamp: str) -> Entry:
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    decode(document)  # the queries will decode this row: it must decode
    recorded = moment(datetime.fromisoformat(timestamp))
    kind = document["kind"]
    if kind == "retraction":
        occ_start = occ_end = rank = None
        hides, ends = document["retracts"], document["retracts"]
    else:
        occurred = parse_date(document["occurred"])
        occ_start, occ_end = occurred.start.isoformat(), occurred.end.isoformat()
        rank = kind_rank(kind, document.get("status"))
        hides, ends = document.get("supersedes") or None, None
    row = (
        document["id"],
        kind,
        occ_start,
        occ_end,
        rank,
        recorded,
        int(bool(document.get("introduces"))),
        document.get("agreement") or document.get("about"),
        document.get("step"),
        text,
    )
    return Entry(None, row, tuple(mentioned_ids(document)), hides, ends)


def _raw_id(state: Any) -> str | None:
    """The event id, when the stored JSON can be read that far."""
    document = state.get("document") if isinstance(state, dict) else None
    event_id = document.get("id") if isinstance(document, dict) else None
    return event_id if isinstance(event_id, str) else None


def _first_line(error: BaseException) -> str:
    """Why a stored event cannot be read, in a few words: the models' first complaint
    (field and message), else the error's first line."""
    problems = error.errors() if callable(getattr(error, "errors", None)) else None  # pydantic
    if problems:
        where = ".".join(str(part) for part in problems[0]["loc"])
        return f"field {where!r}: {problems[0]['msg']}" if where else problems[0]["msg"]
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def retracted_later(recorder: Any, after: int, name: str) -> bool:
    """Whether a retraction recorded after notification ``after`` names ``name``.

    Only asked when an unreadable event is met, so a scan of the rest of the log is fine.
    """
    needle = name.encode()
    start = after + 1
    while page := recorder.select_notifications(start=start, limit=_PAGE, topics=[RECORDED]):
        for notification in page:
            if needle not in notification.state:  # most records: no JSON decoding needed
                continue
            try:
                document = json.loads(notification.state)["document"]
            except (ValueError, KeyError, TypeError):
                continue
            if document.get("kind") == "retraction" and document.get("retracts") == name:
                return True
        start = page[-1].id + 1
    return False


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

    def __init__(self, store: Store, prepare: bool = True) -> None:
        """Open the read model; ``prepare`` makes or checks its tables (verify and rebuild
        open it as it is)."""
        self.store = store
        if store.is_postgres:
            import psycopg

            self.conn = psycopg.connect(
                store.postgres_conninfo(),
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
        self.lock_seconds = int(
            store.env["POSTGRES_LOCK_TIMEOUT" if store.is_postgres else "SQLITE_LOCK_TIMEOUT"]
        )
        if store.is_postgres:  # every lock wait of this connection is bounded, not just ours
            self._one("SELECT set_config('lock_timeout', ?, false)", (f"{self.lock_seconds}s",))
        self.outdated = False
        if prepare:
            self._prepare()

    def _prepare(self) -> None:
        """Make the tables of a store that has none; refuse a read model with some missing
        (repaired by rebuild, not silently remade empty); mark one of another version."""
        with self._transaction(lock=True):  # SQLite: write lock first, no upgrade later
            present = self.tables()
            if not present:
                self._create()
                return
            version = self._tracking("schema_version") if "uspk_view_tracking" in present else None
            if version is not None and version[0] != SCHEMA_VERSION:
                self.outdated = True  # rebuilt from the log whatever its tables
                return
            missing = [table for table in TABLES if table not in present]
            if missing:
                raise ReadModelDamaged(f"table {', '.join(missing)} missing")
            if version is None:
                raise ReadModelDamaged("its tracking row is missing")

    def _create(self) -> None:
        for statement in SCHEMA:
            self._execute(statement)
        self._execute(
            "INSERT INTO uspk_view_tracking (name, notification_id, schema_version) "
            "VALUES (?, 0, ?)",
            (TRACKING_NAME, SCHEMA_VERSION),
        )

    def tables(self) -> set[str]:
        """Which of the read model's tables exist."""
        marks = ", ".join("?" for _ in TABLES)
        if self.store.is_postgres:
            sql = (
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename"
            )
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name"
        return {row[0] for row in self._all(f"{sql} IN ({marks})", TABLES)}

    def close(self) -> None:
        self.conn.close()

    # -- keeping up ------------------------------------------------------------------

    def catch_up(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Apply the notifications recorded since the tracked position; return how many.

        Checks first, cheaply, that the read model is not damaged in a way it can see: a
        position past the end of the log, or fewer rows than it counted."""
        applied, first = 0, True
        while True:
            with self._transaction(lock=True):
                position, records = self._tracking("notification_id, records")
                page = recorder.select_notifications(
                    start=position + 1, limit=_PAGE, topics=[RECORDED, HISTORY_LOADED]
                )
                if first:
                    self._check(position, records, recorder, caught_up=not page)
                    first = False
                if not page:
                    return applied
                with _collector_paused():  # as in _records: validating makes many objects
                    done, blocked = self._apply_page(page, records, recorder)
            applied += done
            if progress is not None:
                progress(done)
            if blocked is not None:
                raise blocked

    def _apply_page(
        self, page: list[Any], records: int, recorder: Any
    ) -> tuple[int, UnreadableEvent | None]:
        """Apply a page up to the first unreadable event that no retraction names."""
        done, last, blocked = 0, None, None
        for notification in page:
            try:
                entry: Entry | None = read_entry(notification)
            except UnreadableEvent as error:
                if not retracted_later(recorder, notification.id, error.name):
                    blocked = error
                    break
                entry = None  # retracted: skipped as hidden
            if entry is not None and entry.row is not None:
                records += 1
            if entry is not None:
                self._write(entry, records)
            done, last = done + 1, notification
        if last is not None:
            self._execute(
                "UPDATE uspk_view_tracking SET notification_id = ?, chronicle_version = ?, "
                "records = ? WHERE name = ?",
                (last.id, last.originator_version, records, TRACKING_NAME),
            )
        return done, blocked

    def _check(self, position: int, records: int, recorder: Any, caught_up: bool) -> None:
        counted = self._one("SELECT COALESCE(MAX(position), 0) FROM uspk_view_events")[0]
        if counted != records:
            raise ReadModelDamaged(f"it counted {records} records but holds {counted}")
        if caught_up:
            end = recorder.max_notification_id() or 0
            if position > end:
                raise ReadModelDamaged(
                    f"it is ahead of the log: at notification {position}, the log ends at {end}"
                )

    def rebuild(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Forget everything, tables included, and apply the whole notification log again."""
        with self._transaction(lock=True):
            for table in TABLES:
                self._execute(f"DROP TABLE IF EXISTS {table}")
            self._create()
        self.outdated = False
        return self.catch_up(recorder, progress)

    def position(self) -> int:
        return self._tracking("notification_id")[0]

    def chronicle_version(self) -> int:
        """The version of the chronicle that the rows reflect (0: nothing recorded)."""
        return self._tracking("chronicle_version")[0]

    def history_digest(self) -> str | None:
        return self._tracking("history_digest")[0]

    def _tracking(self, columns: str) -> tuple:
        row = self._one(
            f"SELECT {columns} FROM uspk_view_tracking WHERE name = ?", (TRACKING_NAME,)
        )
        if row is None:
            raise ReadModelDamaged("its tracking row is missing")
        return row

    # -- reading the tables as they are (uspk verify) ----------------------------------

    def tracking_row(self) -> dict[str, Any] | None:
        row = self._one(
            f"SELECT {', '.join(TRACKING_COLUMNS)} FROM uspk_view_tracking WHERE name = ?",
            (TRACKING_NAME,),
        )
        return dict(zip(TRACKING_COLUMNS, row, strict=True)) if row else None

    def rows(self, table: str) -> list[tuple]:
        """Every row of one of the read model's tables, in its columns' order."""
        return self._all(f"SELECT {', '.join(COLUMNS[table])} FROM {table}")

    def _write(self, entry: Entry, position: int) -> None:
        """Write what one notification brings; a row already there means damage."""
        try:
            self._write_rows(entry, position)
        except database_errors() as error:
            if not _is_integrity_error(error):
                raise
            raise ReadModelDamaged(f"a row it would add is already there: {entry.row[0]}") from None

    def _write_rows(self, entry: Entry, position: int) -> None:
        if entry.digest is not None:
            self._execute(
                "UPDATE uspk_view_tracking SET history_digest = ? WHERE name = ?",
                (entry.digest, TRACKING_NAME),
            )
            return
        event_id, recorded = entry.row[0], entry.row[5]
        if entry.hides:
            self._execute(
                "INSERT INTO uspk_view_hidden (event_id, by_id, hidden_from) VALUES (?, ?, ?)",
                (entry.hides, event_id, recorded),
            )
        if entry.ends_hidings_by:
            self._execute(
                "UPDATE uspk_view_hidden SET hidden_until = ? "
                "WHERE by_id = ? AND hidden_until IS NULL",
                (recorded, entry.ends_hidings_by),
            )
        self._execute(
            "INSERT INTO uspk_view_events (position, event_id, kind, occ_start, occ_end, rank,"
            " recorded_at, introduces, agreement, step, document)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position, *entry.row),
        )
        for actor_id in entry.mentions:  # a retraction names none
            self._execute(
                "INSERT INTO uspk_view_mentions (actor_id, event_id) VALUES (?, ?)",
                (actor_id, event_id),
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
        """One transaction; with ``lock``, writers to the view take turns (exactly once),
        each waiting at most the lock timeout for the one before."""
        try:
            with self._begun(lock):
                yield
        except database_errors() as error:
            if not is_lock_timeout(error):
                raise
            raise StoreLocked(self.lock_seconds, self._lock_holder()) from None

    @contextmanager
    def _begun(self, lock: bool) -> Iterator[None]:
        if self.store.is_postgres:
            with self.conn.transaction():
                if lock:  # schema set-up and catch-ups take turns on one lock: no deadlock
                    self._execute("SELECT pg_advisory_xact_lock(?)", (READ_MODEL_LOCK,))
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE" if lock else "BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _lock_holder(self) -> int | None:
        if not self.store.is_postgres:
            return None  # SQLite does not say who holds its file lock
        return advisory_lock_holder(self._one, READ_MODEL_LOCK)


def _is_integrity_error(error: BaseException) -> bool:
    """A constraint refused a row (SQLite's IntegrityError, PostgreSQL's class 23)."""
    import sqlite3

    sqlstate = getattr(error, "sqlstate", None) or ""
    return isinstance(error, sqlite3.IntegrityError) or sqlstate.startswith("23")
