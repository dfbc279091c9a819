"""The application: use cases that take and return simple values, over the event store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from domain.chronicle import CHRONICLE_ID, Chronicle, Record, believed_records
from domain.store import Store
from events.files import load_files
from events.history import history_digest, history_files

Clock = Callable[[], datetime]
_RETRIES = 20  # concurrent writers: each retry re-reads the chronicle and re-checks


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Appended:
    added: list[str]
    unchanged: list[str]


class Uspk(Application):
    """uspk's event store: record batches, read what was recorded."""

    name = "uspk"

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock
        super().__init__(env=store.env)

    # -- use cases -------------------------------------------------------------------

    def append(self, documents: Iterable[Any], dry_run: bool = False) -> Appended:
        """Record a batch of documents, all or nothing. Retries when another writer won."""
        documents = list(documents)
        for attempt in range(_RETRIES):
            chronicle = self.chronicle()
            added, unchanged = chronicle.record(documents, self.clock())
            if dry_run or not added:
                return Appended(added, unchanged)
            try:
                self.save(chronicle)
            except RecordConflictError:
                if attempt == _RETRIES - 1:
                    raise
                continue
            return Appended(added, unchanged)
        raise AssertionError("unreachable")

    def load_shipped_history(self) -> Appended | None:
        """Load the curated history if this store has not seen this version of it."""
        digest = history_digest()
        documents = None
        for attempt in range(_RETRIES):
            chronicle = self.chronicle()
            if chronicle.history_digest == digest:
                return None
            if documents is None:
                documents = load_files((str(p), p.read_bytes()) for p in history_files())
            now = self.clock()
            added, unchanged = chronicle.record(documents, now)
            chronicle.note_history_loaded(digest, now)
            try:
                self.save(chronicle)
            except RecordConflictError:
                if attempt == _RETRIES - 1:
                    raise
                continue
            return Appended(added, unchanged)
        raise AssertionError("unreachable")

    def records(self) -> list[Record]:
        """Every record, in the order the store received them."""
        return self.chronicle().records

    def believed(self, known_at: datetime | None = None) -> list[Record]:
        """Records of the happenings believed by ``known_at`` (now, if None), in replay order."""
        return believed_records(self.records(), known_at)

    def record_of(self, event_id: str) -> Record | None:
        return self.chronicle().by_id.get(event_id)

    # -- plumbing --------------------------------------------------------------------

    def chronicle(self) -> Chronicle:
        try:
            return self.repository.get(CHRONICLE_ID)
        except AggregateNotFoundError:
            return Chronicle()
