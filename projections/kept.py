"""The state kept: bitemporal standing rows, maintained on append (issue 19).

Each row is one entry of one section of ``uspk state``, valid in the world from a day
(inclusive) to a day (exclusive; NULL: still standing) and in the store from the moment
it was recorded to the moment it was hidden (exclusive; NULL: still believed). The rows
standing at (D, T) are exactly ``state_at(believed at T, D)``'s entries; ``sort_key``
puts each section in the whole fold's order.

A unit is a set of believed records closed under what a fold of them needs (records
sharing a thing, records relating to one, and the introductions of an actor whose shown
versions differ: ``_closure``), at any date. Its entries are the whole fold's: a fold
of a closed set gives each of its entries as the whole history does. On append, once per
recorded moment, only the units the moment's records touch are folded again, at the days
where their answer can change (each date's start, end and the day after: the rules
compare dates with ``<=`` and ``<``), never the whole history: a unit's fold as rows is
``projections/unit_rows.py``. An entry whose reason names the asked date ("its date
contains D") is kept once, the date filled in as it is read (``dated``).

Beside each entry, rows of what its events are about (``about_keys``: agreements, actors,
kinds) and of the actors they name: a narrowed state is read by them
(``kept_reading.narrowed_rows``).

Two things span units and are settled when the rows are read, not written: an actor
joins the state with the first record that involves it in any unit (``sort_key``, the
least wins), and shows the version that its latest applied introduction set
(``version_key``, the greatest wins; equal everywhere for an actor of one version).

An undetermined entry's reason quotes the broken rule without its typing hint ("known
agreements like it", "did you mean"): the hint lists every agreement or actor of the
record, so keeping it would tie every unit to every other (``RuleBroken.reason``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any, Protocol

from domain.chronicle import Record
from domain.rules import replay_key
from projections import settled
from projections.bitemporal import chunks
from projections.unit_rows import Before, change_days, unit_rows

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS uspk_view_standing (
        section TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        unit TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        recorded_from TEXT NOT NULL,
        hidden_at TEXT,
        sort_key TEXT NOT NULL,
        dated INTEGER NOT NULL,
        version_key TEXT NOT NULL,
        entry TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS uspk_view_standing_open
        ON uspk_view_standing (unit, hidden_at)""",
    # Covering indexes: what the text's questions read, answered without reading a row
    # (kept.read_summary), the entries shown read after. The rows standing at a date, by
    # section: counts.
    """CREATE INDEX IF NOT EXISTS uspk_view_standing_at ON uspk_view_standing
        (section, valid_from, valid_to, recorded_from, hidden_at)""",
    # A section's rows in its order, walked back from its last: its latest entries.
    """CREATE INDEX IF NOT EXISTS uspk_view_standing_order ON uspk_view_standing
        (section, sort_key, entry_key, valid_from, valid_to, recorded_from, hidden_at)""",
    # One entry's rows: whether an event's entry stands (what was said, latest first).
    """CREATE INDEX IF NOT EXISTS uspk_view_standing_key ON uspk_view_standing
        (section, entry_key, valid_from, valid_to, recorded_from, hidden_at, sort_key)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_units (
        event_id TEXT PRIMARY KEY, unit TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS uspk_view_units_unit ON uspk_view_units (unit)""",
]
TABLES = ("uspk_view_standing", "uspk_view_units")


class KeptLookup(Protocol):
    """The index's believed records at one moment, read in the writing transaction."""

    def with_keys(self, keys: Collection[str]) -> list[Record]: ...

    def by_ids(self, ids: Collection[str]) -> list[Record]: ...

    def any_version(self, ids: Collection[str]) -> list[Record]:
        """The records of ``ids`` believed or not (what a hidden one was about)."""

    def introductions(self, actors: Collection[str]) -> dict[str, list[Record]]:
        """Actor -> the believed records introducing it, at any date."""

    def introductions_before(self, actors: Collection[str]) -> list[Record]:
        """The introductions of ``actors`` believed just before this moment."""

    def mentioning(self, actors: Collection[str], before: bool = False) -> list[Record]:
        """Believed records naming ``actors`` (``before``: recorded before this moment)."""


# -- writing ---------------------------------------------------------------------------


