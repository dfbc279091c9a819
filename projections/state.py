"""The state at a date: what stood on day D, as believed at time T.

Happenings whose date interval ends on or before D are applied. Those whose interval
contains D (an event known only to "September 2025", asked about 8 September) are
neither claimed nor denied: they are listed as undetermined. So are happenings that
depend on an undetermined one (a commitment to an agreement whose signing is undetermined).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.chronicle import Record, fold_lenient
from domain.recording import thing_keys
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
from projections.claims import claim_standing
from projections.sections import DEPENDS_ON_UNDETERMINED, EFFECTIVE_DATE_CONTAINS
from projections.views import (
    amount_view,
    date_view,
    inbound_relations,
    links_view,
    source_view,
    timestamp_view,
)


def state_at(
    records: list[Record],
    as_of: date,
    known_at: datetime | None = None,
    registry: dict | None = None,
    narrowing: Narrowing | None = None,
) -> dict:
    """The documented JSON contract of ``uspk state`` (see README), whole.

    ``registry``: the record's actors, when ``records`` holds only those up to ``as_of``
    (by default those that ``records`` introduce, whatever their date, as ``uspk state``
    has them: an event may name an actor that a later-dated event introduces).
    ``narrowing``: keep only the entries about what it asks (``Narrowing.about``).
    """
    state = dict(state_sections(records, as_of, known_at, registry))
    return narrowing.about(state, records) if narrowing else state


def state_sections(
    records: list[Record],
    as_of: date,
    known_at: datetime | None = None,
    registry: dict | None = None,
    applied: dict[str, list] | None = None,
) -> Iterator[tuple[str, Any]]:
    """The state's sections in ``STATE_KEYS`` order, each built when it is asked for,
    so that a writer can send one before the next is made. ``applied``: as
    ``fold_lenient`` takes it (what each happening in the state changed)."""
    if registry is None:  # the record's actors, also those introduced after ``as_of``
        registry = actor_registry(r.document for r in records if r.document.kind != "retraction")
    settled = [r for r in records if r.document.occurred.end <= as_of]
    pending = [r for r in records if r.document.occurred.start <= as_of < r.document.occurred.end]
    world, broken = fold_lenient([r.document for r in settled], registry, applied)
    by_id = {r.id: r for r in records}
    broken_ids = {h.id for h, _ in broken}
    links = _Links(by_id, inbound_relations(r.document for r in settled if r.id not in broken_ids))
    measures, unsettled = _measures(world, as_of, links)
    yield "as_of", as_of.isoformat()
    yield "known_at", timestamp_view(known_at)
    yield "agreements", [_agreement(a, world, links) for a in world.agreements.values()]
    yield "engagements", [_engagement(e, as_of, links) for e in world.engagements]
    yield "next_steps", [_step(s, as_of, links) for s in world.steps.values()]
    yield "actors", [_actor(a) for a in world.actors.values()]
    yield "statements", [_statement(s, world, links) for s in world.statements]
    yield (
        "undetermined",
        [
            _undetermined(r, f"its date ({r.document.occurred.human()}) contains {as_of}")
            for r in pending
        ]
        + [
            _undetermined(by_id[h.id], f"{DEPENDS_ON_UNDETERMINED}: {error.reason}")
            for h, error in broken
        ]
        + [
            _undetermined(
                by_id[a.event_id],
                f"{EFFECTIVE_DATE_CONTAINS} ({a.effective.human()}) contains {as_of}",
            )
            for a in unsettled
        ],
    )
    yield "noted", [_noted(n, links) for n in world.noted]
    yield "measures", measures
    yield "financing", [_financing(f, world, links) for f in world.financing.values()]
    yield "shipments", [_shipment(m, links) for m in world.shipments]
    yield "announcements", [_announcement(a, world, links) for a in world.announcements]
    yield "proposals", [_proposal(p, world, links) for p in world.proposals]


@dataclass(frozen=True)
class Narrowing:
    """What ``state --agreement/--actor/--kind`` asks about. An entry of the state is
    about it when, for each kind of filter given, one of the events the entry is made
    of (its ``event_id`` values, nested ones included) is about one of the ids given:
    names the agreement among the things it refers to, names or introduces the actor,
    is of the kind. The actors section keeps the actors that the kept entries' events
    name, by id; every other section keeps the order it has in the whole state."""

    agreements: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.agreements or self.actors or self.kinds)

    def about(self, state: dict[str, Any], records: Iterable[Record]) -> dict[str, Any]:
        """``state`` with only the entries about what is asked, and the actors those
        entries' events name."""
        if not self:
            return state
        documents = {r.id: r.document for r in records}
        kept: dict[str, Any] = {}
        named: set[str] = set()
        for key, value in state.items():
            if key in ("as_of", "known_at", "actors"):
                kept[key] = value
                continue
            kept[key] = []
            for entry in value:
                events = [documents[i] for i in event_ids(entry)]
                if self._keeps(events):
                    kept[key].append(entry)
                    named.update(actor for event in events for actor in event.names())
        # By id: the whole state lists actors in the order they first took part, which
        # a fold of only what the kept entries depend on cannot know.
        kept["actors"] = sorted((a for a in state["actors"] if a["id"] in named), key=_by_id)
        return kept

    def keeps(self, event: Any) -> bool:
        """Whether one event is about what is asked (each kind of filter given)."""
        return self._keeps([event])

    def wanted(self) -> list[set[str]]:
        """For each kind of filter given, the ``about_keys`` that pass it: an entry is
        kept when, for each, one of its events has one of them."""
        tests = []
        if self.agreements:
            tests.append({f"agreement:{i}" for i in self.agreements})
        if self.actors:
            tests.append({f"actor:{i}" for i in self.actors})
        if self.kinds:
            tests.append({f"kind:{k}" for k in self.kinds})
        return tests

    def _keeps(self, events: list[Any]) -> bool:
        about = set().union(*(about_keys(e) for e in events))
        return all(about & wanted for wanted in self.wanted())


