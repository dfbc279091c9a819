"""The state read from its kept rows (``projections/kept.py`` keeps them): a whole or
narrowed state at (D, T), what changed between two days, and what the state's text shows
(counts and the latest entries), each from the rows standing then, never a fold.

Every row read back is checked for the shape uspk writes: one edited by hand is
``RowUnreadable``, named by section and key, never a wrong entry shown.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import orjson

from projections import settled
from projections.bitemporal import STANDING, chunks, standing
from projections.entries import collector_paused
from projections.sections import ABOUT, CHANGES, SECTIONS
from projections.unit_rows import NAMES
from projections.views import timestamp_view


def read_state(
    rows: Iterable[tuple], as_of: date, known_at: datetime | None, unseal
) -> Iterator[tuple[str, Any]]:
    """The state's sections from the standing rows at (``as_of``, ``known_at``): each
    row (section, entry key, sort key, dated, version key, entry), an actor's its one
    settled row (``settled``), not its rows in every unit."""
    by_section: dict[str, list[tuple]] = {s: [] for s in SECTIONS}
    for row in rows:
        by_section[row[0]].append(row)
    return iter(KeptState(by_section.__getitem__, as_of, known_at, unseal).items())


class KeptState(Mapping[str, Any]):
    """The state at (``as_of``, ``known_at``), each section's entries made whenever it
    is asked for from its standing rows (``rows_of(section)``: ``read_state``'s rows, or
    a query of the section's, ``SECTION_AT`` and ``ACTORS_AT``), and not kept: a state
    grows with the history, and its entries take several times its rows' text."""

    def __init__(
        self,
        rows_of: Callable[[str], list[tuple]],
        as_of: date,
        known_at: datetime | None,
        unseal,
        as_read: bool = False,
    ) -> None:
        self.rows_of, self.unseal, self.as_read = rows_of, unseal, as_read
        self.head = {"as_of": as_of.isoformat(), "known_at": timestamp_view(known_at)}

    def __getitem__(self, key: str) -> Any:
        """A section's entries: a list, or with ``as_read`` its ``Entries`` (how many, and
        each made as it is taken: what shows a section entry by entry holds one)."""
        if key in self.head:
            return self.head[key]
        if self.as_read:
            return Entries(self._rows(key), functools.partial(self._entry, self.head["as_of"]))
        with collector_paused():  # entries are JSON: no cycles for the collector to find
            return list(self.entries(key))

    def _rows(self, section: str) -> list[tuple]:
        if section not in SECTIONS:
            raise KeyError(section)
        rows = self.rows_of(section)
        rows.sort(key=_place)
        return rows

    def _entry(self, day: str, row: tuple) -> dict[str, Any]:
        return _row_entry(row, self.unseal, day)

    def entries(self, section: str) -> Iterator[dict[str, Any]]:
        """A section's entries in order, each made as it is taken (its rows, text, are
        read first): what is written as it is made never holds a section's entries."""
        rows, day = self._rows(section), self.head["as_of"]
        return (self._entry(day, row) for row in rows)

    def items_as_read(self) -> Iterator[tuple[str, Any]]:
        """``items()``, each section an iterator of its entries (``entries``)."""
        yield from self.head.items()
        for section in SECTIONS:
            yield section, self.entries(section)

    def __iter__(self) -> Iterator[str]:
        yield from self.head
        yield from SECTIONS

    def __len__(self) -> int:
        return len(self.head) + len(SECTIONS)


class Entries(Sequence):
    """A section's entries from its rows: how many there are, and each made from its row
    whenever it is taken (``make``), never kept; ``mapped`` applies a function to each as
    it is made. Gone through again, they are made again."""

    def __init__(self, rows: list[tuple], make: Callable[[tuple], Any]) -> None:
        self.rows, self.make = rows, make

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.make(row) for row in self.rows[index]]
        return self.make(self.rows[index])

    def __iter__(self) -> Iterator[Any]:
        return map(self.make, self.rows)

    def mapped(self, function: Callable[[Any], Any]) -> Entries:
        make = self.make
        return Entries(self.rows, lambda row: function(make(row)))


def _row_entry(row: tuple, unseal, day: str) -> dict[str, Any]:
    """A row (section, entry key, sort key, dated, version key, entry) as the state shows
    it: a reason that names the asked date given its date."""
    entry = _entry(row[0], row[1], row[5], unseal)
    if row[3]:
        entry["reason"] = f"{entry.get('reason', '')}{day}"
    return entry


