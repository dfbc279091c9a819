"""The vocabulary: one pydantic model per kind of happening, plus retractions.

A happening is something that occurred in the world, on a date known to some precision,
told by at least one source. Unknown fields are refused everywhere (``extra="forbid"``),
so a typo in a curated file is an error rather than a silently dropped fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)

from events import registry
from events.dates import FuzzyDate, parse_date
from events.plover import Code, Plover
from events.relations import RELATIONS, RelationName


def _to_fuzzy_date(value: object) -> FuzzyDate:
    if isinstance(value, FuzzyDate):
        return value
    if isinstance(value, date):  # a YAML/TOML reader may hand over a real date
        return parse_date(value.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_date(f"{value:04d}")
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError("expected a date as text: YYYY-MM-DD, YYYY-MM or YYYY (EDTF)")


EDTF_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?[~?%]?$"

Date = Annotated[
    FuzzyDate,
    PlainValidator(_to_fuzzy_date),
    PlainSerializer(lambda d: d.edtf, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": EDTF_PATTERN,
            "description": "EDTF date with its precision: YYYY-MM-DD (day), YYYY-MM "
            "(month) or YYYY (year); a trailing ~ marks approximate, ? uncertain.",
            "examples": ["2025-09-08", "2025-06", "2025"],
        }
    ),
]
SLUG_MAX_LENGTH = 80
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
URL_PATTERN = r"^https?://\S+$"
AMOUNT_MAX = Decimal(10) ** 15
AMOUNT_PLACES = 6
AMOUNT_EXPECTED = (
    "expected an amount from 0 to 10^15 (1000000000000000) with at most "
    f"{AMOUNT_PLACES} decimal places, such as 500000000 or 1.25"
)


def _bounded_amount(amount: Decimal) -> Decimal:
    """Refuse an amount that cannot be written out exactly in bounded space.

    No real commitment reaches a quadrillion or needs more than 6 decimal places; a
    13-character "1E-1000000000" lies between 0 and 10^15 yet written out in full is a
    billion digits (gigabytes to store, show or export).
    """
    exponent = amount.as_tuple().exponent
    if not (
        amount.is_finite()
        and not amount.is_signed()  # nor "-0", which would be shown as "-0"
        and amount <= AMOUNT_MAX
        and -AMOUNT_PLACES <= exponent <= 15
    ):
        raise ValueError(AMOUNT_EXPECTED)
    return amount


def _amount(value: object, read_decimal: ValidatorFunctionWrapHandler) -> Decimal:
    """Any value that is not a bounded amount gets the one message that says the bounds
    (also "1E-99999999999999999999", which is past what a Decimal holds)."""
    try:
        return _bounded_amount(read_decimal(value))
    except ValidationError:
        raise ValueError(AMOUNT_EXPECTED) from None


Amount = Annotated[
    Decimal,
    Field(allow_inf_nan=True),  # so that NaN and Infinity get the message above too
    WrapValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": int(AMOUNT_MAX)},
                {"type": "string"},
            ],
            "description": AMOUNT_EXPECTED.replace("expected an", "An", 1),
        }
    ),
]
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH),
    Field(description="Stable identifier: lower-case letters, digits and hyphens."),
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2000)]


def one_of_given(*names: str) -> dict[str, Any]:
    """A JSON Schema saying one of these text fields must be given (what a model's own
    check refuses otherwise), so that editors learn the rule too."""
    return {"anyOf": [{"required": [n], "properties": {n: {"type": "string"}}} for n in names]}


def named_or_described(model: Any, named: str, unnamed: str, what: str) -> Any:
    """``model`` when exactly one of ``named`` (an actor id) and ``unnamed`` (words for
    someone no source names) is given."""
    if (getattr(model, named) is None) == (getattr(model, unnamed) is None):
        raise ValueError(
            f"{what} needs a {named} (an actor id) or an {unnamed} "
            "(as the source describes them), not both"
        )
    return model


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Stance = Literal["reports", "confirms", "denies", "disputes", "previews"]


class Relayed(Strict):
    """The report a source relays ("Livemint, reporting the Financial Times"): the
    primary, named in structure, as far as the relaying source identifies it."""

    publisher: Line
    title: Line | None = None
    published: Date | None = None
    url: Url | None = None


class Source(Strict):
    """A published report that tells (part of) the happening."""

    # Editors learn the rule below too: a title, or else a url.
    model_config = ConfigDict(json_schema_extra=one_of_given("title", "url"))

    publisher: Line
    title: Line | None = Field(None, description="Its headline; optional when it has a url.")
    published: Date
    url: Url | None = None
    quote: Text | None = Field(None, description="The words of the source that carry the fact.")
    stance: Stance | None = Field(
        None,
        description="How it bears on the event: reports (the default), confirms, denies or "
        "disputes it; previews: published before it, telling what was planned or expected.",
    )
    relays: Relayed | None = Field(
        None, description="The report it relays, when it reports another's report."
    )

    @model_validator(mode="after")
    def _identified(self) -> Source:
        # Publisher and date alone do not tell one report from another; a url does.
        if self.title is None and self.url is None:
            raise ValueError("a source without a title needs a url (publisher, date and url)")
        return self


class Relation(Strict):
    """A link from one event to another recorded before it or in the same batch."""

    to: Slug
    relation: RelationName = Field(
        description="; ".join(f"{r.name}: {r.meaning}" for r in RELATIONS.values())
    )
    note: Line | None = None


class Alternative(Strict):
    """Another value of one field, as other sources give it (a disagreement, kept).

    It is cited like any fact: by its own ``sources``, or by the event's, and ``said_by``
    names their publishers (``Happening.unattributed`` is the rule)."""

    # Editors learn the rule below too: who says so, or the sources that say it.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["said_by"], "properties": {"said_by": {"minItems": 1}}},
                {"required": ["sources"], "properties": {"sources": {"minItems": 1}}},
            ]
        }
    )

    field: Line = Field(description="The field it is about, e.g. occurred or amount.")
    value: Line = Field(description="The other value, as the source gives it.")
    said_by: list[Line] = Field(
        [],
        description="The publishers who give it, each a publisher of the event's sources or "
        "of this alternative's own; optional when it has sources (then their publishers).",
    )
    sources: list[Source] = Field([], description="The reports that give this value.")
    note: Line | None = None

    @model_validator(mode="before")
    @classmethod
    def _said_by_its_sources(cls, data: Any) -> Any:
        # Written as a value, so that what is stored reads back the same (not derived
        # again on every read) and every reader of the JSON finds who says so.
        if isinstance(data, dict) and not data.get("said_by") and data.get("sources"):
            publishers = [
                s.get("publisher") if isinstance(s, dict) else getattr(s, "publisher", None)
                for s in data["sources"]
            ]
            if all(isinstance(p, str) for p in publishers):
                data = {**data, "said_by": list(dict.fromkeys(p.strip() for p in publishers))}
        return data

    @model_validator(mode="after")
    def _someone_says_so(self) -> Alternative:
        if not self.said_by:
            raise ValueError(
                "said_by: name who gives this value, or give the alternative its own sources"
            )
        return self


Bound = Literal["exact", "about", "up-to", "at-least"]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


AmountStage = Literal["proposed", "notified", "pledged", "approved", "disbursed"]


class Money(Strict):
    """An amount with what it means: proposed, notified (to a legislature, say),
    pledged, approved or disbursed, as the source says, at the precision it gives."""

    amount: Amount
    currency: Currency | None = None
    bound: Bound = "exact"
    stage: AmountStage = Field(description="What the amount is: " + ", ".join(AmountStage.__args__))


ReviewDays = Annotated[
    int,
    Field(
        ge=1,
        le=3650,
        description="A review period the source gives, in days (a notification to Congress: 30).",
    ),
]


class Actor(Strict):
    """A person, organisation or state, as the sources name it."""

    id: Slug
    name: Line
    type: Literal["person", "organisation", "state"]
    country: Line | None = None
    role: Line | None = Field(None, description="Role at the time of the introducing event.")
    aliases: list[Line] = []


@dataclass(frozen=True)
class Ref:
    """Marks a field that names another thing of the record: an actor, an agreement, a
    step. What a happening refers to is read from these marks, never listed."""

    to: str


ActorRef = Annotated[Slug, Ref("actor")]
AgreementRef = Annotated[Slug, Ref("agreement")]
StepRef = Annotated[Slug, Ref("step")]


def _refs_in(annotation: Any) -> set[str]:
    """The ``Ref`` marks anywhere in a type (``list[ActorRef]``, ``ActorRef | None``)."""
    found = set()
    if get_origin(annotation) is Annotated:
        found |= {m.to for m in annotation.__metadata__ if isinstance(m, Ref)}
    for inner in get_args(annotation):
        found |= _refs_in(inner)
    return found


@cache
def reference_fields(model: type[BaseModel], to: str) -> tuple[str, ...]:
    """The fields of ``model`` that name things of sort ``to``, in declaration order."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if to in _refs_in(info.annotation) | {m.to for m in info.metadata if isinstance(m, Ref)}
    )


