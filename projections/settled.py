"""The actors of the state kept once each: their rows across units, settled on append.

An actor has a standing row in every unit whose records involve it (projections/kept.py),
each placed where it joined that unit and showing the version of its latest applied
introduction there. The state lists an actor once: placed where it first joined any unit
(the least join rank) and showing its latest version in any (the greatest version key).
Settling that when the state is read meant every actor row standing at the date (60% of
all kept rows: one actor may be in hundreds of units). Here it is settled when written:
each time the rows of some actors change, their open rows across units are folded into
one bitemporal row per actor and span of days over which the answer is the same
(``settle``), and those replace the actor's open settled rows at that moment.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from projections.bitemporal import STANDING, chunks

TABLE = "uspk_view_actors"
SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        entry_key TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        recorded_from TEXT NOT NULL,
        hidden_at TEXT,
        sort_key TEXT NOT NULL,
        version_key TEXT NOT NULL,
        entry TEXT NOT NULL)""",
    # The actors standing at a date, by where they joined, without reading a row.
    f"""CREATE INDEX IF NOT EXISTS {TABLE}_at ON {TABLE}
        (valid_from, valid_to, recorded_from, hidden_at, sort_key, entry_key)""",
    f"""CREATE INDEX IF NOT EXISTS {TABLE}_key ON {TABLE} (entry_key, hidden_at)""",
]
TABLES = (TABLE,)

# A settled row as compared: (actor, valid from, valid to, join rank, version key, entry).
_COLUMNS = "entry_key, valid_from, valid_to, sort_key, version_key, entry"
OPEN_ROWS = f"SELECT {_COLUMNS} FROM {TABLE} WHERE hidden_at IS NULL"


def settle(rows: Iterable[tuple]) -> Iterator[tuple]:
    """The settled rows of some actors' unit rows (actor, valid from, valid to, join
    rank, version key, entry), all open at one moment: for each span of days over which
    the rows standing are the same, the least join rank and the entry of the greatest
    version key (equal keys: the greatest entry, so the choice does not depend on the
    order rows are read in); spans giving the same answer are one row."""
    by_actor: dict[str, list[tuple]] = {}
    for row in rows:
        by_actor.setdefault(row[0], []).append(row)
    for actor in sorted(by_actor):
        yield from _spans(actor, by_actor[actor])


def settled_at(rows: Iterable[tuple]) -> Iterator[tuple]:
    """The actors' unit rows standing at one (day, moment), each (actor, join rank,
    version key, entry), settled: one per actor, as ``settle`` settles them."""
    for actor, _, _, sort_key, version_key, entry in settle(
        (actor, "", None, sort_key, version_key, entry)
        for actor, sort_key, version_key, entry in rows
    ):
        yield actor, sort_key, version_key, entry


def _spans(actor: str, rows: list[tuple]) -> Iterator[tuple]:
    days = sorted({r[1] for r in rows} | {r[2] for r in rows if r[2] is not None})
    starting = sorted(rows, key=lambda r: r[1])
    joins: list[tuple] = []  # (join rank, n, valid to) heaps, ended rows dropped lazily
    versions: list[tuple] = []  # (inverted version key and entry, n, valid to)
    opened: tuple | None = None  # (valid from, join rank, version key, entry)
    n = 0
    for day in days:
        while n < len(starting) and starting[n][1] <= day:
            _, _, until, sort_key, version_key, entry = starting[n]
            heapq.heappush(joins, (sort_key, n, until))
            heapq.heappush(versions, (_Inverted((version_key, entry)), n, until))
            n += 1
        for heap in (joins, versions):
            while heap and heap[0][2] is not None and heap[0][2] <= day:
                heapq.heappop(heap)
        now = None
        if joins:
            version_key, entry = versions[0][0].value
            now = (joins[0][0], version_key, entry)
        if opened is not None and (now is None or now != opened[1:]):
            yield (actor, opened[0], day, *opened[1:])
            opened = None
        if now is not None and opened is None:
            opened = (day, *now)
    if opened is not None:
        yield (actor, opened[0], None, *opened[1:])


class _Inverted:
    """A value that orders the other way round (a max-heap from heapq's min-heap)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Inverted) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Inverted) and other.value == self.value


def resettle(sql: Any, actors: set[str], at: str, seal) -> None:
    """Settle ``actors`` again from their open unit rows, at moment ``at``, in the
    writing transaction ``sql``: their settled rows that no longer hold are closed (or
    deleted, if opened at this same moment) and the new ones opened."""
    for chunk in chunks(sorted(actors)):
        marks = ", ".join("?" for _ in chunk)
        unit_rows = sql.all(
            f"SELECT {_COLUMNS} FROM uspk_view_standing WHERE section = 'actors'"
            f" AND hidden_at IS NULL AND entry_key IN ({marks})",
            chunk,
        )
        wanted = set(settle((*row[:-1], seal.unseal(row[-1])) for row in unit_rows))
        held = sql.all(
            f"SELECT {_COLUMNS}, recorded_from FROM {TABLE}"
            f" WHERE hidden_at IS NULL AND entry_key IN ({marks})",
            chunk,
        )
        kept = set()
        for row in held:
            clear = (*row[:5], seal.unseal(row[5]))
            if clear in wanted:
                kept.add(clear)
                continue
            # An actor's open settled rows never overlap: its valid-from names one.
            where = "entry_key = ? AND valid_from = ? AND hidden_at IS NULL"
            if row[-1] == at:
                sql.execute(f"DELETE FROM {TABLE} WHERE {where}", row[:2])
            else:
                sql.execute(f"UPDATE {TABLE} SET hidden_at = ? WHERE {where}", (at, *row[:2]))
        for actor, since, until, sort_key, version_key, entry in wanted - kept:
            sql.execute(
                f"INSERT INTO {TABLE} (entry_key, valid_from, valid_to, sort_key, version_key,"
                " entry, recorded_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (actor, since, until, sort_key, version_key, seal.seal(entry), at),
            )


# -- reading: the actors standing at (day, moment), ``bitemporal.standing``'s parameters --

# As the state's rows are read (``kept_reading.read_state``'s columns; an actor is never dated).
STANDING_AT = (
    f"SELECT 'actors', entry_key, sort_key, 0, version_key, entry FROM {TABLE} WHERE {STANDING}"
)
COUNT = f"SELECT COUNT(*) FROM {TABLE} WHERE {STANDING}"
# The ``latest`` who joined last, chosen from the covering index by row id, then read.
LATEST = (
    f"SELECT 'actors', entry_key, sort_key, 0, version_key, entry FROM {TABLE}"
    f" WHERE {{row_id}} IN (SELECT {{row_id}} FROM {TABLE} WHERE {STANDING}"
    " ORDER BY sort_key DESC, entry_key DESC LIMIT ?)"
)
# Some actors, by id ({marks}: one ``?`` each).
NAMED = f"{STANDING_AT} AND entry_key IN ({{marks}})"
# Where some actors first joined the state ({marks}: one ``?`` each).
FIRST_JOINS = (
    f"SELECT entry_key, sort_key FROM {TABLE} WHERE {STANDING} AND entry_key IN ({{marks}})"
)
