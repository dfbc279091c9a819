"""The chronicle: everything the store has been told, in the order it was told.

This is the eventsourcing aggregate. Its version order is the *recorded* clock
(transaction time); its events carry happenings whose ``occurred`` date is the other
clock (valid time). A batch is checked (``domain.recording``) against the records it
touches, replayed in occurrence order, so a backfilled event is judged at its own date;
``chronicle_events`` numbers the checked batch's events after the version the check saw,
so that a concurrent writer turns into a version conflict, not a broken rule. History is
never rewritten: retractions and amendments are new records that hide earlier ones from
the current view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.chain import link
from domain.records import (  # noqa: F401 - re-exported: the record's vocabulary
    Conflict,
    Record,
    believed_records,
    current,
    decode,
    decode_json,
    fold_lenient,
    visible,
)

CHRONICLE_ID = uuid5(NAMESPACE_URL, "https://uspk.invalid/chronicle")


class Chronicle(Aggregate):
    @classmethod
    def create_id(cls, *args: Any, **kwargs: Any) -> UUID:
        return CHRONICLE_ID

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.by_id: dict[str, Record] = {}
        self.history_digest: str | None = None
        self.chain_head: str | None = None  # the last recorded change's link

    class Recorded(Aggregate.Event):
        document: dict
        # Who recorded it and why, and its link in the hash chain (domain.chain). Stores
        # written before these existed hold none of them: their events read as None.
        recorder: str | None = None
        message: str | None = None
        chain: str | None = None

        def apply(self, chronicle: Chronicle) -> None:
            chained = self.chain or link(
                chronicle.chain_head, self.document, self.recorder, self.message, self.timestamp
            )
            record = Record(
                decode(self.document),
                self.timestamp,
                len(chronicle.records) + 1,
                self.recorder,
                self.message,
                chained,
            )
            chronicle.records.append(record)
            chronicle.by_id[record.id] = record
            chronicle.chain_head = chained

    class HistoryLoaded(Aggregate.Event):
        digest: str

        def apply(self, chronicle: Chronicle) -> None:
            chronicle.history_digest = self.digest


@dataclass(frozen=True)
class Signed:
    """Who records a batch and why, and the chain's head it follows (domain.chain)."""

    recorder: str | None = None
    message: str | None = None
    previous: str | None = None  # the link of the last change recorded before it


def chronicle_events(
    documents: Iterable[Any],
    now: datetime,
    after_version: int,
    digest: str | None = None,
    signed: Signed = Signed(),  # noqa: B008 - frozen, so one shared default is safe
) -> list[Aggregate.Event]:
    """The chronicle's next events for checked documents (and a history-loaded mark),
    numbered from ``after_version``: saving them conflicts if another writer got there
    first, which is what makes a check against a read model of that version safe (and
    what keeps the chain, linked to that version's head, a single line)."""
    events: list[Aggregate.Event] = []
    if after_version == 0:  # a new store: the chronicle's creation comes first
        events.extend(Chronicle().collect_events())
        after_version = 1
    previous = signed.previous
    for document in documents:
        after_version += 1
        stored = document.model_dump(mode="json")
        previous = link(previous, stored, signed.recorder, signed.message, now)
        events.append(
            Chronicle.Recorded(
                originator_id=CHRONICLE_ID,
                originator_version=after_version,
                timestamp=now,
                document=stored,
                recorder=signed.recorder,
                message=signed.message,
                chain=previous,
            )
        )
    if digest is not None:
        events.append(
            Chronicle.HistoryLoaded(
                originator_id=CHRONICLE_ID,
                originator_version=after_version + 1,
                timestamp=now,
                digest=digest,
            )
        )
    return events