class RowUnreadable(ValueError):
    """A standing row whose entry is not what uspk writes (an edited index)."""


def _place(row: tuple) -> tuple[str, str]:
    """Where a row (section, entry key, sort key, ...) stands in its section: its sort
    key, then its key; RowUnreadable if an edit made either something other than text."""
    if not (isinstance(row[2], str) and isinstance(row[1], str)):
        raise RowUnreadable(f"the standing row of {row[0]} {row[1]!r} cannot be read")
    return row[2], row[1]


def _entry(section: str, key: Any, text: Any, unseal) -> dict[str, Any]:
    """The entry of a row of ``section`` and ``key``, its ``text`` read as uspk wrote it:
    a JSON object (the state's own shape)."""
    try:
        entry = _decoded(unseal(text))
    except (ValueError, TypeError):
        entry = None
    if not isinstance(entry, dict):
        raise RowUnreadable(f"the standing row of {section} {key!r} cannot be read")
    return entry


def _decoded(text: str) -> Any:
    """JSON text decoded by orjson (in C: a state's rows are decoded three times faster
    than by the standard library), or by the standard library where orjson refuses what
    it takes (``NaN``, a number past a double's range). Only an edited row holds such,
    or an integer past 64 bits, which orjson reads as the nearest float (``verify``
    names the edit); uspk writes none: amounts are decimal text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _quoted(sections: Iterable[str]) -> str:
    """Section names as SQL literals (the state's own names, never a user's)."""
    return ", ".join(f"'{section}'" for section in sections)


_ROW = "section, entry_key, sort_key, dated, version_key, entry"  # what read_state takes
# The actors standing at (day, moment): their settled rows (projections/settled.py), one
# per actor, not their rows in every unit that names them.
ACTORS_AT = settled.STANDING_AT
# The rows of one other section standing at (day, moment).
SECTION_AT = f"SELECT {_ROW} FROM uspk_view_standing WHERE section = ? AND {STANDING}"


# -- a narrowed state (``state --agreement/--actor/--kind``) ------------------------------

# The about rows standing at (day, moment) with some entry keys ({marks}: one ``?`` each):
# the places of the entries found by some ``about_keys``, or an entry's actors by its place.
ABOUT_AT = (
    f"SELECT unit, entry_key, sort_key, entry FROM uspk_view_standing WHERE section = '{ABOUT}'"
    f" AND {STANDING} AND entry_key IN ({{marks}})"
)
# One section's rows standing at (day, moment) with some entry keys ({marks} as above).
KEYED_AT = (
    f"SELECT unit, {_ROW} FROM uspk_view_standing WHERE section = ? AND {STANDING}"
    " AND entry_key IN ({marks})"
)


def narrowed_rows(
    read: Callable[[str, Any], list[tuple]], wanted: list[set[str]], day: str, at: str, unseal
) -> Callable[[str], list[tuple]]:
    """``KeptState``'s rows of the state at (``day``, ``at``) about what a narrowing asks
    (``Narrowing.wanted``: for each kind of filter, the keys of which an entry's events
    must have one): found by their about rows, each section's in the whole state's order;
    the actors those entries' events name, by id (``Narrowing.about``)."""
    at_day = standing(day, at)

    def about(keys: Iterable[str]) -> Iterator[tuple]:
        for chunk in chunks(sorted(keys)):
            yield from read(ABOUT_AT.format(marks=", ".join("?" for _ in chunk)), (*at_day, *chunk))

    places: set[tuple[str, str]] | None = None  # (unit, the entry's place)
    for keys in wanted:
        found = {(unit, place) for unit, _, place, _ in about(keys)}
        places = found if places is None else places & found
    kept: dict[str, dict[str, set[tuple[str, str]]]] = {}  # section -> key -> (unit, sort key)
    for unit, place in places or ():
        section, key, sort_key = _place_of(place)
        kept.setdefault(section, {}).setdefault(key, set()).add((unit, sort_key))
    named: set[str] = set()
    shown = {(unit, NAMES + place) for unit, place in places or ()}
    for unit, names, _, entry in about(sorted({names for _, names in shown})):
        if (unit, names) in shown:
            named.update(_named(names, entry, unseal))

    def rows_of(section: str) -> list[tuple]:
        if section == "actors":  # in the order of their ids (``Narrowing.about``)
            rows = []
            for chunk in chunks(sorted(named)):
                query = settled.NAMED.format(marks=", ".join("?" for _ in chunk))
                rows += [(r[0], r[1], "", *r[3:]) for r in read(query, (*at_day, *chunk))]
            return rows
        wanted_here = kept.get(section, {})
        rows = []
        for chunk in chunks(sorted(wanted_here)):
            query = KEYED_AT.format(marks=", ".join("?" for _ in chunk))
            for unit, *row in read(query, (section, *at_day, *chunk)):
                if (unit, row[2]) in wanted_here.get(row[1], ()):
                    rows.append(tuple(row))
        return rows

    return rows_of


