"""PLOVER event data (JSON lines): each believed event as one PLOVER record, the format
of the event-data community (the POLECAT data set uses it).

The PLOVER fields (codebook table "PLOVER JSON"): ``id``, ``date`` and ``enddate``
(YYYY-MM-DD), ``actor`` and ``recipient`` (entity objects), ``event``, ``mode``,
``context``, ``quad_code``, ``event_text``, ``cite_info``, ``coder``, ``coded_date``,
``comment``. The codebook lets a provider add fields; ours say what PLOVER's cannot:
``date_precision`` and ``date_edtf`` (a month-precision event is the interval from
``date`` to ``enddate``, never a day), ``uspk_kind`` and every source (``uspk_sources``).
The category, mode and context come from the kind's declared code (``events.plover``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cli.exporters import Bundle, extent, json_text

CODEBOOK = "plover-2.0 (uspk: coded from each kind's declared code, not from its text)"
# ISO 3166 alpha-3 codes (the codebook's country "code") of the countries the record's
# actors name; an actor of another country is exported without a code.
COUNTRY_CODES = {
    "Afghanistan": "AFG",
    "China": "CHN",
    "Egypt": "EGY",
    "India": "IND",
    "Indonesia": "IDN",
    "Iran": "IRN",
    "Jordan": "JOR",
    "Pakistan": "PAK",
    "Portugal": "PRT",
    "Qatar": "QAT",
    "Saudi Arabia": "SAU",
    "Turkey": "TUR",
    "Türkiye": "TUR",
    "United Arab Emirates": "ARE",
    "United Kingdom": "GBR",
    "United States": "USA",
}


def plover_records(bundle: Bundle) -> Iterator[dict[str, Any]]:
    """One record per believed event, each made when it is asked for."""
    actors = actor_index(bundle)
    return (_record(entry, actors, bundle.version) for entry in bundle.entries)


def plover_lines(bundle: Bundle) -> Iterator[str]:
    """One JSON record a line, each written as it is made."""
    return (json_text(r, indent=None) + "\n" for r in plover_records(bundle))


def _record(entry: dict[str, Any], actors: dict[str, dict], version: str) -> dict[str, Any]:
    code, doers, receivers = coded(entry)
    occurred = entry["occurred"]
    sources = entry["sources"]
    record = {
        "id": entry["id"],
        "date": occurred["start"],
        "enddate": extent(entry)[1],  # the last day of the whole span (a visit's until)
        "date_precision": occurred["precision"],
        "date_edtf": occurred["edtf"],
        "actor": [_entity(a, actors) for a in doers],
        "recipient": [_entity(a, actors) for a in receivers],
        "event": [code.event],
        "mode": [code.mode] if code.mode else [],
        "context": list(code.context),
        "quad_code": code.quad,
        "event_text": [entry["title"]],
        "comment": entry["summary"],
        "cite_info": {**_cite_info(sources[0]), "codebook": CODEBOOK, "coder": f"uspk {version}"},
        "coder": f"uspk {version}",
        "coded_date": entry["recorded"][:10],
        "uspk_kind": entry["kind"],
        "uspk_sources": [_cite_info(s) for s in sources],
        "uspk_links": links(entry),
    }
    return record


def coded(entry: dict[str, Any]) -> tuple[Any, list[str], list[str]]:
    """The event's PLOVER code (``events.plover.Code``), its actors and its recipients
    (actor ids), as its kind declares them; with no actor field declared, or none
    filled, every actor the event names but its recipients is an actor."""
    from events.kinds import model_for

    declared = model_for(entry["kind"]).plover
    receivers = _named(entry, declared.recipients)
    doers = _named(entry, declared.actors) or entry["actors"]
    code = declared.code_for({**entry["details"], "relates": entry.get("relates", ())})
    return code, [a for a in doers if a not in receivers], receivers


def links(entry: dict[str, Any]) -> list[dict[str, str]]:
    """The event's links to others, both ways, as the record reads them ("contradicts",
    "contradicted by"): PLOVER has no field for them."""
    from events.relations import backward, forward

    out = [{"reads": forward(r["relation"]), "event": r["to"]} for r in entry["relates"]]
    return out + [
        {"reads": backward(r["relation"]), "event": r["from"]} for r in entry.get("related_by", ())
    ]


def _named(entry: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """The actor ids that ``fields`` of the event hold, first seen first."""
    found: list[str] = []
    for name in fields:
        value = entry["details"].get(name)
        found += [value] if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(found))


def _entity(actor_id: str, actors: dict[str, dict]) -> dict[str, Any]:
    actor = actors.get(actor_id, {})
    entity: dict[str, Any] = {"entity_text": actor.get("name") or actor_id}
    code = COUNTRY_CODES.get(country_of(actor) or "")
    if code:
        entity["code"] = code
    if actor.get("type") == "state":
        entity["sector"] = "GOV"  # a state acts through its government
    entity["uspk_actor"] = actor_id
    return entity


def country_of(actor: dict[str, Any]) -> str | None:
    """An actor's country: the one its record gives, or a state's own name."""
    return actor.get("country") or (actor.get("name") if actor.get("type") == "state" else None)


def _cite_info(source: dict[str, Any]) -> dict[str, Any]:
    from cli.render import cite

    info = {"citation": cite(source), "publication": source["publisher"]}
    if source.get("title"):
        info["title"] = source["title"]
    if source.get("url"):
        info["url"] = source["url"]
    return info | {"published": source["published"]["edtf"]}


def actor_index(bundle: Bundle) -> dict[str, dict[str, Any]]:
    """Every actor the believed events introduce, and those of the state, by id."""
    actors = {a["id"]: a for e in bundle.entries for a in e["details"].get("introduces", ())}
    return actors | {a["id"]: a for a in bundle.state["actors"]}
