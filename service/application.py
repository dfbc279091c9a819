"""uspk's eventsourcing application over one store: it records batches on the chronicle
aggregate, checked against a view of the record (the index's, which the session passes)
and retried when another writer got in first. Reading is the record index's
(``projections.readmodel``), not this module's. It knows the store's settings, so it is
infrastructure: the service layer wires it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from eventsourcing.application import Application
from eventsourcing.persistence import RecordConflictError

from domain.chronicle import Signed, chronicle_events
from events.history import history_digest, history_files
from service.settings import check_store_settings, wanted_settings
from service.stores import Store, in_wal_mode, tables_created_one_at_a_time

if TYPE_CHECKING:  # the rules: imported where a batch is checked
    from domain.recording import RecordLookup

Clock = Callable[[], datetime]
SHIPPED_MESSAGE = "the history shipped with uspk"  # why the shipped history was recorded
_RETRIES = 20  # concurrent writers: each retry re-reads the chronicle and re-checks


def utc_now() -> datetime:
    return datetime.now(UTC)


def _back_off(attempt: int) -> None:
    """After losing a race to another writer, wait a random while (at most 1 s, growing
    with each loss) so that racing writers spread out instead of colliding again."""
    time.sleep(random.uniform(0, min(1.0, 0.005 * 2**attempt)))


@dataclass(frozen=True)
class Appended:
    added: list[str]
    unchanged: list[str]


class RecordView(NamedTuple):
    """The record as some reader sees it: lookups for the checks, the chronicle version
    they reflect, the shipped-history digest last loaded, and the chain's head (the last
    recorded change's link, which the next one is linked to)."""

    lookup: RecordLookup
    version: int
    history_digest: str | None
    chain_head: str | None = None


class Uspk(Application):
    """uspk's event store: record batches checked against a view of the record."""

    name = "uspk"

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock
        # The environment's compressor and cipher, checked before anything is opened, then
        # compared with the store's own record of them before anything is read or written.
        wanted = wanted_settings(self.construct_env(self.name, store.env))
        in_wal_mode(store)  # before eventsourcing's connections: see in_wal_mode
        super().__init__(env=store.env)
        try:
            check_store_settings(self, wanted)
        except BaseException:
            self.close()
            raise

    # -- use cases -------------------------------------------------------------------

    def append(
        self,
        documents: Iterable[Any],
        view: Callable[[], RecordView],
        dry_run: bool = False,
        signed: Signed = Signed(),  # noqa: B008 - frozen: a shared default is safe
    ) -> Appended:
        """Record a batch of documents, all or nothing, ``signed`` by its recorder.

        ``view`` gives a fresh view of the record for each try (the session's: its record
        index, caught up); losing a race to another writer means trying again.
        """
        return self._record_batch(list(documents), view, dry_run=dry_run, signed=signed)

    def load_shipped_history(
        self, view: Callable[[], RecordView], recorder: str | None = None
    ) -> Appended | None:
        """Load the curated history if this store has not seen this version of it."""
        digest = history_digest()
        if view().history_digest == digest:
            return None
        from events.files import load_files  # only when loading: keeps queries light

        documents = load_files((str(p), p.read_bytes()) for p in history_files())
        signed = Signed(recorder, SHIPPED_MESSAGE)
        return self._record_batch(documents, view, digest=digest, signed=signed)

    def _record_batch(
        self,
        documents: list[Any],
        view: Callable[[], RecordView],
        dry_run: bool = False,
        digest: str | None = None,
        signed: Signed = Signed(),  # noqa: B008 - frozen: a shared default is safe
    ) -> Appended:
        for attempt in range(_RETRIES):
            seen = view()
            if digest is not None and seen.history_digest == digest:
                return Appended([], [d.id for d in documents])
            now = self.clock()
            from domain.recording import check_batch  # the rules, built to check a batch

            fresh, unchanged = check_batch(documents, seen.lookup, now)
            added = [d.id for d in fresh]
            if dry_run or not (fresh or digest):
                return Appended(added, unchanged)
            try:
                linked = Signed(signed.recorder, signed.message, seen.chain_head)
                self.save(*chronicle_events(fresh, now, seen.version, digest, linked))
            except RecordConflictError:
                if attempt == _RETRIES - 1:
                    raise
                _back_off(attempt)
                continue
            return Appended(added, unchanged)
        raise AssertionError("unreachable")

    # -- plumbing --------------------------------------------------------------------

    def construct_recorder(self):  # noqa: ANN201 - eventsourcing's hook
        with tables_created_one_at_a_time(self.store, self.factory):
            return super().construct_recorder()