@cache
def thing_sorts(model: type[BaseModel]) -> frozenset[str]:
    """The sorts of thing other than actors that ``model``'s fields refer to."""
    sorts = set()
    for info in model.model_fields.values():
        sorts |= _refs_in(info.annotation) | {m.to for m in info.metadata if isinstance(m, Ref)}
    return frozenset(sorts - {"actor"})


def referred_ids(values: Mapping[str, Any], fields: tuple[str, ...]) -> list[str]:
    """The ids that ``fields`` of ``values`` hold (one or a list each), first seen first."""
    ids: list[str] = []
    for field in fields:
        value = values.get(field)
        if isinstance(value, str):
            ids.append(value)
        elif value:
            ids.extend(value)
    return list(dict.fromkeys(ids))


def mentioned_ids(values: Mapping[str, Any]) -> list[str]:
    """The actor ids named by a happening's fields (a model's, or its stored JSON's)."""
    model = registry.model_for(values.get("kind"))
    models = [model] if model is not None else registry.happening_models()
    fields = dict.fromkeys(f for m in models for f in reference_fields(m, "actor"))
    return referred_ids(values, tuple(fields))


class Happening(Strict):
    """What every kind of happening carries.

    A kind is declared once, by a subclass with a ``kind`` literal; defining it registers
    it (``events.registry``). Its class-level ``rank`` orders it among happenings of the
    same start date (causes before what depends on them: meetings and visits 0, signings
    1, commitments 2, statements and plans 3, progress 4); ``label`` names it to readers
    (default: its kind's words). Fields typed ``ActorRef``/``AgreementRef``/``StepRef``
    say what it refers to. Its ``plover`` code (``events.plover``) is how the PLOVER export
    codes it; a kind without one is refused.
    """

    rank: ClassVar[int] = 3
    label: ClassVar[str | None] = None
    # The sort of thing this event's own id names, when later events refer to it by that
    # id (a commitment's progress names the commitment-made event).
    defines: ClassVar[str | None] = None
    plover: ClassVar[Plover | None] = None
    # The field naming who makes the claim a kind carries (a statement's speaker), which
    # later events may confirm, deny, dispute or withdraw (``projections.claims``).
    claimant: ClassVar[str | None] = None

    id: Slug
    occurred: Date = Field(description="When it happened in the world, with its precision.")
    title: Line
    summary: Text
    actors: list[ActorRef] = Field([], description="Ids of the actors involved.")
    introduces: list[Actor] = Field([], description="Actors first named by this event.")
    sources: list[Source] = Field(min_length=1)
    note: Text | None = Field(None, description="Curator's note: discrepancies, corrections.")
    supersedes: Slug | None = Field(None, description="Id of the event this one amends.")
    relates: list[Relation] = Field([], description="Links to other events.")
    alternatives: list[Alternative] = Field([], description="Values other sources give.")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "kind" in cls.model_fields:
            _check_plover(cls)
            registry.register(cls)

    @classmethod
    def facts(cls) -> list[str]:
        """The fields an alternative may give another value of: this kind's own facts,
        never what identifies or links records."""
        unfit = {"id", "kind", "supersedes", "relates", "alternatives", "sources"}
        return [name for name in cls.model_fields if name not in unfit]

    @model_validator(mode="after")
    def _alternatives_name_own_fields(self) -> Happening:
        # A field the kind lacks would be shown nowhere, and nothing would say it is odd.
        for alternative in self.alternatives:
            if alternative.field not in self.facts():
                raise ValueError(
                    f"alternatives: field {alternative.field!r} is not a fact of a "
                    f"{self.kind_name()}; expected one of: {', '.join(sorted(self.facts()))}"
                )
        return self

    def unattributed(self) -> str | None:
        """The one rule of who says an alternative: each of its ``said_by`` is the publisher
        of one of the event's sources or of the alternative's own. What breaks it, as one
        sentence (None: nothing does). Applied by the record to what it will believe
        (``domain.recording``), never to what it already holds."""
        cited = [s.publisher for s in self.sources]
        for alternative in self.alternatives:
            known = list(dict.fromkeys([*cited, *(s.publisher for s in alternative.sources)]))
            for publisher in alternative.said_by:
                if publisher not in known:
                    return (
                        f"alternative of field {alternative.field!r}: said_by {publisher!r} "
                        "is not the publisher of any of its sources; expected one of: "
                        f"{', '.join(known)} (or give the alternative its own sources)"
                    )
        return None

    @classmethod
    def kind_name(cls) -> str:
        return get_args(cls.model_fields["kind"].annotation)[0]

    @classmethod
    def replay_rank(cls, values: Mapping[str, Any]) -> int:
        """The rank of a happening of this kind with these field values."""
        return cls.rank

    def mentions(self) -> list[str]:
        """Every actor id this happening refers to (checked against known actors)."""
        return referred_ids(self.__dict__, reference_fields(type(self), "actor"))

    def names(self) -> set[str]:
        """Every actor it names or introduces: what the state shows it about."""
        return {*self.mentions(), *(a.id for a in self.introduces)}

    def refers_to(self, to: str) -> list[str]:
        """The ids of the things of sort ``to`` ("agreement", "step") it names."""
        return referred_ids(self.__dict__, reference_fields(type(self), to))

    def things(self) -> set[str]:
        """What its rules depend on, as ``sort:id`` keys: every thing but an actor that its
        typed references name (an agreement, a step, a financing facility, a measure, a
        commitment), and itself where its own id names a thing (``defines``)."""
        keys = {f"{sort}:{i}" for sort in thing_sorts(type(self)) for i in self.refers_to(sort)}
        if self.defines is not None:
            keys.add(f"{self.defines}:{self.id}")
        return keys


