"""The record as a SQLite database ready for Datasette, and the metadata Datasette reads.

Every table and column is declared once, in ``TABLES``: the same declaration creates the
table and describes it in the metadata. Full-text search is SQLite FTS5 in the form
Datasette detects (``<table>_fts`` with ``content="<table>"``). The canned queries answer
"what stood on a date" from the ``standing`` rows, a copy of the index's kept standing
rows (``projections.standing``), settled in SQL as ``uspk state`` settles them.

Text is stored exactly as recorded; Datasette escapes what it shows.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from cli.exporters import TITLE

# table -> (description, [(column, SQL type and constraints, description)])
TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "events": (
        "Every happening ever recorded, with both clocks: when it occurred (at the "
        "precision its sources give) and when the store recorded it. Retracted and "
        "superseded ones stay, with believed = 0.",
        [
            ("id", "TEXT PRIMARY KEY", "The event's id"),
            ("kind", "TEXT NOT NULL", "Its kind (meeting, agreement_signed, ...)"),
            ("title", "TEXT NOT NULL", "One-line title"),
            ("summary", "TEXT", "What happened, in a sentence or two"),
            ("occurred", "TEXT NOT NULL", "When it occurred, as EDTF (2025-09-08, 2025-06)"),
            ("occurred_precision", "TEXT NOT NULL", "day, month or year"),
            ("occurred_start", "TEXT NOT NULL", "First day of the occurred interval"),
            ("occurred_end", "TEXT NOT NULL", "Last day of the occurred interval"),
            ("occurred_display", "TEXT NOT NULL", "The date as a person writes it"),
            ("recorded_at", "TEXT NOT NULL", "When the store recorded it (UTC)"),
            ("believed", "INTEGER NOT NULL", "1 if believed now (not retracted or superseded)"),
            ("supersedes", "TEXT", "The event this one amends, if any"),
            ("note", "TEXT", "The curator's note"),
            ("quotes", "TEXT", "The quotations it carries (its own and its sources'), one a line"),
            ("details", "TEXT NOT NULL", "The kind's own fields, as JSON"),
        ],
    ),
    "sources": (
        "The sources cited for each event, one row each.",
        [
            ("id", "INTEGER PRIMARY KEY", "Row number"),
            ("event_id", "TEXT NOT NULL REFERENCES events(id)", "The event it is cited for"),
            ("position", "INTEGER NOT NULL", "Its place among the event's sources"),
            ("publisher", "TEXT NOT NULL", "Publisher"),
            (
                "title",
                "TEXT",
                "Title of the report (none when its publisher, date and url identify it)",
            ),
            ("published", "TEXT", "Publication date, as EDTF"),
            ("published_precision", "TEXT", "day, month or year"),
            ("url", "TEXT", "Where to read it"),
            ("quote", "TEXT", "The passage quoted from it"),
        ],
    ),
    "captures": (
        "The kept captures of cited pages (uspk archive), one row each: join sources on url. "
        "Each is a WARC file named by its sha256; uspk verify --sources checks the record "
        "against them. Empty when none was kept.",
        [
            ("url", "TEXT NOT NULL", "The page's address, as the sources cite it"),
            ("sha256", "TEXT PRIMARY KEY", "The sha256 of the capture's WARC file, its name"),
            ("captured_at", "TEXT NOT NULL", "When the page was received (UTC)"),
            ("file", "TEXT NOT NULL", "The WARC file's name: <sha256>.warc.gz"),
        ],
    ),
    "actors": (
        "The people, governments and organisations the record names.",
        [
            ("id", "TEXT PRIMARY KEY", "The actor's id, as events name it"),
            ("name", "TEXT NOT NULL", "Name"),
            ("type", "TEXT", "person, state, organisation, ..."),
            ("country", "TEXT", "Country"),
            ("role", "TEXT", "Role or office"),
            ("introduced_by", "TEXT REFERENCES events(id)", "The event that introduced it"),
        ],
    ),
    "mentions": (
        "Which actors each event names (participants, parties, speakers, ...).",
        [
            ("event_id", "TEXT NOT NULL REFERENCES events(id)", "The event"),
            ("actor_id", "TEXT NOT NULL REFERENCES actors(id)", "An actor it names"),
        ],
    ),
    "relations": (
        "Links between events, as they read both ways: one follows up, fulfils, contradicts "
        "or denies another.",
        [
            ("from_event", "TEXT NOT NULL REFERENCES events(id)", "The event that names the link"),
            ("relation", "TEXT NOT NULL", "How it relates"),
            ("to_event", "TEXT NOT NULL REFERENCES events(id)", "The event it relates to"),
            ("note", "TEXT", "A note on the link"),
            ("reads", "TEXT NOT NULL", "How the link reads from from_event: contradicts"),
            ("reads_back", "TEXT NOT NULL", "How it reads from to_event: contradicted by"),
        ],
    ),
    "corrections": (
        "Amendments and retractions: what was corrected, when and why.",
        [
            ("id", "TEXT PRIMARY KEY", "The correcting record's id"),
            ("type", "TEXT NOT NULL", "amended or retracted"),
            ("target", "TEXT NOT NULL REFERENCES events(id)", "The event corrected"),
            ("replacement", "TEXT REFERENCES events(id)", "The amended version, if any"),
            ("recorded_at", "TEXT NOT NULL", "When the correction was recorded (UTC)"),
            ("reason", "TEXT", "Why"),
        ],
    ),
    "moments": (
        "Every moment at which the store recorded something: the moments at which what "
        "was believed changed (use one as :known_at).",
        [("recorded_at", "TEXT PRIMARY KEY", "A recorded moment (UTC)")],
    ),
    "standing": (
        "What stood when: the index's kept standing rows, copied. Each is one entry of "
        "`uspk state` (an agreement, a step, an engagement, an undetermined event, ...) as "
        "one unit of related events shows it, with the days it stood (valid_from inclusive, "
        "valid_until exclusive, empty: still standing) and the moments it was believed "
        "(recorded_from inclusive, recorded_until exclusive, empty: believed now). An actor "
        "has a row in every unit that names it: at a day and a moment, it is placed by its "
        "least sort_key and shown by its row of greatest version_key; a dated row's reason "
        "ends with the day asked. Settled so (the canned queries do it), the entries "
        "standing at a day and a moment are exactly `uspk state --at DAY --known-at MOMENT "
        "--format json`.",
        [
            ("id", "INTEGER PRIMARY KEY", "Row number"),
            ("section", "TEXT NOT NULL", "The state's section (agreements, next_steps, ...)"),
            ("entry_key", "TEXT NOT NULL", "The entry's id, or the event it shows"),
            ("unit", "TEXT NOT NULL", "The unit of related events showing it (its least id)"),
            ("sort_key", "TEXT NOT NULL", "Its place in the section (text order)"),
            ("version_key", "TEXT NOT NULL", "An actor: the row of the greatest is shown"),
            ("dated", "INTEGER NOT NULL", "1: the reason ends with the day asked, appended"),
            ("valid_from", "TEXT NOT NULL", "First day it stood"),
            ("valid_until", "TEXT", "The day it no longer stood as here (empty: still)"),
            ("recorded_from", "TEXT NOT NULL", "First moment it was believed (UTC)"),
            ("recorded_until", "TEXT", "The moment it no longer was (empty: believed now)"),
            ("kind", "TEXT", "The event's kind, where the entry shows one"),
            ("title", "TEXT", "Its title, description or name (else its event's title)"),
            ("status", "TEXT", "Status (signed, planned, held, in force, ...)"),
            ("agreement", "TEXT", "The agreement it belongs to"),
            ("event_id", "TEXT REFERENCES events(id)", "The event it shows"),
            ("entry", "TEXT NOT NULL", "The entry as JSON, as `uspk state` shows it (see dated)"),
        ],
    ),
    "sections": (
        "The sections of `uspk state`, in the order it shows them.",
        [
            ("name", "TEXT PRIMARY KEY", "A section of the state"),
            ("position", "INTEGER NOT NULL", "Its place in the state"),
        ],
    ),
    "standing_actors": (
        "Which actors each standing entry is about (the actors of the events it shows).",
        [
            ("standing_id", "INTEGER NOT NULL REFERENCES standing(id)", "The standing row"),
            ("actor_id", "TEXT NOT NULL REFERENCES actors(id)", "An actor"),
        ],
    ),
    "chain": (
        "The head of the record's hash chain when it was exported: `uspk verify --against "
        "FILE` checks this file against a store by it.",
        [
            ("count", "INTEGER NOT NULL", "How many recorded changes the chain holds"),
            ("head", "TEXT", "The chain's head, sha256 of the last link"),
            ("mark", "TEXT", "The one line every export carries and verify --against reads"),
        ],
    ),
}

# table -> the columns searched (FTS5, external content: the table itself)
SEARCHED = {"events": ("title", "summary", "quotes"), "sources": ("title", "publisher", "quote")}

_ON = "valid_from <= {at} and (valid_until is null or {at} < valid_until)"
_NOW = " and recorded_until is null"
_KNOWN = " and recorded_from <= {known} and (recorded_until is null or {known} < recorded_until)"
# A day as :known_at means the end of that day, as `uspk state --known-at DAY` does.
_KNOWN_AT = (
    "(case when length(:known_at) = 10 then :known_at || 'T23:59:59.999999' else :known_at end)"
)


def _settled(at: str, known: str) -> str:
    """The entries standing at day ``at`` under the recorded condition ``known``, settled
    as ``uspk state`` reads the kept rows (``projections.kept_reading.read_state``): an actor's
    rows (one per unit) become one, placed by the least sort_key and showing the row of
    the greatest version_key; a dated reason gets the day."""
    one = "case when section = 'actors' then entry_key else id end"
    return (
        "select section, title, status, kind, agreement, valid_from, valid_until,"
        " recorded_from, recorded_until, entry_key, event_id, place as sort_key,"
        f" case when dated then json_set(entry, '$.reason',"
        f" coalesce(json_extract(entry, '$.reason'), '') || {at}) else entry end as entry"
        f" from (select standing.*, min(sort_key) over (partition by section, {one}) as place,"
        f" row_number() over (partition by section, {one} order by version_key desc, id)"
        f" as shown from standing where {_ON.format(at=at)}{known}) where shown = 1"
    )


_IN_ORDER = " order by (select position from sections where name = section), sort_key"

QUERIES: dict[str, dict[str, Any]] = {
    "what_stood_on": {
        "title": "What stood on a date",
        "description": "The state on :at (YYYY-MM-DD) as believed now: the same entries as "
        "`uspk state --at DATE --format json`, by section.",
        "sql": _settled(":at", _NOW) + _IN_ORDER,
    },
    "what_stood_on_as_known": {
        "title": "What stood on a date, as known at a moment",
        "description": "The state on :at (YYYY-MM-DD) as believed at :known_at (a UTC moment "
        "as in the moments table, or a day, meaning its end): `uspk state --at DATE "
        "--known-at MOMENT`.",
        "sql": _settled(":at", _KNOWN.format(known=_KNOWN_AT)) + _IN_ORDER,
    },
    "what_changed": {
        "title": "What changed between two dates",
        "description": "Entries of the state (as believed now) added, removed or changed "
        "between :from and :to (YYYY-MM-DD). An undetermined entry's reason names the "
        "date, so it shows as changed.",
        "sql": f"with a as ({_settled(':from', _NOW)}), b as ({_settled(':to', _NOW)})"
        " select b.section, b.entry_key, case when a.entry is null then 'added' else "
        "'changed' end as change, a.entry as before, b.entry as after from b left join a "
        "on a.section = b.section and a.entry_key = b.entry_key where a.entry is null or "
        "a.entry <> b.entry union all select a.section, a.entry_key, 'removed', a.entry, "
        "null from a left join b on a.section = b.section and a.entry_key = b.entry_key "
        "where b.entry_key is null order by 1, 2",
    },
    "everything_about": {
        "title": "Everything about an actor",
        "description": "Every recorded event that names :actor (an actor id, or part of a "
        "name), with its dates, whether it is believed now, and its sources.",
        "sql": "select e.occurred, e.occurred_display, e.kind, e.title, e.summary, "
        "e.believed, e.id, e.recorded_at, a.name as actor, (select group_concat("
        "s.publisher || ': ' || coalesce(s.title, s.url), char(10)) from sources s "
        "where s.event_id = e.id) as sources from actors a join mentions m on "
        "m.actor_id = a.id join events e on "
        "e.id = m.event_id where a.id = :actor or a.name like '%' || :actor || '%' order "
        "by e.occurred_start, e.id",
    },
}


def metadata_path(database: str) -> str:
    """Where the metadata goes: beside the database, ``reset.db`` -> ``reset.metadata.json``."""
    return os.path.splitext(database)[0] + ".metadata.json"


def write_database(
    path: str,
    exported: Any,
    link: Callable[[list[dict[str, Any]]], None] = lambda events: None,
    captures: Callable[[], dict[str, list[dict[str, Any]]]] = dict,
) -> list[str]:
    """Write the database of a ``service.reading.ExportedDatabase`` into the new (empty)
    file at ``path``, its record and its standing rows as they are read. ``link`` is
    given each page of event views as it is read (their sources linked to captures), and
    ``captures`` (url -> the captures kept) asked after the last. What a standing row
    names (its event's title, the actors of the events it shows) is read back from the
    tables already written, not held. Returns the publishers cited, sorted."""
    connection = sqlite3.connect(path)
    try:
        # The file is a temporary one until it is whole (its caller renames it into
        # place): a rollback journal and syncs on each commit would only slow it.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        # Pages of the tables and indexes being filled, kept in memory (32 MiB, not the
        # default 2 MiB): the events' and standing rows' keys come in no table's order.
        connection.execute("PRAGMA cache_size = -32768")
        with connection:
            _create(connection)
            _fill(connection, exported, link, captures)
            for table, columns in SEARCHED.items():
                connection.execute(
                    f"INSERT INTO {table}_fts (rowid, {', '.join(columns)}) "
                    f"SELECT rowid, {', '.join(columns)} FROM {table}"
                )
        return [p for (p,) in connection.execute(_PUBLISHERS)]
    finally:
        connection.close()


_PUBLISHERS = "SELECT DISTINCT publisher FROM sources ORDER BY publisher"  # code point order


def _create(connection: sqlite3.Connection) -> None:
    """The tables and the search tables, without their indexes (``_index``)."""
    for table, (_, columns) in TABLES.items():
        body = ", ".join(f"{name} {declared}" for name, declared, _ in columns)
        connection.execute(f"CREATE TABLE {table} ({body})")
    for table, columns in SEARCHED.items():
        connection.execute(
            f'CREATE VIRTUAL TABLE {table}_fts USING fts5({", ".join(columns)}, content="{table}")'
        )


# (table, column) of each index, made once its table is filled: sorting the rows once
# is cheaper than keeping an index in order row by row.
INDEXES = (
    ("sources", "event_id"),
    ("mentions", "event_id"),
    ("mentions", "actor_id"),
    ("standing", "valid_from"),
    ("standing", "section"),
    ("standing_actors", "actor_id"),
    ("standing_actors", "standing_id"),
)


def _index(connection: sqlite3.Connection, *tables: str) -> None:
    """The indexes of ``tables`` (all: every one)."""
    for table, column in INDEXES:
        if not tables or table in tables:
            connection.execute(f"CREATE INDEX {table}_{column} ON {table} ({column})")


def _insert(connection: sqlite3.Connection, table: str, rows: Iterable[tuple]) -> None:
    marks = ", ".join("?" for _ in TABLES[table][1])
    connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _fill(connection: sqlite3.Connection, exported: Any, link, captures) -> None:  # noqa: ANN001
    for page in exported.pages:
        link(page.events)
        _insert_events(connection, page.events)
        connection.executemany(  # each moment once, whichever page first holds it
            "INSERT OR IGNORE INTO moments VALUES (?)", [(_moment(m),) for m in page.moments]
        )
    _index(connection, "sources", "mentions")  # mentions: read back for the standing rows
    _insert(
        connection,
        "actors",
        [
            (a["id"], a["name"], a.get("type"), a.get("country"), a.get("role"), a["introduced_by"])
            for a in exported.actors
        ],
    )
    _insert(
        connection,
        "captures",
        [
            (url, c["sha256"], c["captured_at"], c["file"])
            for url, kept in captures().items()
            for c in kept
        ],
    )
    _insert(
        connection,
        "corrections",
        [
            (
                c["id"],
                c["type"],
                c["target"]["id"],
                (c["replacement"] or {}).get("id"),
                _moment(c["recorded"]),
                c["reason"],
            )
            for c in exported.corrections
        ],
    )
    chain = exported.chain
    _insert(connection, "chain", [(chain["count"], chain["head"], chain["mark"])])
    _insert(connection, "sections", [(name, n) for n, name in enumerate(exported.sections)])
    written = _Written(connection)
    with closing(exported.standing(written.actors_of)) as rows:  # its read ends here
        _insert_standing(connection, rows, written.title_of)
    _index(connection, "standing", "standing_actors")


def _insert_events(connection: sqlite3.Connection, events: list[dict[str, Any]]) -> None:
    """A page of event views: their rows, their sources, mentions and relations."""
    _insert(connection, "events", [_event(e) for e in events])
    _insert(
        connection,
        "sources",
        [
            (
                None,
                e["id"],
                n,
                s["publisher"],
                s["title"],
                *_date(s["published"]),
                s["url"],
                s["quote"],
            )
            for e in events
            for n, s in enumerate(e["sources"])
        ],
    )
    _insert(connection, "mentions", [(e["id"], a) for e in events for a in e["actors"]])
    _insert(
        connection,
        "relations",
        [
            (e["id"], r["relation"], r["to"], r.get("note"), *_reads(r["relation"]))
            for e in events
            for r in e["relates"]
        ],
    )


def _insert_standing(
    connection: sqlite3.Connection, rows: Iterable[Any], title_of: Callable[[str | None], Any]
) -> None:
    """The standing rows (``projections.standing.Row``), numbered from 1 as they come,
    and the actors of each, a batch at a time."""
    numbered = enumerate(rows, start=1)
    while batch := list(islice(numbered, _BATCH)):
        _insert(connection, "standing", [_standing(n, row, title_of) for n, row in batch])
        _insert(connection, "standing_actors", [(n, a) for n, row in batch for a in row.actors])


_BATCH = 500  # standing rows inserted at a time (each with its parsed entry)


class _Written:
    """What a standing row names, read back from the tables written before it. A row's
    neighbours show the same events (its unit's other rows): the latest answers are
    kept, a bounded number."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.title_of = lru_cache(maxsize=_REMEMBERED)(self._title_of)
        self.actors_of = lru_cache(maxsize=_REMEMBERED)(self._actors_of)

    def _title_of(self, event_id: str | None) -> str | None:
        if event_id is None:
            return None
        row = self.connection.execute(
            "SELECT title FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        return row[0] if row else None

    def _actors_of(self, event_id: str) -> tuple[str, ...]:
        rows = self.connection.execute(
            "SELECT actor_id FROM mentions WHERE event_id = ?", (event_id,)
        )
        return tuple(actor for (actor,) in rows)


_REMEMBERED = 1 << 12  # answers kept of each


def _date(view: dict[str, Any] | None) -> tuple[str | None, str | None]:
    return (view["edtf"], view["precision"]) if view else (None, None)


def _event(event: dict[str, Any]) -> tuple:
    occurred = event["occurred"]
    details = event["details"]
    quotes = [details.get("quote")] + [s["quote"] for s in event["sources"]]
    return (
        event["id"],
        event["kind"],
        event["title"],
        event["summary"],
        occurred["edtf"],
        occurred["precision"],
        occurred["start"],
        occurred["end"],
        occurred["display"],
        _moment(event["recorded"]),
        int(event["believed"]),
        details.get("supersedes"),
        event["note"],
        "\n".join(q for q in quotes if isinstance(q, str) and q) or None,
        json.dumps(details, ensure_ascii=False),
    )


def _standing(number: int, row: Any, title_of: Callable[[str | None], str | None]) -> tuple:
    entry = row.data
    agreement = entry["id"] if row.section == "agreements" else entry.get("agreement")
    named = (entry[k] for k in ("title", "description", "name", "measure") if entry.get(k))
    title = next(named, None) or title_of(entry.get("event_id"))
    return (
        number,
        row.section,
        row.key,
        row.unit,
        row.sort_key,
        row.version_key,
        int(row.dated),
        row.valid_from,
        row.valid_until,
        row.recorded_from,
        row.recorded_until,
        entry.get("kind"),
        title,
        entry.get("status"),
        agreement if isinstance(agreement, str) else None,
        entry.get("event_id"),
        row.entry,
    )


def _moment(value: datetime | str) -> str:
    """A recorded moment as fixed-width UTC text without an offset, as the store's index
    writes it (so that text order is time order, and :known_at compares as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def metadata(
    publishers: Iterable[str], chain: dict[str, Any], database: str, version: str
) -> dict[str, Any]:
    """Datasette's metadata for the database file named ``database`` (its stem): the
    ``publishers`` it cites (sorted), and the chain head it was exported at."""
    return {
        "title": TITLE,
        "description": "An event-sourced, cited, bitemporal record of the 2025 US\u2013Pakistan "
        f"reset, exported by uspk {version}. Every event cites its sources; `standing` holds "
        "what stood on every date as believed at every recorded moment. " + (chain["mark"] or ""),
        "license": "MIT (the uspk project and its history; quotations remain their publishers')",
        "license_url": "https://opensource.org/licenses/MIT",
        "source": "Cited reports: " + "; ".join(publishers),
        "databases": {
            database: {
                "title": TITLE,
                "tables": {
                    table: {
                        "description": description,
                        "columns": {name: text for name, _, text in columns},
                        **({"fts_table": f"{table}_fts"} if table in SEARCHED else {}),
                    }
                    for table, (description, columns) in TABLES.items()
                },
                "queries": QUERIES,
            }
        },
    }


def _reads(relation: str) -> tuple[str, str]:
    """How a link reads from each end ("contradicts", "contradicted by")."""
    from events.relations import backward, forward

    return forward(relation), backward(relation)
