"""The composition root: the one place that wires a store, its eventsourcing
application, its read model and the clock together.

Opening a session brings the read model up to date and, the first time a store is used
(or when a new release ships new history files), loads the shipped history. Queries read
the read model; appends go through the application, and the read model catches up.

A store that is read-only for the user (``Store.read_only``) is opened without writing
anything: no tables made, no history loaded, no catch-up. Queries answer from the read
model as it stands, and the session counts how far it is behind the log; any write is
refused in one line naming the missing right.

A stored event this code cannot read blocks the read model just before it: queries say
which event and how to retract it, and the one batch a blocked session records is that
retraction (its checks cannot look at the unreadable event; the catch-up then skips it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import RecordConflictError

from domain.chronicle import CHRONICLE_ID, Signed, chronicle_events
from domain.rules import RuleBroken
from events.history import history_digest
from projections.chain import check_chain
from projections.damage import ChainBroken, ReadModelError, UnreadableEvent, database_errors
from projections.readmodel import ReadModel
from service.application import Appended, Clock, RecordView, Uspk, utc_now
from service.recorders import fallback_recorder
from service.stores import Store, StoreError, check_connection, refuse_writing, resolve_store

_RETRIES = 5


def checked_store(db: str | None, create: bool = False, existing: bool = False) -> Store:
    """The store that ``db`` (or USPK_DB, or the default) names, its address checked and,
    for PostgreSQL, its server reached. With ``existing``, a SQLite store that does not
    exist yet is refused (StoreError), not made."""
    store = resolve_store(db, create=create)
    if existing and store.new:
        raise StoreError(f"no store at {store.address}: nothing to check or rebuild")
    return check_connection(store)


class Session:
    """A store opened for the use cases: its application (writes), its read model
    (queries and batch checks) and the clock that stamps what is recorded."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.app = Uspk(store, clock=clock)
        self.blocked: UnreadableEvent | None = None  # the event the read model stops before
        self.history_not_loaded: str | None = None  # why this release's history was not
        self.behind = 0  # recorded changes the read model lacks (a read-only store only)
        self.broken: ChainBroken | None = None  # the log's first link that does not verify
        self.created_store = False  # this session loaded the history into an empty store
        try:
            self.views = ReadModel(self.app, prepare=not store.read_only)
            if store.read_only:
                self._read_as_it_stands()
            else:
                self._bring_up_to_date()
        except BaseException:
            self.app.close()
            if hasattr(self, "views"):
                self.views.close()
            raise

    def _bring_up_to_date(self) -> None:
        try:
            if self.views.outdated:  # made by an older release: rebuilt from the log
                self.views.rebuild(self.app.recorder)
            else:
                self.views.catch_up(self.app.recorder)
        except UnreadableEvent as error:
            self.blocked = error  # queries refuse; its retraction can still be recorded
            return
        except ChainBroken as error:
            # The index stops at the last change whose link verifies: queries answer from
            # it with a warning, writes are refused (they would chain onto a forgery).
            self.broken = error
            return
        if self.views.history_digest() != history_digest():
            empty = self.views.chronicle_version() == 0
            try:
                loaded = self.app.load_shipped_history(
                    view=self.view, recorder=fallback_recorder(self.app.store)
                )
                # Of processes racing to open a new store, the one whose save went in.
                self.created_store = empty and loaded is not None and bool(loaded.added)
            except RuleBroken as error:
                # This release's shipped files disagree with what the store recorded (a
                # shipped file edited, say): nothing of them is written, and the store
                # keeps answering as recorded; the command says so.
                self.history_not_loaded = str(error)
            self.views.catch_up(self.app.recorder)

    def _read_as_it_stands(self) -> None:
        """A reader's opening: the read model checked, not written; how far behind."""
        self.views.check_as_it_stands(self.store.address)
        self.behind = self.views.behind(self.app.recorder)
        if self.behind:  # where a writer's catch-up stopped, if at a broken link
            self.broken = self.views.broken_next(self.app.recorder)
        if self.broken is None and self.views.history_digest() != history_digest():
            self.history_not_loaded = "the store is read-only for you"

    def view(self) -> RecordView:
        """The record as the read model sees it, brought up to date first (unless we may
        not write it): what batches are checked against (saving then fails if another
        writer got in between)."""
        if not self.store.read_only:
            self.views.catch_up(self.app.recorder)
        version, digest = self.views.chronicle_version(), self.views.history_digest()
        return RecordView(self.views, version, digest, self.views.chain_head()[1])

    def close(self) -> None:
        self.views.close()
        self.app.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(
        self,
        documents: Iterable[Any],
        dry_run: bool = False,
        recorder: str | None = None,
        message: str | None = None,
    ) -> Appended:
        """Record ``documents`` as one batch, by ``recorder`` (None: the PostgreSQL role or
        the operating-system user, marked as such) for the reason ``message``."""
        signed = Signed(recorder or fallback_recorder(self.app.store), message)
        if not dry_run:
            refuse_writing(self.store, "recording")
        elif self.behind:  # a reader's dry run: checked against all of the log, or none
            raise ReadModelError(
                f"the index is {self.behind} recorded change(s) behind the event log, and "
                "you may not catch it up: a dry run checked against it would miss them; "
                "a curator runs any uspk command on this store first (e.g. `uspk timeline`)"
            )
        if self.blocked is not None:
            return self._retract_unreadable(list(documents), dry_run, signed)
        outcome = self.app.append(documents, dry_run=dry_run, view=self.view, signed=signed)
        if not dry_run:  # a dry run writes nothing, the index included
            self._catch_up_after_writing()
        return outcome

    def _catch_up_after_writing(self) -> None:
        try:
            self.views.catch_up(self.app.recorder)
        except (*database_errors(), ReadModelError):  # stored; the next command says
            pass

    def _retract_unreadable(self, documents: list[Any], dry_run: bool, signed: Signed) -> Appended:
        """Record the retraction of the event the read model is blocked at, unchecked
        against it (it cannot be read): the one batch a blocked session takes."""
        blocked = self.blocked
        assert blocked is not None
        retraction = documents[0] if len(documents) == 1 else None
        if getattr(retraction, "retracts", None) != blocked.name:
            raise blocked  # anything else needs the read model, which stops before it
        if self.views.record_of(retraction.id) is not None:  # its id is taken
            raise blocked
        if not dry_run:
            self._save_unchecked(retraction, signed)
            self.blocked = None
            self._catch_up_after_writing()
        return Appended([retraction.id], [])

    def _save_unchecked(self, document: Any, signed: Signed) -> None:
        for attempt in range(_RETRIES):
            last = self.app.recorder.select_events(CHRONICLE_ID, desc=True, limit=1)
            version = last[0].originator_version if last else 0
            # The read model stops before the end: the chain's head is read from the log.
            head = check_chain(self.app.mapper, self.app.recorder).head
            linked = Signed(signed.recorder, signed.message, head)
            try:
                self.app.save(
                    *chronicle_events([document], self.app.clock(), version, signed=linked)
                )
                return
            except RecordConflictError:  # another writer got in first: number again
                if attempt == _RETRIES - 1:
                    raise

    @property
    def index(self) -> ReadModel:
        """The record index, which the use cases read directly (projections/queries.py);
        if it stops before an event this code cannot read, that is raised instead."""
        if self.blocked is not None:
            raise self.blocked
        return self.views


class Upkeep:
    """The event log and its read model opened as they are, to verify or rebuild: no
    catch-up, no history loading, no check that refuses a damaged read model."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.app = Uspk(store)
        try:
            self.views = ReadModel(self.app, prepare=False)
        except BaseException:
            self.app.close()
            raise

    def close(self) -> None:
        self.views.close()
        self.app.close()

    def __enter__(self) -> Upkeep:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
