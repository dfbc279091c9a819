"""How one event relates to another, declared once: each relation's name (what a file
writes in ``relates``), how it reads from the event that names it ("contradicts X") and
from the event it names ("contradicted by Y"), and what it does to the standing of a
claim it points at (``projections.claims``).

Every view reads both directions from here: text, HTML, Markdown, JSON, TimelineJS, Atom,
the SQLite export and PLOVER. A relation added here is accepted in files, offered by
``uspk schema`` and shown both ways everywhere, with nothing else to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a relation says about the claim of the event it points at (None: nothing).
Bearing = Literal["confirms", "denies", "disputes", "withdraws"]


@dataclass(frozen=True)
class RelationKind:
    name: str  # as a file writes it
    forward: str  # as the event that names it reads: "contradicts X"
    backward: str  # as the event it names reads: "contradicted by Y"
    bearing: Bearing | None = None  # on the standing of the target's claim
    meaning: str = ""  # for ``uspk schema`` and the README


RELATIONS: dict[str, RelationKind] = {
    r.name: r
    for r in (
        RelationKind("fulfils", "fulfils", "fulfilled by", None, "carries out a plan or step"),
        RelationKind("realises", "realises", "realised by", None, "makes an announced deal real"),
        RelationKind("follows-up", "follows up", "followed up by", None, "continues it"),
        RelationKind("contradicts", "contradicts", "contradicted by", "disputes", "says otherwise"),
        RelationKind("confirms", "confirms", "confirmed by", "confirms", "says its claim is so"),
        RelationKind("denies", "denies", "denied by", "denies", "says its claim is not so"),
        RelationKind("disputes", "disputes", "disputed by", "disputes", "questions its claim"),
        RelationKind(
            "withdraws",
            "withdraws",
            "withdrawn by",
            "withdraws",
            "its claimant takes the claim back (or a proposal is dropped)",
        ),
        RelationKind("takes-up", "takes up", "taken up by", "confirms", "acts on a proposal"),
    )
}

# The names a file may write, for the model (pydantic reads a Literal of them).
RelationName = Literal[tuple(RELATIONS)]  # type: ignore[valid-type]


def forward(relation: str) -> str:
    """'contradicts': how the relation reads from the event that names it."""
    return RELATIONS[relation].forward


def backward(relation: str) -> str:
    """'contradicted by': how the relation reads from the event it names."""
    return RELATIONS[relation].backward


def bearing(relation: str) -> Bearing | None:
    return RELATIONS[relation].bearing
