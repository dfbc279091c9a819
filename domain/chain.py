"""The hash chain that makes the log tamper-evident (as git and RFC 6962 logs do).

Each recorded change stores ``link(previous, ...)``: the sha256 of a canonical
serialisation of the previous change's link, the document as stored, who recorded it,
why, and when. Changing any of these in one stored event, or removing or reordering
events, breaks every link from there on, and the last link (the head) stands for the
whole record up to it: two stores, or a store and an export, with the same count and head
hold the same history. A change stored before the chain existed carries no link: its
link is computed from its content, so it is covered by every stored link after it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = ""  # the "previous link" of the first change


def link(
    previous: str | None,
    document: dict[str, Any],
    recorder: str | None,
    message: str | None,
    recorded: datetime,
) -> str:
    """The chain's link for one recorded change, as 64 hex digits."""
    content = {
        "previous": previous or GENESIS,
        "document": document,
        "recorder": recorder,
        "message": message,
        "recorded": recorded.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class BrokenLink(Exception):
    """A recorded change whose stored link does not verify; the message says how."""


def follow(
    previous: str | None,
    stored: str | None,
    chained_before: bool,
    document: dict[str, Any],
    recorder: str | None,
    message: str | None,
    recorded: datetime,
) -> str:
    """The link of the change after ``previous``, checked against the ``stored`` one: the
    one rule that `uspk verify`, catch-up and rebuild apply (BrokenLink if it fails). A
    change with no stored link is accepted only before any change that has one
    (``chained_before``): those were stored before the chain existed."""
    computed = link(previous, document, recorder, message, recorded)
    if stored is None and chained_before:
        raise BrokenLink(
            "carries no link although changes before it do: its link was removed, or an "
            "older uspk recorded it"
        )
    if stored is not None and stored != computed:
        raise BrokenLink(
            "is not what was chained: its stored content, or the order or presence of "
            "the changes before it, changed since it was recorded"
        )
    return computed
