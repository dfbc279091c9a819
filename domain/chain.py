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