def _check_plover(model: type[Happening]) -> None:
    """Refuse a kind without a PLOVER code, or whose code names fields it lacks."""
    name, kind = model.__name__, model.kind_name()
    code = model.plover
    if not isinstance(code, Plover):
        raise TypeError(
            f"{name}: kind {kind!r} needs a PLOVER code: plover = Plover(Code(...)) "
            "(see events.plover)"
        )
    actor_fields = reference_fields(model, "actor")
    wrong = [f for f in (*code.actors, *code.recipients) if f not in actor_fields]
    if code.by is not None and code.by not in model.model_fields:
        wrong.append(code.by)
    wrong += [f"relation {r}" for r in code.relations if r not in RELATIONS]
    if wrong:
        raise TypeError(f"{name}: its PLOVER code names fields it lacks: {', '.join(wrong)}")


class Meeting(Happening):
    rank = 0
    plover = Plover(
        Code("CONSULT", context=("diplomatic",)),
        actors=("participants",),
        why="all consultations and meetings; no host/visitor distinction: "
        "all participants are actors",
    )
    kind: Literal["meeting"]
    participants: list[ActorRef] = Field(min_length=2)
    place: Line | None = None
    outcomes: list[Text] = []
    priority_areas: list[Line] = []


class Visit(Happening):
    rank = 0
    plover = Plover(
        Code("CONSULT", "visit", ("diplomatic",)),
        actors=("delegation",),
        recipients=("destination",),
        why="mode visit: the actor is visiting, the recipient is hosting",
    )
    kind: Literal["visit"]
    delegation: list[ActorRef] = Field(min_length=1, description="Organisations visiting.")
    origin: ActorRef
    destination: ActorRef
    purpose: Text
    until: Date | None = Field(None, description="Last day of the visit, if reported.")


