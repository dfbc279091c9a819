"""Checking the hash chain (domain.chain) against the stored events, read as they are.

The stored events are read in the log's order, each decoded through the application's
mapper only (not validated: an event this code cannot interpret still has a link), and
each recorded change's link is computed again from the link before it. The first event
whose stored link differs, whose version leaves a gap, or whose bytes no longer decode
is named: its stored content, or the order or presence of the changes before it, is not
what was chained. Nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Mapper

from domain.chain import BrokenLink, follow
from projections.decoding import decoded_under_any_settings
from projections.entries import RECORDED
from projections.notifications import notifications


@dataclass
class ChainCheck:
    count: int = 0  # recorded changes read, up to the break if any
    head: str | None = None  # the link of the last of them
    unchained: int = 0  # changes stored before the chain existed (no stored link)
    broken: str | None = None  # the first break, as one line
    at: int | None = None  # the count asked about (``head_at``)
    head_at: str | None = None  # the link of change number ``at``, if the log reached it

    def summary(self) -> str:
        if not self.count:
            return "chain: no recorded changes yet"
        before = (
            f"; the first {self.unchained} were stored before the chain existed (covered by "
            "the links after them)"
            if self.unchained
            else ""
        )
        return f"chain: {self.count} recorded changes, head sha256:{self.head}{before}"


def check_chain(mapper: Mapper, recorder: Any, at: int | None = None) -> ChainCheck:
    """The chain recomputed over the whole log; stops at the first break."""
    check = ChainCheck(at=at)
    version = 0
    for notification in notifications(recorder):
        version += 1
        place = (
            f"notification {notification.id}, chronicle version {notification.originator_version}"
        )
        event = None
        if notification.topic == RECORDED:
            try:
                event = decoded_under_any_settings(mapper, notification)
                document = event.document
                place = f"event {document['id']!r} ({place})"
            except Exception:  # noqa: BLE001 - whatever stops it decoding, it is named
                check.broken = (
                    f"the stored event at {place} cannot be decoded: its stored bytes were "
                    "changed (or written with other settings)"
                )
                return check
        else:
            place = f"the stored event at {place}"
        if notification.originator_version != version:
            check.broken = (
                f"{place} follows chronicle version {version - 1}: a stored event was "
                "removed or moved here"
            )
            return check
        if event is None:
            continue
        where = f"{place}, recorded change {check.count + 1},"
        chained_before = check.count > check.unchained
        try:
            expected = follow(
                check.head,
                event.chain,
                chained_before,
                document,
                event.recorder,
                event.message,
                event.timestamp,
            )
        except BrokenLink as error:
            check.broken = f"{where} {error}"
            return check
        check.unchained += event.chain is None
        check.count += 1
        check.head = expected
        if check.count == at:
            check.head_at = expected
    return check


# -- the head an export carries -----------------------------------------------------------

_MARK = re.compile(r"uspk record: (\d+) recorded changes?, chain head sha256:([0-9a-f]{64})")


def head_view(count: int, head: str | None) -> dict[str, Any]:
    """The chain head as an export carries it: the count, the head, and the one line
    (``mark``) that every format shows and ``uspk verify --against`` finds."""
    mark = f"uspk record: {count} recorded changes, chain head sha256:{head}" if head else None
    return {"count": count, "head": f"sha256:{head}" if head else None, "mark": mark}


def marks_in(text: str) -> set[tuple[int, str]]:
    """Every (count, head) that a published export's text carries."""
    return {(int(count), head) for count, head in _MARK.findall(text)}
