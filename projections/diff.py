"""What changed in the state between two dates: each change with its event and source."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.chronicle import Record
from domain.world import world_for
from projections.views import date_view, source_view


def diff(
    records: list[Record], since: date, until: date, registry: dict | None = None
) -> list[dict[str, Any]]:
    """Changes made by the happenings settled after ``since`` and by ``until``.

    A happening is settled on a day once its date interval has ended: the state at
    ``since`` holds those ending on or before it; the diff lists those ending in
    (since, until], in replay order, each with what it changed.
    """
    if until < since:
        raise ValueError(f"the end date {until} is before the start date {since}")
    world = world_for([r.document for r in records], registry)
    changes = []
    for record in records:
        happening = record.document
        if happening.occurred.end > until:
            continue
        applied = world.apply(happening)
        if happening.occurred.end <= since:
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
