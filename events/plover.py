"""How a kind of happening is coded in PLOVER, the event ontology of the event-data
community (POLECAT uses it): an event category, its mode, contexts, and which of the
kind's fields name the actors and the recipients.

Each kind declares its code once, beside its model (``Happening.plover``); declaring a kind
without one is refused. The categories, modes and contexts below are the PLOVER codebook's
(openeventdata/PLOVER, PLOVER_MANUAL.tex, draft 2.0), so a code outside them is refused too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Category -> its quad category (the codebook's "Quad category" of each): 1 verbal
# cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
QUADS = {
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 1,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "REQUEST": 3,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "PROTEST": 4,
    "SANCTION": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}
MODES = {  # the "Supplementary fields" of each category, and its rows in the scores table
    "CONSULT": {"visit", "third-party", "multilateral", "phone"},
    "RETREAT": {"withdraw", "release", "disarm", "ceasefire", "access", "resign"},
    "REQUEST": {"assist", "change", "yield", "meet"},
    "ACCUSE": {"disapprove", "investigate", "allege"},
    "REJECT": {"assist", "change", "yield", "meet"},
    "THREATEN": {"restrict", "arrest", "relations", "expel", "territory", "violence"},
    "PROTEST": {"demo", "riot", "strike", "hunger", "boycott", "obstruct"},
    "SANCTION": {"convict", "expel", "withdraw", "discontinue"},
    "MOBILIZE": {"troops", "weapons", "police", "militia"},
    "COERCE": {
        *("seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport"),
        *("withhold", "misinformation", "cyber"),
    },
    "ASSAULT": {
        *("abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive"),
        *("firearms", "explosives", "suicide-attack", "aerial", "drone", "heavy-weapons"),
        *("crowd-control", "unconventional"),
    },
}
CONTEXTS = {  # the codebook's general contexts, usable with any category
    *("military", "intelligence", "executive", "legislative", "election"),
    *("political_institutions", "pro_democracy", "pro_autocracy", "economic", "legal"),
    *("reparations", "human_rights", "rights_freedoms", "repression", "human_security"),
    *("gender", "lgbt", "religion_ethnicity", "inequality", "diplomatic", "territory"),
    *("peacekeeping", "health", "asylum", "migration", "disasters", "natural_resource"),
    *("environment", "technology", "terrorism", "cbrn", "cyber", "misinformation"),
    *("crime", "corruption", "illegal_drugs", "trafficking"),
}


@dataclass(frozen=True)
class Code:
    """One PLOVER coding: category, mode (None, or one of the category's) and contexts."""

    event: str
    mode: str | None = None
    context: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.event not in QUADS:
            raise TypeError(f"{self.event!r} is not a PLOVER event category")
        if self.mode is not None and self.mode not in MODES.get(self.event, ()):
            raise TypeError(f"{self.mode!r} is not a mode of PLOVER {self.event}")
        unknown = set(self.context) - CONTEXTS
        if unknown:
            raise TypeError(f"unknown PLOVER context: {', '.join(sorted(unknown))}")

    @property
    def quad(self) -> int:
        return QUADS[self.event]


@dataclass(frozen=True)
class Plover:
    """A kind's PLOVER code. ``actors``/``recipients`` name the kind's fields that hold
    them (empty ``actors``: every actor the event names). Where the category depends on
    one field's value (a financing's stage), ``by`` names that field and ``cases`` gives
    the code per value; ``code`` is the code of every other value."""

    code: Code
    actors: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    by: str | None = None
    cases: Mapping[str, Code] = field(default_factory=dict)
    why: str = ""  # the codebook's words that justify the code, shown in the README
    # Where what the event does to another decides its code (a statement that denies a
    # claim is not one that supports it): the code per relation it names
    # (``events.relations``); the first relation of ``relates`` found here decides.
    relations: Mapping[str, Code] = field(default_factory=dict)

    def code_for(self, values: Mapping[str, Any]) -> Code:
        """The code of an event of this kind with these field values (its ``relates``
        among them, as stored: a list of ``{"to", "relation"}``)."""
        for relation in values.get("relates") or ():
            name = relation["relation"] if isinstance(relation, Mapping) else relation.relation
            if name in self.relations:
                return self.relations[name]
        if self.by is not None:
            return self.cases.get(values.get(self.by), self.code)
        return self.code