def about_keys(event: Any) -> set[str]:
    """What a narrowed state can find an event by: each agreement among the things it
    refers to (``agreement:<id>``), each actor it names or introduces (``actor:<id>``),
    its kind (``kind:<kind>``). The kept rows keep them for each entry (``kept``)."""
    agreements = {k for k in thing_keys(event) if k.startswith("agreement:")}
    return agreements | {f"actor:{a}" for a in event.names()} | {f"kind:{event.kind}"}


def _by_id(actor: dict[str, Any]) -> str:
    return actor["id"]


def event_ids(entry: Any) -> list[str]:
    """Every ``event_id`` in an entry of the state, nested ones included."""
    if isinstance(entry, dict):
        own = [entry["event_id"]] if isinstance(entry.get("event_id"), str) else []
        nested = [v for v in entry.values() if isinstance(v, list | dict)]
        return own + [i for v in nested for i in event_ids(v)]
    if isinstance(entry, list):
        return [i for v in entry for i in event_ids(v)]
    return []


def _actor(actor: Any) -> dict[str, Any]:
    return {
        "id": actor.id,
        "name": actor.name,
        "type": actor.type,
        "country": actor.country,
        "role": actor.role,
    }


def _statement(statement: Any, world: World, links: _Links) -> dict[str, Any]:
    speaker = statement.speaker
    return {
        "event_id": statement.event_id,
        "date": date_view(statement.occurred),
        "speaker": _name(world, speaker) if speaker else statement.unnamed_speaker,
        "speaker_id": speaker,
        "on_behalf_of": _name(world, statement.on_behalf_of) if statement.on_behalf_of else None,
        "quote": statement.quote,
        "about": statement.about,
        "standing": links.standing(statement.event_id, world),
        "sources": _sources(links.by_id, statement.event_id),
        **links(statement.event_id),
    }


def _shipment(m: Any, links: _Links) -> dict[str, Any]:
    return {
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
        "sources": _sources(links.by_id, m.event_id),
        **links(m.event_id),
    }


