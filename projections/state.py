"""The state at a date: what stood on day D, as believed at time T.

Happenings whose date interval ends on or before D are applied. Those whose interval
contains D (an event known only to "September 2025", asked about 8 September) are
neither claimed nor denied: they are listed as undetermined. So are happenings that
depend on an undetermined one (a commitment to an agreement whose signing is undetermined).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.chronicle import Record, fold_lenient
from domain.world import Agreement, Engagement, Noted, Step, World, describe_amount
from events.kinds import label
from projections.views import amount_view, date_view, source_view, timestamp_view

STATE_KEYS = (
    "as_of",
    "known_at",
    "agreements",
    "engagements",
    "next_steps",
    "actors",
    "statements",
    "undetermined",
    "noted",
)


def state_at(
    records: list[Record],
    as_of: date,
    known_at: datetime | None = None,
    registry: dict | None = None,
) -> dict:
    """The documented JSON contract of ``uspk state`` (see README).

    ``registry``: the record's actors, when ``records`` holds only those up to ``as_of``.
    """
    settled = [r for r in records if r.document.occurred.end <= as_of]
    pending = [r for r in records if r.document.occurred.start <= as_of < r.document.occurred.end]
    world, broken = fold_lenient([r.document for r in settled], registry)
    by_id = {r.id: r for r in records}
    undetermined = [
        _undetermined(r, f"its date ({r.document.occurred.human()}) contains {as_of}")
        for r in pending
    ] + [
        _undetermined(by_id[h.id], f"depends on something undetermined: {error.message}")
        for h, error in broken
    ]
    return {
        "as_of": as_of.isoformat(),
        "known_at": timestamp_view(known_at),
        "agreements": [_agreement(a, world, by_id) for a in world.agreements.values()],
        "engagements": [_engagement(e, as_of, by_id) for e in world.engagements],
        "next_steps": [_step(s, by_id) for s in world.steps.values()],
        "actors": [
            {"id": a.id, "name": a.name, "type": a.type, "country": a.country, "role": a.role}
            for a in world.actors.values()
        ],
        "statements": [
            {
                "event_id": s.event_id,
                "date": date_view(s.occurred),
                "speaker": _name(world, s.speaker),
                "on_behalf_of": _name(world, s.on_behalf_of) if s.on_behalf_of else None,
                "quote": s.quote,
                "about": s.about,
                "sources": _sources(by_id, s.event_id),
            }
            for s in world.statements
        ],
        "undetermined": undetermined,
        "noted": [_noted(n, by_id) for n in world.noted],
    }


def _name(world: World, actor_id: str) -> str:
    return world.actors[actor_id].name


def _sources(by_id: dict[str, Record], event_id: str) -> list[dict[str, Any]]:
    return [source_view(s) for s in by_id[event_id].document.sources]


def _agreement(agreement: Agreement, world: World, by_id: dict[str, Record]) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "instrument": agreement.instrument,
        "status": agreement.status,
        "parties": [{"id": p, "name": _name(world, p)} for p in agreement.parties],
        "signed": date_view(agreement.signed),
        "venue": agreement.venue,
        "witnesses": [{"id": w, "name": _name(world, w)} for w in agreement.witnesses],
        "scope": agreement.scope,
        "minerals": agreement.minerals,
        "sectors": agreement.sectors,
        "commitments": [
            {
                "event_id": c.event_id,
                "date": date_view(c.occurred),
                "description": c.description,
                "amount": amount_view(c.amount),
                "currency": c.currency,
                "approximate": c.approximate,
                "phase": c.phase,
                "display": describe_amount(c) or c.description,
                "sources": _sources(by_id, c.event_id),
            }
            for c in agreement.commitments
        ],
        "event_id": agreement.signed_by_event,
        "sources": _sources(by_id, agreement.signed_by_event),
    }


def _engagement(engagement: Engagement, as_of: date, by_id: dict[str, Record]) -> dict:
    ongoing = engagement.until is not None and engagement.until.end > as_of
    return {
        "event_id": engagement.event_id,
        "kind": engagement.kind,
        "title": engagement.title,
        "date": date_view(engagement.occurred),
        "until": date_view(engagement.until),
        "status": "under way" if ongoing else "held",
        "participants": engagement.participants,
        "place": engagement.place,
        "purpose": engagement.purpose,
        "outcomes": engagement.outcomes,
        "priority_areas": engagement.priority_areas,
        "sources": _sources(by_id, engagement.event_id),
    }


def _step(step: Step, by_id: dict[str, Record]) -> dict[str, Any]:
    return {
        "id": step.id,
        "description": step.description,
        "status": step.status,
        "owners": step.owners,
        "agreement": step.agreement,
        "planned": date_view(step.planned),
        "target": date_view(step.target),
        "history": [
            {"status": status, "date": date_view(when), "event_id": event_id}
            for status, when, event_id in step.history
        ],
        "sources": _sources(by_id, step.history[0][2]),
    }


def _undetermined(record: Record, reason: str) -> dict[str, Any]:
    return {
        "event_id": record.id,
        "kind": record.document.kind,
        "title": record.document.title,
        "date": date_view(record.document.occurred),
        "reason": reason,
    }


def _noted(noted: Noted, by_id: dict[str, Record]) -> dict[str, Any]:
    """A happening of a kind the world has no rules for, as told (grouped by its label)."""
    return {
        "event_id": noted.event_id,
        "kind": noted.kind,
        "label": label(noted.kind),
        "title": noted.title,
        "date": date_view(noted.occurred),
        "summary": noted.summary,
        "actors": noted.actors,
        "details": noted.details,
        "sources": _sources(by_id, noted.event_id),
    }
