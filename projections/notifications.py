"""The one reader of an application's notification log: pages of notifications after a
position, up to an optional stop, of optional topics, ``PAGE`` at a time.

Catch-up, the chain check, verify and copy all read the log through it, so that how far
a page reaches (and what a page costs in memory) is decided in one place. Positions are
counted after the last notification read, not by adding the page's length: PostgreSQL's
notification ids may skip numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

PAGE = 2000  # notifications read at a time: a page is what a catch-up writes per transaction


def page(
    recorder: Any,
    after: int,
    topics: Sequence[str] = (),
    stop: int | None = None,
    limit: int | None = None,
) -> list[Any]:
    """The notifications after position ``after`` (up to ``stop`` inclusive, of
    ``topics`` when given), at most ``limit`` of them (``PAGE`` if None), in the log's
    order."""
    return list(recorder.select_notifications(after + 1, limit or PAGE, stop=stop, topics=topics))


def pages(
    recorder: Any,
    after: int = 0,
    topics: Sequence[str] = (),
    stop: int | None = None,
    limit: int | None = None,
) -> Iterator[list[Any]]:
    """Every page after position ``after``, each read when the one before is used."""
    while found := page(recorder, after, topics, stop, limit):
        yield found
        after = found[-1].id


def notifications(
    recorder: Any,
    after: int = 0,
    topics: Sequence[str] = (),
    stop: int | None = None,
    limit: int | None = None,
) -> Iterator[Any]:
    """Every notification after position ``after``, read a page at a time."""
    for found in pages(recorder, after, topics, stop, limit):
        yield from found