def _place_of(place: Any) -> tuple[str, str, str]:
    """(section, entry key, sort key) of an about row's place; RowUnreadable if an edit
    made it something uspk does not write."""
    parts = place.split(" ", 2) if isinstance(place, str) else []
    if len(parts) != 3 or parts[0] not in SECTIONS or parts[0] == "actors":
        raise RowUnreadable(f"the standing row of {ABOUT} {place!r} cannot be read")
    return parts[0], parts[1], parts[2]


def _named(names: str, text: Any, unseal) -> list[str]:
    """The actors an about row of names holds; RowUnreadable if not as uspk writes it."""
    entry = _entry(ABOUT, names, text, unseal)
    actors = entry.get("actors")
    if not (isinstance(actors, list) and all(isinstance(a, str) for a in actors)):
        raise RowUnreadable(f"the standing row of {ABOUT} {names!r} cannot be read")
    return actors


# -- what changed between two days (``uspk diff``) ----------------------------------------

# The happenings that entered the state after one day and stand in it on a later day,
# with what they changed: their change rows standing on the later day, begun after the
# first (a row standing on both days stood on the first), of happenings that were not in
# the state on the first day (put in order by ``read_changes``). Parameters: the first
# day, ``standing`` of the later day, ``standing`` of the first.
CHANGED_BETWEEN = (
    "SELECT s.sort_key, s.entry_key, s.entry FROM uspk_view_standing s"
    f" WHERE s.section = '{CHANGES}' AND s.valid_from > ? AND {STANDING}"
    " AND NOT EXISTS (SELECT 1 FROM uspk_view_standing p"
    f" WHERE p.section = '{CHANGES}' AND p.entry_key = s.entry_key AND {STANDING})"
)


class Changed(NamedTuple):
    """A happening's change row as uspk wrote it (``_changes``), read back."""

    rank: str  # its place in the replay (``unit_rows.rank_text``)
    entry: dict[str, Any]

    @property
    def joins(self) -> list[tuple[int, str, str | None]]:
        return [tuple(join) for join in self.entry["joins"]]


def read_changes(rows: Iterable[tuple], unseal) -> list[Changed]:
    """``CHANGED_BETWEEN``'s rows read back in replay order (their ranks compared as
    Python compares text: a database's collation may order punctuation otherwise);
    RowUnreadable for a row uspk could not have written (an edited index)."""
    found = []
    for rank, key, text in rows:
        entry = _entry(CHANGES, key, text, unseal)
        if not (isinstance(rank, str) and _is_change_entry(entry)):
            raise RowUnreadable(f"the standing row of {CHANGES} {key!r} cannot be read")
        found.append(Changed(rank, entry))
    return sorted(found, key=lambda changed: changed.rank)


def _is_change_entry(entry: dict[str, Any]) -> bool:
    """Whether a decoded entry has the shape ``_changes`` writes (JSON's own types:
    compared by ``type``, a diff reads hundreds of them)."""
    changes, joins = entry.get("changes"), entry.get("joins")
    if not (
        type(entry.get("event_id")) is str
        and type(entry.get("kind")) is str
        and type(entry.get("occurred")) is dict
        and type(entry.get("source")) is dict
        and type(changes) is list
        and type(joins) is list
    ):
        return False
    for change in changes:
        if not (type(change) is list and len(change) == 2):
            return False
        if not (type(change[0]) is str and type(change[1]) is str):
            return False
    return all(_is_join(join, len(changes)) for join in joins)


