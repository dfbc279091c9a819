"""The change log: every record the store holds, as the change it made (an event
appended, amended or retracted), newest first; what the Atom feed publishes.

What a correction corrected, why and on which sources is ``projections.corrections``'s
answer, reused here as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.records import Record, visible
from projections.corrections import correction, corrects
from projections.views import event_view, timestamp_view


def changelog(
    records: Iterable[Record],
    known_at: datetime | None = None,
    views: Mapping[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One change per record recorded by ``known_at`` (all when None), newest first.

    Each: ``type`` (appended, amended, retracted), ``id``, ``recorded``, ``position``,
    ``event`` (the event as recorded; None for a retraction) and, for a correction, what
    ``projections.corrections`` says of it (``reason``, ``sources``, ``target``,
    ``changes``). ``views``: event views already made (``projections.views.event_view``),
    by id, reused rather than made again.
    """
    views = views or {}
    seen = visible(records, known_at)
    by_id = {r.id: r for r in seen}
    changes = []
    for record in seen:
        event = None
        if record.document.kind != "retraction":
            event = views.get(record.id) or event_view(record)
        change: dict[str, Any] | None
        if corrects(record.document):
            change = correction(record, by_id)
            if change is None:  # names an event the store never held: cannot be stored
                continue
            del change["recorded_at"]
        else:
            change = {"type": "appended", "id": record.id}
            change["recorded"] = timestamp_view(record.recorded_at)
        changes.append({**change, "position": record.position, "event": event})
    return sorted(changes, key=lambda c: c["position"], reverse=True)
