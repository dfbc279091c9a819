"""Records: what the store holds about each document, and which of them are believed.

Pure functions over records, shared by the chronicle aggregate, the batch checks and the
read models: the belief at a moment (not retracted, not superseded) and the lenient fold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.rules import RuleBroken, replay_key
from events.registry import RETRACTION

if TYPE_CHECKING:  # the models and the world are built only where a document is read
    from domain.world import World
    from events.model import AnyHappening


class Conflict(RuleBroken):
    """The same id was recorded before with different content."""


def decode(document: dict[str, Any]):
    from events.kinds import document_adapter

    return document_adapter().validate_python(document)


def decode_json(document: str | bytes):
    """A stored document straight from its JSON text (faster than loads + validate)."""
    from events.kinds import document_adapter

    return document_adapter().validate_json(document)


@dataclass(frozen=True, slots=True)
class Record:
    """One document as stored: what it says, when, by whom and why it was recorded, in
    what position, and its link in the hash chain."""

    document: Any  # AnyHappening | Retraction
    recorded_at: datetime
    position: int
    recorder: str | None = None  # who recorded it (None: before uspk kept recorders)
    message: str | None = None  # why, as the recorder said (-m)
    chain: str | None = None  # its link in the hash chain (domain.chain)

    @property
    def id(self) -> str:
        return self.document.id


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
    retracted = {r.document.retracts for r in seen if r.document.kind == RETRACTION}
    superseded = {
        r.document.supersedes
        for r in seen
        if r.document.kind != RETRACTION
        and r.document.supersedes
        and r.document.id not in retracted
    }
    hidden = retracted | superseded
    kept = (r for r in seen if r.document.kind != RETRACTION and r.id not in hidden)
    return sorted(kept, key=lambda r: replay_key(r.document))


def current(records: Iterable[Record], known_at: datetime | None = None) -> list[AnyHappening]:
    """The happenings believed by ``known_at``, in replay order."""
    return [r.document for r in believed_records(records, known_at)]


def fold_lenient(
    happenings: list[AnyHappening],
    registry: dict | None = None,
    applied: dict[str, list] | None = None,
) -> tuple[World, list[tuple[Any, RuleBroken]]]:
    """Apply in replay order; happenings that do not fit are set aside with their reason.
    ``applied``, when given, gets each applied happening's id -> what it changed."""
    from domain.world import world_for

    world = world_for(happenings, registry)
    broken: list[tuple[Any, RuleBroken]] = []
    for happening in sorted(happenings, key=replay_key):
        try:
            changes = world.apply(happening)  # applies whole or not at all
        except RuleBroken as error:
            broken.append((happening, error))
        else:
            if applied is not None:
                applied[happening.id] = changes
    return world, broken