class AgreementSigned(Happening):
    rank = 1
    plover = Plover(
        Code("SUPPORT", context=("diplomatic",)),
        actors=("parties",),
        why="SUPPORT covers 'ratify, sign, or finalize an agreement or treaty' "
        "(CAMEO 057 'sign formal agreement')",
    )
    kind: Literal["agreement-signed"]
    agreement: AgreementRef
    instrument: Line = Field(description="What was signed: MoU, agreement, contract ...")
    parties: list[ActorRef] = Field(min_length=2)
    venue: Line | None = None
    witnesses: list[ActorRef] = []
    scope: Text
    minerals: list[Line] = []
    sectors: list[Line] = []


class CommitmentMade(Happening):
    rank = 2
    defines = "commitment"
    plover = Plover(
        Code("AGREE", context=("economic",)),
        why="'agree to, offer, promise, or otherwise indicate willingness or commitment to "
        "cooperate'",
    )
    kind: Literal["commitment-made"]
    agreement: AgreementRef
    description: Text
    amount: Amount | None = None
    currency: Currency | None = None
    approximate: bool = False
    bound: Bound = "exact"
    phase: Line | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> CommitmentMade:
        # approximate: true is the old spelling of bound: about; both must agree.
        if self.approximate and self.bound not in ("exact", "about"):
            raise ValueError(f"approximate: true contradicts bound: {self.bound}")
        return self

    @property
    def effective_bound(self) -> str:
        """The bound, whichever way it was written (stored as given: it must round-trip)."""
        return "about" if self.approximate else self.bound


