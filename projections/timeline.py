"""The timeline: believed happenings in occurrence order, filtered as asked."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from domain.chronicle import Record
from domain.world import World, actor_registry, world_for
from events.model import Actor
from projections.views import event_view, inbound_relations


class UnknownActor(LookupError):
    """An --actor filter that names nobody the history knows."""


def actor_ids_matching(name: str, actors: Iterable[Actor]) -> set[str]:
    """Actor ids whose id, name or alias equals ``name`` (any case)."""
    wanted = name.casefold()
    actors = {a.id: a for a in actors}
    found = {
        a.id
        for a in actors.values()
        if wanted in (a.id.casefold(), a.name.casefold(), *(x.casefold() for x in a.aliases))
    }
    if not found:
        labels = [a.id for a in actors.values()] + [a.name for a in actors.values()]
        close = difflib.get_close_matches(name, labels, n=4, cutoff=0.4)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise UnknownActor(f"no actor called {name!r}{hint}")
    return found


def timeline(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """``timeline_entries`` (the same arguments), as one list."""
    return list(timeline_entries(*args, **kwargs))


def timeline_entries(
    records: list[Record],
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
    kinds: Iterable[str] = (),
    registry: dict[str, Actor] | None = None,
    relating: Iterable[Record] | None = None,
) -> Iterator[dict[str, Any]]:
    """Entries for ``records`` (already believed and in replay order) that match, each
    with the relations other believed events name it in (``related_by``), each made when
    it is asked for (what is written as it is made is never held whole); an unknown
    actor is refused here, before the first.

    ``registry``: the record's actors, for ``--actor``, when ``records`` is a window;
    ``relating``: the believed records that relate to them, when ``records`` is a window
    (by default ``records`` themselves).
    """
    inbound = inbound_relations(r.document for r in (records if relating is None else relating))
    if registry is None:
        registry = actor_registry(r.document for r in records)
    wanted_actors = actor_ids_matching(actor, registry.values()) if actor else None
    kinds = set(kinds)
    for record in records:
        occurred = record.document.occurred
        if since is not None and occurred.end < since:
            continue
        if until is not None and occurred.start > until:
            continue
        if kinds and record.document.kind not in kinds:
            continue
        if wanted_actors is not None and not wanted_actors & set(record.document.mentions()):
            continue
        yield event_view(record, inbound.get(record.id))


def replay(
    records: list[Record], until: date | None = None, registry: dict | None = None
) -> list[dict[str, Any]]:
    """Apply each happening in turn; every step shows the event and what it changed."""
    world = world_for([r.document for r in records], registry)
    steps = []
    for record in records:
        if until is not None and record.document.occurred.start > until:
            break
        changes = [str(change) for change in world.apply(record.document)]
        steps.append({"event": event_view(record), "changes": changes, "totals": _totals(world)})
    return steps


def _totals(world: World) -> dict[str, int]:
    return {
        "actors": len(world.actors),
        "engagements": len(world.engagements),
        "agreements": len(world.agreements),
        "commitments": sum(len(a.commitments) for a in world.agreements.values()),
        "steps planned": sum(s.status == "planned" for s in world.steps.values()),
    }
