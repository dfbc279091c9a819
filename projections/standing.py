"""What stood when, as rows for exports: a copy of the index's kept standing rows.

The index keeps the state as bitemporal rows per unit (``projections.kept``): each entry
of one section, valid from a day (inclusive) until a day (exclusive; None: still
standing), recorded from a moment until a moment (exclusive; None: still believed).
This module copies them, as they are, and adds what an export's reader needs beside
them: the actors each entry is about. Nothing is folded again.

Two things are settled when rows are read: an actor has a row in every unit that names
it, settled as the index settles it (``projections.settled``: the least ``sort_key``
places it, the row of the greatest ``version_key`` is the one shown), and an entry whose
reason names the asked day is kept once with ``dated`` set (the day is appended to its
reason, ``kept_reading.read_state``). ``stood`` reassembles the state at (D, T) from the rows
exactly so; the SQLite export's canned queries do the same in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from projections import kept_reading, settled
from projections.entries import moment
from projections.sections import SECTIONS


@dataclass(frozen=True)
class Row:
    """One kept standing row: an entry of a state section and the rectangle of (valid
    day, recorded moment) over which its unit shows it."""

    section: str
    key: str  # the entry's id, or the event it shows
    unit: str  # the unit (its least event id) whose fold shows it
    sort_key: str  # its place in the section (least first; an actor: least of its rows)
    version_key: str  # an actor: the row of the greatest is the version shown
    dated: bool  # the asked day is appended to the entry's reason
    entry: str  # the entry as JSON, as ``uspk state --format json`` shows it (but dated)
    valid_from: str  # a day, YYYY-MM-DD
    valid_until: str | None
    recorded_from: str  # a recorded moment, fixed-width UTC text as the index writes it
    recorded_until: str | None
    actors: tuple[str, ...]  # the actors of the events the entry shows
    # ``entry`` as parsed when the row was read, if it was (not part of the row)
    parsed: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def data(self) -> dict[str, Any]:
        return self.parsed if self.parsed is not None else json.loads(self.entry)


def export_rows(
    kept_rows: Iterable[tuple], actors_of: Callable[[str], Iterable[str]]
) -> Iterator[Row]:
    """The rows of ``kept_reading.ALL_ROWS`` as export rows, each made as it is read;
    ``actors_of``: event id -> the actors it names (the event views' ``actors``)."""
    for (
        section,
        key,
        unit,
        since,
        until,
        recorded,
        hidden,
        sort_key,
        dated,
        version,
        entry,
    ) in kept_rows:
        data, event_ids = _parsed(entry)
        yield Row(
            section,
            key,
            unit,
            sort_key,
            version,
            bool(dated),
            entry,
            since,
            until,
            recorded,
            hidden,
            _actors(section, key, event_ids, actors_of),
            data,
        )


def stood(rows: Iterable[Row], day: date, known_at: datetime) -> dict[str, list[dict]]:
    """The state's sections reassembled from the rows standing at (``day``, ``known_at``),
    read as ``uspk state`` reads the index's rows."""
    on, at = day.isoformat(), moment(known_at)
    standing = [
        r
        for r in rows
        if r.valid_from <= on
        and (r.valid_until is None or on < r.valid_until)
        and r.recorded_from <= at
        and (r.recorded_until is None or at < r.recorded_until)
    ]
    actors = settled.settled_at(
        (r.key, r.sort_key, r.version_key, r.entry) for r in standing if r.section == "actors"
    )
    state_rows = [
        *(
            (r.section, r.key, r.sort_key, r.dated, r.version_key, r.entry)
            for r in standing
            if r.section != "actors"
        ),
        *(("actors", key, sort_key, 0, version, entry) for key, sort_key, version, entry in actors),
    ]
    state = dict(kept_reading.read_state(state_rows, day, known_at, lambda text: text))
    return {section: state[section] for section in SECTIONS}


def _actors(
    section: str, key: str, event_ids: list[str], actors_of: Callable[[str], Iterable[str]]
) -> tuple[str, ...]:
    """The actors an entry is about: those of every event it names (its own, its
    commitments', its history's), and an actor entry's own id."""
    found = {key} if section == "actors" else set()
    for event_id in event_ids:
        found.update(actors_of(event_id))
    return tuple(sorted(found))


def _parsed(entry: str) -> tuple[Any, list[str]]:
    """An entry's JSON parsed, and the events it names: every ``event_id`` whose value
    is text, in any object at any depth, collected as the parser makes each object (the
    export reads every standing row: a walk of each parsed entry took a sixth of its time)."""
    found: list[str] = []

    def collect(value: dict[str, Any]) -> dict[str, Any]:
        event_id = value.get("event_id")
        if isinstance(event_id, str):
            found.append(event_id)
        return value

    return json.loads(entry, object_hook=collect), found