class StatementMade(Happening):
    plover = Plover(
        Code("SUPPORT", context=("diplomatic",)),
        actors=("speaker", "on_behalf_of"),
        relations={
            "denies": Code("REJECT", context=("diplomatic",)),
            "contradicts": Code("ACCUSE", "disapprove", ("diplomatic",)),
            "disputes": Code("ACCUSE", "disapprove", ("diplomatic",)),
            "withdraws": Code("CONCEDE", context=("diplomatic",)),
        },
        why="'express support for, commend, approve policy, action, or actor'; PLOVER has "
        "no category for a plain public statement. One that denies, disputes or withdraws a "
        "claim it relates to is coded by what it does: a denial REJECT, a contradiction or "
        "dispute ACCUSE (mode disapprove), taking a claim back CONCEDE",
    )
    claimant = "speaker"
    # Editors learn the rule below too: a speaker, or else an unnamed speaker.
    model_config = ConfigDict(json_schema_extra=one_of_given("speaker", "unnamed_speaker"))
    kind: Literal["statement-made"]
    speaker: ActorRef | None = Field(
        None, description="Id of the actor who spoke (or give unnamed_speaker)."
    )
    unnamed_speaker: Line | None = Field(
        None,
        description="Who spoke, as the source describes someone it does not name: "
        "'a senior security official', 'advisers to the army chief'.",
    )
    on_behalf_of: ActorRef | None = None
    quote: Text
    about: AgreementRef | None = Field(
        None, description="Id of the agreement the statement is about."
    )

    @model_validator(mode="after")
    def _someone_spoke(self) -> StatementMade:
        return named_or_described(self, "speaker", "unnamed_speaker", "a statement")