def maintain(sql: Any, lookup: KeptLookup, touched: Iterable[str], at: str, seal) -> None:
    """Bring the rows of the units that ``touched`` (event ids added, hidden or restored
    at moment ``at``) reaches up to date, in the writing transaction ``sql``."""
    touched = set(touched)
    if not touched:
        return
    records, old_units, renamed = _closure(sql, lookup, touched)
    components = _components(records, lookup)
    was_in = _unit_pairs(sql, {r.id for r in records})
    new_rows = {}
    for members in components:
        before = _grown(sql, members, was_in, renamed, seal)
        new_rows[_unit_of(members)] = set(unit_rows(members, lookup.introductions, before))
    actors = _replace(sql, old_units, new_rows, at, seal)
    settled.resettle(sql, actors, at, seal)
    sql.many("DELETE FROM uspk_view_units WHERE unit = ?", ((unit,) for unit in old_units))
    members_of = [(r.id, _unit_of(members)) for members in components for r in members]
    # a member may have moved from a unit not closed here
    sql.many("DELETE FROM uspk_view_units WHERE event_id = ?", ((i,) for i, _ in members_of))
    sql.many("INSERT INTO uspk_view_units (event_id, unit) VALUES (?, ?)", members_of)


def standing_now(
    records: list[Record], lookup: KeptLookup
) -> tuple[set[tuple], set[tuple], set[tuple]]:
    """What the kept rows hold open when ``records`` are every record believed now:
    the rows as ``digested`` ((unit, section, entry key, valid from, digest), ...),
    ((event id, unit), ...) and the actors settled from them (``settled.settle``'s
    rows), made afresh (``uspk verify``)."""
    rows: set[tuple] = set()
    units: set[tuple] = set()
    actor_rows: list[tuple] = []
    records = sorted(records, key=lambda r: replay_key(r.document))  # as a unit is folded
    for members in _components(records, lookup):
        unit = _unit_of(members)
        for row in unit_rows(members, lookup.introductions):
            rows.add(digested((unit, *row)))
            if row[0] == "actors":
                actor_rows.append((row[1], row[2], row[3], row[4], row[6], row[7]))
        units |= {(r.id, unit) for r in members}
    return rows, units, set(settled.settle(actor_rows))


def digested(row: tuple) -> tuple:
    """An open row (unit, section, entry key, valid from, valid to, sort key, dated,
    version key, entry JSON) as ``uspk verify`` compares it: what names it, and a digest
    of the rest, so that every row of a large record is held in a few dozen bytes."""
    rest = repr(tuple(row[4:])).encode("utf-8", "surrogatepass")
    return (*row[:4], hashlib.blake2b(rest, digest_size=16).digest())


def _unit_of(members: list[Record]) -> str:
    return min(r.id for r in members)  # a unit is named by its least event id


def _closure(
    sql: Any, lookup: KeptLookup, touched: set[str]
) -> tuple[list[Record], set[str], set[str]]:
    """The believed records that the entries of ``touched`` depend on, with every member
    of the units they were in (a unit may have split or merged), to a fixpoint; the old
    units; and the actors whose entries may change wherever they are named (``_grown``)."""
    taken: dict[str, Record] = {}
    old_units: set[str] = set()
    asked_keys: set[str] = set()
    asked_ids: set[str] = set()
    ids = set(touched)
    keys: set[str] = set()
    # What touched records were about, believed or not: their things, relations, actors.
    found = lookup.any_version(touched)
    # A retraction touches what it retracts; an amendment (or its retraction) what it
    # supersedes (hidden by it, or believed again).
    hidden = {
        r.document.retracts if r.document.kind == "retraction" else r.document.supersedes
        for r in found
    }
    hidden = {i for i in hidden if i} - touched
    ids |= hidden
    for record in [*found, *lookup.any_version(hidden)]:
        document = record.document
        if document.kind == "retraction":
            continue
        keys |= _depends_on(document)
        ids |= {r.to for r in getattr(document, "relates", ())}
        keys |= _actor_keys(document, lookup)
    renamed = {k.split(":", 1)[1] for k in keys if k.startswith("mention")}
    while ids - asked_ids or keys - asked_keys:
        fresh_ids, fresh_keys = ids - asked_ids, keys - asked_keys
        asked_ids |= fresh_ids
        asked_keys |= fresh_keys
        units = _units_of(sql, fresh_ids)
        fresh_units = units - old_units
        old_units |= fresh_units
        member_ids = _members(sql, fresh_units)
        ids |= member_ids
        found = lookup.by_ids(sorted((fresh_ids | member_ids) - taken.keys()))
        mentioned = {k for k in fresh_keys if k.startswith("mentioned")}
        for prefix, before in (("mentioned:", False), ("mentioned-before:", True)):
            actors = sorted(k.removeprefix(prefix) for k in mentioned if k.startswith(prefix))
            found += lookup.mentioning(actors, before) if actors else []
        if fresh_keys - mentioned:
            found += lookup.with_keys(sorted(fresh_keys - mentioned))
        for record in found:
            if record.id in taken:
                continue
            taken[record.id] = record
            ids.add(record.id)
            keys |= _depends_on(record.document) | _versioned_keys(record.document, lookup)
    return sorted(taken.values(), key=lambda r: replay_key(r.document)), old_units, renamed


