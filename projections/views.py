"""Plain-data views of the domain's objects: the shapes every output format starts from.

Every date is shown the same way everywhere (JSON, CSV, Markdown, text): its EDTF text,
its precision and the interval it stands for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from domain.chronicle import Record
from events.dates import FuzzyDate

if TYPE_CHECKING:  # a source's model: the views read what is given, they build no model
    from events.model import Source


def date_view(value: FuzzyDate | None) -> dict[str, Any] | None:
    if value is None:
        return None
    edtf, precision, start, end, approximate, uncertain, display = _date_fields(value)
    return {
        "edtf": edtf,
        "precision": precision,
        "start": start,
        "end": end,
        "approximate": approximate,
        "uncertain": uncertain,
        "display": display,
    }


@lru_cache(maxsize=65536)
def _date_fields(value: FuzzyDate) -> tuple:
    """A date's texts, made once per date (dates are immutable and few; states and
    timelines show the same ones over and over)."""
    return (
        value.edtf,
        value.precision.value,
        value.start.isoformat(),
        value.end.isoformat(),
        value.approximate,
        value.uncertain,
        value.human(),
    )


def timestamp_view(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def recorder_view(record: Record) -> dict[str, Any]:
    """Who recorded a change and why (None: recorded before uspk kept them)."""
    return {"recorded_by": record.recorder, "message": record.message}


def source_view(source: Source) -> dict[str, Any]:
    """A source as every view shows it; its stance and the report it relays only where
    it gives them (a source without them reads as it always did)."""
    view = {
        "publisher": source.publisher,
        "title": source.title,
        "published": date_view(source.published),
        "url": source.url,
        "quote": source.quote,
    }
    if source.stance is not None:
        view["stance"] = source.stance
    if source.relays is not None:
        relayed = source.relays
        view["relays"] = {
            "publisher": relayed.publisher,
            "title": relayed.title,
            "published": date_view(relayed.published),
            "url": relayed.url,
        }
    return view


def amount_view(amount: Decimal | None) -> str | None:
    """Money as a decimal string: exact, and safe from float rounding in any reader."""
    return None if amount is None else format(amount, "f")


def event_view(record: Record, related_by: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One stored happening with both clocks and its sources, as the timeline shows it;
    ``related_by``: the relations other events name it in (``inbound_relations``)."""
    document = record.document
    fields = json_fields(document, exclude=_SHOWN_APART, exclude_none=True)
    return {
        "id": document.id,
        "kind": document.kind,
        "occurred": date_view(document.occurred),
        "recorded": timestamp_view(record.recorded_at),
        **recorder_view(record),
        "title": document.title,
        "summary": document.summary,
        "actors": document.mentions(),
        "sources": [source_view(s) for s in document.sources],
        "note": document.note,
        **links_view(document),
        "related_by": related_by or [],
        "details": fields,
    }


LINK_FIELDS = ("relates", "alternatives")
_SHOWN_APART = frozenset(
    {"id", "kind", "occurred", "title", "summary", "actors", "sources", "note", *LINK_FIELDS}
)


def links_view(document: Any) -> dict[str, Any]:
    """An event's relations to others and the values other sources give (every view of
    an event carries them)."""
    return {
        "relates": [json_fields(r) for r in document.relates],
        "alternatives": [alternative_view(a) for a in document.alternatives],
    }


def alternative_view(alternative: Any) -> dict[str, Any]:
    """A disputed value, who gives it, and its own sources as every source is shown."""
    return {
        **json_fields(alternative, exclude=("sources",)),
        "sources": [source_view(s) for s in alternative.sources],
    }


def json_fields(
    model: Any, exclude: Collection[str] = (), exclude_none: bool = False
) -> dict[str, Any]:
    """``model.model_dump(mode="json", exclude=..., exclude_none=...)``, read from its
    attributes: a read builds no serializer (pydantic builds one per model on its first
    dump, and loads its plugins: about a third of a ``uspk timeline`` on the shipped
    history). A property test holds it equal to pydantic's dump for every kind."""
    fields = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name in exclude or (exclude_none and value is None):
            continue
        fields[name] = _json_value(value, exclude_none)
    return fields


def _json_value(value: Any, exclude_none: bool) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, FuzzyDate):
        return value.edtf  # events.model's Date serializer
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(item, exclude_none) for item in value]
    if isinstance(value, dict):
        return {key: _json_value(item, exclude_none) for key, item in value.items()}
    if hasattr(type(value), "model_fields"):  # a nested model
        return json_fields(value, exclude_none=exclude_none)
    raise TypeError(f"no JSON view of a {type(value).__name__}: add it to views._json_value")


def inbound_relations(documents: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    """For each event id, the relations other events name it in ("fulfilled by ..."), in
    the order the relating events occurred (then by id), whatever order they are read in:
    the timeline, the state and every export list them alike."""
    found: dict[str, list[tuple[Any, str, dict[str, Any]]]] = {}
    for document in documents:
        for relation in getattr(document, "relates", ()):
            found.setdefault(relation.to, []).append(
                (
                    document.occurred.start,
                    document.id,
                    {"from": document.id, "relation": relation.relation, "note": relation.note},
                )
            )
    return {
        to: [view for *_, view in sorted(items, key=lambda i: i[:2])] for to, items in found.items()
    }