class StepPlanned(Happening):
    plover = Plover(
        Code("AGREE"),
        actors=("owners",),
        why="cooperative actions reported in future tense are coded AGREE",
    )
    kind: Literal["step-planned"]
    step: StepRef
    description: Text
    owners: list[ActorRef] = []
    agreement: AgreementRef | None = None
    target: Date | None = Field(None, description="When the step is meant to happen.")


StepStatus = Literal["planned", "under-way", "done", "dropped"]
STEP_STATUS_ORDER = {"planned": 0, "under-way": 1, "done": 2, "dropped": 2}


class StepProgressed(Happening):
    rank = 4
    plover = Plover(
        Code("COOPERATE"),
        by="status",
        cases={"dropped": Code("SANCTION", "discontinue")},
        why="under way or done: material cooperation; dropped: 'curtail, decrease, break, "
        "or terminate' an exchange",
    )
    kind: Literal["step-progressed"]
    step: StepRef
    status: Literal["under-way", "done", "dropped"]

    @classmethod
    def replay_rank(cls, values: Mapping[str, Any]) -> int:
        """A step under way before it is done or dropped, the same day."""
        return cls.rank + STEP_STATUS_ORDER[values["status"]] - 1


class GovernmentAction(Happening):
    """An executive order, a tariff or another measure set by an authority."""

    rank = 0
    label = "government action"
    plover = Plover(
        Code("COERCE", "restrict"),
        actors=("authority",),
        recipients=("subject",),
        why="a measure an authority sets on others (CAMEO 163 'impose embargo, boycott, or "
        "sanctions'); one that eases (a lower tariff) is coded the same",
    )
    kind: Literal["government-action"]
    authority: ActorRef
    instrument: Line = Field(description="executive order, proclamation, SRO, notification")
    measure: Annotated[Slug, Ref("measure")] = Field(
        description="Stable id of the measure; later actions replace it."
    )
    description: Text
    subject: ActorRef | None = None
    value_before: Line | None = None
    value_after: Line | None = None
    effective: Date | None = Field(None, description="When it takes effect (default: occurred).")
    ends: Date | None = None


FinancingStage = Literal["pledged", "approved", "signed", "disbursed", "withdrawn"]
FINANCING_STAGE_ORDER = {"pledged": 0, "approved": 1, "signed": 2, "disbursed": 3, "withdrawn": 4}


class Financing(Happening):
    """A stage of a loan, grant or guarantee: not tied to a signed agreement."""

    rank = 2
    label = "financing"
    plover = Plover(
        Code("AID", context=("economic",)),
        actors=("lender",),
        recipients=("borrower",),
        by="stage",
        cases={
            "pledged": Code("AGREE", context=("economic",)),
            "withdrawn": Code("SANCTION", "discontinue", ("economic",)),
        },
        why="'monetary aid and financial guarantees, grants, gifts and credit'; pledged: a "
        "promise (AGREE); withdrawn: aid stopped (SANCTION discontinue)",
    )
    kind: Literal["financing"]
    financing: Annotated[Slug, Ref("financing")] = Field(
        description="Stable id of the facility, shared by its stages."
    )
    stage: FinancingStage
    lender: ActorRef
    borrower: ActorRef | None = None
    project: Line
    amount: Amount | None = None
    currency: Currency | None = None
    bound: Bound = "exact"
    instrument: Line | None = None


