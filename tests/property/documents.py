"""Hypothesis strategies for valid event documents of every kind, derived from the models.

Each field's values come from its annotation (text with its length and pattern, dates,
amounts, literals, lists, nested sources and actors), so a new kind or field is covered
without touching this file. Only what the domain's rules need is set on top: fresh ids,
actors that are known, and the events a document depends on (an agreement's signing, a
step's plan, the event a retraction withdraws or an amendment supersedes), which go into
the same batch, on the same date.

The texts and dates are written independently of uspk's own code (the dates with their
own formatting, checked in the tests against an independent calendar), in the form the
store keeps them: text without surrounding whitespace, dates as four-digit EDTF,
amounts as decimal strings.
"""

from __future__ import annotations

import calendar
import contextlib
import types
import typing
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any, Literal, get_args, get_origin

from annotated_types import MinLen
from hypothesis import strategies as st
from pydantic import BaseModel, StringConstraints
from pydantic_core import PydanticUndefined

from events.dates import DateError, FuzzyDate, parse_date
from events.kinds import happening_models
from events.model import (
    AMOUNT_MAX,
    AMOUNT_PLACES,
    Alternative,
    Bound,
    Retraction,
    Source,
    reference_fields,
    thing_sorts,
)
from tests.factories import doc

MODELS: dict[str, type[BaseModel]] = {
    get_args(model.model_fields["kind"].annotation)[0]: model
    for model in (*happening_models(), Retraction)
}
SHIPPED_ACTORS = ["ussm", "fwo", "shehbaz-sharif", "ishaq-dar", "asim-munir", "nlcp"]
YESTERDAY = datetime.now(UTC).date() - timedelta(days=1)  # past on any clock

_serial = count()
# Text as validation accepts it: no control characters but line feed and tab, no
# bidirectional embeddings, overrides or isolates, no surrogates; any other Unicode.
_REFUSED = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_CHARACTERS = st.one_of(
    st.characters(blacklist_categories=("Cc", "Cs")).filter(lambda c: c not in _REFUSED),
    st.sampled_from(["\n", "\t", "\u200f", "\u061c", "é", "ں", "😀", "\\", '"', "'"]),
)


