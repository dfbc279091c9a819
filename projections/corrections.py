"""Corrections as readers see them: each amendment and retraction, what it corrected,
when it was recorded, why and on which sources, and the record as believed just before
each correction (the exports show them, and let a reader switch to an earlier belief)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from domain.records import Record
from projections.timeline import timeline
from projections.views import date_view, recorder_view, source_view, timestamp_view


@dataclass(frozen=True)
class Corrections:
    """The amendments and retractions the store holds, and the record as believed before
    each was recorded (so a reader can see what a correction changed)."""

    items: list[dict[str, Any]] = field(default_factory=list)  # in recorded order
    # key, moment, corrections; what the record as believed at that moment ("now": the
    # export's own) hides of the record now and shows that it no longer holds (ids, in
    # replay order); and, for a moment before a correction, the state on the export's
    # date as then believed (a Mapping whose sections are read when asked for)
    views: list[dict[str, Any]] = field(default_factory=list)
    former: list[dict[str, Any]] = field(default_factory=list)  # entries no longer believed
    now: Iterable[str] = ()  # the ids believed now, in replay order (read when iterated)


class Belief(Protocol):
    """What the index answers of the record as believed at moments (None: now)."""

    def believed_ids(self, known_at: datetime | None) -> list[str]:
        """The ids believed at ``known_at``, in replay order."""

    def changed_belief(
        self, known_at: datetime | None, not_at: datetime | None, ids: bool = False
    ) -> list[Any]:
        """The records (with ``ids``, their ids) believed at ``known_at`` and not at
        ``not_at``, in replay order."""


class Reread:
    """What ``read()`` gives, read afresh each time it is iterated, never held."""

    def __init__(self, read: Callable[[], Iterable[Any]]) -> None:
        self.read = read

    def __iter__(self) -> Iterator[Any]:
        return iter(self.read())


_SAME_IN_EVERY_VERSION = {"id", "kind", "supersedes"}  # what names the version itself


def corrections(
    records: Iterable[Record],
    belief: Belief,
    known_at: datetime | None = None,
    state_on: Callable[[datetime], Mapping[str, Any]] | None = None,
) -> Corrections:
    """Every amendment and retraction in ``records`` recorded by ``known_at`` (all when
    None), what it corrected, when, why and on which sources; and the record as believed
    just before each moment a correction was recorded, as what it hides of the record
    believed at ``known_at`` and what it shows that this no longer holds, each read by
    ``belief`` (the index's queries). ``records`` need hold only the corrections and what
    they correct (the index's ``corrections_and_targets``). With ``state_on`` (the
    export's state as believed at a moment, each section read when asked for), each
    earlier view also holds that state as then believed (what a reader switching to it
    should see)."""
    items = _items(records, known_at)
    views = [{"key": "now", "moment": None, "corrections": [], "hide": [], "show": []}]
    former: dict[str, dict[str, Any]] = {}
    for number, moment in enumerate(sorted({item["recorded_at"] for item in items}), start=1):
        just_before = moment - timedelta(microseconds=1)
        earlier = belief.changed_belief(just_before, known_at)  # all corrected since: few
        view = {
            "key": f"before-{number}",
            "moment": moment.isoformat(timespec="microseconds"),
            "corrections": [i["id"] for i in items if i["recorded_at"] == moment],
            "hide": Reread(partial(belief.changed_belief, known_at, just_before, ids=True)),
            "show": [r.id for r in earlier],
        }
        if state_on is not None:
            view["state"] = state_on(just_before)
        views.append(view)
        for entry in timeline(earlier):
            former.setdefault(entry["id"], entry)
    for item in items:
        del item["recorded_at"]
    ordered = sorted(former.values(), key=lambda e: (e["occurred"]["start"], e["id"]))
    now = Reread(partial(belief.believed_ids, known_at))
    return Corrections(items=items, views=views, former=ordered, now=now)


def correction_items(records: Iterable[Record], known_at: datetime | None = None) -> list[dict]:
    """``Corrections.items`` alone: every amendment and retraction in ``records`` recorded
    by ``known_at`` (all when None), what it corrected, when, why and on which sources.
    ``records`` need hold only the corrections and what they correct (the index's
    ``corrections_and_targets``), not the whole record."""
    items = _items(records, known_at)
    for item in items:
        del item["recorded_at"]
    return items


def _items(records: Iterable[Record], known_at: datetime | None) -> list[dict[str, Any]]:
    records = [r for r in records if known_at is None or r.recorded_at <= known_at]
    by_id = {r.id: r for r in records}
    after = successors(records)
    items = [correction(r, by_id, after) for r in records if corrects(r.document)]
    return [item for item in items if item is not None]


def corrects(document: Any) -> bool:
    return document.kind == "retraction" or getattr(document, "supersedes", None) is not None


def successors(records: Iterable[Record]) -> dict[str, Record]:
    """The correction of each corrected event, by the id of the event it corrects."""
    return {_corrected(r.document): r for r in records if corrects(r.document)}


def _corrected(document: Any) -> str:
    return document.retracts if document.kind == "retraction" else document.supersedes


def correction(record: Any, by_id: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """What ``record`` corrected as a reader saw it, or None when no reader saw it: it
    was itself corrected in the change that recorded it (a store taking two releases'
    amendments of one shipped event at once believed only the last), or it corrects only
    what was recorded with it (a shipped event and its amendment, loaded together into a
    new store). Its target is the last version a reader believed: one recorded before it,
    across the versions recorded with it. ``after``: ``successors`` of the records."""
    document = record.document
    retraction = document.kind == "retraction"
    then = after.get(record.id)
    if then is not None and then.recorded_at == record.recorded_at:
        return None
    target = by_id.get(_corrected(document))
    while target is not None and target.recorded_at >= record.recorded_at:
        earlier = getattr(target.document, "supersedes", None)
        target = by_id.get(earlier) if earlier else None
    if target is None:  # never believed, or names an event recorded after the moment shown
        return None
    item = {
        "type": "retracted" if retraction else "amended",
        "id": document.id,
        "recorded": timestamp_view(record.recorded_at),
        "recorded_at": record.recorded_at,
        **recorder_view(record),
        "reason": document.reason if retraction else _why(record, target.document),
        "sources": [source_view(s) for s in document.sources],
        "target": _brief(target.document),
        "replacement": None if retraction else _brief(document),
        "changes": [] if retraction else _changes(target.document, document),
    }
    return item


def _why(record: Any, target: Any) -> str | None:
    """Why an amendment was recorded: its message, else a note it brings that the
    amended version did not have; never its new summary (which says what, not why)."""
    note = record.document.note
    return record.message or (note if note and note != target.note else None)


def _brief(document: Any) -> dict[str, Any]:
    brief = {"id": document.id, "kind": document.kind}
    if document.kind != "retraction":
        brief |= {"title": document.title, "occurred": date_view(document.occurred)}
    return brief


def _changes(before: Any, after: Any) -> list[dict[str, str]]:
    """The fields an amendment changed, each as text before and after."""
    if before.kind == "retraction":
        return []
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return [
        {"field": name, "before": _as_text(old.get(name)), "after": _as_text(new.get(name))}
        for name in dict.fromkeys([*old, *new])
        if name not in _SAME_IN_EVERY_VERSION and old.get(name) != new.get(name)
    ]


def _as_text(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        if "publisher" in value and "published" in value:  # a source: as cited, briefly
            title = f", {value['title']}" if value.get("title") else ""
            return f"{value['publisher']}{title}, {value['published']}"
        return value.get("name") or value.get("id") or json.dumps(value, ensure_ascii=False)
    return str(value)