class Shipment(Happening):
    rank = 3
    label = "shipment"
    plover = Plover(
        Code("COOPERATE", context=("economic",)),
        actors=("shipper",),
        recipients=("recipient",),
        why="'initiate, resume, improve, or expand economic exchange or cooperation'",
    )
    kind: Literal["shipment"]
    goods: list[Line] = Field(min_length=1)
    quantity: Line | None = None
    shipper: ActorRef | None = None
    recipient: ActorRef | None = None
    origin: Line | None = None
    destination: Line | None = None
    agreement: AgreementRef | None = None
    step: StepRef | None = None


# The PLOVER codebook's words for an announcement's and a proposal's code.
PROMISES_ARE_AGREE = (
    "'promises, offers, or agreement for future cooperation should be coded as AGREE'"
)


class Announcement(Happening):
    """A deal or intention claimed by an actor, not (yet) signed."""

    rank = 0
    label = "announcement"
    plover = Plover(
        Code("AGREE"),
        actors=("announcer",),
        recipients=("counterparties",),
        why=PROMISES_ARE_AGREE,
    )
    claimant = "announcer"
    kind: Literal["announcement"]
    deal: Slug = Field(description="Stable id of the announced deal or intention.")
    announcer: ActorRef
    counterparties: list[ActorRef] = []
    claim: Text
    quote: Text | None = None
    money: Money | None = Field(None, description="An amount it names, and what it means.")
    review_days: ReviewDays | None = None


class Proposal(Happening):
    """An offer or plan floated by someone, official or not: proposed, then taken up,
    denied or dropped by later events that relate to it (takes-up, denies, withdraws)."""

    rank = 3
    label = "proposal"
    claimant = "proposer"
    plover = Plover(
        Code("AGREE"),
        actors=("proposer",),
        recipients=("to",),
        why=PROMISES_ARE_AGREE,
    )
    # Editors learn the rule below too: a proposer, or else an unnamed one.
    model_config = ConfigDict(json_schema_extra=one_of_given("proposer", "unnamed_proposer"))
    kind: Literal["proposal"]
    proposal: Annotated[Slug, Ref("proposal")] = Field(
        description="Stable id of what is proposed, shared by the events about it."
    )
    proposer: ActorRef | None = Field(
        None, description="Id of who floated it (or unnamed_proposer)."
    )
    unnamed_proposer: Line | None = Field(
        None, description="Who floated it, as the source describes someone it does not name."
    )
    official: bool | None = Field(
        None, description="Whether the sources say it is official policy (omit: not said)."
    )
    to: list[ActorRef] = Field([], description="Ids of those it is offered to.")
    claim: Text = Field(description="What is proposed.")
    money: Money | None = Field(None, description="An amount it names, and what it means.")
    review_days: ReviewDays | None = None

    @model_validator(mode="after")
    def _someone_proposed(self) -> Proposal:
        return named_or_described(self, "proposer", "unnamed_proposer", "a proposal")


class Conference(Happening):
    """A multilateral gathering: who hosts it, the states and delegations taking part,
    and its days."""

    rank = 0
    label = "conference"
    plover = Plover(
        Code("CONSULT", "multilateral", ("diplomatic",)),
        actors=("participants",),
        recipients=("hosts",),
        why="mode multilateral: 'meetings and consultations among more than two actors'; "
        "the hosts receive",
    )
    kind: Literal["conference"]
    hosts: list[ActorRef] = Field(min_length=1, description="Ids of those hosting it.")
    participants: list[ActorRef] = Field(
        [], description="Ids of the states and delegations the sources name as taking part."
    )
    attendance: Line | None = Field(
        None, description="How many took part, as the source says: 'more than 50 delegations'."
    )
    opened_by: list[ActorRef] = Field([], description="Ids of those who opened it.")
    place: Line | None = None
    until: Date | None = Field(None, description="Its last day, if reported.")
    outcomes: list[Text] = []


