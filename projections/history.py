"""The life of one event in the record: recorded, amended, superseded, retracted."""

from __future__ import annotations

from typing import Any

from domain.chronicle import Record, believed_records
from events.model import Retraction
from projections.views import inbound_relations, recorder_view, source_view, timestamp_view


def standing(records: list[Record], event_id: str) -> dict[str, Any]:
    """Whether ``event_id`` stands now, and if not, what hid it, when and why; and the
    relations that standing events name it in (``related_by``: "fulfilled by ...")."""
    view = _standing(records, event_id)
    believed = (r.document for r in believed_records(records))
    view["related_by"] = inbound_relations(believed).get(event_id, [])
    return view


def _standing(records: list[Record], event_id: str) -> dict[str, Any]:
    for record in records:
        document = record.document
        if isinstance(document, Retraction) and document.retracts == event_id:
            return {
                "status": "retracted",
                "by": document.id,
                "when": timestamp_view(record.recorded_at),
                "reason": document.reason,
                "sources": [source_view(s) for s in document.sources],
            }
    for record in records:
        document = record.document
        if getattr(document, "supersedes", None) == event_id:
            later = _standing(records, document.id)
            if later["status"] != "retracted":  # a retracted amendment hides nothing
                return {
                    "status": "superseded",
                    "by": document.id,
                    "when": timestamp_view(record.recorded_at),
                    "reason": document.note,
                    "sources": [source_view(s) for s in document.sources],
                }
    return {"status": "current"}


def lineage(records: list[Record], event_id: str) -> list[dict[str, Any]]:
    """Every record touching ``event_id``: the versions it amends or that amend it, and
    the retractions of any of them, in the order the store received them."""
    chain = {event_id}
    changed = True
    while changed:  # follow amendments both ways until the chain is closed
        changed = False
        for record in records:
            document = record.document
            target = getattr(document, "supersedes", None)
            if target and (target in chain) != (document.id in chain):
                chain |= {target, document.id}
                changed = True
    entries = []
    for record in records:
        document = record.document
        if document.id in chain or (
            isinstance(document, Retraction) and document.retracts in chain
        ):
            entry = {
                "id": document.id,
                "kind": document.kind,
                "recorded": timestamp_view(record.recorded_at),
                **recorder_view(record),
                "position": record.position,
            }
            if isinstance(document, Retraction):
                entry |= {"retracts": document.retracts, "reason": document.reason}
            else:
                entry |= {
                    "occurred": document.occurred.edtf,
                    "title": document.title,
                    "supersedes": document.supersedes,
                    "standing": _standing(records, document.id)["status"],
                }
            entry["sources"] = [source_view(s) for s in document.sources]
            entries.append(entry)
    return entries
