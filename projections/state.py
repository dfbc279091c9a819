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
from domain.world import (
    Agreement,
    Commitment,
    Engagement,
    FinancingFacility,
    MeasureAction,
    Noted,
    Step,
    World,
    actor_registry,
    describe_amount,
)
from events.kinds import label
from projections.views import (
    amount_view,
    date_view,
    inbound_relations,
    links_view,
    source_view,
    timestamp_view,
)

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
    "measures",
    "financing",
    "shipments",
    "announcements",
)


def state_at(
    records: list[Record],
    as_of: date,
    known_at: datetime | None = None,
    registry: dict | None = None,
) -> dict:
    """The documented JSON contract of ``uspk state`` (see README).

    ``registry``: the record's actors, when ``records`` holds only those up to ``as_of``
    (by default those that ``records`` introduce, whatever their date, as ``uspk state``
    has them: an event may name an actor that a later-dated event introduces).
    """
    if registry is None:  # the record's actors, also those introduced after ``as_of``
        registry = actor_registry(r.document for r in records if r.document.kind != "retraction")
    settled = [r for r in records if r.document.occurred.end <= as_of]
    pending = [r for r in records if r.document.occurred.start <= as_of < r.document.occurred.end]
    world, broken = fold_lenient([r.document for r in settled], registry)
    by_id = {r.id: r for r in records}
    broken_ids = {h.id for h, _ in broken}
    links = _Links(by_id, inbound_relations(r.document for r in settled if r.id not in broken_ids))
    measures, unsettled = _measures(world, as_of, links)
    undetermined = (
        [
            _undetermined(r, f"its date ({r.document.occurred.human()}) contains {as_of}")
            for r in pending
        ]
        + [
            _undetermined(by_id[h.id], f"depends on something undetermined: {error.message}")
            for h, error in broken
        ]
        + [
            _undetermined(
                by_id[a.event_id], f"its effective date ({a.effective.human()}) contains {as_of}"
            )
            for a in unsettled
        ]
    )
    return {
        "as_of": as_of.isoformat(),
        "known_at": timestamp_view(known_at),
        "agreements": [_agreement(a, world, links) for a in world.agreements.values()],
        "engagements": [_engagement(e, as_of, links) for e in world.engagements],
        "next_steps": [_step(s, as_of, links) for s in world.steps.values()],
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
                **links(s.event_id),
            }
            for s in world.statements
        ],
        "undetermined": undetermined,
        "noted": [_noted(n, links) for n in world.noted],
        "measures": measures,
        "financing": [_financing(f, world, links) for f in world.financing.values()],
        "shipments": [
            {
                "event_id": m.event_id,
                "title": m.title,
                "date": date_view(m.occurred),
                "goods": m.goods,
                "quantity": m.quantity,
                "shipper": m.shipper,
                "recipient": m.recipient,
                "origin": m.origin,
                "destination": m.destination,
                "agreement": m.agreement,
                "step": m.step,
                "sources": _sources(by_id, m.event_id),
                **links(m.event_id),
            }
            for m in world.shipments
        ],
        "announcements": [
            {
                "event_id": a.event_id,
                "title": a.title,
                "date": date_view(a.occurred),
                "deal": a.deal,
                "announcer": {"id": a.announcer, "name": _name(world, a.announcer)},
                "counterparties": a.counterparties,
                "claim": a.claim,
                "quote": a.quote,
                "realised_by": (realised := links.by(a.event_id, "realises")),
                "status": "realised" if realised else "not realised",
                "sources": _sources(by_id, a.event_id),
                **links(a.event_id),
            }
            for a in world.announcements
        ],
    }


class _Links:
    """Each event's own relations and alternatives, and the relations pointing to it
    from the happenings that stand on the date."""

    def __init__(self, by_id: dict[str, Record], inbound: dict[str, list[dict]]) -> None:
        self.by_id = by_id
        self.inbound = inbound

    def __call__(self, event_id: str) -> dict[str, Any]:
        view = links_view(self.by_id[event_id].document)
        view["related_by"] = self.inbound.get(event_id, [])
        return view

    def by(self, event_id: str, relation: str) -> list[str]:
        return [r["from"] for r in self.inbound.get(event_id, []) if r["relation"] == relation]


