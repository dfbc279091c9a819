"""What every bitemporal row of the index shares: valid in the world from a day
(inclusive) to a day (exclusive; NULL: still standing), and in the store from the moment
it was recorded to the moment it was hidden (exclusive; NULL: still believed)."""

from __future__ import annotations

from collections.abc import Iterator


def standing_of(table: str = "") -> str:
    """The test that a row (of the table named ``table`` in the query, if given) stands
    at (day, moment): its parameters are ``standing(day, moment)``."""
    at = f"{table}." if table else ""
    return (
        f"{at}valid_from <= ? AND ({at}valid_to IS NULL OR {at}valid_to > ?)"
        f" AND {at}recorded_from <= ? AND ({at}hidden_at IS NULL OR {at}hidden_at > ?)"
    )


STANDING = standing_of()


def standing(day: str, at: str) -> tuple[str, ...]:
    """The parameters of one test of standing at (day, moment): the day asked and the
    moment known at, as ``STANDING`` takes them."""
    return (day, day, at, at)


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size``: as many ``?`` marks as one query takes."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