def _grown(
    sql: Any, members: list[Record], was_in: dict[str, str], renamed: set[str], seal
) -> Before | None:
    """A unit that is one old unit, every member kept, grown by records that were in no
    unit, none of whose actors may show another name: its state before the first day a
    new record can change is the old unit's, which its rows hold (the fold of a day reads
    only the records begun by it, and the first versions of the actors they name). None
    when it must be folded whole: a new unit, units merged, a member hidden (retracted,
    superseded), an actor renamed (``_closure``)."""
    old = {was_in[r.id] for r in members if r.id in was_in}
    added = [r for r in members if r.id not in was_in]
    if len(old) != 1 or not added or any(r.document.names() & renamed for r in members):
        return None
    (unit,) = old
    if not _members(sql, old) <= {r.id for r in members}:
        return None
    day = min(change_days(added))
    first = day.isoformat()
    rows = sql.all(  # those from ``day`` on are folded again
        f"SELECT {_COLUMNS} FROM uspk_view_standing"
        " WHERE unit = ? AND hidden_at IS NULL AND valid_from < ?",
        (unit, first),
    )
    ended: list[tuple] = []
    standing: dict[tuple, tuple[dict, date]] = {}
    for section, key, since, until, sort_key, dated, version_key, text in rows:
        text = seal.unseal(text)
        if until is not None and until < first:
            ended.append((section, key, since, until, sort_key, dated, version_key, text))
        else:
            ident = (section, key, sort_key, dated, version_key)
            standing[ident] = (json.loads(text), date.fromisoformat(since))
    return Before(day, ended, standing)


def _depends_on(document: Any) -> set[str]:
    from domain.recording import thing_keys  # the rules: on the write path only

    return thing_keys(document) | {f"related-to:{document.id}"}


def _actor_keys(document: Any, lookup: KeptLookup) -> set[str]:
    """When a touched record introduces an actor whose shown versions, or whether it is
    introduced at all, or the version it was first introduced as, differ from before
    this moment, every entry naming the actor may change (its name, an unknown actor's
    records, what a happening bringing it changed): the records naming it are asked for
    (``mentioned:``; of an actor not introduced before, only those recorded before this
    moment, as the batch's own are touched anyway)."""
    from domain.world import actor_registry  # the rules: on the write path only

    actors = [a.id for a in document.introduces]
    if not actors:
        return set()
    introduced = lookup.introductions(actors)
    earlier = lookup.introductions_before(actors)
    now = {a: _versions(a, r) for a, r in introduced.items()}
    before = _shown_versions(earlier)
    first_now = actor_registry(r.document for found in introduced.values() for r in found)
    first_before = actor_registry(r.document for r in earlier)
    keys = set()
    for actor in actors:
        same_first = first_now.get(actor) == first_before.get(actor)
        if now[actor] == before.get(actor, set()) and len(now[actor]) < 2 and same_first:
            continue
        keys.add(f"mentioned:{actor}" if before.get(actor) else f"mentioned-before:{actor}")
    return keys


def _versions(actor: str, records: Iterable[Record]) -> set[tuple]:
    """The distinct versions of what the state shows of ``actor`` that ``records`` give."""
    return _shown_versions(records).get(actor, set())


def _shown_versions(records: Iterable[Record]) -> dict[str, set[tuple]]:
    """Actor id -> the distinct versions its introductions give of what the state shows."""
    versions: dict[str, set[tuple]] = {}
    for record in records:
        for actor in record.document.introduces:
            versions.setdefault(actor.id, set()).add(_shown(actor))
    return versions


def _shown(actor: Any) -> tuple:
    return (actor.name, actor.type, actor.country, actor.role)


def _versioned_keys(document: Any, lookup: KeptLookup) -> set[str]:
    """The introductions of the actors ``document`` names that are introduced in more
    than one shown version: a fold showing such an actor's name needs them all."""
    named = document.names()
    if not named:
        return set()
    introduced = lookup.introductions(named)
    return {f"introduces:{a}" for a, found in introduced.items() if len(_versions(a, found)) > 1}


