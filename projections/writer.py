"""The index's writer, in eventsourcing's ``Projection`` shape: ``process_event`` is
dispatched by event type (a ``Chronicle.Recorded`` adds its rows, its link in the hash
chain checked; a ``Chronicle.HistoryLoaded`` notes the shipped history's digest), and its
``view`` is the index recorder, an eventsourcing tracking recorder
(projections/recorders.py).

Catching up reads the notifications after the tracked position through the one reader
(projections/notifications.py) and applies a page of them in ONE transaction of the view,
under the index's lock: their rows, the standing rows they change (projections/kept.py,
once per recorded moment), and eventsourcing's ``Tracking`` of the last one. So each
notification is applied exactly once however many processes catch up at the same time,
and a catch-up stopped anywhere leaves the position and the rows agreeing.

eventsourcing's ``ProjectionRunner`` does not drive it: the runner needs the store's
subscriptions (SQLite has none, eventsourcing 9.5.6 raises NotImplementedError), and it
hands the view one event and its tracking at a time, where the standing rows are
maintained once per batch and a page is written in one transaction.

A page runs past its size to the end of the batch it is in (one recorded moment): the
standing rows of a moment are made from all of that moment's events together, so a batch
is never split between two transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Mapper, Tracking
from eventsourcing.projection import Projection

from domain.chronicle import Chronicle
from projections import kept
from projections import notifications as log
from projections.damage import (
    ChainBroken,
    ReadModelDamaged,
    ReadModelError,
    UnreadableEvent,
    database_errors,
    is_integrity_error,
)
from projections.entries import (
    HISTORY_LOADED,
    RECORDED,
    ChainFollower,
    Entry,
    collector_paused,
    decoded,
    loaded_entry,
    moment,
    recorded_entry,
    retracted_later,
)
from projections.queries import IndexReader, KeptLookup
from projections.recorders import IndexRecorder, Statements
from projections.tables import META_NAME


class _Page:
    """What one transaction of a catch-up has done so far."""

    def __init__(self, sql: Statements, records: int, links: ChainFollower) -> None:
        self.sql, self.records, self.links = sql, records, links
        self.done = 0  # notifications applied (or skipped as retracted)
        self.last: Any = None  # the last of them
        self.moment: str | None = None  # the recorded moment of the last record written
        self.touched: dict[str, set[str]] = {}  # recorded moment -> the events it touches


class IndexWriter(Projection[IndexRecorder]):
    """Turns the application's notifications into the index's rows."""

    name = "uspk-index"
    topics = (RECORDED, HISTORY_LOADED)

    def __init__(self, view: IndexRecorder, reader: IndexReader, mapper: Mapper) -> None:
        super().__init__(view)
        self.reader, self.mapper = reader, mapper
        self._page: _Page | None = None  # set while a page's transaction is open

    def catch_up(self, recorder: Any, progress: Callable[[int], None] | None = None) -> int:
        """Apply the notifications recorded since the tracked position; return how many.

        Called by ``ReadModel.catch_up``, which has checked first, cheaply, that the read
        model is not damaged in a way it can see (a position past the end of the log,
        fewer rows than it counted: ``IndexReader.check_counts``). Each recorded change's
        link in the hash chain is checked as it is indexed: the first that does not verify
        stops the index at the one before it (ChainBroken)."""
        reader = self.reader
        applied, links = 0, None
        while True:
            with reader.transaction(lock=True) as sql:
                position = reader.position_in(sql)
                (records,) = reader.meta(sql, "records")
                read = log.notifications(recorder, position, self.topics)
                following = next(read, None)
                if following is None:
                    return applied
                if links is None:
                    (version,) = reader.meta(sql, "chronicle_version")
                    head = reader.link_before(sql, records + 1)
                    links = ChainFollower(self.mapper, recorder, head, version)
                with collector_paused():  # as in the reader: validating makes many objects
                    done, blocked = self._apply_page(
                        _Page(sql, records, links), [following], read, recorder
                    )
            applied += done
            if progress is not None:
                progress(done)
            if blocked is not None:
                raise blocked

    def _apply_page(
        self, page: _Page, first: list[Any], rest: Iterable[Any], recorder: Any
    ) -> tuple[int, ReadModelError | None]:
        """Apply a page (to the end of its last batch) up to the first unreadable event
        that no retraction names, or the first change whose link does not verify."""
        blocked: ReadModelError | None = None
        self._page = page
        try:
            for notification in chain(first, rest):
                try:
                    event = decoded(self.mapper, notification)
                    if self._past_the_page(page, event):
                        break
                    self.process_event(event, Tracking(self.reader.name, notification.id))
                except UnreadableEvent as error:
                    if not retracted_later(self.mapper, recorder, notification.id, error.name):
                        blocked = error
                        break
                    page.links.skip(notification)  # retracted: skipped as hidden
                except ChainBroken as error:
                    blocked = error
                    break
                page.done, page.last = page.done + 1, notification
        finally:
            self._page = None
        sql, text = page.sql, self.reader.text
        for at in sorted(page.touched):  # once per recorded moment (a batch), in recorded order
            kept.maintain(sql, KeptLookup(self.reader, sql, at), page.touched[at], at, text)
        if page.last is not None:
            self.view.insert_position(sql, Tracking(self.reader.name, page.last.id))
            sql.execute(
                "UPDATE uspk_view_meta SET chronicle_version = ?, records = ? WHERE name = ?",
                (page.last.originator_version, page.records, META_NAME),
            )
        return page.done, blocked

    @staticmethod
    def _past_the_page(page: _Page, event: Any) -> bool:
        """Whether the page is full and ``event`` begins another batch than its last."""
        return (
            page.done >= log.PAGE
            and isinstance(event, Chronicle.Recorded)
            and moment(event.timestamp) != page.moment
        )

    # -- process_event, by event type ------------------------------------------------

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event of another type than the index reads: this code cannot read it."""
        raise UnreadableEvent(
            tracking.notification_id, None, f"not an event of the record: {type(domain_event)}"
        )

    @process_event.register(Chronicle.HistoryLoaded)
    def _history_loaded(self, domain_event: Chronicle.HistoryLoaded, tracking: Tracking) -> None:
        """The shipped history was loaded: its digest is noted."""
        entry = self._followed(
            loaded_entry(domain_event, tracking.notification_id), domain_event, tracking
        )
        self._page.sql.execute(
            "UPDATE uspk_view_meta SET history_digest = ? WHERE name = ?",
            (entry.digest, META_NAME),
        )

    @process_event.register(Chronicle.Recorded)
    def _recorded(self, domain_event: Chronicle.Recorded, tracking: Tracking) -> None:
        """A happening, retraction or amendment recorded: its rows, its link checked."""
        page = self._page
        entry = self._followed(
            recorded_entry(domain_event, tracking.notification_id), domain_event, tracking
        )
        page.records += 1
        self._write(page.sql, entry, page.records)
        page.moment = entry.row[5]
        ids = page.touched.setdefault(page.moment, set())
        ids.update(i for i in (entry.row[0], entry.hides, entry.ends_hidings_by) if i)

    def _followed(self, entry: Entry, domain_event: Any, tracking: Tracking) -> Entry:
        """``entry`` with its link in the hash chain checked (ChainBroken if it fails)."""
        version = domain_event.originator_version
        return self._page.links.follow(entry, tracking.notification_id, version)

    # -- the rows --------------------------------------------------------------------

    def _write(self, sql: Statements, entry: Entry, position: int) -> None:
        """Write what one notification brings; a row already there means damage."""
        try:
            self._write_rows(sql, entry, position)
        except database_errors() as error:
            if not is_integrity_error(error):
                raise
            raise ReadModelDamaged(f"a row it would add is already there: {entry.row[0]}") from None

    def _write_rows(self, sql: Statements, entry: Entry, position: int) -> None:
        event_id, recorded = entry.row[0], entry.row[5]
        link = entry.chain  # the follower's: stored, or computed for a change before the chain
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
        seal = self.reader.text.seal
        text = tuple(seal(value) for value in entry.row[7:10])  # document, recorder, message
        sql.execute(
            "INSERT INTO uspk_view_events (position, event_id, kind, occ_start, occ_end, rank,"
            " recorded_at, introduces, document, recorder, message, chain)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position, *entry.row[:7], *text, link),
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