class Talks(Happening):
    """Talks between parties that one state hosts or mediates (roles: host, mediators,
    parties)."""

    rank = 0
    label = "talks"
    plover = Plover(
        Code("CONSULT", "third-party", ("diplomatic",)),
        actors=("parties",),
        recipients=(),
        why="mode third-party: consultations hosted or mediated by a third party",
    )
    kind: Literal["talks"]
    parties: list[ActorRef] = Field(min_length=2, description="Ids of the sides talking.")
    host: ActorRef | None = Field(None, description="Id of the state hosting the talks.")
    mediators: list[ActorRef] = Field([], description="Ids of those mediating.")
    place: Line | None = None
    until: Date | None = Field(None, description="Their last day, if reported.")
    outcomes: list[Text] = []


CommitmentStatus = Literal["made", "under-way", "fulfilled", "lapsed", "withdrawn"]
COMMITMENT_STATUS_ORDER = {
    "made": 0,
    "under-way": 1,
    "fulfilled": 2,
    "lapsed": 2,
    "withdrawn": 2,
}


class CommitmentProgressed(Happening):
    rank = 4
    label = "commitment progressed"
    plover = Plover(
        Code("COOPERATE"),
        by="status",
        cases={
            "lapsed": Code("SANCTION", "discontinue"),
            "withdrawn": Code("SANCTION", "discontinue"),
        },
        why="under way or fulfilled: material cooperation; lapsed or withdrawn: the exchange "
        "stopped",
    )
    kind: Literal["commitment-progressed"]
    commitment: Annotated[Slug, Ref("commitment")] = Field(
        description="The id of the commitment-made event."
    )
    status: Literal["under-way", "fulfilled", "lapsed", "withdrawn"]

    @classmethod
    def replay_rank(cls, values: Mapping[str, Any]) -> int:
        """Under way before fulfilled, the same day."""
        return cls.rank + COMMITMENT_STATUS_ORDER.get(values.get("status"), 1) - 1


class Retraction(Strict):
    """Withdraws an earlier event from the current view; the event itself stays stored."""

    kind: Literal["retraction"]
    id: Slug
    retracts: Slug
    reason: Text
    sources: list[Source] = Field(min_length=1)


registry.register_retraction(Retraction)


class PartialAmendment(BaseModel):
    """An amendment that gives only what it changes (plus its id, ``supersedes`` and its
    sources): completed from the event it supersedes before it is checked and stored
    (``domain.recording``), so the store only ever holds whole events. ``changes`` holds
    the other fields given, each already validated by the kind's model."""

    # built when first used (as every model here): a read never pays for it
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    kind: str
    id: Slug
    supersedes: Slug
    sources: list[Source] = Field(min_length=1)
    changes: dict[str, Any] = {}

    def as_written(self) -> dict[str, Any]:
        """The amendment as its file gives it (what reads back as this same amendment)."""
        return {**self.model_dump(mode="json", exclude={"changes"}), **self.changes}


def partial_amendment(raw: Any, error: ValidationError) -> PartialAmendment | None:
    """``raw`` as a partial amendment, when it names what it supersedes and the kind's
    model finds nothing wrong in it but missing fields (else None: the error stands)."""
    if not (isinstance(raw, dict) and isinstance(raw.get("supersedes"), str)):
        return None
    model = registry.model_for(raw.get("kind"))
    problems = error.errors()
    if model is None or any(e["type"] != "missing" or len(e["loc"]) != 2 for e in problems):
        return None
    if {"id", "sources"} & {e["loc"][1] for e in problems}:
        return None
    own = {"kind", "id", "supersedes", "sources"}
    changes = {
        name: _field_adapter(model, name).dump_python(
            _field_adapter(model, name).validate_python(value), mode="json"
        )
        for name, value in raw.items()
        if name not in own
    }
    return PartialAmendment.model_validate({**{k: raw[k] for k in own}, "changes": changes})


@cache
def _field_adapter(model: type[BaseModel], name: str) -> Any:
    from pydantic import TypeAdapter

    info = model.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])


AnyHappening = Happening  # any registered kind; ``registry.document_type()`` is the union