def fresh_id(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


def text(min_size: int = 1, max_size: int = 30) -> st.SearchStrategy[str]:
    """Text as stored: at least ``min_size`` characters, nothing to strip at either end."""
    return st.text(_CHARACTERS, min_size=min_size, max_size=max_size).filter(
        lambda t: t == t.strip() and len(t) >= min_size
    )


@st.composite
def edtf_dates(draw, max_year: int = 9999, until: date | None = None) -> str:
    """EDTF text of a year, month or day in 0001..``max_year``, with any qualifier,
    starting no later than ``until``."""
    year = draw(st.integers(1, max_year))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    if precision == "year":
        start, written = date(year, 1, 1), f"{year:04d}"
    elif precision == "month":
        start, written = date(year, month, 1), f"{year:04d}-{month:02d}"
    else:
        start, written = date(year, month, day), f"{year:04d}-{month:02d}-{day:02d}"
    if until is not None and start > until:
        return draw(edtf_dates(max_year=until.year, until=until))
    return written + draw(st.sampled_from(["", "~", "?", "%"]))


def interval(edtf: str) -> tuple[date, date, str]:
    """(first day, last day, precision) of an EDTF text, from the calendar alone."""
    parts = [int(p) for p in edtf.rstrip("~?%").split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31), "year"
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(*parts, 1), date(*parts, last), "month"
    return date(*parts), date(*parts), "day"


def amounts() -> st.SearchStrategy[str]:
    """Amounts as decimal strings: anywhere in 0..10^15 with 0..6 places, and the bounds."""
    written = st.integers(0, AMOUNT_PLACES).flatmap(
        lambda places: st.decimals(
            min_value=0, max_value=AMOUNT_MAX, places=places, allow_nan=False
        )
    )
    bounds = ["0", "0.000001", "1000000000000000", "999999999999999.999999", "1E+15", "1.50"]
    return st.one_of(st.sampled_from(bounds), written.map(lambda d: str(d.copy_abs())))


def _constraints(metadata: list[Any]) -> tuple[StringConstraints | None, int]:
    strings = next((m for m in metadata if isinstance(m, StringConstraints)), None)
    min_length = next((m.min_length for m in metadata if isinstance(m, MinLen)), 0)
    return strings, min_length


def values_for(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    """Valid values of a field, from its annotation and pydantic metadata."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return st.one_of(st.none(), *(values_for(a, metadata) for a in options))
    if origin is typing.Annotated:
        base, *extras = get_args(annotation)
        inner = [m for e in extras for m in getattr(e, "metadata", [e])]
        return values_for(base, [*metadata, *extras, *inner])
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is list:
        _, min_length = _constraints(metadata)
        (item,) = get_args(annotation)
        return st.lists(values_for(item, []), min_size=min_length, max_size=min_length + 2)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_documents(annotation)
    if annotation is FuzzyDate:
        return edtf_dates()
    if annotation is Decimal:
        return amounts()
    if annotation is bool:
        return st.booleans()
    if annotation is int:  # a review period's days: within the field's bounds
        low = next((m.ge for m in metadata if hasattr(m, "ge")), 0)
        high = next((m.le for m in metadata if hasattr(m, "le")), 10**6)
        return st.integers(min_value=low, max_value=high)
    if annotation is str:
        return _strings(*_constraints(metadata))
    raise NotImplementedError(f"no strategy for {annotation!r}: teach tests/property")


def _strings(constraints: StringConstraints | None, _: int) -> st.SearchStrategy[str]:
    if constraints is None:
        return text()
    pattern, longest = constraints.pattern, constraints.max_length or 10_000
    if pattern == r"^https?://\S+$":
        path = st.text(_CHARACTERS.filter(lambda c: not c.isspace()), min_size=1, max_size=20)
        return st.builds(lambda s, p: f"http{s}://{p}", st.sampled_from(["", "s"]), path)
    if pattern:
        return st.from_regex(pattern, fullmatch=True).filter(lambda s: 0 < len(s) <= longest)
    return text(max(constraints.min_length or 1, 1), min(longest, 40))


@st.composite
def model_documents(draw, model: type[BaseModel], fixed: dict[str, Any] | None = None) -> dict:
    """A valid mapping for ``model``: ``fixed`` fields as given; every other required field
    drawn, every optional one drawn or left out (so that its default is used)."""
    fixed = fixed or {}
    if "alternatives" in model.model_fields and "alternatives" not in fixed:
        field = model_documents(Alternative, {"field": st.sampled_from(model.facts())})
        fixed = {**fixed, "alternatives": st.lists(field, max_size=2)}
    document = {}
    for name, field in model.model_fields.items():
        if name in fixed:
            if fixed[name] is not None:
                document[name] = draw(fixed[name]) if _is_strategy(fixed[name]) else fixed[name]
            continue
        if field.is_required() or draw(st.booleans()):
            value = draw(values_for(field.annotation, field.metadata))
            if value is not None or not field.is_required():
                document[name] = value
    if document.get("approximate") and document.get("bound") not in (None, "exact", "about"):
        document["bound"] = "about"  # approximate: true means about; another bound is refused
    for named in ("speaker", "proposer"):  # a statement's, a proposal's: named or unnamed
        if f"unnamed_{named}" not in model.model_fields:
            continue
        if document.get(named) is not None:
            document.pop(f"unnamed_{named}", None)
        elif document.get(f"unnamed_{named}") is None:
            document[f"unnamed_{named}"] = "an unnamed official"
    if model is Source and document.get("title") is None and document.get("url") is None:
        document["url"] = draw(_strings(StringConstraints(pattern=r"^https?://\S+$"), 0))
    if model is Alternative and not document.get("said_by") and not document.get("sources"):
        document["said_by"] = draw(st.lists(text(1, 40), min_size=1, max_size=2))
    for alternative in document.get("alternatives") or ():
        # Who says so is a publisher the event or the alternative cites (Happening.unattributed).
        cited = [s["publisher"] for s in [*document["sources"], *alternative.get("sources", ())]]
        if alternative.get("said_by"):
            alternative["said_by"] = draw(st.lists(st.sampled_from(cited), min_size=1, max_size=2))
    return document


def _is_strategy(value: Any) -> bool:
    return isinstance(value, st.SearchStrategy)


def mention_values(field: Any, pool: list[str]) -> st.SearchStrategy[Any]:
    """Known actors for a field that names actors (a list or a single id)."""
    _, min_length = _constraints(field.metadata)
    if get_origin(field.annotation) is list:
        return st.lists(st.sampled_from(pool), min_size=max(min_length, 0), max_size=3, unique=True)
    one = st.sampled_from(pool)
    return one if field.is_required() else st.one_of(st.none(), one)


@st.composite
def appendable_batches(draw, kind: str, amend: bool = True) -> tuple[list[dict], dict]:
    """(a batch that can be appended to a store holding the shipped history, the batch's
    document of ``kind`` under test, last in the batch)."""
    model = MODELS[kind]
    fields = model.model_fields
    occurred = draw(edtf_dates(until=YESTERDAY))
    event_id = fresh_id(kind)
    helpers: list[dict] = []
    fixed: dict[str, Any] = {"id": event_id, "kind": kind}
    if "occurred" in fields:
        fixed["occurred"] = occurred
        introduces = [_own_names(a) for a in draw(values_for(fields["introduces"].annotation, []))]
        pool = [actor["id"] for actor in introduces] + SHIPPED_ACTORS
        fixed["introduces"] = introduces
        fixed["supersedes"] = None
        for name in reference_fields(model, "actor"):
            if name in fields:
                fixed[name] = mention_values(fields[name], pool)
    depends = {"agreement": "agreement-signed", "about": "agreement-signed", "step": None}
    for name in depends:
        if name not in fields:
            continue
        creates = (kind, name) in {("agreement-signed", "agreement"), ("step-planned", "step")}
        if creates:
            fixed[name] = fresh_id(name)
        elif fields[name].is_required() or draw(st.booleans()):
            fixed[name], helper = _dependency(name, occurred)
            helpers.append(helper)
        else:
            fixed[name] = None
    if kind == "retraction":
        target = doc("meeting", fresh_id("retracted"), participants=SHIPPED_ACTORS[:2])
        helpers.append(target)
        fixed["retracts"] = target["id"]
    if "relates" in fields:  # a relation's target must be recorded: tested on its own
        fixed["relates"] = []
    if kind == "commitment-progressed":
        fixed["commitment"], made = _commitment(occurred)
        helpers.extend(made)
    # A thing that only its own events make (a financing facility, a measure) is new for
    # each example: the examples share one store, where a second one would continue it.
    for sort in thing_sorts(model) - {"agreement", "step", "commitment"}:
        for name in reference_fields(model, sort):
            fixed[name] = fresh_id(sort)
    if "approximate" in fields and "bound" in fields:  # approximate: true means about
        fixed["approximate"] = draw(st.booleans())
        fixed["bound"] = draw(
            st.sampled_from(("exact", "about") if fixed["approximate"] else get_args(Bound))
        )
    if "effective" in fields:  # a measure takes effect when it is issued or later
        fixed["effective"] = draw(st.sampled_from([None, occurred]))
        fixed["ends"] = None
    if "until" in fields:  # a visit ends on or after the day it begins
        ends = edtf_dates().filter(lambda u: interval(u)[1] >= interval(occurred)[0])
        fixed["until"] = draw(st.one_of(st.none(), ends))
    document = draw(model_documents(model, fixed))
    if amend and "supersedes" in fields and draw(st.booleans()):
        earlier_batch, earlier = draw(appendable_batches(kind, amend=False))
        helpers.extend(earlier_batch)
        document["supersedes"] = earlier["id"]
        # A whole event, every field given: what an amendment leaves out is taken from
        # the event it amends (tested on its own), and here it is stored as given.
        defaults = {n: f.get_default(call_default_factory=True) for n, f in fields.items()}
        document = {**{n: v for n, v in defaults.items() if v is not PydanticUndefined}, **document}
    batch = [*helpers, document]
    for each in batch:
        _told_after(each)
    return batch, document


def _told_after(document: dict) -> None:
    """Date its sources as the rules ask (domain.recording): none reports what had not
    yet happened, a source from before the occurrence is a preview (``stance:
    previews``) and a preview comes before it; the last source is published on the day
    it occurred when every one was a preview. An alternative's sources likewise, held
    against the date it gives when it is about ``occurred``."""
    sources = document.get("sources")
    if "occurred" not in document or not sources:
        return
    occurred = interval(document["occurred"])
    document["sources"] = [_dated(s, occurred, document["occurred"]) for s in sources]
    if all(s.get("stance") == "previews" for s in document["sources"]):
        last = document["sources"][-1]
        document["sources"][-1] = {**last, "published": document["occurred"], "stance": None}
    for alternative in document.get("alternatives") or ():
        given = document["occurred"]
        if alternative.get("field") == "occurred":
            with contextlib.suppress(DateError):
                given = parse_date(alternative["value"]).edtf
        alternative["sources"] = [
            _dated(s, interval(given), given) for s in alternative.get("sources") or ()
        ]


def _dated(source: dict, occurred: tuple, edtf: str) -> dict:
    """``source`` dated as the rules ask of a report of an occurrence on ``occurred``."""
    published = interval(source["published"])
    if source.get("stance") == "previews" and published[0] > occurred[1]:
        return {**source, "stance": None}  # after it: a report, not a preview
    if published[1] < occurred[0] and source.get("stance") != "previews":
        return {**source, "published": edtf}
    return source


def _own_names(actor: dict[str, Any]) -> dict[str, Any]:
    """``actor`` with an id, name and aliases no other example's actor has: the store is
    shared by a test's examples, and a name that is another actor's id is refused."""
    actor_id = fresh_id("actor")
    own = [f"{name} ({actor_id})" for name in (actor["name"], *actor.get("aliases", []))]
    if any(len(name) > 300 for name in own):
        own = [f"{actor_id} {n}" for n in range(len(own))]
    return {**actor, "id": actor_id, "name": own[0], **({"aliases": own[1:]} if own[1:] else {})}


def _commitment(occurred: str) -> tuple[str, dict]:
    """A fresh commitment, made (to a fresh agreement) on ``occurred``."""
    agreement, signing = _dependency("agreement", occurred)
    made = doc(
        "commitment-made", fresh_id("commitment"), occurred, agreement=agreement, description="A."
    )
    return made["id"], [signing, made]


def _dependency(name: str, occurred: str) -> tuple[str, dict]:
    """A fresh agreement or step for a field that refers to one, and the event that makes
    it, on the same date as the document that refers to it."""
    if name == "step":
        step = fresh_id("step")
        return step, doc("step-planned", fresh_id("plan"), occurred, step=step, description="Do.")
    agreement = fresh_id("agreement")
    signing = doc(
        "agreement-signed",
        fresh_id("signing"),
        occurred,
        agreement=agreement,
        instrument="MoU",
        parties=SHIPPED_ACTORS[:2],
        scope="Minerals.",
    )
    return agreement, signing
