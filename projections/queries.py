"""The index's reader: the questions asked of its tables (believed records at a moment,
the lookups a batch check needs, what a narrowed state reads, the standing rows, the
rows as they are for ``uspk verify``), each an indexed query in a read transaction of
the index recorder."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta
from typing import Any

from domain.chronicle import Record, decode_json
from projections import bitemporal, kept, kept_reading, settled
from projections.damage import ReadModelDamaged, database_errors
from projections.entries import actor_name_key, collector_paused, moment
from projections.locks import READ_MODEL_LOCK, StoreLocked, is_lock_timeout
from projections.recorders import Statements
from projections.tables import COLUMNS, END_OF_TIME, META_COLUMNS, META_NAME, REPLAY_ORDER

_ROWS = 2000  # the index's rows read at a time (keyset pages)


def _moment(known_at: datetime | None) -> str:
    """A known-at moment as the index compares it: None is now, after every record."""
    return moment(known_at) if known_at else END_OF_TIME


class IndexReader:
    """The queries of one store's index, over its recorder (``index``), how it keeps text
    (``text``) and whose position it tracks (``name``): set by ReadModel."""

    name: str  # whose notifications the Tracking counts
    index: Any  # the index recorder (projections.recorders)
    tracking: str  # eventsourcing's tracking table, as SQL names it
    text: Any  # how the index keeps text (projections.sealed.IndexText)

    def position(self) -> int:
        with self.transaction() as sql:
            return self.position_in(sql)

    def chronicle_version(self) -> int:
        """The version of the chronicle that the rows reflect (0: nothing recorded)."""
        with self.transaction() as sql:
            return self.meta(sql, "chronicle_version")[0]

    def chain_head(self, known_at: datetime | None = None) -> tuple[int, str | None]:
        """(how many changes, the last one's link) of the record as it stood at
        ``known_at`` (now when None): the chain head an export carries."""
        at = _moment(known_at)
        row = self._one(
            "SELECT position, chain FROM uspk_view_events WHERE recorded_at <= ?"
            " ORDER BY position DESC LIMIT 1",
            (at,),
        )
        return (row[0], row[1]) if row else (0, None)

    def history_digest(self) -> str | None:
        with self.transaction() as sql:
            return self.meta(sql, "history_digest")[0]

    # -- within a transaction: these and ``transaction`` are shared with the index's
    # opening (projections.readmodel) and writer (projections.writer)

    @staticmethod
    def check_counts(sql: Statements, position: int, records: int, end: int) -> None:
        """The damage a catch-up sees before it applies anything: fewer or more records than
        the index counted, and a position past ``end``, the log's last notification."""
        counted = sql.one("SELECT COALESCE(MAX(position), 0) FROM uspk_view_events")[0]
        if counted != records:
            raise ReadModelDamaged(f"it counted {records} records but holds {counted}")
        if position > end:
            raise ReadModelDamaged(
                f"it is ahead of the log: at notification {position}, the log ends at {end}"
            )

    def position_in(self, sql: Statements) -> int:
        """eventsourcing's Tracking of the last notification applied (0: none yet)."""
        row = sql.one(
            f"SELECT notification_id FROM {self.tracking} WHERE application_name = ?",
            (self.name,),
        )
        if row is None:
            raise ReadModelDamaged("its tracking row is missing")
        return row[0]

    def meta(self, sql: Statements, columns: str, damaged: bool = True) -> tuple | None:
        row = sql.one(f"SELECT {columns} FROM uspk_view_meta WHERE name = ?", (META_NAME,))
        if row is None and damaged:
            raise ReadModelDamaged("its meta row is missing")
        return row

    @staticmethod
    def link_before(sql: Statements, position: int) -> str | None:
        """The chain's link of the record before ``position`` (asked only for a change
        stored before the chain existed, whose link is computed from it)."""
        row = sql.one("SELECT chain FROM uspk_view_events WHERE position = ?", (position - 1,))
        return row[0] if row else None

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

    # -- asking ----------------------------------------------------------------------

    def believed(
        self,
        known_at: datetime | None = None,
        starting_by: date | None = None,
        ending_from: date | None = None,
        kinds: Iterable[str] = (),
        ending_by: date | None = None,
    ) -> list[Record]:
        """Believed happenings in replay order: recorded by ``known_at``, not hidden then,
        starting on or before ``starting_by``, ending on or after ``ending_from`` and on or
        before ``ending_by``."""
        where, params = self._window(known_at, starting_by, ending_from, kinds, ending_by)
        return self._records(where, params, order=REPLAY_ORDER)

    def believed_pages(
        self,
        known_at: datetime | None = None,
        starting_by: date | None = None,
        ending_from: date | None = None,
        kinds: Iterable[str] = (),
    ) -> Iterator[tuple[list[Record], list[Record]]]:
        """``believed``'s records a page at a time, each page with the believed records
        (of any date) that relate to one of its own: read in one transaction, so that the
        pages agree with each other, and only a page is held at once."""
        where, params = self._window(known_at, starting_by, ending_from, kinds)
        with self.transaction() as sql:
            for page in self._record_pages(where, params, REPLAY_ORDER, sql=sql):
                keys = {f"related-to:{r.id}" for r in page}
                yield page, self.with_keys(keys, known_at, sql) if keys else []

    def _window(
        self,
        known_at: datetime | None,
        starting_by: date | None,
        ending_from: date | None,
        kinds: Iterable[str],
        ending_by: date | None = None,
    ) -> tuple[list[str], list[Any]]:
        where, params = self._believed_where(known_at)
        if starting_by is not None:
            where.append("e.occ_start <= ?")
            params.append(starting_by.isoformat())
        if ending_from is not None:
            where.append("e.occ_end >= ?")
            params.append(ending_from.isoformat())
        if ending_by is not None:
            where.append("e.occ_end <= ?")
            params.append(ending_by.isoformat())
        kinds = list(kinds)
        if kinds:
            where.append(f"e.kind IN ({', '.join('?' for _ in kinds)})")
            params.extend(kinds)
        return where, params

    def believed_heads(
        self, known_at: datetime | None
    ) -> tuple[int, set[str], Record | None, Record | None, date | None]:
        """What an export says of all the happenings believed at ``known_at`` before it
        writes any: how many, their kinds, the first in replay order, the latest
        (starting, then ending; the first such in replay order), and the last day any
        is dated to. Indexed queries, two records read."""
        where, params = self._believed_where(known_at)
        rows = f"FROM uspk_view_events e WHERE {' AND '.join(where)}"
        latest = ("e.occ_start DESC", "e.occ_end DESC", *REPLAY_ORDER[1:])
        with self.transaction() as sql:
            count, last_end = sql.one(f"SELECT COUNT(*), MAX(e.occ_end) {rows}", params)
            kinds = {row[0] for row in sql.all(f"SELECT DISTINCT e.kind {rows}", params)}
            ends = [
                sql.one(f"SELECT e.event_id {rows} ORDER BY {', '.join(order)} LIMIT 1", params)
                for order in (REPLAY_ORDER, latest)
            ]
        first, last = (self.record_of(end[0]) if end else None for end in ends)
        return count, kinds, first, last, date.fromisoformat(last_end) if last_end else None

    def ids_near(self, event_id: str, either_side: int) -> list[str]:
        """Up to ``either_side`` recorded ids (retractions and hidden ones included) before
        ``event_id`` in text order and as many from it on, read by the ids' own index:
        what an unknown id's suggestions are chosen from, at a cost that does not grow
        with the record."""
        before = self._all(
            "SELECT event_id FROM uspk_view_events WHERE event_id < ?"
            " ORDER BY event_id DESC LIMIT ?",
            (event_id, either_side),
        )
        after = self._all(
            "SELECT event_id FROM uspk_view_events WHERE event_id >= ? ORDER BY event_id LIMIT ?",
            (event_id, either_side),
        )
        return [row[0] for row in (*reversed(before), *after)]

    def believed_ids(self, known_at: datetime | None) -> list[str]:
        """The ids of ``believed``'s records (all dates), in replay order."""
        where, params = self._believed_where(known_at)
        return self._ids(where, params)

    def changed_belief(
        self, known_at: datetime | None, not_at: datetime | None, ids: bool = False
    ) -> list[Any]:
        """The records (with ``ids``, their ids) believed at ``known_at`` and not at
        ``not_at`` (each None: now), in replay order: what a correction recorded between
        the two hid, or what was recorded between them."""
        where, params = self._believed_where(known_at)
        then, then_params = self._believed_where(not_at)
        where.append(f"NOT ({' AND '.join(then)})")
        params.extend(then_params)
        return self._ids(where, params) if ids else self._records(where, params, REPLAY_ORDER)

    def _ids(self, where: list[str], params: list[Any]) -> list[str]:
        rows = self._all(
            f"SELECT e.event_id FROM uspk_view_events e WHERE {' AND '.join(where)}"
            f" ORDER BY {', '.join(REPLAY_ORDER)}",
            params,
        )
        return [row[0] for row in rows]

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
        from domain.world import actor_registry  # the actors' models, when they are asked

        return actor_registry(r.document for r in self._records(where, params))

    def everything(self) -> list[Record]:
        """Every record, retractions and hidden ones included, in recorded order."""
        return self._records([], [])

    def corrections_and_targets(self) -> list[Record]:
        """Every amendment and retraction, with every record one corrects, in recorded
        order: what a correction's story needs (``projections.corrections``), without the
        rest of the record. A correction hides what it corrects (``uspk_view_hidden``)."""
        return self._records(
            [
                "(e.kind = 'retraction' OR e.event_id IN (SELECT by_id FROM uspk_view_hidden)"
                " OR e.event_id IN (SELECT event_id FROM uspk_view_hidden))"
            ],
            [],
        )

    def lineage(self, event_id: str) -> list[Record]:
        """``event_id``'s record with every record linked to it by corrections, either
        way and transitively (what amends or retracts it, what it amends, and so on), in
        recorded order: all that its history and whether it stands depend on
        (``projections.history``), read by ``uspk_view_hidden``'s edges, not by reading
        the whole record. A correction hides what it corrects, so every edge is there."""
        family, edge, hidings = {event_id}, {event_id}, set()
        while edge:
            for chunk in bitemporal.chunks(sorted(edge)):
                marks = ", ".join("?" for _ in chunk)
                hidings.update(
                    _hiding(hidden, by)
                    for hidden, by in self._all(
                        "SELECT event_id, by_id FROM uspk_view_hidden"
                        f" WHERE event_id IN ({marks}) OR by_id IN ({marks})",
                        [*chunk, *chunk],
                    )
                )
            edge = {name for pair in hidings for name in pair} - family
            family |= edge
        found_records: list[Record] = []
        for chunk in bitemporal.chunks(sorted(family)):
            marks = ", ".join("?" for _ in chunk)
            found_records.extend(self._records([f"e.event_id IN ({marks})"], list(chunk)))
        _hidings_agree(found_records, hidings)
        return sorted(found_records, key=lambda record: record.position)

    def record_of(self, event_id: str) -> Record | None:
        found = self._records(["e.event_id = ?"], [event_id])
        return found[0] if found else None

    # -- the lookups that checking a batch needs (domain.recording.RecordLookup) --------

    def recorded(self, ids: Collection[str]) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for chunk in bitemporal.chunks(sorted(ids)):
            marks = ", ".join("?" for _ in chunk)
            for record in self._records([f"e.event_id IN ({marks})"], chunk):
                found[record.id] = record
        return found

    def standing(self, ids: Collection[str]) -> set[str]:
        """Those of ``ids`` believed now."""
        with self.transaction() as sql:
            return self._believed_now(sql, sorted(ids))

    def related(self, things: Collection[str], actors: Collection[str]) -> list[Record]:
        found: dict[str, Record] = {}
        for table, column, keys in (
            ("uspk_view_things", "thing", things),
            ("uspk_view_mentions", "actor_id", actors),
        ):
            join = f" JOIN {table} j ON j.event_id = e.event_id"
            for chunk in bitemporal.chunks(sorted(keys)):
                where, params = self._believed_where(None)
                where.append(f"j.{column} IN ({', '.join('?' for _ in chunk)})")
                for record in self._records(where, [*params, *chunk], join=join):
                    found.setdefault(record.id, record)
        return list(found.values())

    def with_keys(
        self, keys: Collection[str], known_at: datetime | None, sql: Statements | None = None
    ) -> list[Record]:
        """Believed happenings having one of ``keys`` in ``uspk_view_things`` (a thing
        key or an ``answer_keys`` key; ``sql``: in a transaction held open)."""
        found: dict[str, Record] = {}
        join = " JOIN uspk_view_things j ON j.event_id = e.event_id"
        for chunk in bitemporal.chunks(sorted(keys)):
            where, params = self._believed_where(known_at)
            where.append(f"j.thing IN ({', '.join('?' for _ in chunk)})")
            for record in self._records(where, [*params, *chunk], join=join, sql=sql):
                found.setdefault(record.id, record)
        return list(found.values())

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

    def introductions(self, actors: Collection[str] | None = None) -> list[Record]:
        """Believed happenings that introduce actors; with ``actors``, those introducing
        one of them (by their ``introduces:<actor>`` keys: a batch's check asks for the
        actors it folds, not every actor of the record)."""
        if actors is not None:
            return self.with_keys({f"introduces:{a}" for a in actors}, None)
        where, params = self._believed_where(None)
        where.append("e.introduces = 1")
        return self._records(where, params)

    def naming(self, names: Collection[str]) -> list[Record]:
        """Believed happenings that introduce an actor by one of ``names`` (an id, a name
        or an alias, in any case), by their ``actor-name:`` keys: a batch's names are
        checked against their namesakes, not every actor of the record."""
        return self.with_keys({actor_name_key(name) for name in names}, None)

    def introducers(self, known_at: datetime | None) -> tuple[Iterator[Record], Iterator[Record]]:
        """The records that introduce actors: every one ever recorded (hidden since or
        not) in recorded order, and those believed at ``known_at`` in replay order; each
        read a page at a time as it is gone through. Who introduced each actor (``uspk
        actors``, the database export), without the rest of the record."""
        believed, params = self._believed_where(known_at)
        introduces = "e.introduces = 1"
        return (
            self._paged([introduces], [], ("e.position",)),
            self._paged([*believed, introduces], params, REPLAY_ORDER),
        )

    def _paged(
        self,
        where: list[str],
        params: list[Any],
        order: tuple[str, ...] = ("e.position",),
        join: str = "",
        sql: Statements | None = None,
    ) -> Iterator[Record]:
        """Records of the rows that ``where`` selects, in ``order``, a page read at a time
        as they are taken (``_record_pages``)."""
        for page in self._record_pages(where, params, order, join, sql):
            yield from page

    def record_pages_with_belief(self) -> Iterator[tuple[list[Record], set[str]]]:
        """Every record (retractions, superseded and retracted ones too) in recorded order,
        a page at a time in one read transaction, each page with the ids of its records
        believed now (by the same test of belief as every other question)."""
        with self.transaction() as sql:
            for page in self._record_pages([], [], sql=sql):
                yield page, self._believed_now(sql, [record.id for record in page])

    def _believed_now(self, sql: Statements, ids: list[str]) -> set[str]:
        """Those of ``ids`` believed now, read in the transaction ``sql``."""
        found: set[str] = set()
        for chunk in bitemporal.chunks(ids):
            where, params = self._believed_at(END_OF_TIME)
            where.append(f"e.event_id IN ({', '.join('?' for _ in chunk)})")
            rows = sql.all(
                f"SELECT e.event_id FROM uspk_view_events e WHERE {' AND '.join(where)}",
                [*params, *chunk],
            )
            found.update(row[0] for row in rows)
        return found

    def kept_rows_as_read(self) -> Iterator[tuple]:
        """Every kept standing row, hidden ones too (``kept_reading.ALL_ROWS``: its columns and its
        order), its entry in clear, read a page at a time in one read transaction."""
        unseal = self.text.unseal
        with self.transaction() as sql:
            for rows in self.index.row_pages(sql, kept_reading.ALL_ROWS, _ROWS):
                for row in rows:
                    yield (*row[:-1], unseal(row[-1]))

    def kept_now(self) -> tuple[tuple[set[tuple], ...], tuple[set[tuple], ...]]:
        """The standing rows held open (``kept.digested``), the units and the actors
        settled, as kept and as made afresh from the records believed now
        (``kept.standing_now``): what ``uspk verify`` compares."""
        with self.index.transaction() as sql:
            lookup = KeptLookup(self, sql, END_OF_TIME)
            where, params = self._believed_at(END_OF_TIME)
            ids = sql.all(
                f"SELECT e.event_id FROM uspk_view_events e WHERE {' AND '.join(where)}", params
            )
            made = kept.standing_now(lookup.by_ids([row[0] for row in ids]), lookup)
            del lookup, ids  # every record decoded: not held while the kept rows are read
            unseal = self.text.unseal
            held = {
                kept.digested((*row[:-1], unseal(row[-1])))
                for rows in self.index.row_pages(sql, kept.OPEN_ROWS, _ROWS)
                for row in rows
            }  # a page of rows at a time, each held as its digest
            units = set(sql.all("SELECT event_id, unit FROM uspk_view_units"))
            actors = {(*row[:-1], unseal(row[-1])) for row in sql.all(settled.OPEN_ROWS)}
        return (held, units, actors), made

    def changed_between(
        self, since: date, until: date, known_at: datetime | None
    ) -> tuple[list[kept_reading.Changed], dict[str, str]]:
        """The kept change rows of the happenings that entered the state after ``since``
        and stand in it on ``until``, known at ``known_at``, in replay order
        (``kept_reading.CHANGED_BETWEEN``), and where each actor they introduce to their unit
        first joined the state on ``until``: in one read transaction."""
        at = _moment(known_at)
        first, last = since.isoformat(), until.isoformat()
        params = (first, *bitemporal.standing(last, at), *bitemporal.standing(first, at))
        with _rows_checked(), self.transaction() as sql:
            rows = kept_reading.read_changes(
                sql.all(kept_reading.CHANGED_BETWEEN, params), self.text.unseal
            )
            actors = {actor for row in rows for _, actor, _ in row.joins}
            return rows, self.first_joins(actors, until, known_at, sql.all)

    def first_joins(
        self,
        actors: Collection[str],
        as_of: date,
        known_at: datetime | None,
        read: Callable[[str, Any], list[tuple]] | None = None,
    ) -> dict[str, str]:
        """Each of ``actors`` in the state at (``as_of``, ``known_at``) -> where it first
        joined it (``settled.FIRST_JOINS``), from the actors' settled rows (``read``: a
        query in a transaction held open; by default its own)."""
        read = read or self._all
        standing = bitemporal.standing(as_of.isoformat(), _moment(known_at))
        joins: dict[str, str] = {}
        for chunk in bitemporal.chunks(sorted(actors)):
            query = settled.FIRST_JOINS.format(marks=", ".join("?" for _ in chunk))
            joins.update(read(query, (*standing, *chunk)))
        return joins

    def kept_rows(self) -> list[tuple]:
        """``kept_rows_as_read``'s rows, all of them at once."""
        return list(self.kept_rows_as_read())

    def kept_state(
        self,
        as_of: date,
        known_at: datetime | None = None,
        as_read: bool = False,
        wanted: list[set[str]] | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """The state at (``as_of``, ``known_at``) read from the standing rows, a section
        at a time as it is taken (never every section's rows at once), in one read
        transaction: on SQLite one snapshot, whatever is recorded meanwhile. With
        ``as_read``, each section an iterator of entries made as they are taken
        (``KeptState.entries``: what writes them holds one at a time). ``wanted``
        (``Narrowing.wanted``): only the entries about what a narrowing asks, found by
        their about rows (``kept_reading.narrowed_rows``)."""
        with self.transaction() as sql:
            if wanted:
                with _rows_checked():
                    day, at, unseal = as_of.isoformat(), _moment(known_at), self.text.unseal
                    rows_of = kept_reading.narrowed_rows(sql.all, wanted, day, at, unseal)
            else:
                rows_of = self._section_rows(as_of, known_at, sql.all)
            state = _CheckedState(rows_of, as_of, known_at, self.text.unseal)
            yield from state.items_as_read() if as_read else state.items()

    @contextmanager
    def kept_state_held(
        self, as_of: date, known_at: datetime | None = None
    ) -> Iterator[Mapping[str, Any]]:
        """``kept_sections(as_of, known_at, as_read=True)``: each section's
        ``kept_reading.Entries``, made as they are gone through, all read in one read transaction
        held while it is used, so that what writes the sections in an order of its own,
        each once, reads one state (on SQLite one snapshot, whatever is recorded
        meanwhile)."""
        with self.transaction() as sql:
            rows_of = self._section_rows(as_of, known_at, sql.all)
            yield _CheckedState(rows_of, as_of, known_at, self.text.unseal, as_read=True)

    def state_summary(
        self, as_of: date, known_at: datetime | None, latest: int
    ) -> kept_reading.Summary:
        """What the state's text shows at (``as_of``, ``known_at``): each section's count
        and its ``latest`` entries (``kept_reading.read_summary``), in one read transaction."""
        with _rows_checked(), self.transaction() as sql:
            at, unseal = _moment(known_at), self.text.unseal
            return kept_reading.read_summary(sql, self.index, as_of, known_at, at, latest, unseal)

    def kept_sections(
        self, as_of: date, known_at: datetime | None = None, as_read: bool = False
    ) -> Mapping[str, Any]:
        """``kept_state``'s sections by name, each read from its rows whenever it is asked
        for (``kept_reading.KeptState``): what is shown a section at a time, in any order, holds
        one section (a query of its rows each time); with ``as_read``, each section's
        ``kept_reading.Entries``, made as they are gone through."""
        rows_of = self._section_rows(as_of, known_at, self._all)
        return _CheckedState(rows_of, as_of, known_at, self.text.unseal, as_read)

    @staticmethod
    def _section_rows(
        as_of: date, known_at: datetime | None, read: Callable[[str, Any], list[tuple]]
    ) -> Callable[[str], list[tuple]]:
        """A section's standing rows at (``as_of``, ``known_at``), as ``kept_reading.KeptState``
        takes them, by ``read`` (a query in its own transaction, or in one held open)."""
        standing = bitemporal.standing(as_of.isoformat(), _moment(known_at))

        def rows_of(section: str) -> list[tuple]:
            if section == "actors":
                return read(kept_reading.ACTORS_AT, standing)
            return read(kept_reading.SECTION_AT, (section, *standing))

        return rows_of

    def _believed_where(self, known_at: datetime | None) -> tuple[list[str], list[Any]]:
        return self._believed_at(_moment(known_at))

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
        """``_paged``'s records, all of them at once."""
        return list(self._paged(where, params, order, join, sql))

    def _record_pages(
        self,
        where: list[str],
        params: list[Any],
        order: tuple[str, ...] = ("e.position",),
        join: str = "",
        sql: Statements | None = None,
    ) -> Iterator[list[Record]]:
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
        from projections.trusted import trusted_document  # the models, when records are read

        marks = ", ".join("?" for _ in order)
        after: tuple | None = None
        with nullcontext(sql) if sql is not None else self.transaction() as sql:
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
                with collector_paused():
                    records = [
                        Record(
                            document(unseal(row[0])),
                            datetime.fromisoformat(row[1] + "+00:00"),
                            row[2],
                            unseal(row[3]),
                            unseal(row[4]),
                            row[5],
                        )
                        for row in rows
                    ]
                yield records
                if len(rows) < _ROWS:
                    return
                after = rows[-1][6:]

    # -- SQL plumbing: the index recorder's transactions ----------------------------------

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        with self.transaction() as statements:
            return statements.one(sql, params)

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self.transaction() as statements:
            return statements.all(sql, params)

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[Statements]:
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


def _hiding(hidden: Any, by: Any) -> tuple[str, str]:
    """A hiding as read: its two event ids, or ReadModelDamaged if an edit made either
    something other than text (SQLite keeps what an edit writes)."""
    if not (isinstance(hidden, str) and isinstance(by, str)):
        raise ReadModelDamaged(f"a hiding of {hidden!r} by {by!r} that uspk could not have written")
    return hidden, by


def _hidings_agree(records: list[Record], hidings: set[tuple[str, str]]) -> None:
    """The hidings read (what hides what) against the records at both their ends: each
    record that retracts or supersedes another is one hiding, and each hiding is one
    such record; else ReadModelDamaged names the first that differs (an edited index,
    as far as these records show it: a hiding deleted is seen from its corrector,
    `uspk verify` finds the rest)."""
    said = set()
    for record in records:
        document = record.document
        target = getattr(document, "retracts", None) or getattr(document, "supersedes", None)
        if target:
            said.add((target, record.id))
    missing, extra = sorted(said - hidings), sorted(hidings - said)
    if missing:
        raise ReadModelDamaged("the hiding of {} by {} is missing".format(*missing[0]))
    if extra:
        raise ReadModelDamaged("a hiding of {} by {} that the log does not have".format(*extra[0]))


class _CheckedState(kept_reading.KeptState):
    """A row that cannot be read says the index is damaged, when it is read."""

    def _rows(self, section: str) -> list[tuple]:
        with _rows_checked():
            return super()._rows(section)

    def _entry(self, day: str, row: tuple) -> dict[str, Any]:
        try:
            return super()._entry(day, row)
        except kept_reading.RowUnreadable as error:  # as _rows_checked says it, at less cost a row
            raise ReadModelDamaged(str(error)) from None


@contextmanager
def _rows_checked() -> Iterator[None]:
    """A standing row that uspk could not have written (an edited index) says the index
    is damaged, in one line."""
    try:
        yield
    except kept_reading.RowUnreadable as error:
        raise ReadModelDamaged(str(error)) from None


class KeptLookup:
    """What maintaining the standing rows reads (projections.kept.KeptLookup): the
    records believed at the moment ``at``, in the writing transaction. Each record is
    decoded once per maintenance, and each actor's introductions read once."""

    def __init__(self, views: IndexReader, sql: Statements, at: str) -> None:
        self.views, self.sql, self.at = views, sql, at
        self.decoded: dict[str, Record] = {}
        self.introduced: dict[str, list[Record]] = {}

    def _ids(self, at: str, clause: str, keys: Collection[str], join: str = "") -> list[str]:
        found: list[str] = []
        for chunk in bitemporal.chunks(sorted(keys)):
            where, params = IndexReader._believed_at(at)
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
        for chunk in bitemporal.chunks(missing):
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
            for chunk in bitemporal.chunks(sorted(actors)):
                where, params = IndexReader._believed_at(self.at)
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
