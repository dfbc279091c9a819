"""The world as the sources tell it: actors, agreements, steps and engagements.

A ``World`` is rebuilt by applying happenings in replay order (``replay_key``); each
aggregate checks its own rules as it changes and raises ``RuleBroken`` when a happening
does not fit what came before it. Nothing here knows about storage or the command line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any, NamedTuple

from domain.rules import RuleBroken, replay_key  # noqa: F401 - the rules' vocabulary
from events.dates import FuzzyDate
from events.kinds import label, model_for
from events.model import (
    COMMITMENT_STATUS_ORDER,
    FINANCING_STAGE_ORDER,
    Actor,
    AgreementSigned,
    Announcement,
    AnyHappening,
    CommitmentMade,
    CommitmentProgressed,
    Conference,
    Financing,
    GovernmentAction,
    Happening,
    Meeting,
    Proposal,
    Shipment,
    StatementMade,
    StepPlanned,
    StepProgressed,
    Talks,
    Visit,
)
from events.model import STEP_STATUS_ORDER as _STATUS_ORDER


class Change(NamedTuple):
    """One thing a happening changed: what part of the world, and how, in words."""

    category: str  # actor | engagement | agreement | commitment | statement | step | measure
    # | financing | shipment | announcement | noted
    text: str
    # The actor this change brings into the world for the first time (a unit of the kept
    # state, folded alone, cannot tell whether the actor joined the state elsewhere first).
    introduced: str | None = None

    def __str__(self) -> str:
        return self.text


def joined(actor: Actor, known: Actor | None) -> Change:
    """An actor joining the world as ``actor``, known before as ``known`` (or not)."""
    if known:
        return Change("actor", f"actor updated: {actor.name} ({actor.id})")
    return Change("actor", f"actor introduced: {actor.name} ({actor.id})", actor.id)


def only_forward(
    happening: Any, what: str, current: str, new: str, order: dict[str, int], ended: set[str]
) -> None:
    """A lifecycle (a step's, a commitment's) moves forward only, and not past its end."""
    if current in ended:
        raise RuleBroken(happening.id, f"{what} is already {current}; it cannot move on")
    if order[new] <= order[current]:
        raise RuleBroken(happening.id, f"{what} is already {current}; it cannot go back to {new}")


def kind_rank(kind: str, status: str | None = None) -> int:
    """Where a kind of happening goes among those of the same start date (its model's
    rank: causes before what depends on them, so the fold does not depend on the order
    in which same-day events were appended)."""
    return model_for(kind).replay_rank({"status": status})


@dataclass
class Commitment:
    event_id: str
    occurred: FuzzyDate
    description: str
    amount: Decimal | None
    currency: str | None
    approximate: bool
    phase: str | None
    agreement: str = ""
    bound: str = "exact"
    status: str = "made"
    history: list[tuple[str, FuzzyDate, str]] = field(default_factory=list)

    def progress(self, happening: CommitmentProgressed) -> None:
        new = happening.status
        ended = {s for s, rank in COMMITMENT_STATUS_ORDER.items() if rank == 2}
        only_forward(happening, f"commitment {self.event_id!r}", self.status, new,
                     COMMITMENT_STATUS_ORDER, ended)  # fmt: skip
        self.status = new
        self.history.append((new, happening.occurred, happening.id))


@dataclass
class MeasureAction:
    """One government action on a measure; which one is in force depends on the date."""

    event_id: str
    title: str
    authority: str
    instrument: str
    description: str
    subject: str | None
    value_before: str | None
    value_after: str | None
    occurred: FuzzyDate
    effective: FuzzyDate
    ends: FuzzyDate | None


@dataclass
class FinancingFacility:
    id: str
    lender: str
    borrower: str | None
    project: str
    instrument: str | None
    stage: str
    amount: Decimal | None
    currency: str | None
    bound: str
    history: list[tuple[str, FuzzyDate, str]] = field(default_factory=list)

    def advance(self, happening: Financing) -> None:
        new, old = happening.stage, self.stage
        if old == "withdrawn":
            raise RuleBroken(happening.id, f"financing {self.id!r} was withdrawn; nothing follows")
        if FINANCING_STAGE_ORDER[new] <= FINANCING_STAGE_ORDER[old]:
            _, since, _ = self.history[-1]
            if new != old and happening.occurred.start <= since.end:
                # The dates cannot order the two (an approval known to the month, a pledge
                # to a day in it): both stand, and the facility stays at the later stage.
                self.history.append((new, happening.occurred, happening.id))
                return
            raise RuleBroken(
                happening.id, f"financing {self.id!r} is already {old}; it cannot go back to {new}"
            )
        self.stage = new
        # A later stage may restate the amount or the parties; what it leaves out stands.
        if happening.amount is not None:
            self.amount, self.currency, self.bound = (
                happening.amount,
                happening.currency,
                happening.bound,
            )
        self.borrower = happening.borrower or self.borrower
        self.instrument = happening.instrument or self.instrument
        self.history.append((new, happening.occurred, happening.id))


@dataclass
class ShipmentMade:
    event_id: str
    title: str
    occurred: FuzzyDate
    goods: list[str]
    quantity: str | None
    shipper: str | None
    recipient: str | None
    origin: str | None
    destination: str | None
    agreement: str | None
    step: str | None


@dataclass
class AnnouncementMade:
    event_id: str
    title: str
    occurred: FuzzyDate
    deal: str
    announcer: str
    counterparties: list[str]
    claim: str
    quote: str | None


@dataclass
class Agreement:
    id: str
    instrument: str
    parties: list[str]
    signed: FuzzyDate
    signed_by_event: str
    venue: str | None
    witnesses: list[str]
    scope: str
    minerals: list[str]
    sectors: list[str]
    status: str = "signed"
    commitments: list[Commitment] = field(default_factory=list)

    @classmethod
    def sign(cls, happening: AgreementSigned) -> Agreement:
        if len(set(happening.parties)) < 2:
            raise RuleBroken(happening.id, "an agreement needs at least two distinct parties")
        return cls(
            id=happening.agreement,
            instrument=happening.instrument,
            parties=list(happening.parties),
            signed=happening.occurred,
            signed_by_event=happening.id,
            venue=happening.venue,
            witnesses=list(happening.witnesses),
            scope=happening.scope,
            minerals=list(happening.minerals),
            sectors=list(happening.sectors),
        )

    def commit(self, happening: CommitmentMade) -> Commitment:
        commitment = Commitment(
            event_id=happening.id,
            occurred=happening.occurred,
            description=happening.description,
            amount=happening.amount,
            currency=happening.currency,
            approximate=happening.approximate,
            phase=happening.phase,
            agreement=self.id,
            bound=happening.effective_bound,
            history=[("made", happening.occurred, happening.id)],
        )
        self.commitments.append(commitment)
        return commitment


@dataclass
class Step:
    id: str
    description: str
    owners: list[str]
    agreement: str | None
    target: FuzzyDate | None
    planned: FuzzyDate
    status: str = "planned"
    history: list[tuple[str, FuzzyDate, str]] = field(default_factory=list)

    def progress(self, happening: StepProgressed) -> None:
        new = happening.status
        only_forward(happening, f"step {self.id!r}", self.status, new, _STATUS_ORDER,
                     {"done", "dropped"})  # fmt: skip
        self.status = new
        self.history.append((new, happening.occurred, happening.id))


@dataclass
class Engagement:
    event_id: str
    kind: str  # meeting | visit
    title: str
    occurred: FuzzyDate
    until: FuzzyDate | None
    participants: list[str]
    place: str | None
    outcomes: list[str]
    priority_areas: list[str]
    purpose: str | None = None
    # The roles a conference or talks give (a meeting's participants have none).
    hosts: list[str] = field(default_factory=list)
    mediators: list[str] = field(default_factory=list)
    opened_by: list[str] = field(default_factory=list)
    attendance: str | None = None


@dataclass
class ProposalMade:
    event_id: str
    title: str
    occurred: FuzzyDate
    proposal: str
    proposer: str | None
    unnamed_proposer: str | None
    official: bool | None
    to: list[str]
    claim: str
    money: Any
    review_days: int | None


@dataclass
class Statement:
    event_id: str
    occurred: FuzzyDate
    speaker: str | None
    on_behalf_of: str | None
    quote: str
    about: str | None
    unnamed_speaker: str | None = None  # who spoke, as a source describes someone unnamed


@dataclass
class Noted:
    """A happening of a kind the world has no rules for: kept as told, shown by its kind."""

    event_id: str
    kind: str
    title: str
    occurred: FuzzyDate
    summary: str
    actors: list[str]
    details: dict[str, Any]


@dataclass
class World:
    """Everything that stood after the happenings applied so far."""

    actors: dict[str, Actor] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    engagements: list[Engagement] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    noted: list[Noted] = field(default_factory=list)  # happenings of kinds without a handler
    commitments: dict[str, Commitment] = field(default_factory=dict)  # by commitment-made id
    measures: dict[str, list[MeasureAction]] = field(default_factory=dict)
    financing: dict[str, FinancingFacility] = field(default_factory=dict)
    shipments: list[ShipmentMade] = field(default_factory=list)
    announcements: list[AnnouncementMade] = field(default_factory=list)
    proposals: list[ProposalMade] = field(default_factory=list)
    # Every actor the record introduces, whatever the date: an actor exists before the
    # first event that names it, so a backfilled event may name an actor introduced by a
    # later one. An actor joins ``actors`` when first introduced or involved.
    registry: dict[str, Actor] = field(default_factory=dict)

    def apply(self, happening: AnyHappening) -> list[Change]:
        """Apply one happening; return what it changed, one phrase each."""
        appearing = self._appearing(happening)
        # Handlers check before they change anything; only the actors need undoing.
        joining = [*happening.introduces, *appearing]
        before = {actor.id: self.actors.get(actor.id) for actor in joining}
        changes = self._join(joining)
        try:
            changes.extend(_handler_for(happening)(self, happening))
        except RuleBroken:
            for actor_id, actor in before.items():
                if actor is None:
                    del self.actors[actor_id]
                else:
                    self.actors[actor_id] = actor
            raise
        return changes

    # -- actors ---------------------------------------------------------------------

    def _join(self, actors: list[Actor]) -> list[Change]:
        changes = []
        for actor in actors:
            known = self.actors.get(actor.id)
            if known == actor:
                continue
            self.actors[actor.id] = actor
            changes.append(joined(actor, known))
        return changes

    def _appearing(self, happening: AnyHappening) -> list[Actor]:
        """Actors this happening involves for the first time without introducing them."""
        introduced = {actor.id for actor in happening.introduces}
        appearing = []
        for actor_id in happening.mentions():
            if actor_id in self.actors or actor_id in introduced:
                continue
            if actor_id not in self.registry:
                raise RuleBroken(happening.id, *self._unknown_actor(actor_id))
            appearing.append(self.registry[actor_id])
        return appearing

    def _unknown_actor(self, actor_id: str) -> tuple[str, Callable[[], str]]:
        known = {**self.registry, **self.actors}  # as they are now, read when asked

        def hint() -> str:
            names = {a.id: a.id for a in known.values()}
            for actor in known.values():
                for name in (actor.name, *actor.aliases):
                    names[name.lower()] = actor.id
            close = difflib.get_close_matches(actor_id.lower(), list(names), n=3, cutoff=0.5)
            suggestions = list(dict.fromkeys(names[c] for c in close))
            return f"; did you mean {', '.join(suggestions)}?" if suggestions else ""

        return f"unknown actor {actor_id!r} (introduced by no event in the record)", hint

    # -- one handler per kind, chosen by the happening's type ---------------------------
    # A kind may bring its own from its own module: ``@World.handle.register(MyKind)``.

    @singledispatchmethod
    def handle(self, happening: Happening) -> list[Change]:
        """A kind without rules of its own: noted as told."""
        details = happening.model_dump(
            mode="json", exclude=set(Happening.model_fields) | {"kind"}, exclude_none=True
        )
        self.noted.append(
            Noted(
                event_id=happening.id,
                kind=happening.kind,
                title=happening.title,
                occurred=happening.occurred,
                summary=happening.summary,
                actors=happening.mentions(),
                details=details,
            )
        )
        return [Change("noted", f"{label(happening.kind)}: {happening.title}")]

    @handle.register
    def _meeting(self, happening: Meeting) -> list[Change]:
        self.engagements.append(
            Engagement(
                event_id=happening.id,
                kind="meeting",
                title=happening.title,
                occurred=happening.occurred,
                until=None,
                participants=list(happening.participants),
                place=happening.place,
                outcomes=list(happening.outcomes),
                priority_areas=list(happening.priority_areas),
            )
        )
        return [Change("engagement", f"engagement held: {happening.title}")]

    @handle.register
    def _visit(self, happening: Visit) -> list[Change]:
        if happening.until and happening.until.end < happening.occurred.start:
            raise RuleBroken(happening.id, "the visit cannot end ('until') before it begins")
        self.engagements.append(
            Engagement(
                event_id=happening.id,
                kind="visit",
                title=happening.title,
                occurred=happening.occurred,
                until=happening.until,
                participants=list(happening.delegation),
                place=self.actors[happening.destination].name,
                outcomes=[],
                priority_areas=[],
                purpose=happening.purpose,
            )
        )
        return [Change("engagement", f"engagement begun: {happening.title}")]

    @handle.register
    def _agreement_signed(self, happening: AgreementSigned) -> list[Change]:
        existing = self.agreements.get(happening.agreement)
        if existing is not None:
            raise RuleBroken(
                happening.id,
                f"agreement {happening.agreement!r} was already signed "
                f"on {existing.signed} (event {existing.signed_by_event!r})",
            )
        agreement = Agreement.sign(happening)
        self.agreements[agreement.id] = agreement
        parties = " and ".join(self.actors[p].name for p in agreement.parties)
        text = f"agreement signed: {agreement.id} ({agreement.instrument}, {parties})"
        return [Change("agreement", text)]

    @handle.register
    def _commitment_made(self, happening: CommitmentMade) -> list[Change]:
        agreement = self._agreement_for(happening, happening.agreement)
        commitment = agreement.commit(happening)
        self.commitments[commitment.event_id] = commitment
        amount = describe_amount(commitment)
        text = f"commitment made to {agreement.id}: {amount or commitment.description}"
        return [Change("commitment", text)]

    @handle.register
    def _statement_made(self, happening: StatementMade) -> list[Change]:
        if happening.about is not None:
            self._agreement_for(happening, happening.about)
        self.statements.append(
            Statement(
                event_id=happening.id,
                occurred=happening.occurred,
                speaker=happening.speaker,
                on_behalf_of=happening.on_behalf_of,
                quote=happening.quote,
                about=happening.about,
                unnamed_speaker=happening.unnamed_speaker,
            )
        )
        speaker = happening.unnamed_speaker or self.actors[happening.speaker].name
        return [Change("statement", f"statement by {speaker}")]

    @handle.register
    def _step_planned(self, happening: StepPlanned) -> list[Change]:
        if happening.step in self.steps:
            raise RuleBroken(happening.id, f"step {happening.step!r} is already planned")
        if happening.agreement is not None:
            self._agreement_for(happening, happening.agreement)
        step = Step(
            id=happening.step,
            description=happening.description,
            owners=list(happening.owners),
            agreement=happening.agreement,
            target=happening.target,
            planned=happening.occurred,
            history=[("planned", happening.occurred, happening.id)],
        )
        self.steps[step.id] = step
        return [Change("step", f"step planned: {step.id}")]

    @handle.register
    def _step_progressed(self, happening: StepProgressed) -> list[Change]:
        step = self.steps.get(happening.step)
        if step is None:
            raise RuleBroken(
                happening.id,
                f"step {happening.step!r} has not been planned by {happening.occurred}",
            )
        old = step.status
        step.progress(happening)
        return [Change("step", f"step {step.id}: {old} -> {step.status}")]

    @handle.register
    def _commitment_progressed(self, happening: CommitmentProgressed) -> list[Change]:
        commitment = self.commitments.get(happening.commitment)
        if commitment is None:
            raise RuleBroken(
                happening.id,
                f"commitment {happening.commitment!r} has not been made by {happening.occurred}",
            )
        old = commitment.status
        commitment.progress(happening)
        return [
            Change("commitment", f"commitment {commitment.event_id}: {old} -> {happening.status}")
        ]

    @handle.register
    def _government_action(self, happening: GovernmentAction) -> list[Change]:
        effective = happening.effective or happening.occurred
        if effective.end < happening.occurred.start:
            raise RuleBroken(happening.id, "a measure cannot take effect before it is issued")
        if happening.ends is not None and happening.ends.end < effective.start:
            raise RuleBroken(happening.id, "a measure cannot end ('ends') before it takes effect")
        action = MeasureAction(
            event_id=happening.id,
            title=happening.title,
            authority=happening.authority,
            instrument=happening.instrument,
            description=happening.description,
            subject=happening.subject,
            value_before=happening.value_before,
            value_after=happening.value_after,
            occurred=happening.occurred,
            effective=effective,
            ends=happening.ends,
        )
        self.measures.setdefault(happening.measure, []).append(action)
        value = f" -> {happening.value_after}" if happening.value_after else ""
        return [Change("measure", f"measure {happening.measure}{value}, effective {effective}")]

    @handle.register
    def _financing(self, happening: Financing) -> list[Change]:
        facility = self.financing.get(happening.financing)
        if facility is None:
            facility = FinancingFacility(
                id=happening.financing,
                lender=happening.lender,
                borrower=happening.borrower,
                project=happening.project,
                instrument=happening.instrument,
                stage=happening.stage,
                amount=happening.amount,
                currency=happening.currency,
                bound=happening.bound,
                history=[(happening.stage, happening.occurred, happening.id)],
            )
            self.financing[facility.id] = facility
        else:
            facility.advance(happening)
        amount = describe_amount(happening)
        text = f"financing {facility.id}: {happening.stage}" + (f", {amount}" if amount else "")
        return [Change("financing", text)]

    @handle.register
    def _shipment(self, happening: Shipment) -> list[Change]:
        if happening.agreement is not None:
            self._agreement_for(happening, happening.agreement)
        if happening.step is not None and happening.step not in self.steps:
            raise RuleBroken(
                happening.id,
                f"step {happening.step!r} has not been planned by {happening.occurred}",
            )
        self.shipments.append(
            ShipmentMade(
                event_id=happening.id,
                title=happening.title,
                occurred=happening.occurred,
                goods=list(happening.goods),
                quantity=happening.quantity,
                shipper=happening.shipper,
                recipient=happening.recipient,
                origin=happening.origin,
                destination=happening.destination,
                agreement=happening.agreement,
                step=happening.step,
            )
        )
        return [Change("shipment", f"shipment: {', '.join(happening.goods)}")]

    @handle.register
    def _announcement(self, happening: Announcement) -> list[Change]:
        self.announcements.append(
            AnnouncementMade(
                event_id=happening.id,
                title=happening.title,
                occurred=happening.occurred,
                deal=happening.deal,
                announcer=happening.announcer,
                counterparties=list(happening.counterparties),
                claim=happening.claim,
                quote=happening.quote,
            )
        )
        name = self.actors[happening.announcer].name
        return [Change("announcement", f"announced by {name}: {happening.deal}")]

    @handle.register
    def _proposal(self, happening: Proposal) -> list[Change]:
        self.proposals.append(
            ProposalMade(
                event_id=happening.id,
                title=happening.title,
                occurred=happening.occurred,
                proposal=happening.proposal,
                proposer=happening.proposer,
                unnamed_proposer=happening.unnamed_proposer,
                official=happening.official,
                to=list(happening.to),
                claim=happening.claim,
                money=happening.money,
                review_days=happening.review_days,
            )
        )
        who = happening.unnamed_proposer or self.actors[happening.proposer].name
        return [Change("proposal", f"proposed by {who}: {happening.proposal}")]

    @handle.register
    def _conference(self, happening: Conference) -> list[Change]:
        self._gathering(happening, happening.participants, hosts=list(happening.hosts))
        self.engagements[-1].opened_by = list(happening.opened_by)
        self.engagements[-1].attendance = happening.attendance
        return [Change("engagement", f"conference held: {happening.title}")]

    @handle.register
    def _talks(self, happening: Talks) -> list[Change]:
        hosts = [happening.host] if happening.host else []
        self._gathering(happening, happening.parties, hosts, list(happening.mediators))
        return [Change("engagement", f"talks held: {happening.title}")]

    def _gathering(
        self, happening: Any, participants: list[str], hosts: list[str], mediators=()
    ) -> None:
        """A conference or talks as an engagement, with the roles it gives."""
        if happening.until and happening.until.end < happening.occurred.start:
            raise RuleBroken(happening.id, "it cannot end ('until') before it begins")
        self.engagements.append(
            Engagement(
                event_id=happening.id,
                kind=happening.kind,
                title=happening.title,
                occurred=happening.occurred,
                until=happening.until,
                participants=list(participants),
                place=happening.place,
                outcomes=list(happening.outcomes),
                priority_areas=[],
                hosts=hosts,
                mediators=list(mediators),
            )
        )

    def _agreement_for(self, happening: AnyHappening, agreement_id: str) -> Agreement:
        agreement = self.agreements.get(agreement_id)
        if agreement is None:
            signed = list(self.agreements)  # as they are now, read when asked

            def hint() -> str:
                known = difflib.get_close_matches(agreement_id, signed, n=3)
                return f"; known agreements like it: {', '.join(known)}" if known else ""

            raise RuleBroken(
                happening.id,
                f"agreement {agreement_id!r} is not signed by {happening.occurred} "
                f"(a {happening.kind.replace('-', ' ')} must follow the signing)",
                hint,
            )
        return agreement


def _handler_for(happening: Happening):
    """``World.handle``'s function for this happening's type, found without building the
    bound wrapper that ``singledispatchmethod`` makes on every attribute access (~2 us)."""
    return World.__dict__["handle"].dispatcher.dispatch(type(happening))


_BOUND_WORDS = {"exact": "", "about": "about ", "up-to": "up to ", "at-least": "at least "}


def describe_amount(commitment: Any) -> str:
    """'about USD 500 million', 'up to USD 2 billion' — the precision the source gave, no
    more (a commitment's or a financing's amount, currency and bound)."""
    if commitment.amount is None:
        return ""
    amount = commitment.amount
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if amount >= size and amount % (size / 10) == 0:
            text = f"{(amount / size).normalize():f} {word}"
            break
    else:
        text = f"{amount:,f}"
    bound = getattr(commitment, "bound", "exact")
    if bound == "exact" and getattr(commitment, "approximate", False):
        bound = "about"
    prefix = _BOUND_WORDS[bound]
    return f"{prefix}{commitment.currency or ''} {text}".replace("  ", " ").strip()


def actor_registry(happenings: Iterable[AnyHappening]) -> dict[str, Actor]:
    """Every actor introduced by ``happenings``, as first introduced in replay order."""
    registry: dict[str, Actor] = {}
    for happening in sorted(happenings, key=replay_key):
        for actor in happening.introduces:
            registry.setdefault(actor.id, actor)
    return registry


def refuse_shared_names(happenings: Iterable[AnyHappening], registry: dict[str, Actor]) -> None:
    """Refuse an actor introduced by ``happenings`` whose id, name or alias (in any case)
    already names another actor of ``registry``: asking for that name would find both."""
    owners: dict[str, set[str]] = {}
    for actor in registry.values():
        for name in actor_names(actor):
            owners.setdefault(name.casefold(), set()).add(actor.id)
    for happening in happenings:
        for actor in happening.introduces:
            for name in actor_names(actor):
                others = sorted(owners.get(name.casefold(), set()) - {actor.id})
                if others:
                    raise RuleBroken(
                        happening.id,
                        f"actor {actor.id!r}: {name!r} already names actor "
                        f"{', '.join(others)}; give this actor a name and aliases of its own",
                    )


def actor_names(actor: Actor) -> tuple[str, ...]:
    """What `--actor` finds an actor by."""
    return (actor.id, actor.name, *actor.aliases)


def world_for(happenings: list[AnyHappening], registry: dict[str, Actor] | None = None) -> World:
    """An empty world that knows the actors of ``registry``, by default those that
    ``happenings`` introduce."""
    return World(registry=actor_registry(happenings) if registry is None else registry)


def fold(happenings: list[AnyHappening]) -> World:
    """Apply happenings in replay order; raises RuleBroken at the first that does not fit."""
    world = world_for(happenings)
    for happening in sorted(happenings, key=replay_key):
        world.apply(happening)
    return world