def _is_join(join: Any, changes: int) -> bool:
    return (
        type(join) is list
        and len(join) == 3
        and type(join[0]) is int
        and 0 <= join[0] < changes
        and type(join[1]) is str
        and (join[2] is None or type(join[2]) is str)
    )


# -- what the text shows: counts and the latest entries, not the whole state ------------


class Summary(NamedTuple):
    """What ``uspk state``'s text shows, read without reading the whole state: each
    section's latest entries in the state's shape (``state``), how many each has
    (``counts``: by section; "said" for statements, announcements and proposals
    together; "noted:<label>" for each label of the noted kinds, as their entries give
    it), and the names of the actors shown and of those the shown engagements give roles
    to (``names``)."""

    state: dict[str, Any]
    counts: dict[str, int]
    names: dict[str, str]


SAID = ("statements", "announcements", "proposals")  # what was said, shown as one list
_LISTED = tuple(s for s in SECTIONS if s not in ("actors", "noted", *SAID))
_COUNTS = (
    "SELECT section, COUNT(*) FROM uspk_view_standing"
    f" WHERE section IN ({_quoted((*_LISTED, *SAID))}) AND {STANDING} GROUP BY section"
)
# A section's ``latest`` rows standing at (day, moment), the last in its order: chosen
# walking back the covering index ``uspk_view_standing_order`` (named to SQLite, whose
# planner, without statistics, would sort every row standing), by the database's row id,
# so that only the rows shown are read whole.
_LATEST = (
    f"SELECT {_ROW} FROM uspk_view_standing WHERE {{row_id}} IN ("
    " SELECT {row_id} FROM uspk_view_standing {order_index}"
    f" WHERE section = ? AND {STANDING} ORDER BY sort_key DESC, entry_key DESC LIMIT ?)"
)
# What was said, latest first as the text lists it: by the end of its date, then its
# start; equal dates in the state's order (statements, announcements, proposals). The
# events are walked back from the day asked by their dates' ends (a happening stands in
# the state once its date has ended), each looked up among the rows by its id: SQLite
# joins in the order written after CROSS JOIN, so it stops after the first few.
_SAID_LATEST = (
    f"SELECT {_ROW} FROM uspk_view_standing WHERE {{row_id}} IN ("
    " SELECT s.{row_id} FROM uspk_view_events e CROSS JOIN uspk_view_standing s {key_index}"
    " WHERE e.occ_end <= ? AND s.entry_key = e.event_id"
    f" AND s.section IN ('statements', 'announcements', 'proposals') AND {STANDING}"
    " ORDER BY e.occ_end DESC, e.occ_start DESC,"
    " CASE s.section WHEN 'statements' THEN 0 WHEN 'announcements' THEN 1 ELSE 2 END,"
    " s.sort_key, s.entry_key LIMIT ?)"
)
# The noted happenings by kind: how many stand, and where the kind first occurs.
_NOTED_KINDS = (
    "SELECT e.kind, COUNT(*), MIN(s.sort_key) FROM uspk_view_standing s"
    " JOIN uspk_view_events e ON e.event_id = s.entry_key"
    f" WHERE s.section = 'noted' AND {STANDING} GROUP BY e.kind"
)
_NOTED_LATEST = (
    f"SELECT {_ROW} FROM uspk_view_standing WHERE {{row_id}} IN ("
    " SELECT s.{row_id} FROM uspk_view_standing s"
    " JOIN uspk_view_events e ON e.event_id = s.entry_key"
    f" WHERE s.section = 'noted' AND e.kind = ? AND {STANDING}"
    " ORDER BY s.sort_key DESC, s.entry_key DESC LIMIT ?)"
)
ROLES = ("hosts", "mediators", "opened_by", "participants")  # an engagement's actors


