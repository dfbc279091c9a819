"""A unit's state as standing rows (``projections/kept.py`` decides which units to fold
again, and replaces their rows): its records folded at each day where its answer can
change, each entry a row valid from the day it appears to the day it changes or goes;
beside each entry, rows of what its events are about and of the actors they name; for
each happening, a row of what it changed (``uspk diff``); and the sort keys that put
each section in the whole fold's order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from domain.chronicle import Record
from domain.rules import replay_key
from events.dates import FuzzyDate
from projections.sections import (
    ABOUT,
    CHANGES,
    DEPENDS_ON_UNDETERMINED,
    EFFECTIVE_DATE_CONTAINS,
    SECTIONS,
)
from projections.views import date_view, source_view


class Before(NamedTuple):
    """What a unit that only grew keeps of its rows (``_grown``): from ``day`` on, its
    fold may differ; the rows that ended before it stay as they are (``ended``), those
    standing the day before it go on if its fold still gives them (``standing``: ident
    -> (entry, since))."""

    day: date
    ended: list[tuple]
    standing: dict[tuple, tuple[dict, date]]


def unit_rows(
    members: list[Record],
    introductions: Callable[[Collection[str]], dict[str, list[Record]]],
    before: Before | None = None,
) -> Iterator[tuple]:
    """The unit's rows: (section, key, valid_from, valid_to, sort key, dated, version
    key, entry JSON), its state folded at each day where it can change, its actors shown
    as their believed ``introductions`` (actor -> records) introduce them. An entry equal
    to the one the day before continues its row (compared as data: a kept row's entry,
    read back from its JSON, equals the fold's, which holds JSON's own types only); what
    it is about (``_about_rows``) is made again only when it changes. ``before``: of a
    unit that only grew, its rows before the first day that may change, kept; its state
    folded from that day on."""
    from domain.world import actor_registry  # the rules: on the write path only
    from projections.state import about_keys, event_ids  # write path only

    named = {a for r in members for a in r.document.names()}
    introducing = {r.id: r for found in introductions(named).values() for r in found}
    registry = actor_registry(r.document for r in introducing.values())
    ranks = {r.id: rank_text(r.document) for r in members}
    about = {r.id: about_keys(r.document) for r in members}

    def about_rows(ident: tuple, entry: dict) -> dict[tuple, dict]:
        keys = set().union(*(about[i] for i in event_ids(entry)))
        return dict(_about_rows(ident[0], ident[1], ident[2], keys))

    opened: dict[tuple, tuple[dict, date]] = {}
    abouts: dict[tuple, tuple[dict, date]] = {}  # the about rows of the entries opened
    about_of: dict[tuple, dict[tuple, dict]] = {}  # an entry -> its about rows
    days = change_days(members)
    if before is not None:
        yield from before.ended
        for ident, kept in before.standing.items():
            if ident[0] == ABOUT:
                abouts[ident] = kept
            else:
                opened[ident] = kept
        days = [day for day in days if day >= before.day]
        about_of = _about_of(opened, abouts)
        for ident in abouts.keys() - {a for rows in about_of.values() for a in rows}:
            entry, since = abouts.pop(ident)  # of no entry standing: not as uspk keeps them
            yield _row(ident, entry, since, before.day)
    for day in days:
        current = dict(_shown_on(members, day, registry, ranks))
        gone: dict[tuple, dict] = {}  # the about rows of the entries closed, and opened
        came: dict[tuple, dict] = {}
        for ident in [i for i, (entry, _) in opened.items() if current.get(i) != entry]:
            entry, since = opened.pop(ident)
            yield _row(ident, entry, since, day)
            gone.update(about_of.pop(ident, {}))
        for ident, entry in current.items():
            if ident not in opened:
                opened[ident] = (entry, day)
                if _has_about(ident[0]):
                    came.update(about_of.setdefault(ident, about_rows(ident, entry)))
        for ident in gone.keys() | came.keys():
            if ident in gone and came.get(ident) == abouts[ident][0]:
                continue  # the entry changed, not what it is about
            if ident in gone:
                entry, since = abouts.pop(ident)
                yield _row(ident, entry, since, day)
            if ident in came:
                abouts[ident] = (came[ident], day)
    for ident, (entry, since) in (*opened.items(), *abouts.items()):
        yield _row(ident, entry, since, None)


def _has_about(section: str) -> bool:
    """Whether a section's entries have about rows: an actor is found by its id, and
    what a happening changed is no entry of the state."""
    return section not in ("actors", CHANGES, ABOUT)


def _about_of(opened: dict[tuple, Any], abouts: dict[tuple, Any]) -> dict[tuple, dict]:
    """The kept about rows of each kept entry, by the place they point at."""
    by_place = {_place_text(*ident[:3]): ident for ident in opened if _has_about(ident[0])}
    found: dict[tuple, dict] = {}
    for ident, (entry, _) in abouts.items():
        place = ident[2] or ident[1].removeprefix(NAMES)
        if place in by_place:
            found.setdefault(by_place[place], {})[ident] = entry
    return found


def _row(ident: tuple, entry: dict, since: date, until: date | None) -> tuple:
    section, key, sort_key, dated, version_key = ident
    return (
        section,
        key,
        since.isoformat(),
        until.isoformat() if until else None,
        sort_key,
        dated,
        version_key,
        _text(entry),
    )


def _text(entry: dict) -> str:
    """An entry as its row holds it."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _shown_on(
    members: list[Record], day: date, registry: dict, ranks: dict[str, str]
) -> Iterator[tuple[tuple, dict]]:
    """The unit's entries on ``day``, each with the keys that place it in the whole:
    ((section, key, sort key, dated, version key), entry); and each applied happening's
    ``changes`` row."""
    from projections.state import state_sections  # the fold: on the write path only

    begun = [r for r in members if r.document.occurred.start <= day]
    changed: dict[str, list] = {}
    sections = dict(state_sections(begun, day, None, registry, changed))
    broken = {
        e["event_id"]
        for e in sections["undetermined"]
        if e["reason"].startswith(DEPENDS_ON_UNDETERMINED)
    }
    applied = [r for r in begun if r.document.occurred.end <= day and r.id not in broken]
    joins, versions = _actor_keys_on(applied, ranks)
    measures = _measure_keys(applied, ranks)
    for section in SECTIONS:
        counts: dict[str, int] = {}
        for entry in sections[section]:
            dated = 0
            if section == "actors":
                key = entry["id"]
                sort_key, version_key = joins[key], versions.get(key, "")
            else:
                key = entry.get("id") or entry["event_id"]
                sort_key, version_key = _sort_key(section, entry, ranks, measures), ""
                if section == "undetermined":
                    suffix = f" contains {day.isoformat()}"
                    if sort_key[0] != "1" and entry["reason"].endswith(suffix):
                        entry = {**entry, "reason": entry["reason"][: -len(day.isoformat())]}
                        dated = 1
            if section == "measures":  # several views of one measure: their order within it
                n = counts[entry["measure"]] = counts.get(entry["measure"], -1) + 1
                sort_key = f"{sort_key}|{n:04d}"
            yield (section, key, sort_key, dated, version_key), entry
    for record in applied:
        if record.id in changed:  # applied: in the state on ``day``
            entry = _changes(record.document, changed[record.id], registry)
            yield (CHANGES, record.id, ranks[record.id], 0, ""), entry


