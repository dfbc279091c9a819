"""The chronicle: everything the store has been told, in the order it was told.

This is the eventsourcing aggregate. Its version order is the *recorded* clock
(transaction time); its events carry happenings whose ``occurred`` date is the other
clock (valid time). Recording a batch checks the batch against the whole history,
replayed in occurrence order, so a backfilled event is judged at its own date.
History is never rewritten: retractions and amendments are new records that hide
earlier ones from the current view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from pydantic import TypeAdapter

from domain.world import RuleBroken, World, replay_key, world_for
from events.model import AnyHappening, Document, Retraction

CHRONICLE_ID = uuid5(NAMESPACE_URL, "https://uspk.invalid/chronicle")


class Conflict(RuleBroken):
    """The same id was recorded before with different content."""


@cache
def _documents() -> TypeAdapter:
    return TypeAdapter(Document)


def decode(document: dict[str, Any]):
    return _documents().validate_python(document)


def decode_json(document: str | bytes):
    """A stored document straight from its JSON text (faster than loads + validate)."""
    return _documents().validate_json(document)


@dataclass(frozen=True, slots=True)
class Record:
    """One document as stored: what it says, when it was recorded, and in what position."""

    document: Any  # AnyHappening | Retraction
    recorded_at: datetime
    position: int

    @property
    def id(self) -> str:
        return self.document.id


class Chronicle(Aggregate):
    @classmethod
    def create_id(cls, *args: Any, **kwargs: Any) -> UUID:
        return CHRONICLE_ID

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.by_id: dict[str, Record] = {}
        self.history_digest: str | None = None

    class Recorded(Aggregate.Event):
        document: dict

        def apply(self, chronicle: Chronicle) -> None:
            record = Record(decode(self.document), self.timestamp, len(chronicle.records) + 1)
            chronicle.records.append(record)
            chronicle.by_id[record.id] = record

    class HistoryLoaded(Aggregate.Event):
        digest: str

        def apply(self, chronicle: Chronicle) -> None:
            chronicle.history_digest = self.digest

    # -- commands -------------------------------------------------------------------

    def record(self, documents: Iterable[Any], now: datetime) -> tuple[list[str], list[str]]:
        """Record a batch, all or nothing; return (ids added, ids already there unchanged)."""
        fresh, unchanged = self._fresh(documents)
        self._check(fresh, now)
        for document in fresh:
            self.trigger_event(
                self.Recorded, document=document.model_dump(mode="json"), timestamp=now
            )
        return [d.id for d in fresh], unchanged

    def note_history_loaded(self, digest: str, now: datetime) -> None:
        self.trigger_event(self.HistoryLoaded, digest=digest, timestamp=now)

    # -- rules ----------------------------------------------------------------------

    def _fresh(self, documents: Iterable[Any]) -> tuple[list[Any], list[str]]:
        """Drop exact repeats (a no-op); refuse an id reused with other content."""
        fresh: dict[str, Any] = {}
        unchanged: list[str] = []
        for document in documents:
            earlier = self.by_id.get(document.id)
            prior = earlier.document if earlier else fresh.get(document.id)
            if prior is None:
                fresh[document.id] = document
            elif prior == document:
                if earlier is not None:
                    unchanged.append(document.id)
            else:
                when = (
                    f"recorded {earlier.recorded_at:%Y-%m-%d %H:%M:%S} UTC"
                    if earlier
                    else ("earlier in this batch")
                )
                raise Conflict(
                    document.id,
                    f"id already {when} with different content; "
                    "use a new id, or `uspk amend` to supersede it",
                )
        return list(fresh.values()), unchanged

    def _check(self, fresh: list[Any], now: datetime) -> None:
        if not fresh:
            return
        before = current(self.records)
        believed_ids = {h.id for h in before}
        batch_ids = {d.id for d in fresh}
        for document in fresh:
            if isinstance(document, Retraction):
                self._check_target(document, document.retracts, believed_ids, "retract")
                continue
            if document.occurred.start > now.date():
                raise RuleBroken(
                    document.id,
                    f"occurred {document.occurred} is after it is recorded "
                    f"({now:%Y-%m-%d}); a plan carries a target date instead",
                )
            if document.supersedes is not None:
                target = self._check_target(document, document.supersedes, believed_ids, "amend")
                if target.kind != document.kind:
                    raise RuleBroken(
                        document.id,
                        f"an amendment must be of the same kind as {target.id!r} "
                        f"({target.kind}), not {document.kind}",
                    )
        now_records = [*self.records, *(Record(d, now, 0) for d in fresh)]
        world, broken = fold_lenient(current(now_records))
        if not broken:
            return
        first, error = broken[0]
        if first.id in batch_ids:
            raise error
        names = ", ".join(h.id for h, _ in broken)
        raise RuleBroken(
            first.id,
            f"this batch would leave {len(broken)} recorded event(s) broken: {names} "
            f"(first: {error.message}); retract or amend them in the same batch",
        )

    def _check_target(self, document: Any, target_id: str, believed: set[str], verb: str):
        record = self.by_id.get(target_id)
        if record is None:
            raise RuleBroken(document.id, f"cannot {verb} {target_id!r}: no such event recorded")
        if isinstance(record.document, Retraction):
            raise RuleBroken(document.id, f"cannot {verb} {target_id!r}: it is a retraction")
        if target_id not in believed:
            raise RuleBroken(
                document.id,
                f"cannot {verb} {target_id!r}: it is already retracted or superseded "
                f"(see `uspk history {target_id}`)",
            )
        return record.document


def visible(records: Iterable[Record], known_at: datetime | None = None) -> list[Record]:
    """The records the store had by ``known_at`` (all of them when None)."""
    if known_at is None:
        return list(records)
    return [r for r in records if r.recorded_at <= known_at]


def believed_records(records: Iterable[Record], known_at: datetime | None = None) -> list[Record]:
    """The records of happenings believed by ``known_at``, in replay order.

    Believed: recorded by then, not retracted, not superseded by an amendment that is
    itself still standing.
    """
    seen = visible(records, known_at)
    retracted = {r.document.retracts for r in seen if isinstance(r.document, Retraction)}
    superseded = {
        r.document.supersedes
        for r in seen
        if not isinstance(r.document, Retraction)
        and r.document.supersedes
        and r.document.id not in retracted
    }
    hidden = retracted | superseded
    kept = (r for r in seen if not isinstance(r.document, Retraction) and r.id not in hidden)
    return sorted(kept, key=lambda r: replay_key(r.document))


def current(records: Iterable[Record], known_at: datetime | None = None) -> list[AnyHappening]:
    """The happenings believed by ``known_at``, in replay order."""
    return [r.document for r in believed_records(records, known_at)]


def fold_lenient(
    happenings: list[AnyHappening], registry: dict | None = None
) -> tuple[World, list[tuple[Any, RuleBroken]]]:
    """Apply in replay order; happenings that do not fit are set aside with their reason."""
    world = world_for(happenings, registry)
    broken: list[tuple[Any, RuleBroken]] = []
    for happening in sorted(happenings, key=replay_key):
        try:
            world.apply(happening)  # applies whole or not at all
        except RuleBroken as error:
            broken.append((happening, error))
    return world, broken