def read_summary(
    sql: Any, dialect: Any, as_of: date, known_at: datetime | None, at: str, latest: int, unseal
) -> Summary:
    """The counts and the ``latest`` (at least one) entries of each section of the state
    at (``as_of``, ``known_at``; ``at``: that moment as the index compares it), in one
    read transaction ``sql``. ``dialect``: the index recorder, for its database's name
    of a row's identity (``row_id``) and how it is told which index to use
    (``indexed_by``)."""
    day = as_of.isoformat()
    standing_at = standing(day, at)
    rows: dict[str, list[tuple]] = {section: [] for section in SECTIONS}
    counts: dict[str, int] = {}
    names = {
        "row_id": dialect.row_id,
        "order_index": dialect.indexed_by("uspk_view_standing_order"),
        "key_index": dialect.indexed_by("uspk_view_standing_key"),
    }

    def read(query: str, *params: Any) -> list[tuple]:
        return sql.all(query.format(**names), params)

    found = dict(sql.all(_COUNTS, standing_at))
    for section in _LISTED:
        counts[section] = found.get(section, 0)
        if counts[section]:
            rows[section] = read(_LATEST, section, *standing_at, latest)
    counts["said"] = sum(found.get(section, 0) for section in SAID)
    for row in read(_SAID_LATEST, day, *standing_at, latest):
        rows[row[0]].append(row)
    rows["noted"] = _noted(read, standing_at, latest, counts, unseal)
    state: dict[str, Any] = {"as_of": day, "known_at": timestamp_view(known_at)}
    for section in SECTIONS:
        if section != "noted":  # the noted rows come grouped by label
            rows[section].sort(key=_place)
        state[section] = [_row_entry(row, unseal, day) for row in rows[section]]
    counts["actors"] = sql.one(settled.COUNT, standing_at)[0]
    shown = sorted(read(settled.LATEST, *standing_at, latest), key=_place)
    state["actors"] = [_row_entry(row, unseal, day) for row in shown]
    roles = {a for e in state["engagements"] for a in _given_roles(e)}
    named = {a["id"]: a for a in state["actors"] if isinstance(a.get("id"), str)}
    named |= _actor_entries(sql, roles - named.keys(), standing_at, unseal, day)
    return Summary(state, counts, {a: _name(entry) for a, entry in named.items()})


def _given_roles(engagement: dict[str, Any]) -> Iterator[str]:
    """The actors an engagement entry gives roles to (``ROLES``), as uspk writes them."""
    for role in ROLES:
        ids = engagement.get(role) or []
        if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
            raise RowUnreadable(
                f"the standing row of engagements {engagement.get('event_id')!r} cannot be read"
            )
        yield from ids


def _name(actor: dict[str, Any]) -> str:
    if not isinstance(actor.get("name"), str):
        raise RowUnreadable(f"the standing row of actors {actor.get('id')!r} cannot be read")
    return actor["name"]


def _noted(read, standing_at: tuple, latest: int, counts: dict, unseal) -> list[tuple]:
    """The latest noted rows of each label, grouped by label in the order the labels
    first occur (as the text groups them); each label's count into ``counts``."""
    by_label: dict[str, list[tuple]] = {}
    firsts: dict[str, str] = {}
    for kind, count, first in read(_NOTED_KINDS, *standing_at):
        # A kind counted at (day, moment) has rows standing then: its latest are found.
        found = read(_NOTED_LATEST, kind, *standing_at, latest)
        label = str(_entry("noted", found[0][1], found[0][5], unseal).get("label", kind))
        counts[f"noted:{label}"] = counts.get(f"noted:{label}", 0) + count
        by_label.setdefault(label, []).extend(found)
        firsts[label] = min(firsts.get(label, first), first)
    noted: list[tuple] = []
    for label in sorted(by_label, key=firsts.__getitem__):
        noted += sorted(by_label[label], key=_place)[-latest:]
    return noted


def _actor_entries(
    sql: Any, actors: set[str], standing_at: tuple, unseal, day: str
) -> dict[str, dict]:
    """Some actors' entries as the state shows them (``settled.NAMED``), by id."""
    found: dict[str, dict] = {}
    for chunk in chunks(sorted(actors)):
        query = settled.NAMED.format(marks=", ".join("?" for _ in chunk))
        for row in sql.all(query, (*standing_at, *chunk)):
            found[row[1]] = _row_entry(row, unseal, day)
    return found


# Every row of the state's sections, the hidden ones too (the SQLite export copies them;
# not what each happening changed nor what each entry is about, no entries of the
# state): in the order a reader meets them, and the entry last (sealed under a cipher).
ALL_ROWS = (
    "SELECT section, entry_key, unit, valid_from, valid_to, recorded_from, hidden_at,"
    " sort_key, dated, version_key, entry FROM uspk_view_standing"
    f" WHERE section NOT IN ('{CHANGES}', '{ABOUT}')"
    " ORDER BY recorded_from, section, sort_key, unit, valid_from"
)