def _about_rows(section: str, key: str, sort_key: str, keys: set[str]) -> Iterator[tuple]:
    """What a narrowed state finds an entry by: a row for each of its events'
    ``about_keys`` (the key as the row's entry key, the entry's place as its sort key:
    both in the covering index ``uspk_view_standing_key``), and one row by its place
    holding the actors its events name (the narrowed state's actors)."""
    place = _place_text(section, key, sort_key)
    for about in keys:
        yield (ABOUT, about, place, 0, ""), {}
    actors = sorted(k.removeprefix("actor:") for k in keys if k.startswith("actor:"))
    yield (ABOUT, NAMES + place, "", 0, ""), {"actors": actors}


NAMES = "names:"  # an about row's entry key: the actors an entry's events name


def _place_text(section: str, key: str, sort_key: str) -> str:
    """An entry's place among the standing rows as one text (ids and sort keys hold no
    space): what an about row points at."""
    return f"{section} {key} {sort_key}"


def _changes(document: Any, changes: list, registry: dict) -> dict[str, Any]:
    """A happening in the state and what it changed (``diff``'s words), with, for each
    actor it introduced to the unit, what a reader says instead when the actor joined
    the state first in another unit: nothing when it joins as the record first
    introduced it, else its update (``joins``: [index of the change, actor, update])."""
    from domain.world import joined  # the rules: on the write path only

    joins = []
    for n, change in enumerate(changes):
        if change.introduced is None:
            continue
        first = registry[change.introduced]
        brought = next((a for a in document.introduces if a.id == change.introduced), first)
        update = None if brought == first else joined(brought, first).text
        joins.append([n, change.introduced, update])
    return {
        "event_id": document.id,
        "kind": document.kind,
        "occurred": date_view(document.occurred),
        "source": source_view(document.sources[0]),
        "changes": [[c.category, c.text] for c in changes],
        "joins": joins,
    }


