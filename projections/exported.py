"""What the database export (``uspk export --format sqlite``) reads of the index besides
what every export reads: every record with whether it is believed now, the records that
introduce actors, and every kept standing row, hidden ones too. The records and the rows
are read a page at a time, each in one read transaction: memory follows a page, not the
history (the index's own pages, ``queries._ROWS`` rows each)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.chronicle import Record
from projections import bitemporal, kept, queries
from projections.tables import END_OF_TIME, REPLAY_ORDER


def record_pages(index: queries.IndexReader) -> Iterator[tuple[list[Record], set[str]]]:
    """Every record (retractions, superseded and retracted ones too) in recorded order,
    a page at a time, each page with the ids of its records believed now."""
    with index.transaction() as sql:
        for page in index._record_pages([], [], sql=sql):
            yield page, _believed_now(sql, [record.id for record in page])


def _believed_now(sql: Any, ids: list[str]) -> set[str]:
    """Those of ``ids`` believed now, by the index's own test of belief."""
    found: set[str] = set()
    for chunk in bitemporal.chunks(ids):
        where, params = queries.IndexReader._believed_at(END_OF_TIME)
        where.append(f"e.event_id IN ({', '.join('?' for _ in chunk)})")
        rows = sql.all(
            f"SELECT e.event_id FROM uspk_view_events e WHERE {' AND '.join(where)}",
            [*params, *chunk],
        )
        found.update(row[0] for row in rows)
    return found


def introducing(index: queries.IndexReader) -> tuple[Iterator[Record], Iterator[Record]]:
    """The records that introduce actors: every one in recorded order, and those
    believed now in replay order (who introduced each actor, as the export names it),
    each read a page at a time as it is gone through."""
    believed, params = index._believed_where(None)
    introduces = "e.introduces = 1"
    return (
        _records(index, [introduces], [], ("e.position",)),
        _records(index, [*believed, introduces], params, REPLAY_ORDER),
    )


def _records(
    index: queries.IndexReader, where: list[str], params: list[Any], order: tuple[str, ...]
) -> Iterator[Record]:
    for page in index._record_pages(where, params, order):
        yield from page


def standing_rows(index: queries.IndexReader) -> Iterator[tuple]:
    """Every kept standing row, hidden ones too (``kept.ALL_ROWS``: its columns and its
    order), its entry in clear, read a page at a time in one read transaction."""
    unseal = index.text.unseal
    with index.transaction() as sql:
        for rows in index.index.row_pages(sql, kept.ALL_ROWS, queries._ROWS):
            for row in rows:
                yield (*row[:-1], unseal(row[-1]))
