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
from projections.corrections import correction, corrects, successors
from projections.state import Narrowing
from projections.views import event_view, recorder_view, timestamp_view


def changelog(
    records: Iterable[Record],
    known_at: datetime | None = None,
    views: Mapping[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One change per record recorded by ``known_at`` (all when None), newest first.

    Each: ``type`` (appended, amended, retracted), ``id``, ``recorded``, ``recorded_by``,
    ``message`` (who recorded it and why), ``position``,
    ``event`` (the event as recorded; None for a retraction) and, for a correction, what
    ``projections.corrections`` says of it (``reason``, ``sources``, ``target``,
    ``changes``). ``views``: event views already made (``projections.views.event_view``),
    by id, reused rather than made again.
    """
    views = views or {}
    seen = visible(records, known_at)
    by_id = {r.id: r for r in seen}
    after = successors(seen)
    changes = []
    for record in seen:
        event = None
        if record.document.kind != "retraction":
            event = views.get(record.id) or event_view(record)
        change: dict[str, Any] | None
        if corrects(record.document):
            change = correction(record, by_id, after)
            if change is None:  # corrects what no reader believed (see correction)
                continue
            del change["recorded_at"]
        else:
            change = {"type": "appended", "id": record.id, **recorder_view(record)}
            change["recorded"] = timestamp_view(record.recorded_at)
        changes.append({**change, "position": record.position, "event": event})
    return sorted(changes, key=lambda c: c["position"], reverse=True)


def changes_about(
    changes: list[dict[str, Any]], records: Iterable[Record], track: Narrowing | None
) -> list[dict[str, Any]]:
    """The changes of the events ``track`` is about (``uspk export --format atom --actor
    ...``): each event recorded that it keeps, and the corrections of one (an amendment
    or retraction of an event it keeps, whatever the correction itself names)."""
    if not track:
        return changes
    kept = {r.id for r in records if r.document.kind != "retraction" and track.keeps(r.document)}
    return [c for c in changes if c["id"] in kept or (c.get("target") or {}).get("id") in kept]
