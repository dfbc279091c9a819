"""What changed in the state between two dates: each change with its event and source."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.chronicle import Record, fold_lenient
from domain.world import RuleBroken, world_for
from projections.views import date_view, source_view


def diff(
    records: list[Record], since: date, until: date, registry: dict | None = None
) -> list[dict[str, Any]]:
    """What the state on ``until`` holds that the state on ``since`` did not, in replay
    order, each change with its event and source.

    A happening is in the state on a day once its date interval has ended and what it
    depends on is in the state too (see ``state_at``): so a commitment made in July to an
    agreement signed "2016" enters the state, and the diff, when 2016 has ended.
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


def _settled(happenings: list, day: date, registry: dict | None) -> set[str]:
    """Ids of the happenings in the state on ``day``."""
    ended = [h for h in happenings if h.occurred.end <= day]
    _, broken = fold_lenient(ended, registry)
    undetermined = {h.id for h, _ in broken}
    return {h.id for h in ended} - undetermined
