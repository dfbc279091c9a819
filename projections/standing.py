"""What stood when, as rows: the entries of ``uspk state`` made bitemporal, for exports.

The state rules live once, in ``projections.state.state_at``; this module only asks it
and coalesces the answers. On the recorded axis it asks at every moment the record
changed (the records believed then); on the valid axis, at every day on which the
answer can change. Those days are found by walking each believed document's dates
(occurred, target, effective, until, ...), not by listing fields: every day of a date's
interval and the day after it. Every day, because an event whose interval contains the
date is undetermined and its reason names the date; the day after, because "overdue"
flips once a target has wholly passed. Between two sampled days nothing the rules read
changes, so the answer on the earlier day holds until the later one.

Each row is one entry of one section, valid from a day (inclusive) until a day
(exclusive; None: still standing) and recorded from a moment until a moment (exclusive;
None: still believed). The rows standing at (D, T) are exactly ``state_at(D, T)``'s
entries, in their order (``position``).

Cost: one ``state_at`` per (moment, sampled day), each a fold of the history believed
then: O(moments x days x history). Meant for exports, not for answering one question.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from domain.records import Record
from domain.world import actor_registry
from events.dates import FuzzyDate
from projections.state import STATE_KEYS, state_at

# The lists of a state (its other keys, as_of and known_at, say which state it is).
SECTIONS = tuple(key for key in STATE_KEYS if key not in ("as_of", "known_at"))
BEGINNING = date.min  # the first valid day: before any event, the actors already stand


@dataclass(frozen=True)
class Row:
    """One entry of a state section and the rectangle of (valid day, recorded moment)
    over which ``uspk state`` shows it, unchanged and at the same position."""

    section: str
    key: str  # the entry's id, or the event it shows
    position: int  # its index in the section's list
    entry: str  # the entry as JSON, exactly as ``uspk state --format json`` shows it
    valid_from: date
    valid_until: date | None
    recorded_from: datetime
    recorded_until: datetime | None
    actors: tuple[str, ...]  # the actors of the events the entry shows

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.entry)


# (section, key, position, entry JSON): an entry as it stands, without its rectangle
_Shown = tuple[str, str, int, str]


def standing_rows(
    believed: Callable[[datetime], list[Record]], moments: Iterable[datetime]
) -> list[Row]:
    """The rows of every state, recorded moment by moment. ``believed(T)`` gives the
    records believed at T (the index's ``believed``); ``moments``, every moment at which
    the store recorded something (a retraction too)."""
    opened: dict[tuple[_Shown, date, date | None], tuple[datetime, tuple[str, ...]]] = {}
    rows: list[Row] = []
    for moment in sorted(set(moments)):
        records = believed(moment)
        mentions = {r.id: r.document.mentions() for r in records}
        current = {
            (shown, start, end): _actors(shown, mentions)
            for shown, start, end in _valid_rows(records, moment)
        }
        for ident in [i for i in opened if i not in current]:
            rows.append(_row(ident, *opened.pop(ident), moment))
        for ident, actors in current.items():
            opened.setdefault(ident, (moment, actors))
    rows += [_row(ident, since, actors, None) for ident, (since, actors) in opened.items()]
    order = {section: rank for rank, section in enumerate(SECTIONS)}
    return sorted(rows, key=lambda r: (r.recorded_from, order[r.section], r.valid_from, r.position))


def _row(ident, since: datetime, actors: tuple[str, ...], until: datetime | None) -> Row:
    (section, key, position, entry), valid_from, valid_until = ident
    return Row(section, key, position, entry, valid_from, valid_until, since, until, actors)


def _valid_rows(
    records: list[Record], known_at: datetime
) -> Iterator[tuple[_Shown, date, date | None]]:
    """The entries of the states on every day, coalesced into runs of days. Each state is
    asked as ``uspk state`` asks it: the records starting by the day, and the actors of
    all of them."""
    registry = actor_registry(r.document for r in records)
    records = sorted(records, key=lambda r: r.document.occurred.start)
    starts = [r.document.occurred.start for r in records]
    since: dict[_Shown, date] = {}
    for day in change_days(records):
        begun = records[: bisect_right(starts, day)]
        current = set(_entries(state_at(begun, day, known_at, registry)))
        for shown in [s for s in since if s not in current]:
            yield shown, since.pop(shown), day
        for shown in current:
            since.setdefault(shown, day)
    for shown, start in since.items():
        yield shown, start, None


def _entries(state: dict[str, Any]) -> Iterator[_Shown]:
    for section in SECTIONS:
        for position, entry in enumerate(state[section]):
            text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
            yield section, entry_key(entry), position, text


def entry_key(entry: dict[str, Any]) -> str:
    """What an entry is about: its own id (an agreement, a step, an actor, a facility), or
    else the event it shows."""
    return entry.get("id") or entry["event_id"]


def change_days(records: Iterable[Record]) -> list[date]:
    """The days on which ``state_at``'s answer for ``records`` may differ from the day
    before (and the first day of all): every day of each date's interval, and the next."""
    days = {BEGINNING}
    for record in records:
        for value in set(_dates(record.document)):
            day = value.start
            while day <= value.end:
                days.add(day)
                day += timedelta(days=1)
            if value.end < date.max:
                days.add(value.end + timedelta(days=1))
    return sorted(days)


def _dates(value: Any) -> Iterator[FuzzyDate]:
    """Every date inside a document, however deep (sources, steps, amounts...)."""
    if isinstance(value, FuzzyDate):
        yield value
    elif isinstance(value, BaseModel):
        for _, field in value:
            yield from _dates(field)
    elif isinstance(value, dict):
        for field in value.values():
            yield from _dates(field)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _dates(item)


def _actors(shown: _Shown, mentions: dict[str, list[str]]) -> tuple[str, ...]:
    """The actors an entry is about: those of every event it names (its own, its
    commitments', its history's), and an actor entry's own id."""
    section, key, _, text = shown
    found = {key} if section == "actors" else set()
    for event_id in _event_ids(json.loads(text)):
        found.update(mentions.get(event_id, ()))
    return tuple(sorted(found))


def _event_ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for name, field in value.items():
            if name == "event_id" and isinstance(field, str):
                yield field
            else:
                yield from _event_ids(field)
    elif isinstance(value, list):
        for item in value:
            yield from _event_ids(item)
