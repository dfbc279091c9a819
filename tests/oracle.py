"""The test oracle: the record read the slow, obvious way, beside the index production uses.

Production reads and checks through the record index (``projections.readmodel``, wired by
``service.bootstrap.Session``). The tests hold it to this: the chronicle aggregate read
whole through eventsourcing's repository (the library's stock path), its records held in
memory, a batch checked against them by the same rules (``domain.recording.check_batch``).
Nothing here is imported by production code.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.chain import link
from domain.chronicle import CHRONICLE_ID, Chronicle, Record, Signed, believed_records
from domain.recording import check_batch, thing_keys
from projections.entries import actor_name_key, answer_keys
from service.application import Appended, RecordView
from service.application import Uspk as Application


class RecordsLookup:
    """``domain.recording.RecordLookup`` over records held in memory."""

    def __init__(self, records: list[Record], by_id: dict[str, Record]) -> None:
        self.by_id = by_id
        self.believed = believed_records(records)
        self.believed_ids = {r.id for r in self.believed}

    def recorded(self, ids: Collection[str]) -> dict[str, Record]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    def standing(self, ids: Collection[str]) -> set[str]:
        return set(ids) & self.believed_ids

    def related(self, things: Collection[str], actors: Collection[str]) -> list[Record]:
        things, actors = set(things), set(actors)
        return [
            record
            for record in self.believed
            if (thing_keys(record.document) | answer_keys(record.document)) & things
            or actors & set(record.document.mentions())
        ]

    def introductions(self, actors: Collection[str] | None = None) -> list[Record]:
        return [
            r
            for r in self.believed
            if r.document.introduces
            and (actors is None or {a.id for a in r.document.introduces} & set(actors))
        ]

    def naming(self, names: Collection[str]) -> list[Record]:
        keys = {actor_name_key(name) for name in names}
        return [r for r in self.believed if answer_keys(r.document) & keys]


def record(
    chronicle: Chronicle,
    documents: Iterable[Any],
    now: datetime,
    recorder: str | None = None,
    message: str | None = None,
) -> tuple[list[str], list[str]]:
    """Record a batch on an in-memory chronicle, all or nothing; return (ids added, ids
    already there unchanged). No store: the rules alone."""
    lookup = RecordsLookup(chronicle.records, chronicle.by_id)
    fresh, unchanged = check_batch(documents, lookup, now)
    for document in fresh:
        stored = document.model_dump(mode="json")
        chronicle.trigger_event(
            Chronicle.Recorded,
            document=stored,
            recorder=recorder,
            message=message,
            chain=link(chronicle.chain_head, stored, recorder, message, now),
            timestamp=now,
        )
    return [d.id for d in fresh], unchanged


def chronicle_of(app: Application) -> Chronicle:
    """The chronicle aggregate, read whole from ``app``'s store (empty if none yet)."""
    try:
        return app.repository.get(CHRONICLE_ID)
    except AggregateNotFoundError:
        return Chronicle()


class ReplayedUspk(Application):
    """The application read through the chronicle aggregate, whole, on every call: what the
    index must agree with. Appends are checked against that same in-memory view."""

    name = "uspk"  # eventsourcing names a subclass's tables after it: these are uspk's

    def append(
        self,
        documents: Iterable[Any],
        view: Any = None,
        dry_run: bool = False,
        signed: Signed = Signed(),  # noqa: B008 - frozen: a shared default is safe
    ) -> Appended:
        return super().append(documents, view or self.chronicle_view, dry_run, signed)

    def load_shipped_history(self, view: Any = None, recorder: str | None = None):  # noqa: ANN201
        return super().load_shipped_history(view or self.chronicle_view, recorder)

    def chronicle(self) -> Chronicle:
        return chronicle_of(self)

    def records(self) -> list[Record]:
        """Every record, in the order the store received them."""
        return self.chronicle().records

    def believed(self, known_at: datetime | None = None) -> list[Record]:
        """Records of the happenings believed by ``known_at`` (now, if None), in replay order."""
        return believed_records(self.records(), known_at)

    def record_of(self, event_id: str) -> Record | None:
        return self.chronicle().by_id.get(event_id)

    def chronicle_view(self) -> RecordView:
        """The record as the chronicle aggregate holds it, read whole from the store."""
        try:
            chronicle = self.repository.get(CHRONICLE_ID)
        except AggregateNotFoundError:  # a new store: nothing recorded, version 0
            return RecordView(RecordsLookup([], {}), 0, None)
        lookup = RecordsLookup(chronicle.records, chronicle.by_id)
        return RecordView(lookup, chronicle.version, chronicle.history_digest, chronicle.chain_head)