def rank_text(document: Any) -> str:
    """A happening's place in the replay as text (its start, kind's rank and id): the
    sort keys of its entries, compared as strings in the replay's order."""
    start, rank, event_id = replay_key(document)
    return f"{start.isoformat()}|{rank:04d}|{event_id}"


def _sort_key(section: str, entry: dict, ranks: dict, measures: dict) -> str:
    """Where the whole fold puts the entry: its section lists entries in the replay
    order of the event that made them."""
    if section in ("next_steps", "financing"):
        return ranks[entry["history"][0]["event_id"]]
    if section == "measures":
        return measures[entry["measure"]]
    if section == "undetermined":
        reason = entry["reason"]
        if reason.startswith(DEPENDS_ON_UNDETERMINED):
            return f"1|{ranks[entry['event_id']]}"
        if reason.startswith(EFFECTIVE_DATE_CONTAINS):
            return f"2|{measures['@' + entry['event_id']]}"
        return f"0|{ranks[entry['event_id']]}"
    return ranks[entry["event_id"]]


def _measure_keys(applied: list[Record], ranks: dict) -> dict[str, str]:
    """A measure -> the rank of its first applied action (the whole fold's order of
    measures); '@' + an action's event -> its measure's rank and its place among them."""
    keys: dict[str, str] = {}
    seen: dict[str, int] = {}
    for record in applied:
        measure = getattr(record.document, "measure", None)
        if record.document.kind != "government-action" or measure is None:
            continue
        keys.setdefault(measure, ranks[record.id])
        n = seen[measure] = seen.get(measure, -1) + 1
        keys["@" + record.id] = f"{keys[measure]}|{n:04d}"
    return keys


def _actor_keys_on(applied: list[Record], ranks: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Each actor of the unit's state: the rank of the first applied record involving it
    (and its place among those that record brings), and of the latest applied record
    introducing it."""
    joins: dict[str, str] = {}
    versions: dict[str, str] = {}
    for record in applied:
        document = record.document
        joining = list(dict.fromkeys([*(a.id for a in document.introduces), *document.mentions()]))
        for n, actor in enumerate(joining):
            joins.setdefault(actor, f"{ranks[record.id]}|{n:04d}")
        for actor in document.introduces:
            versions[actor.id] = ranks[record.id]
    return joins, versions


def change_days(records: Sequence[Record]) -> list[date]:
    """The days on which the unit's state may differ from the day before: each date's
    start and end (the rules compare them with ``<=``, ``>`` and the undetermined span
    with ``start <= D < end``), and the day after a step's target (overdue once the
    target is wholly past: ``target.end < D``). Sources' dates are never compared."""
    days: set[date] = set()  # before the first start nothing has begun: no entry
    for record in records:
        for name, value in _dates(record.document):
            days.add(value.start)
            days.add(value.end)
            if name == "target" and value.end < date.max:
                days.add(value.end + timedelta(days=1))
    return sorted(days)


def _dates(value: Any, name: str = "") -> Iterator[tuple[str, FuzzyDate]]:
    """Every date inside a document, however deep, with the name of its field."""
    from pydantic import BaseModel  # documents are models: on the write path only

    if isinstance(value, FuzzyDate):
        yield name, value
    elif isinstance(value, BaseModel):
        for field, inner in value:
            if field != "sources":
                yield from _dates(inner, field)
    elif isinstance(value, dict):
        for field, inner in value.items():
            yield from _dates(inner, field)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _dates(item, name)
