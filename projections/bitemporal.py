"""What every bitemporal row of the index shares: valid in the world from a day
(inclusive) to a day (exclusive; NULL: still standing), and in the store from the moment
it was recorded to the moment it was hidden (exclusive; NULL: still believed)."""

from __future__ import annotations

from collections.abc import Iterator

# The test that a row stands at (day, moment): its parameters are ``standing(day,
# moment)``. Its column names are bare: in a subquery they name the subquery's table.
STANDING = (
    "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
    " AND recorded_from <= ? AND (hidden_at IS NULL OR hidden_at > ?)"
)


def standing(day: str, at: str) -> tuple[str, ...]:
    """The parameters of one test of standing at (day, moment): the day asked and the
    moment known at, as ``STANDING`` takes them."""
    return (day, day, at, at)


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size``: as many ``?`` marks as one query takes."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
