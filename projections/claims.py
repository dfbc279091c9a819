"""A claim's standing: what an announcement, statement or proposal claims stands
reported, confirmed, denied, disputed or withdrawn on a date, as known at a moment.

It is a pure function of the believed events that relate to the claim and stand on the
date (``inbound``: their relations, ``projections.views.inbound_relations``; ``by_id``:
their records), so the state computes it like every other section and a kept row of the
state can store it as it is. What a relation does to a claim is declared with the
relation (``events.relations``, its ``bearing``).

The rule, the same whatever order the events came in:
- withdrawn, once the claim is withdrawn (or a proposal dropped);
- disputed, when some say it is so and others not (confirmed and denied), or when
  another event contradicts or disputes it;
- denied, when it is denied and nothing confirms it;
- confirmed, when it is confirmed and nothing denies or disputes it;
- reported, when nothing bears on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.relations import bearing
from projections.views import date_view

STANDINGS = ("reported", "confirmed", "denied", "disputed", "withdrawn")


# A source's stance, as the bearing it has on the claim it is cited for.
_STANCE_BEARING = {"confirms": "confirms", "denies": "denies", "disputes": "disputes"}


def claim_standing(
    inbound: list[dict[str, Any]],
    by_id: Mapping[str, Any],
    names: Mapping[str, str],
    claim: Any = None,
) -> dict[str, Any]:
    """``{"status": one of STANDINGS, "by": [...]}``: ``by`` lists every event bearing on
    the claim, earliest first: its id, relation, date, and who said it (``names``: actor
    id -> name); and, when ``claim`` (its document) is given, each of its own sources
    whose stance confirms, denies or disputes it (``relation`` None, ``source`` True)."""
    by: list[dict[str, Any]] = []
    bearings: set[str] = set()
    for source in getattr(claim, "sources", ()):
        effect = _STANCE_BEARING.get(source.stance or "reports")
        if effect is None:
            continue
        bearings.add(effect)
        by.append(
            {
                "event_id": claim.id,
                "relation": None,
                "source": True,
                "bearing": effect,
                "date": date_view(source.published),
                "who": source.publisher,
                "title": source.title,
            }
        )
    for relation in inbound:
        effect = bearing(relation["relation"])
        if effect is None:
            continue
        bearings.add(effect)
        document = by_id[relation["from"]].document
        by.append(
            {
                "event_id": document.id,
                "relation": relation["relation"],
                "bearing": effect,
                "date": date_view(document.occurred),
                "who": voice(document, names),
                "title": document.title,
            }
        )
    by.sort(key=lambda b: (b["date"]["start"], b["event_id"]))
    return {"status": _status(bearings), "by": by}


def _status(bearings: set[str]) -> str:
    if "withdraws" in bearings:
        return "withdrawn"
    if "disputes" in bearings or {"confirms", "denies"} <= bearings:
        return "disputed"
    if "denies" in bearings:
        return "denied"
    if "confirms" in bearings:
        return "confirmed"
    return "reported"


def voice(document: Any, names: Mapping[str, str]) -> str | None:
    """Who said it: the kind's declared claimant (``Happening.claimant``: a statement's
    speaker, an announcement's announcer), named; its unnamed description where the
    source names nobody; else the actors it names."""
    field = getattr(type(document), "claimant", None)
    actor_id = getattr(document, field, None) if field else None
    unnamed = getattr(document, "unnamed_speaker", None)
    if actor_id:
        return names.get(actor_id, actor_id)
    if unnamed:
        return unnamed
    actors = document.mentions()
    return ", ".join(names.get(a, a) for a in actors) or None