def _announcement(a: Any, world: World, links: _Links) -> dict[str, Any]:
    realised = links.by(a.event_id, "realises")
    return {
        "event_id": a.event_id,
        "title": a.title,
        "date": date_view(a.occurred),
        "deal": a.deal,
        "announcer": {"id": a.announcer, "name": _name(world, a.announcer)},
        "counterparties": a.counterparties,
        "claim": a.claim,
        "quote": a.quote,
        "realised_by": realised,
        "status": "realised" if realised else "not realised",
        "standing": links.standing(a.event_id, world),
        **_money_and_review(links.by_id[a.event_id].document),
        "sources": _sources(links.by_id, a.event_id),
        **links(a.event_id),
    }


def _proposal(p: Any, world: World, links: _Links) -> dict[str, Any]:
    standing = links.standing(p.event_id, world)
    return {
        "event_id": p.event_id,
        "title": p.title,
        "date": date_view(p.occurred),
        "proposal": p.proposal,
        "proposer": _name(world, p.proposer) if p.proposer else p.unnamed_proposer,
        "proposer_id": p.proposer,
        "official": p.official,
        "to": [{"id": a, "name": _name(world, a)} for a in p.to],
        "claim": p.claim,
        "status": proposal_status(standing),
        "standing": standing,
        **_money_and_review(links.by_id[p.event_id].document),
        "sources": _sources(links.by_id, p.event_id),
        **links(p.event_id),
    }


def proposal_status(standing: dict[str, Any]) -> str:
    """Proposed, then taken up, denied or dropped (or disputed), by what bears on it."""
    status = standing["status"]
    if status == "withdrawn":
        return "dropped"
    if status in ("denied", "disputed"):
        return status
    if any(b["relation"] == "takes-up" for b in standing["by"]):
        return "taken up"
    return "proposed"


def _money_and_review(document: Any) -> dict[str, Any]:
    """An announcement's or a proposal's amount, with what it means, and its review
    period (ending on a day only when the event is known to the day)."""
    money = getattr(document, "money", None)
    days = getattr(document, "review_days", None)
    review = None
    if days is not None:
        occurred = document.occurred
        ends = occurred.start + timedelta(days=days) if occurred.precision.value == "day" else None
        review = {"days": days, "ends": ends.isoformat() if ends else None}
    return {
        "money": None
        if money is None
        else {
            "amount": amount_view(money.amount),
            "currency": money.currency,
            "bound": money.bound,
            "stage": money.stage,
            "display": describe_amount(money),
        },
        "review": review,
    }


class _Links:
    """Each event's own relations and alternatives, and the relations pointing to it
    from the happenings that stand on the date."""

    def __init__(self, by_id: dict[str, Record], inbound: dict[str, list[dict]]) -> None:
        self.by_id = by_id
        self.inbound = inbound
        self._names: dict[str, str] | None = None

    def __call__(self, event_id: str) -> dict[str, Any]:
        view = links_view(self.by_id[event_id].document)
        view["related_by"] = self.inbound.get(event_id, [])
        return view

    def standing(self, event_id: str, world: World) -> dict[str, Any]:
        """What the claim of ``event_id`` stands as on the date (``projections.claims``)."""
        if self._names is None:
            self._names = {a: actor.name for a, actor in world.actors.items()}
        claim = self.by_id[event_id].document
        return claim_standing(self.inbound.get(event_id, []), self.by_id, self._names, claim)

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
        # Of actions taking effect the same day, the later one in replay order replaces
        # the earlier (a rate raised before it took effect).
        current = max(in_force, key=lambda a: (a.effective.start, actions.index(a)), default=None)
        ended = current is not None and current.ends is not None and current.ends.end <= as_of
        for action in sorted(later, key=lambda a: a.effective.start):
            views.append(_measure(measure, action, _announced(action), world, links))
        if current is not None:
            status = f"ended {current.ends}" if ended else "in force"
            views.append(_measure(measure, current, status, world, links))
    return views, unsettled


def _announced(action: MeasureAction) -> str:
    """The status of an action that takes effect later: one that only ends the measure
    says so, rather than reading as a new value to come."""
    if action.value_after is None and action.ends == action.effective:
        return f"announced, ends {action.ends}"
    return f"announced, effective {action.effective}"


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
        "hosts": engagement.hosts,
        "mediators": engagement.mediators,
        "opened_by": engagement.opened_by,
        "attendance": engagement.attendance,
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
