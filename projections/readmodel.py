"""The read model: believed events materialized in the store, kept up to date from the
application's notification log.

One row per recorded happening, with its date interval and replay rank as columns, and
one row per hiding (a retraction, or an amendment superseding an event) with the
recorded interval in which it holds. So "believed at T, occurring in this window" is
an indexed query whose cost grows with the answer, not with the history, and the
projections (timeline, state, diff, replay) run on just those rows.

The tables belong to a subclass of eventsourcing's own tracking recorder (SQLite or
PostgreSQL), built by the application's factory on the datastore the application already
opened: no connection of our own. Catching up reads notifications after the tracked
position, decodes them through the application's mapper (so a compressor or cipher set
in the environment is honoured), and writes their rows in one transaction together with
eventsourcing's ``Tracking`` of the last one, under a lock, so each notification is
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
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, MapperDeserialisationError, PersistenceError, Tracking

from domain.chain import BrokenLink, follow, link
from domain.chronicle import Chronicle, Record, decode, decode_json
from domain.recording import thing_keys
from domain.world import actor_registry, kind_rank
from events.dates import parse_date
from events.model import mentioned_ids
from projections import kept
from projections.decoding import decoded_under_any_settings
from projections.locks import READ_MODEL_LOCK, StoreLocked, is_lock_timeout
from projections.notifications import notifications, page, pages
from projections.recorders import SQLiteIndexRecorder, Statements
from projections.sealed import IndexText
from projections.trusted import trusted_document

RECORDED = f"{Chronicle.Recorded.__module__}:{Chronicle.Recorded.__qualname__}"
HISTORY_LOADED = f"{Chronicle.HistoryLoaded.__module__}:{Chronicle.HistoryLoaded.__qualname__}"
META_NAME = "believed-events"
# Bump when the tables change: a read model of another version is rebuilt from the log.
SCHEMA_VERSION = 9  # 9: the state kept as standing rows (projections/kept.py)
_ROWS = 2000  # the index's rows read at a time (keyset pages)
REPLAY_ORDER = ("e.occ_start", "e.rank", "e.event_id")  # the replay index's order
_END_OF_TIME = "9999-12-31T23:59:59.999999"

SCHEMA = [
    # What the read model knows beside its position (eventsourcing's tracking table).
    """CREATE TABLE IF NOT EXISTS uspk_view_meta (
        name TEXT PRIMARY KEY, history_digest TEXT,
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
        document TEXT NOT NULL,
        recorder TEXT,
        message TEXT,
        chain TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_things (
        thing TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (thing, event_id))""",
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
    *kept.SCHEMA,
]
LEGACY_TABLES = ("uspk_view_tracking",)  # schema 3 and before: its own tracking table
TABLES = (
    "uspk_view_meta",
    "uspk_view_events",
    "uspk_view_mentions",
    "uspk_view_things",
    "uspk_view_hidden",
    *kept.TABLES,
)
META_COLUMNS = (
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
        "document",
        "recorder",
        "message",
        "chain",
    ),
    "uspk_view_mentions": ("actor_id", "event_id"),
    "uspk_view_things": ("thing", "event_id"),
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


class ChainBroken(ReadModelError):
    """A recorded change whose link in the hash chain does not verify: the index stops
    at the last good one, and every command says so until the log is repaired."""

    def __init__(self, notification_id: int, event_id: str | None, reason: str) -> None:
        self.notification_id = notification_id
        self.event_id = event_id
        which = (
            f"event {event_id!r} (notification {notification_id})"
            if event_id
            else (f"notification {notification_id}")
        )
        super().__init__(
            f"the event log is broken at {which}: it {reason}; answers stop before it "
            "until the log is repaired: run `uspk verify`"
        )


class Entry(NamedTuple):
    """What one notification brings to the read model."""

    digest: str | None = None  # the shipped history loaded
    row: tuple | None = None  # uspk_view_events without its position and chain
    mentions: tuple[str, ...] = ()
    things: tuple[str, ...] = ()  # ``thing_keys`` and ``answer_keys``
    hides: str | None = None  # the event that this record retracts or supersedes
    ends_hidings_by: str | None = None  # a retracted amendment no longer hides
    chain: str | None = None  # its stored link in the hash chain (None: stored before it)
    linked: tuple = ()  # what its link is computed from, after the previous link

    def link_after(self, previous: str | None) -> str:
        """Its link in the chain: the stored one, else computed (a change stored before
        the chain existed is covered by every stored link after it)."""
        return self.chain or link(previous, *self.linked)


class ChainFollower:
    """The hash chain followed through one catch-up, link by link (domain.chain.follow),
    from the index's last record on: each recorded change is checked as it is indexed,
    and a chronicle version that skips one means a stored event was removed or moved."""

    def __init__(self, mapper: Mapper, recorder: Any, head: str | None, version: int) -> None:
        self.mapper, self.recorder = mapper, recorder
        self.head = head  # the link of the last record indexed (None: none yet)
        self.version = version  # the chronicle version the index reflects (0: none)
        # Whether a change before has a stored link; asked of the log only when an
        # unlinked change follows indexed ones (a store written before the chain).
        self.chained_before: bool | None = False if head is None else None

    def follow(self, entry: Entry, notification: Any) -> Entry:
        """``entry`` with its checked link; ChainBroken if it does not verify."""
        self._check_version(notification, entry)
        if entry.row is None:
            return entry
        if entry.chain is None and self.chained_before is None:
            self.chained_before = self._stored_link_before(notification.id)
        try:
            self.head = follow(self.head, entry.chain, bool(self.chained_before), *entry.linked)
        except BrokenLink as error:
            raise ChainBroken(notification.id, entry.row[0], str(error)) from None
        self.chained_before = self.chained_before or entry.chain is not None
        return entry._replace(chain=self.head)

    def skip(self, notification: Any) -> None:
        """An unreadable event that a later retraction names: not indexed; its link counts
        only if it verifies (that retraction was linked after the last link that did)."""
        self.version = notification.originator_version
        try:
            event = decoded_under_any_settings(self.mapper, notification)
            signed = (event.document, event.recorder, event.message, event.timestamp)
            self.head = follow(self.head, event.chain, bool(self.chained_before), *signed)
        except Exception:  # noqa: BLE001, S110 - undecodable or unlinked: the head stays
            return
        self.chained_before = self.chained_before or event.chain is not None

    def _check_version(self, notification: Any, entry: Entry) -> None:
        version, self.version = self.version, notification.originator_version
        if version and notification.originator_version != version + 1:
            event_id = entry.row[0] if entry.row is not None else None
            raise ChainBroken(
                notification.id,
                event_id,
                f"follows chronicle version {version}: a stored event was removed or moved",
            )

    def _stored_link_before(self, stop: int) -> bool:
        for notification in notifications(self.recorder, 0, [RECORDED], stop=stop - 1):
            try:
                if decoded_under_any_settings(self.mapper, notification).chain is not None:
                    return True
            except Exception:  # noqa: BLE001, S112 - an unreadable one links nothing
                continue
        return False


def read_entry(mapper: Mapper, notification: Any) -> Entry:
    """The read model's rows for one notification, decoded through the application's
    mapper, or UnreadableEvent if this code cannot read it (bytes that do not decode, an
    unknown kind, a field the models refuse)."""
    event: Any = None
    try:
        event = mapper.to_domain_event(notification)
    except MapperDeserialisationError as error:
        # The store's settings were checked on opening (service/settings.py): an event
        # that does not decode was changed, or written by an older uspk with other ones.
        reason = _first_line(error.__cause__ or error)
        raise UnreadableEvent(
            notification.id, None, f"its bytes do not decode with the store's settings: {reason}"
        ) from None
    try:
        if isinstance(event, Chronicle.HistoryLoaded):
            if not isinstance(event.digest, str):
                raise TypeError("the history digest is not text")
            return Entry(digest=event.digest)
        signed = (event.recorder, event.message, event.chain)
        return _entry_of(event.document, event.timestamp, *signed)
    except Exception as error:  # noqa: BLE001 - whatever stops the reading, say which event
        raise UnreadableEvent(notification.id, _raw_id(event), _first_line(error)) from None


def _entry_of(
    document: dict,
    timestamp: datetime,
    recorder: str | None = None,
    message: str | None = None,
    chain: str | None = None,
) -> Entry:
    validated = decode(document)  # validated once, here: the queries decode this row's JSON
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    recorded = moment(timestamp)
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
        text,
        recorder,
        message,
    )
    things = tuple(sorted(thing_keys(validated) | answer_keys(validated)))
    mentions = tuple(mentioned_ids(document))
    linked = (document, recorder, message, timestamp)
    return Entry(None, row, mentions, things, hides, ends, chain, linked)


def answer_keys(happening: Any) -> set[str]:
    """Beside what its rules depend on, what a state's answer about something else needs
    to find this happening by: the events it relates to (``related-to:<event>``, whose
    entries list it as ``related_by``) and the actors it introduces
    (``introduces:<actor>``, whose names and roles it sets). No thing sort has these
    prefixes, so the batch checks, which ask for ``thing_keys``, never meet them."""
    keys = {f"related-to:{r.to}" for r in getattr(happening, "relates", ())}
    return keys | {f"introduces:{a.id}" for a in getattr(happening, "introduces", ())}


def _raw_id(event: Any) -> str | None:
    """The event id, when the stored event can be decoded that far."""
    document = getattr(event, "document", None)
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


def retracted_later(mapper: Mapper, recorder: Any, after: int, name: str) -> bool:
    """Whether a retraction recorded after notification ``after`` names ``name``.

    Only asked when an unreadable event is met, so a scan of the rest of the log is fine.
    """
    for notification in notifications(recorder, after, [RECORDED]):
        try:
            document = mapper.to_domain_event(notification).document
        except Exception:  # noqa: BLE001, S112 - another unreadable one names nothing
            continue
        if document.get("kind") == "retraction" and document.get("retracts") == name:
            return True
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
    """What the read model's databases raise when one cannot be used: eventsourcing's
    datastores wrap their drivers' errors, the drivers raise the rest."""
    try:
        import psycopg
    except ImportError:  # PostgreSQL support is optional
        return (PersistenceError, sqlite3.Error)
    return (PersistenceError, sqlite3.Error, psycopg.Error)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def moment(value: datetime) -> str:
    """A recorded time as fixed-width UTC text, so text order is time order (isoformat,
    not strftime: glibc's %Y writes year 300 as "300", which sorts after "2025")."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def index_recorder_class(factory: Any) -> type:
    """The index recorder for the application's database."""
    from eventsourcing.sqlite import SQLiteFactory

    if isinstance(factory, SQLiteFactory):
        return SQLiteIndexRecorder
    from projections.recorders_postgres import PostgresIndexRecorder  # needs psycopg

    return PostgresIndexRecorder


class ReadModel:
    """The materialized believed-events view of one store's event log."""

    def __init__(self, app: Application, prepare: bool = True) -> None:
        """Open the read model of ``app``'s store; ``prepare`` makes or checks its tables
        (verify and rebuild open it as it is)."""
        self.name = app.name  # whose notifications the Tracking counts
        self.mapper = app.mapper
        self.text = IndexText(app.mapper.cipher)  # how the index keeps text: sealed.py
        self.index = app.factory.tracking_recorder(index_recorder_class(app.factory))
        self.tracking = self.index.tracking_table
        self.table_names = (self.index.tracking_table_name, *TABLES)
        self.outdated = False
        if prepare:
            self._prepare()

    def _prepare(self) -> None:
        """Make the tables of a store that has none; refuse a read model with some missing
        (repaired by rebuild, not silently remade empty); mark one of another version."""
        with self._transaction(lock=True) as sql:  # SQLite: write lock first, no upgrade later
            found, present = self._found(sql)
            if found == "absent":
                self._create(sql, present)
            self.outdated = found == "outdated"  # an older release's: rebuilt from the log

    def check_as_it_stands(self, address: str) -> None:
        """For a reader who may not write: the index must be there, whole and of this
        release's version, since it cannot be made, repaired or rebuilt here. Writes
        nothing; each refusal names what a curator runs."""
        with self._transaction() as sql:
            found, _ = self._found(sql)
        if found == "absent":
            raise ReadModelError(
                f"{address} has no index to read yet, and you may not write one: "
                "a curator makes it by running `uspk rebuild` on this store"
            )
        if found == "outdated":
            raise ReadModelError(
                f"{address}: the index was made by another release of uspk, and you "
                "may not rebuild it: a curator runs `uspk rebuild` on this store"
            )

    def _found(self, sql: Statements) -> tuple[str, set[str]]:
        """What the store holds of the read model, and which of its tables are present:
        "absent" (none of ours), "outdated" (another release's), or "ready" (whole and of
        this version; a read model with tables, its meta or tracking row missing is
        damaged, and says so)."""
        present = self.index.existing(sql, self.table_names + LEGACY_TABLES)
        if not present & {*TABLES, *LEGACY_TABLES}:
            return "absent", present
        meta = "uspk_view_meta" in present
        version = self._meta(sql, "schema_version", damaged=False) if meta else None
        if (version is None and LEGACY_TABLES[0] in present) or (
            version is not None and version[0] != SCHEMA_VERSION
        ):
            return "outdated", present
        missing = [table for table in self.table_names if table not in present]
        if missing:
            raise ReadModelDamaged(f"table {', '.join(missing)} missing")
        if version is None:
            raise ReadModelDamaged("its meta row is missing")
        self._position(sql)
        return "ready", present

    def behind(self, recorder: Any) -> int:
        """How many recorded changes the log holds past the index's position (counted,
        not subtracted: PostgreSQL's notification ids may skip numbers)."""
        return sum(len(found) for found in pages(recorder, self.position(), [RECORDED]))

    def _create(self, sql: Statements, present: set[str]) -> None:
        self.index.make_tracking_table(sql, present)
        for statement in SCHEMA:
            sql.execute(statement)
        sql.execute(f"DELETE FROM {self.tracking} WHERE application_name = ?", (self.name,))
        self.index.insert_position(sql, Tracking(self.name, 0))
        sql.execute(
            "INSERT INTO uspk_view_meta (name, schema_version) VALUES (?, ?)",
            (META_NAME, SCHEMA_VERSION),
        )

    def tables(self) -> set[str]:
        """Which of the read model's tables exist (eventsourcing's tracking table too)."""
        with self._transaction() as sql:
            return self.index.existing(sql, self.table_names)

    def close(self) -> None:
        """Nothing to close: the connections are the application's, closed with it."""

    # -- keeping up ------------------------------------------------------------------

    def catch_up(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Apply the notifications recorded since the tracked position; return how many.

        Checks first, cheaply, that the read model is not damaged in a way it can see: a
        position past the end of the log, or fewer rows than it counted. Each recorded
        change's link in the hash chain is checked as it is indexed: the first that does
        not verify stops the index at the one before it (ChainBroken)."""
        applied, first, links = 0, True, None
        while True:
            with self._transaction(lock=True) as sql:
                position = self._position(sql)
                (records,) = self._meta(sql, "records")
                found = page(recorder, position, [RECORDED, HISTORY_LOADED])
                if first:
                    self._check(sql, position, records, recorder, caught_up=not found)
                    first = False
                if not found:
                    return applied
                if links is None:
                    (version,) = self._meta(sql, "chronicle_version")
                    head = self._link_before(sql, records + 1)
                    links = ChainFollower(self.mapper, recorder, head, version)
                with _collector_paused():  # as in _records: validating makes many objects
                    done, blocked = self._apply_page(sql, found, records, recorder, links)
            applied += done
            if progress is not None:
                progress(done)
            if blocked is not None:
                raise blocked

    def _apply_page(
        self, sql: Statements, page: list[Any], records: int, recorder: Any, links: ChainFollower
    ) -> tuple[int, ReadModelError | None]:
        """Apply a page up to the first unreadable event that no retraction names, or the
        first change whose link does not verify."""
        done, last, blocked = 0, None, None
        touched: dict[str, set[str]] = {}  # recorded moment -> the events it touches
        for notification in page:
            try:
                entry: Entry | None = read_entry(self.mapper, notification)
            except UnreadableEvent as error:
                if not retracted_later(self.mapper, recorder, notification.id, error.name):
                    blocked = error
                    break
                entry = None  # retracted: skipped as hidden
                links.skip(notification)
            if entry is not None:
                try:
                    entry = links.follow(entry, notification)
                except ChainBroken as error:
                    blocked = error
                    break
            if entry is not None and entry.row is not None:
                records += 1
            if entry is not None:
                self._write(sql, entry, records)
                if entry.row is not None:
                    ids = touched.setdefault(entry.row[5], set())
                    ids.update(i for i in (entry.row[0], entry.hides, entry.ends_hidings_by) if i)
            done, last = done + 1, notification
        for at in sorted(touched):  # once per recorded moment (a batch), in recorded order
            kept.maintain(sql, _KeptLookup(self, sql, at), touched[at], at, self.text)
        if last is not None:
            self.index.insert_position(sql, Tracking(self.name, last.id))
            sql.execute(
                "UPDATE uspk_view_meta SET chronicle_version = ?, records = ? WHERE name = ?",
                (last.originator_version, records, META_NAME),
            )
        return done, blocked

    def broken_next(self, recorder: Any) -> ChainBroken | None:
        """For a reader, who may not catch up: whether the change after the index's
        position breaks the chain (where a writer's catch-up stops), checked in memory."""
        with self._transaction() as sql:
            position = self._position(sql)
            records, version = self._meta(sql, "records, chronicle_version")
            head = self._link_before(sql, records + 1)
        try:
            for notification in page(recorder, position, [RECORDED, HISTORY_LOADED], limit=1):
                entry = read_entry(self.mapper, notification)
                ChainFollower(self.mapper, recorder, head, version).follow(entry, notification)
        except ChainBroken as error:
            return error
        except UnreadableEvent:  # named by the commands that read it
            return None
        return None

    def _check(
        self, sql: Statements, position: int, records: int, recorder: Any, caught_up: bool
    ) -> None:
        counted = sql.one("SELECT COALESCE(MAX(position), 0) FROM uspk_view_events")[0]
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
        with self._transaction(lock=True) as sql:
            if self.text.sealed:  # an older release's index may hold text in clear
                self.index.erase_what_is_dropped(sql)
            for table in (*TABLES, *LEGACY_TABLES):
                sql.execute(f"DROP TABLE IF EXISTS {table}")
            self._create(sql, self.index.existing(sql, [self.index.tracking_table_name]))
        self.outdated = False
        return self.catch_up(recorder, progress)

    def position(self) -> int:
        with self._transaction() as sql:
            return self._position(sql)

    def chronicle_version(self) -> int:
        """The version of the chronicle that the rows reflect (0: nothing recorded)."""
        with self._transaction() as sql:
            return self._meta(sql, "chronicle_version")[0]

    def chain_head(self, known_at: datetime | None = None) -> tuple[int, str | None]:
        """(how many changes, the last one's link) of the record as it stood at
        ``known_at`` (now when None): the chain head an export carries."""
        at = moment(known_at) if known_at else _END_OF_TIME
        row = self._one(
            "SELECT position, chain FROM uspk_view_events WHERE recorded_at <= ?"
            " ORDER BY position DESC LIMIT 1",
            (at,),
        )
        return (row[0], row[1]) if row else (0, None)

    def history_digest(self) -> str | None:
        with self._transaction() as sql:
            return self._meta(sql, "history_digest")[0]

    def _position(self, sql: Statements) -> int:
        """eventsourcing's Tracking of the last notification applied (0: none yet)."""
        row = sql.one(
            f"SELECT notification_id FROM {self.tracking} WHERE application_name = ?",
            (self.name,),
        )
        if row is None:
            raise ReadModelDamaged("its tracking row is missing")
        return row[0]

    def _meta(self, sql: Statements, columns: str, damaged: bool = True) -> tuple | None:
        row = sql.one(f"SELECT {columns} FROM uspk_view_meta WHERE name = ?", (META_NAME,))
        if row is None and damaged:
            raise ReadModelDamaged("its meta row is missing")
        return row

    # -- reading the tables as they are (uspk verify) ----------------------------------

    def tracked_position(self) -> int | None:
        """The position in eventsourcing's tracking table, None if its row is missing."""
        row = self._one(
            f"SELECT notification_id FROM {self.tracking} WHERE application_name = ?",
            (self.name,),
        )
        return row[0] if row else None

    def meta_row(self) -> dict[str, Any] | None:
        row = self._one(
            f"SELECT {', '.join(META_COLUMNS)} FROM uspk_view_meta WHERE name = ?", (META_NAME,)
        )
        return dict(zip(META_COLUMNS, row, strict=True)) if row else None

    def rows(self, table: str) -> list[tuple]:
        """Every row of one of the read model's tables, in its columns' order, its text
        unsealed (as the rows are made from the log)."""
        rows = self._all(f"SELECT {', '.join(COLUMNS[table])} FROM {table}")
        if table != "uspk_view_events" or not self.text.sealed:
            return rows
        unseal = self.text.unseal
        return [(*r[:8], unseal(r[8]), unseal(r[9]), unseal(r[10]), r[11]) for r in rows]

    def _write(self, sql: Statements, entry: Entry, position: int) -> None:
        """Write what one notification brings; a row already there means damage."""
        try:
            self._write_rows(sql, entry, position)
        except database_errors() as error:
            if not _is_integrity_error(error):
                raise
            raise ReadModelDamaged(f"a row it would add is already there: {entry.row[0]}") from None

    @staticmethod
    def _link_before(sql: Statements, position: int) -> str | None:
        """The chain's link of the record before ``position`` (asked only for a change
        stored before the chain existed, whose link is computed from it)."""
        row = sql.one("SELECT chain FROM uspk_view_events WHERE position = ?", (position - 1,))
        return row[0] if row else None

    def _write_rows(self, sql: Statements, entry: Entry, position: int) -> None:
        if entry.digest is not None:
            sql.execute(
                "UPDATE uspk_view_meta SET history_digest = ? WHERE name = ?",
                (entry.digest, META_NAME),
            )
            return
        event_id, recorded = entry.row[0], entry.row[5]
        chain = entry.chain or entry.link_after(self._link_before(sql, position))
        if entry.hides:
            sql.execute(
                "INSERT INTO uspk_view_hidden (event_id, by_id, hidden_from) VALUES (?, ?, ?)",
                (entry.hides, event_id, recorded),
            )
        if entry.ends_hidings_by:
            sql.execute(
                "UPDATE uspk_view_hidden SET hidden_until = ? "
                "WHERE by_id = ? AND hidden_until IS NULL",
                (recorded, entry.ends_hidings_by),
            )
        seal = self.text.seal
        text = tuple(seal(value) for value in entry.row[7:10])  # document, recorder, message
        sql.execute(
            "INSERT INTO uspk_view_events (position, event_id, kind, occ_start, occ_end, rank,"
            " recorded_at, introduces, document, recorder, message, chain)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position, *entry.row[:7], *text, chain),
        )
        for actor_id in entry.mentions:  # a retraction names none
            sql.execute(
                "INSERT INTO uspk_view_mentions (actor_id, event_id) VALUES (?, ?)",
                (actor_id, event_id),
            )
        for thing in entry.things:
            sql.execute(
                "INSERT INTO uspk_view_things (thing, event_id) VALUES (?, ?)",
                (thing, event_id),
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
        return self._records(where, params, order=REPLAY_ORDER)

    def recorded_until(self, known_at: datetime | None = None) -> date | None:
        """The last day of the latest-ending believed happening: past it, the record
        holds nothing (None when it holds no happening)."""
        where, params = self._believed_where(known_at)
        row = self._one(
            f"SELECT MAX(e.occ_end) FROM uspk_view_events e WHERE {' AND '.join(where)}", params
        )
        return date.fromisoformat(row[0]) if row and row[0] else None

    def registry(self, known_at: datetime | None = None) -> dict:
        """Every actor introduced by a believed happening, whatever its date."""
        where, params = self._believed_where(known_at)
        where.append("e.introduces = 1")
        return actor_registry(r.document for r in self._records(where, params))

    def everything(self) -> list[Record]:
        """Every record, retractions and hidden ones included, in recorded order."""
        return self._records([], [])

    def record_of(self, event_id: str) -> Record | None:
        found = self._records(["e.event_id = ?"], [event_id])
        return found[0] if found else None

    # -- the lookups that checking a batch needs (domain.recording.RecordLookup) --------

    def recorded(self, ids: Collection[str]) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ", ".join("?" for _ in chunk)
            for record in self._records([f"e.event_id IN ({marks})"], chunk):
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

    def related(self, things: Collection[str], actors: Collection[str]) -> list[Record]:
        found: dict[str, Record] = {}
        for table, column, keys in (
            ("uspk_view_things", "thing", things),
            ("uspk_view_mentions", "actor_id", actors),
        ):
            join = f" JOIN {table} j ON j.event_id = e.event_id"
            for chunk in _chunks(sorted(keys)):
                where, params = self._believed_where(None)
                where.append(f"j.{column} IN ({', '.join('?' for _ in chunk)})")
                for record in self._records(where, [*params, *chunk], join=join):
                    found.setdefault(record.id, record)
        return list(found.values())

    # -- what a narrowed state reads (projections.state.Narrowing) -------------------

    def with_keys(
        self, keys: Collection[str], known_at: datetime | None, starting_by: date | None = None
    ) -> list[Record]:
        """Believed happenings having one of ``keys`` in ``uspk_view_things`` (a thing
        key or an ``answer_keys`` key), starting on or before ``starting_by``."""
        return self._joined("uspk_view_things", "thing", keys, known_at, starting_by)

    def mentioning(
        self, actors: Collection[str], known_at: datetime | None, starting_by: date | None = None
    ) -> list[Record]:
        """Believed happenings naming one of ``actors`` (``uspk_view_mentions``)."""
        return self._joined("uspk_view_mentions", "actor_id", actors, known_at, starting_by)

    def present_keys(self, keys: Collection[str], known_at: datetime | None) -> set[str]:
        """Those of ``keys`` that a believed record has in ``uspk_view_things``."""
        found: set[str] = set()
        for chunk in _chunks(sorted(keys)):
            where, params = self._believed_where(known_at)
            where.append(f"j.thing IN ({', '.join('?' for _ in chunk)})")
            rows = self._all(
                "SELECT DISTINCT j.thing FROM uspk_view_things j"
                " JOIN uspk_view_events e ON e.event_id = j.event_id"
                f" WHERE {' AND '.join(where)}",
                [*params, *chunk],
            )
            found.update(row[0] for row in rows)
        return found

    def keys_like(self, prefix: str) -> list[str]:
        """Every key of ``uspk_view_things`` that starts with ``prefix``, recorded at any
        time (for suggestions when an asked id is unknown)."""
        rows = self._all(
            "SELECT DISTINCT thing FROM uspk_view_things WHERE thing LIKE ? ORDER BY thing",
            (prefix.replace("%", "").replace("_", "") + "%",),
        )
        return [row[0] for row in rows if row[0].startswith(prefix)]

    def has_key(self, key: str) -> bool:
        """Whether any record, at any time, has ``key`` in ``uspk_view_things``."""
        row = self._one("SELECT 1 FROM uspk_view_things WHERE thing = ? LIMIT 1", (key,))
        return row is not None

    def _joined(
        self,
        table: str,
        column: str,
        keys: Collection[str],
        known_at: datetime | None,
        starting_by: date | None,
    ) -> list[Record]:
        found: dict[str, Record] = {}
        join = f" JOIN {table} j ON j.event_id = e.event_id"
        for chunk in _chunks(sorted(keys)):
            where, params = self._believed_where(known_at)
            where.append(f"j.{column} IN ({', '.join('?' for _ in chunk)})")
            params.extend(chunk)
            if starting_by is not None:
                where.append("e.occ_start <= ?")
                params.append(starting_by.isoformat())
            for record in self._records(where, params, join=join):
                found.setdefault(record.id, record)
        return list(found.values())

    def introductions(self) -> list[Record]:
        where, params = self._believed_where(None)
        where.append("e.introduces = 1")
        return self._records(where, params)

    def kept_now(self) -> tuple[tuple[set[tuple], set[tuple]], tuple[set[tuple], set[tuple]]]:
        """The standing rows held open and the units, as kept and as made afresh from the
        records believed now (``kept.standing_now``): what ``uspk verify`` compares."""
        with self.index.transaction() as sql:
            lookup = _KeptLookup(self, sql, _END_OF_TIME)
            where, params = self._believed_at(_END_OF_TIME)
            ids = sql.all(
                f"SELECT e.event_id FROM uspk_view_events e WHERE {' AND '.join(where)}", params
            )
            made = kept.standing_now(lookup.by_ids([row[0] for row in ids]), lookup)
            unseal = self.text.unseal
            held = {(*row[:-1], unseal(row[-1])) for row in sql.all(kept.OPEN_ROWS)}
            units = set(sql.all("SELECT event_id, unit FROM uspk_view_units"))
        return (held, units), made

    def state_rows(self, as_of: date, known_at: datetime | None) -> list[tuple]:
        """The standing rows at (``as_of``, ``known_at``), as ``kept.read_state`` takes
        them: one indexed query."""
        day, at = as_of.isoformat(), moment(known_at) if known_at else _END_OF_TIME
        return self._all(kept.STANDING_AT, (day, day, at, at))

    def kept_rows(self) -> list[tuple]:
        """Every standing row, hidden ones too (the SQLite export's ``standing``), its
        entry in clear: ``kept.ALL_ROWS``'s columns, one query."""
        unseal = self.text.unseal
        return [(*row[:-1], unseal(row[-1])) for row in self._all(kept.ALL_ROWS)]

    def kept_state(self, as_of: date, known_at: datetime | None) -> Iterator[tuple[str, Any]]:
        """The state at (``as_of``, ``known_at``) read from the standing rows, whole."""
        try:
            yield from kept.read_state(
                self.state_rows(as_of, known_at), as_of, known_at, self.text.unseal
            )
        except kept.RowUnreadable as error:
            raise ReadModelDamaged(str(error)) from None

    def _believed_where(self, known_at: datetime | None) -> tuple[list[str], list[Any]]:
        return self._believed_at(moment(known_at) if known_at else _END_OF_TIME)

    @staticmethod
    def _believed_at(at: str) -> tuple[list[str], list[Any]]:
        where = [
            "e.kind <> 'retraction'",
            "e.recorded_at <= ?",
            "NOT EXISTS (SELECT 1 FROM uspk_view_hidden h WHERE h.event_id = e.event_id"
            " AND h.hidden_from <= ? AND (h.hidden_until IS NULL OR h.hidden_until > ?))",
        ]
        return where, [at, at, at]

    def _records(
        self,
        where: list[str],
        params: list[Any],
        order: tuple[str, ...] = ("e.position",),
        join: str = "",
        sql: Statements | None = None,
    ) -> list[Record]:
        """Records of the rows that ``where`` selects, in ``order`` (whose last column is
        unique), read in keyset pages within one read transaction, so that only a page
        of rows is held beside the records. A few documents are rebuilt unvalidated (each
        was validated when its row was written): building pydantic's validator costs more
        than a small answer. Many are validated again: per row, the compiled validator is
        twice as fast as building models in Python (measured at 10,000 rows), which pays
        for its building past about one page."""
        keys = ", ".join(order)
        base = (
            "SELECT e.document, e.recorded_at, e.position, e.recorder, e.message, e.chain,"
            f" {keys} FROM uspk_view_events e{join}"
        )
        marks = ", ".join("?" for _ in order)
        records: list[Record] = []
        after: tuple | None = None
        with nullcontext(sql) if sql is not None else self._transaction() as sql:
            while True:
                clauses = [*where, f"({keys}) > ({marks})"] if after else where
                rows = sql.all(
                    f"{base}{' WHERE ' if clauses else ''}{' AND '.join(clauses)} "
                    f"ORDER BY {keys} LIMIT {_ROWS}",
                    [*params, *after] if after else params,
                )
                bulk = after is not None or len(rows) == _ROWS
                document = decode_json if bulk else trusted_document
                unseal = self.text.unseal
                with _collector_paused():
                    records.extend(
                        Record(
                            document(unseal(row[0])),
                            datetime.fromisoformat(row[1] + "+00:00"),
                            row[2],
                            unseal(row[3]),
                            unseal(row[4]),
                            row[5],
                        )
                        for row in rows
                    )
                if len(rows) < _ROWS:
                    return records
                after = rows[-1][6:]

    # -- SQL plumbing: the index recorder's transactions ----------------------------------

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        with self._transaction() as statements:
            return statements.one(sql, params)

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self._transaction() as statements:
            return statements.all(sql, params)

    @contextmanager
    def _transaction(self, lock: bool = False) -> Iterator[Statements]:
        """One transaction; with ``lock``, writers to the view take turns (exactly once),
        each waiting at most the lock timeout for the one before."""
        try:
            with self.index.transaction(lock) as statements:
                yield statements
        except database_errors() as error:
            if not is_lock_timeout(error):
                raise
            raise StoreLocked(self.index.lock_seconds, self._lock_holder()) from None

    def _lock_holder(self) -> int | None:
        try:
            return self.index.lock_holder(READ_MODEL_LOCK)
        except database_errors():
            return None


class _KeptLookup:
    """What maintaining the standing rows reads (projections.kept.KeptLookup): the
    records believed at the moment ``at``, in the writing transaction. Each record is
    decoded once per maintenance, and each actor's introductions read once."""

    def __init__(self, views: ReadModel, sql: Statements, at: str) -> None:
        self.views, self.sql, self.at = views, sql, at
        self.decoded: dict[str, Record] = {}
        self.introduced: dict[str, list[Record]] = {}

    def _ids(self, at: str, clause: str, keys: Collection[str], join: str = "") -> list[str]:
        found: list[str] = []
        for chunk in _chunks(sorted(keys)):
            where, params = ReadModel._believed_at(at)
            where.append(clause.format(marks=", ".join("?" for _ in chunk)))
            rows = self.sql.all(
                f"SELECT DISTINCT e.event_id FROM uspk_view_events e{join}"
                f" WHERE {' AND '.join(where)}",
                [*params, *chunk],
            )
            found += [row[0] for row in rows]
        return found

    def _load(self, ids: Collection[str]) -> list[Record]:
        missing = sorted({i for i in ids if i not in self.decoded})
        for chunk in _chunks(missing):
            marks = ", ".join("?" for _ in chunk)
            for record in self.views._records([f"e.event_id IN ({marks})"], chunk, sql=self.sql):
                self.decoded[record.id] = record
        return [self.decoded[i] for i in dict.fromkeys(ids) if i in self.decoded]

    def with_keys(self, keys: Collection[str]) -> list[Record]:
        join = " JOIN uspk_view_things j ON j.event_id = e.event_id"
        return self._load(self._ids(self.at, "j.thing IN ({marks})", keys, join))

    def by_ids(self, ids: Collection[str]) -> list[Record]:
        return self._load(self._ids(self.at, "e.event_id IN ({marks})", ids))

    def mentioning(self, actors: Collection[str], before: bool = False) -> list[Record]:
        join = " JOIN uspk_view_mentions j ON j.event_id = e.event_id"
        clause = "j.actor_id IN ({marks})" + (" AND e.recorded_at < ?" if before else "")
        if before:  # recorded before this moment, believed at it
            found: list[str] = []
            for chunk in _chunks(sorted(actors)):
                where, params = ReadModel._believed_at(self.at)
                where.append(clause.format(marks=", ".join("?" for _ in chunk)))
                rows = self.sql.all(
                    f"SELECT DISTINCT e.event_id FROM uspk_view_events e{join}"
                    f" WHERE {' AND '.join(where)}",
                    [*params, *chunk, self.at],
                )
                found += [row[0] for row in rows]
            return self._load(found)
        return self._load(self._ids(self.at, clause, actors, join))

    def introductions(self, actors: Collection[str]) -> dict[str, list[Record]]:
        """Actor -> the believed records introducing it, at any date."""
        missing = sorted({a for a in actors if a not in self.introduced})
        if missing:
            for actor in missing:
                self.introduced[actor] = []
            for record in self.with_keys([f"introduces:{a}" for a in missing]):
                for actor in record.document.introduces:
                    if actor.id in self.introduced and record not in self.introduced[actor.id]:
                        self.introduced[actor.id].append(record)
        return {a: self.introduced[a] for a in actors}

    def introductions_before(self, actors: Collection[str]) -> list[Record]:
        before = (datetime.fromisoformat(self.at) - timedelta(microseconds=1)).isoformat(
            timespec="microseconds"
        )
        join = " JOIN uspk_view_things j ON j.event_id = e.event_id"
        keys = [f"introduces:{a}" for a in actors]
        return self._load(self._ids(before, "j.thing IN ({marks})", keys, join))

    def any_version(self, ids: Collection[str]) -> list[Record]:
        return self._load(ids)


def _is_integrity_error(error: BaseException) -> bool:
    """A constraint refused a row (SQLite's IntegrityError, PostgreSQL's class 23),
    as the driver raised it or as eventsourcing wrapped it."""
    if isinstance(error, PersistenceError) and error.__cause__ is not None:
        error = error.__cause__
    sqlstate = getattr(error, "sqlstate", None) or ""
    return isinstance(error, sqlite3.IntegrityError) or sqlstate.startswith("23")