def _unit_pairs(sql: Any, ids: set[str]) -> dict[str, str]:
    """Event id -> the unit it is in, for those of ``ids`` in one."""
    return dict(_unit_table(sql, "event_id", ids))


def _units_of(sql: Any, ids: set[str]) -> set[str]:
    return {unit for _, unit in _unit_table(sql, "event_id", ids)}


def _members(sql: Any, units: set[str]) -> set[str]:
    return {event for event, _ in _unit_table(sql, "unit", units)}


def _unit_table(sql: Any, by: str, values: set[str]) -> list[tuple[str, str]]:
    """The ``uspk_view_units`` rows (event id, unit) whose ``by`` is one of ``values``."""
    found: list[tuple[str, str]] = []
    for chunk in chunks(sorted(values)):
        marks = ", ".join("?" for _ in chunk)
        query = f"SELECT event_id, unit FROM uspk_view_units WHERE {by} IN ({marks})"
        found += sql.all(query, chunk)
    return found


def _components(records: list[Record], lookup: KeptLookup) -> list[list[Record]]:
    """``records`` split into the smallest sets closed under what a fold needs."""
    parent = {r.id: r.id for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    from domain.recording import thing_keys  # the rules: on the write path only

    owner: dict[str, str] = {}  # a key -> the first record having it
    for record in records:
        document = record.document
        for key in thing_keys(document) | _versioned_keys(document, lookup):
            if key in owner:
                union(owner[key], record.id)
            else:
                owner[key] = record.id
        for relation in getattr(document, "relates", ()):
            if relation.to in parent:
                union(relation.to, record.id)
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(find(record.id), []).append(record)
    return list(groups.values())


_COLUMNS = "section, entry_key, valid_from, valid_to, sort_key, dated, version_key, entry"
OPEN_ROWS = f"SELECT unit, {_COLUMNS} FROM uspk_view_standing WHERE hidden_at IS NULL"


def _replace(sql: Any, old_units: set[str], new: dict[str, set[tuple]], at: str, seal) -> set[str]:
    """Close the open rows of ``old_units`` that no longer hold, and open the new ones
    (a row opened at this same moment and closed again is deleted); the actors whose
    rows changed."""
    units = sorted(old_units | new.keys())
    held: dict[tuple, tuple[str, str]] = {}  # (unit, *row) -> (rowid key, recorded_from)
    for chunk in chunks(units):
        marks = ", ".join("?" for _ in chunk)
        rows = sql.all(
            f"SELECT unit, {_COLUMNS}, recorded_from FROM uspk_view_standing"
            f" WHERE hidden_at IS NULL AND unit IN ({marks})",
            chunk,
        )
        for row in rows:
            held[row[:-1]] = row[-1]
    wanted = {(unit, *row) for unit, rows in new.items() for row in rows}
    sealed = {}
    for ident, since in held.items():
        if _unsealed(ident, seal) in wanted:
            continue
        sealed[ident] = since
    keep = {_unsealed(ident, seal) for ident in held if ident not in sealed}
    closing: dict[tuple[bool, bool], list[tuple]] = {}  # (opened now, open-ended) -> params
    for ident, since in sealed.items():
        params = tuple(v for v in (*ident[:5], ident[5], ident[7]) if v is not None)
        closing.setdefault((since == at, ident[4] is None), []).append(params)
    for (opened_now, open_ended), rows in closing.items():
        until = "valid_to IS NULL" if open_ended else "valid_to = ?"
        where = (
            f"unit = ? AND section = ? AND entry_key = ? AND valid_from = ? AND {until}"
            " AND sort_key = ? AND version_key = ? AND hidden_at IS NULL"
        )
        if opened_now:
            sql.many(f"DELETE FROM uspk_view_standing WHERE {where}", rows)
        else:
            update = f"UPDATE uspk_view_standing SET hidden_at = ? WHERE {where}"
            sql.many(update, ((at, *params) for params in rows))
    sql.many(
        "INSERT INTO uspk_view_standing (unit, section, entry_key, valid_from, valid_to,"
        " sort_key, dated, version_key, entry, recorded_from)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((*ident[:-1], seal.seal(ident[-1]), at) for ident in wanted - keep),
    )
    return {ident[2] for ident in (*sealed, *(wanted - keep)) if ident[1] == "actors"}


def _unsealed(ident: tuple, seal) -> tuple:
    return (*ident[:-1], seal.unseal(ident[-1]))
