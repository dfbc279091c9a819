"""The read model: believed events materialized in the store, kept up to date from the
application's notification log.

One row per recorded happening, with its date interval and replay rank as columns, and
one row per hiding (a retraction, or an amendment superseding an event) with the
recorded interval in which it holds. So "believed at T, occurring in this window" is
an indexed query whose cost grows with the answer, not with the history, and the
projections (timeline, state, diff, replay) run on just those rows.

The tables belong to a subclass of eventsourcing's own tracking recorder (SQLite or
PostgreSQL), built by the application's factory on the datastore the application already
opened: no connection of our own. The index is read and written in its parts:

- projections/writer.py, the writer: eventsourcing's ``Projection`` shape, catching up
  from the notification log a page per transaction, tracking committed with the rows;
- projections/queries.py, the reader: the questions asked of the rows;
- projections/entries.py, what one notification brings (decoded through the
  application's mapper, so a compressor or cipher set in the environment is honoured);
- projections/tables.py and projections/damage.py, the tables and the errors.

This module opens it: makes the tables of a store that has none, and checks them.

The read model never disagrees with the log in silence: opening it finds missing tables
or a missing tracking row, catching up finds a read model ahead of its log or short of
the rows it counted, and a stored event this code cannot read stops the catch-up with
its name (unless a later retraction names it: then it is skipped as hidden). Each says
so in one line that names ``uspk verify`` / ``uspk rebuild`` or the retraction to run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from projections.damage import ChainBroken, ReadModelDamaged, ReadModelError, UnreadableEvent
from projections.entries import HISTORY_LOADED, RECORDED, ChainFollower, read_entry
from projections.notifications import page, pages
from projections.queries import IndexReader
from projections.recorders import SQLiteIndexRecorder, Statements
from projections.sealed import IndexText
from projections.tables import LEGACY_TABLES, META_NAME, SCHEMA, SCHEMA_VERSION, TABLES

if TYPE_CHECKING:
    from projections.writer import IndexWriter


def index_recorder_class(factory: Any) -> type:
    """The index recorder for the application's database."""
    from eventsourcing.sqlite import SQLiteFactory

    if isinstance(factory, SQLiteFactory):
        return SQLiteIndexRecorder
    from projections.recorders_postgres import PostgresIndexRecorder  # needs psycopg

    return PostgresIndexRecorder


class ReadModel(IndexReader):
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

    @cached_property
    def writer(self) -> IndexWriter:
        """The index's writer, its view the index recorder: loaded (with eventsourcing's
        projection module) only when there is something to write."""
        from projections.writer import IndexWriter

        return IndexWriter(self.index, self, self.mapper)

    def _prepare(self) -> None:
        """Make the tables of a store that has none; refuse a read model with some missing
        (repaired by rebuild, not silently remade empty); mark one of another version.
        A whole index of this version is seen without the write lock (most opens): only
        making the tables takes it, and looks again under it."""
        with self.transaction() as sql:
            found, _ = self._found(sql)
        if found == "ready":
            return
        with self.transaction(lock=True) as sql:  # SQLite: write lock first, no upgrade later
            found, present = self._found(sql)
            if found == "absent":
                self._create(sql, present)
            self.outdated = found == "outdated"  # an older release's: rebuilt from the log

    def check_as_it_stands(self, address: str) -> None:
        """For a reader who may not write: the index must be there, whole and of this
        release's version, since it cannot be made, repaired or rebuilt here. Writes
        nothing; each refusal names what a curator runs."""
        with self.transaction() as sql:
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
        version = self.meta(sql, "schema_version", damaged=False) if meta else None
        if (version is None and LEGACY_TABLES[0] in present) or (
            version is not None and version[0] != SCHEMA_VERSION
        ):
            return "outdated", present
        missing = [table for table in self.table_names if table not in present]
        if missing:
            raise ReadModelDamaged(f"table {', '.join(missing)} missing")
        if version is None:
            raise ReadModelDamaged("its meta row is missing")
        self.position_in(sql)
        return "ready", present

    def behind(self, recorder: Any) -> int:
        """How many recorded changes the log holds past the index's position (counted,
        not subtracted: PostgreSQL's notification ids may skip numbers)."""
        return sum(len(found) for found in pages(recorder, self.position(), [RECORDED]))

    def _create(self, sql: Statements, present: set[str]) -> None:
        self.index.make_tracking_table(sql, present)
        for statement in SCHEMA:
            sql.execute(self.index.table(statement))
        sql.execute(f"DELETE FROM {self.tracking} WHERE application_name = ?", (self.name,))
        self.index.insert_position(sql, Tracking(self.name, 0))
        sql.execute(
            "INSERT INTO uspk_view_meta (name, schema_version) VALUES (?, ?)",
            (META_NAME, SCHEMA_VERSION),
        )

    def tables(self) -> set[str]:
        """Which of the read model's tables exist (eventsourcing's tracking table too)."""
        with self.transaction() as sql:
            return self.index.existing(sql, self.table_names)

    def close(self) -> None:
        """Nothing to close: the connections are the application's, closed with it."""

    # -- keeping up ------------------------------------------------------------------

    def catch_up(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Apply the notifications recorded since the tracked position; return how many
        (projections.writer.IndexWriter.catch_up). When the log ends at the position, as
        on most opens, that is seen in one read, without the write lock or the writer."""
        if self._nothing_new(recorder):
            return 0
        return self.writer.catch_up(recorder, progress)

    def _nothing_new(self, recorder: Any) -> bool:
        """Whether the log ends at the index's position; first, the damage a catch-up
        can see (the one place it is checked, whether the writer runs or not)."""
        with self.transaction() as sql:
            position = self.position_in(sql)
            (records,) = self.meta(sql, "records")
            end = recorder.max_notification_id() or 0
            self.check_counts(sql, position, records, end)
        return position == end

    def broken_next(self, recorder: Any) -> ChainBroken | None:
        """For a reader, who may not catch up: whether the change after the index's
        position breaks the chain (where a writer's catch-up stops), checked in memory."""
        with self.transaction() as sql:
            position = self.position_in(sql)
            records, version = self.meta(sql, "records, chronicle_version")
            head = self.link_before(sql, records + 1)
        try:
            for notification in page(recorder, position, [RECORDED, HISTORY_LOADED], limit=1):
                entry = read_entry(self.mapper, notification)
                follower = ChainFollower(self.mapper, recorder, head, version)
                follower.follow(entry, notification.id, notification.originator_version)
        except ChainBroken as error:
            return error
        except UnreadableEvent:  # named by the commands that read it
            return None
        return None

    def rebuild(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Forget everything, tables included, and apply the whole notification log again."""
        with self.transaction(lock=True) as sql:
            if self.text.sealed:  # an older release's index may hold text in clear
                self.index.erase_what_is_dropped(sql)
            for table in (*TABLES, *LEGACY_TABLES):
                sql.execute(f"DROP TABLE IF EXISTS {table}")
            self._create(sql, self.index.existing(sql, [self.index.tracking_table_name]))
        self.outdated = False
        return self.catch_up(recorder, progress)
