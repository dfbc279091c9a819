"""What changed in the state between two dates: each change with its event and source."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.chronicle import Record, fold_lenient
from domain.world import RuleBroken, world_for
from projections.kept import rank_text
from projections.views import date_view, source_view


def diff(
    records: list[Record],
    since: date,
    until: date,
    registry: dict | None = None,
    first_joins: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """What the state on ``until`` holds that the state on ``since`` did not, in replay
    order, each change with its event and source.

    A happening is in the state on a day once its date interval has ended and what it
    depends on is in the state too (see ``state_at``): so a commitment made in July to an
    agreement signed "2016" enters the state, and the diff, when 2016 has ended.

    ``first_joins``: when ``records`` are some units of the record, not all of it, where
    each actor they name first joined the state on ``until`` (``kept.FIRST_JOINS``): an
    actor that joined in another unit before a happening is not introduced again by it.
    """
    if until < since:
        raise ValueError(f"the end date {until} is before the start date {since}")
    happenings = [r.document for r in records]
    settled_before = _settled(happenings, since, registry)
    world = world_for(happenings, registry)
    changes = []
    for happening in happenings:
        if happening.occurred.end > until:
            continue
        if first_joins:
            _joined_elsewhere(world, happening, first_joins)
        try:
            applied = world.apply(happening)
        except RuleBroken:  # depends on something not yet ended: undetermined, no change
            continue
        if happening.id in settled_before:
            continue
        for change in applied:
            changes.append(
                {
                    "event_id": happening.id,
                    "kind": happening.kind,
                    "occurred": date_view(happening.occurred),
                    "category": change.category,
                    "change": change.text,
                    "source": source_view(happening.sources[0]),
                }
            )
    return changes


def _joined_elsewhere(world: Any, happening: Any, first_joins: dict[str, str]) -> None:
    """The actors ``happening`` involves that joined the state before it in a unit not
    folded here, put in ``world`` as it knows them (as first introduced)."""
    rank = rank_text(happening)
    for actor in {*(a.id for a in happening.introduces), *happening.mentions()}:
        joined = first_joins.get(actor)  # "<rank text>|<n>"
        before = joined is not None and joined.rsplit("|", 1)[0] < rank
        if before and actor not in world.actors and actor in world.registry:
            world.actors[actor] = world.registry[actor]


def _settled(happenings: list, day: date, registry: dict | None) -> set[str]:
    """Ids of the happenings in the state on ``day``."""
    ended = [h for h in happenings if h.occurred.end <= day]
    _, broken = fold_lenient(ended, registry)
    undetermined = {h.id for h, _ in broken}
    return {h.id for h in ended} - undetermined
