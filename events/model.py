"""The vocabulary: one pydantic model per kind of happening, plus retractions.

A happening is something that occurred in the world, on a date known to some precision,
told by at least one source. Unknown fields are refused everywhere (``extra="forbid"``),
so a typo in a curated file is an error rather than a silently dropped fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

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
)

from events.dates import FuzzyDate, parse_date


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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Strict):
    """A published report that tells (part of) the happening."""

    publisher: Line
    title: Line
    published: Date
    url: Url | None = None
    quote: Text | None = Field(None, description="The words of the source that carry the fact.")


class Actor(Strict):
    """A person, organisation or state, as the sources name it."""

    id: Slug
    name: Line
    type: Literal["person", "organisation", "state"]
    country: Line | None = None
    role: Line | None = Field(None, description="Role at the time of the introducing event.")
    aliases: list[Line] = []


# The fields of any kind that name actors, in the order they are reported.
MENTION_FIELDS = (
    "actors",
    "participants",
    "delegation",
    "origin",
    "destination",
    "parties",
    "witnesses",
    "speaker",
    "on_behalf_of",
    "owners",
)


def mentioned_ids(values: Mapping[str, Any]) -> list[str]:
    """The actor ids named by a happening's fields (a model's, or its stored JSON's)."""
    ids: list[str] = []
    for field in MENTION_FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            ids.append(value)
        elif value:
            ids.extend(value)
    return list(dict.fromkeys(ids))


class Happening(Strict):
    """What every kind of happening carries."""

    id: Slug
    occurred: Date = Field(description="When it happened in the world, with its precision.")
    title: Line
    summary: Text
    actors: list[Slug] = Field([], description="Ids of the actors involved.")
    introduces: list[Actor] = Field([], description="Actors first named by this event.")
    sources: list[Source] = Field(min_length=1)
    note: Text | None = Field(None, description="Curator's note: discrepancies, corrections.")
    supersedes: Slug | None = Field(None, description="Id of the event this one amends.")

    def mentions(self) -> list[str]:
        """Every actor id this happening refers to (checked against known actors)."""
        return mentioned_ids(self.__dict__)


class Meeting(Happening):
    kind: Literal["meeting"]
    participants: list[Slug] = Field(min_length=2)
    place: Line | None = None
    outcomes: list[Text] = []
    priority_areas: list[Line] = []


class Visit(Happening):
    kind: Literal["visit"]
    delegation: list[Slug] = Field(min_length=1, description="Organisations visiting.")
    origin: Slug
    destination: Slug
    purpose: Text
    until: Date | None = Field(None, description="Last day of the visit, if reported.")


class AgreementSigned(Happening):
    kind: Literal["agreement-signed"]
    agreement: Slug
    instrument: Line = Field(description="What was signed: MoU, agreement, contract ...")
    parties: list[Slug] = Field(min_length=2)
    venue: Line | None = None
    witnesses: list[Slug] = []
    scope: Text
    minerals: list[Line] = []
    sectors: list[Line] = []


class CommitmentMade(Happening):
    kind: Literal["commitment-made"]
    agreement: Slug
    description: Text
    amount: Amount | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    approximate: bool = False
    phase: Line | None = None


class StatementMade(Happening):
    kind: Literal["statement-made"]
    speaker: Slug
    on_behalf_of: Slug | None = None
    quote: Text
    about: Slug | None = Field(None, description="Id of the agreement the statement is about.")


class StepPlanned(Happening):
    kind: Literal["step-planned"]
    step: Slug
    description: Text
    owners: list[Slug] = []
    agreement: Slug | None = None
    target: Date | None = Field(None, description="When the step is meant to happen.")


StepStatus = Literal["planned", "under-way", "done", "dropped"]


class StepProgressed(Happening):
    kind: Literal["step-progressed"]
    step: Slug
    status: Literal["under-way", "done", "dropped"]


class Retraction(Strict):
    """Withdraws an earlier event from the current view; the event itself stays stored."""

    kind: Literal["retraction"]
    id: Slug
    retracts: Slug
    reason: Text
    sources: list[Source] = Field(min_length=1)


AnyHappening = Meeting | Visit | AgreementSigned | CommitmentMade | StatementMade
AnyHappening |= StepPlanned | StepProgressed
Document = Annotated[AnyHappening | Retraction, Field(discriminator="kind")]