def _measures(world: World, as_of: date, links: _Links) -> tuple[list[dict], list[MeasureAction]]:
    """Each measure as it stands on ``as_of``: the latest action in force (its effective
    date ended by then), or announced to take effect later. An action whose effective date
    contains ``as_of`` is neither: it is returned as undetermined."""
    views, unsettled = [], []
    for measure, actions in world.measures.items():
        in_force = [a for a in actions if a.effective.end <= as_of]
        later = [a for a in actions if a.effective.start > as_of]
        unsettled += [a for a in actions if a.effective.start <= as_of < a.effective.end]
        current = max(in_force, key=lambda a: a.effective.start, default=None)
        ended = current is not None and current.ends is not None and current.ends.end <= as_of
        for action in sorted(later, key=lambda a: a.effective.start):
            views.append(
                _measure(measure, action, f"announced, effective {action.effective}", world, links)
            )
        if current is not None:
            status = f"ended {current.ends}" if ended else "in force"
            views.append(_measure(measure, current, status, world, links))
    return views, unsettled


def _measure(measure: str, action: MeasureAction, status: str, world: World, links: _Links):
    return {
        "measure": measure,
        "status": status,
        "in_force": status == "in force",
        "value": action.value_after,
        "value_before": action.value_before,
        "authority": {"id": action.authority, "name": _name(world, action.authority)},
        "instrument": action.instrument,
        "subject": action.subject,
        "description": action.description,
        "since": date_view(action.effective),
        "ends": date_view(action.ends),
        "event_id": action.event_id,
        "title": action.title,
        "date": date_view(action.occurred),
        "sources": _sources(links.by_id, action.event_id),
        **links(action.event_id),
    }


def _financing(facility: FinancingFacility, world: World, links: _Links) -> dict[str, Any]:
    latest = facility.history[-1][2]
    return {
        "id": facility.id,
        "stage": facility.stage,
        "lender": {"id": facility.lender, "name": _name(world, facility.lender)},
        "borrower": (
            {"id": facility.borrower, "name": _name(world, facility.borrower)}
            if facility.borrower
            else None
        ),
        "project": facility.project,
        "instrument": facility.instrument,
        "amount": amount_view(facility.amount),
        "currency": facility.currency,
        "bound": facility.bound,
        "display": describe_amount(facility) or None,
        "history": _history(facility.history),
        "event_id": latest,
        "sources": _sources(links.by_id, latest),
        **links(latest),
    }


def _history(history: list[tuple[str, Any, str]]) -> list[dict[str, Any]]:
    return [
        {"status": status, "date": date_view(when), "event_id": event_id}
        for status, when, event_id in history
    ]


def _name(world: World, actor_id: str) -> str:
    return world.actors[actor_id].name


def _sources(by_id: dict[str, Record], event_id: str) -> list[dict[str, Any]]:
    return [source_view(s) for s in by_id[event_id].document.sources]


def _agreement(agreement: Agreement, world: World, links: _Links) -> dict[str, Any]:
    by_id = links.by_id
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
        "commitments": [_commitment(c, links) for c in agreement.commitments],
        "event_id": agreement.signed_by_event,
        "sources": _sources(by_id, agreement.signed_by_event),
        **links(agreement.signed_by_event),
    }


def _commitment(commitment: Commitment, links: _Links) -> dict[str, Any]:
    return {
        "event_id": commitment.event_id,
        "date": date_view(commitment.occurred),
        "description": commitment.description,
        "amount": amount_view(commitment.amount),
        "currency": commitment.currency,
        "approximate": commitment.approximate,
        "bound": commitment.bound,
        "phase": commitment.phase,
        "display": describe_amount(commitment) or commitment.description,
        "status": commitment.status,
        "progress": _history(commitment.history),
        "sources": _sources(links.by_id, commitment.event_id),
        **links(commitment.event_id),
    }


def _engagement(engagement: Engagement, as_of: date, links: _Links) -> dict:
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
        "sources": _sources(links.by_id, engagement.event_id),
        **links(engagement.event_id),
    }


def _step(step: Step, as_of: date, links: _Links) -> dict[str, Any]:
    # Overdue: still only planned, and the whole of its target interval has passed.
    overdue = step.status == "planned" and step.target is not None and step.target.end < as_of
    return {
        "id": step.id,
        "description": step.description,
        "status": step.status,
        "owners": step.owners,
        "agreement": step.agreement,
        "planned": date_view(step.planned),
        "target": date_view(step.target),
        "history": _history(step.history),
        "overdue": overdue,
        "sources": _sources(links.by_id, step.history[0][2]),
        **links(step.history[0][2]),
    }


def _undetermined(record: Record, reason: str) -> dict[str, Any]:
    return {
        "event_id": record.id,
        "kind": record.document.kind,
        "title": record.document.title,
        "date": date_view(record.document.occurred),
        "reason": reason,
    }


def _noted(noted: Noted, links: _Links) -> dict[str, Any]:
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
        "sources": _sources(links.by_id, noted.event_id),
        **links(noted.event_id),
    }
