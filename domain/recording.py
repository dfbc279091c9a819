"""Checking a batch before it is recorded, against only the part of the record it touches.

The rules are per thing: an agreement is signed once and commitments need it, a step
moves forward from its plan, actors must be known. So a batch is checked by folding, in
occurrence order, the batch together with every standing event about the same
agreements, steps and (when an introduction is withdrawn) actors, closed over what those
depend on. The cost grows with what the batch touches, not with the history. Where the
record comes from is the caller's, behind ``RecordLookup``: in production the store's
record index (``projections.readmodel``); in the tests, also records held in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from domain.records import Conflict, Record, fold_lenient
from domain.world import RuleBroken, actor_names, actor_registry, refuse_shared_names
from events.dates import DateError, FuzzyDate, parse_date
from events.model import (
    SLUG_MAX_LENGTH,
    Happening,
    PartialAmendment,
    Retraction,
)


class RecordLookup(Protocol):
    """What checking a batch needs to know about the record."""

    def recorded(self, ids: Collection[str]) -> dict[str, Record]:
        """Any record with one of these ids: standing, hidden or a retraction."""

    def standing(self, ids: Collection[str]) -> set[str]:
        """Those of these ids whose happenings stand now (not retracted or superseded)."""

    def related(self, things: Collection[str], actors: Collection[str]) -> list[Record]:
        """Standing happenings about these things (``thing_keys``), or naming these actors."""

    def introductions(self, actors: Collection[str] | None = None) -> list[Record]:
        """Standing happenings that introduce actors (only those of ``actors``, when
        given: every happening that introduces one of them)."""

    def naming(self, names: Collection[str]) -> list[Record]:
        """Standing happenings that introduce an actor by one of ``names`` (its id, name
        or an alias, in any case)."""


def thing_keys(happening: Any) -> set[str]:
    """What a happening's rules depend on (``Happening.things``: ``agreement:<id>``,
    ``step:<id>``, ``financing:<id>`` ...); a retraction is about an event, not a thing."""
    return happening.things() if isinstance(happening, Happening) else set()


# What an amendment never takes from the event it amends: its own id and sources, what it
# supersedes, and the curator's note, which speaks of the superseded version.
NOT_CARRIED = frozenset({"id", "supersedes", "sources", "note"})


def with_unchanged_fields(document: Any, target: Any) -> Any:
    """An amendment completed from the event it supersedes: every field the amendment's
    file did not give (pydantic's ``model_fields_set``) is taken from ``target``, so that
    actors it introduced stay introduced and its lists are not silently emptied."""
    if isinstance(document, Retraction) or not isinstance(target, type(document)):
        return document
    given = document.model_fields_set | NOT_CARRIED
    kept = {f: getattr(target, f) for f in type(document).model_fields if f not in given}
    if not kept:
        return document
    merged = {**document.model_dump(), **{f: v for f, v in kept.items()}}
    return type(document).model_validate(
        {k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in merged.items()}
    )


def retraction_id(event_id: str) -> str:
    """The id `uspk retract` gives the retraction of ``event_id``: ``retract-<id>``, or,
    where that would pass the id limit, its start and a hash of the whole id. The same
    event always gets the same id, so retracting it again is recognised as such."""
    full = f"retract-{event_id}"
    if len(full) <= SLUG_MAX_LENGTH:
        return full
    digest = hashlib.sha256(event_id.encode()).hexdigest()[:12]
    return f"{full[: SLUG_MAX_LENGTH - len(digest) - 1]}-{digest}"


def check_batch(documents: Iterable[Any], lookup: RecordLookup, now: datetime):
    """Return (new documents to record, ids already recorded unchanged), or raise
    ``RuleBroken`` (``Conflict`` for an id reused with other content)."""
    fresh, unchanged = _fresh(_completed(list(documents), lookup), lookup)
    if fresh:
        _check(fresh, lookup, now)
    return fresh, unchanged


def _completed(documents: list[Any], lookup: RecordLookup) -> list[Any]:
    """Amendments completed from what they supersede: a partial one gets every field it
    does not give, a whole one the fields it left at their defaults."""
    targets = {d.supersedes for d in documents if getattr(d, "supersedes", None)}
    if not targets:
        return documents
    found = {i: r.document for i, r in lookup.recorded(targets).items()}
    found |= {d.id: d for d in documents if d.id in targets}
    completed = []
    for document in documents:
        target = found.get(getattr(document, "supersedes", None))
        if isinstance(document, PartialAmendment):
            document = _whole(document, target)
        elif target is not None:
            document = with_unchanged_fields(document, target)
        completed.append(document)
    return completed


def _whole(partial: PartialAmendment, target: Any) -> Any:
    """A partial amendment merged into the event it supersedes, as one whole event."""
    if target is None or isinstance(target, Retraction):
        what = "no such event recorded" if target is None else "it is a retraction"
        raise RuleBroken(partial.id, f"cannot amend {partial.supersedes!r}: {what}")
    if target.kind != partial.kind:
        raise RuleBroken(
            partial.id,
            f"an amendment must be of the same kind as {target.id!r} "
            f"({target.kind}), not {partial.kind}",
        )
    fields = {**target.model_dump(mode="json", exclude=NOT_CARRIED), **partial.as_written()}
    try:
        return type(target).model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(map(str, problem["loc"])) or "(event)"
        message = problem["msg"].removeprefix("Value error, ")
        raise RuleBroken(
            partial.id, f"amending {target.id!r}, field '{where}': {message}"
        ) from None


def _related_events(fresh: list[Any], lookup: RecordLookup) -> None:
    """Refuse a relation to an event that is neither recorded nor in the batch."""
    named = {r.to for d in fresh if isinstance(d, Happening) for r in d.relates}
    if not named:
        return
    recorded = lookup.recorded(named)
    known = {i for i, r in recorded.items() if not isinstance(r.document, Retraction)}
    known |= {d.id for d in fresh if not isinstance(d, Retraction)}
    withdrawn = {d.retracts for d in fresh if isinstance(d, Retraction)}
    standing = (lookup.standing(named & set(recorded)) | {d.id for d in fresh}) - withdrawn
    for document in fresh:
        for relation in getattr(document, "relates", ()):
            if relation.to == document.id:
                raise RuleBroken(document.id, "relates to itself; name another event")
            if relation.to in known and relation.to not in standing:
                raise RuleBroken(
                    document.id,
                    f"relates to {relation.to!r} ({relation.relation}), but that event is "
                    f"retracted or superseded (see `uspk history {relation.to}`); relate to "
                    "the event that stands",
                )
            if relation.to not in known:
                raise RuleBroken(
                    document.id,
                    f"relates to {relation.to!r} ({relation.relation}), "
                    "but no event (other than a retraction) with that id is recorded "
                    "or in this batch",
                )


def _fresh(documents: list[Any], lookup: RecordLookup) -> tuple[list[Any], list[str]]:
    """Drop exact repeats (a no-op); refuse an id reused with other content."""
    earlier = lookup.recorded({d.id for d in documents})
    fresh: dict[str, Any] = {}
    unchanged: list[str] = []
    for document in documents:
        record = earlier.get(document.id)
        prior = record.document if record else fresh.get(document.id)
        if prior is None:
            fresh[document.id] = document
        elif prior == document:
            if record is not None:
                unchanged.append(document.id)
        elif record is not None and _retracts_same(record.document, document):
            raise RuleBroken(
                document.id,
                f"cannot retract {document.retracts!r}: already retracted by {record.id!r} "
                f"(recorded {record.recorded_at:%Y-%m-%d %H:%M:%S} UTC)",
            )
        else:
            when = (
                f"recorded {record.recorded_at.replace(tzinfo=None).isoformat(' ', 'seconds')} UTC"
                if record
                else "earlier in this batch"
            )
            raise Conflict(
                document.id,
                f"id already {when} with different content; "
                "use a new id, or `uspk amend` to supersede it",
            )
    return list(fresh.values()), unchanged


def _retracts_same(earlier: Any, document: Any) -> bool:
    return (
        isinstance(earlier, Retraction)
        and isinstance(document, Retraction)
        and earlier.retracts == document.retracts
    )


def _withdrawn_once(fresh: list[Any]) -> None:
    """Refuse a batch that retracts or amends one event twice: only one of them could
    stand, and which one would depend on how the batch happened to be written."""
    withdrawing: dict[str, Any] = {}
    for document in fresh:
        target = _withdraws(document)
        if target is None:
            continue
        earlier = withdrawing.setdefault(target, document)
        if earlier is not document:
            raise RuleBroken(
                document.id,
                f"{target!r} is {_withdrawal(earlier)} by {earlier.id!r} and "
                f"{_withdrawal(document)} by {document.id!r} in one batch; an event can be "
                "amended or retracted once per batch: keep one of them",
            )


def _withdraws(document: Any) -> str | None:
    """The id of the event that ``document`` retracts or amends, if any."""
    return document.retracts if isinstance(document, Retraction) else document.supersedes


def _withdrawal(document: Any) -> str:
    return "retracted" if isinstance(document, Retraction) else "amended"


def _check(fresh: list[Any], lookup: RecordLookup, now: datetime) -> None:
    _withdrawn_once(fresh)
    _related_events(fresh, lookup)
    batch = {d.id: d for d in fresh}
    retracted = {d.retracts for d in fresh if isinstance(d, Retraction)}
    superseded = {
        d.supersedes
        for d in fresh
        if not isinstance(d, Retraction) and d.supersedes and d.id not in retracted
    }
    outside = (retracted | superseded) - set(batch)
    targets = {i: r.document for i, r in lookup.recorded(outside).items()} | batch
    standing = lookup.standing(outside) | set(batch)
    for document in fresh:
        if isinstance(document, Retraction):
            _check_target(document, document.retracts, targets, standing, "retract")
            _refuse_orphaned_relations(document, fresh, lookup, retracted)
            continue
        if document.occurred.start > now.date():
            raise RuleBroken(
                document.id,
                f"occurred {document.occurred} is after it is recorded "
                f"({now.date().isoformat()}); a plan carries a target date instead",
            )
        told_after(document)
        if document.supersedes is not None:
            target = _check_target(document, document.supersedes, targets, standing, "amend")
            if target.kind != document.kind:
                raise RuleBroken(
                    document.id,
                    f"an amendment must be of the same kind as {target.id!r} "
                    f"({target.kind}), not {document.kind}",
                )
    hidden = retracted | superseded
    happenings = [d for d in fresh if not isinstance(d, Retraction) and d.id not in hidden]
    for happening in happenings:
        # Only what the record will believe: a version superseded in this same batch (a
        # shipped file recorded before the rule, and its amendment) is kept as it was.
        if (unattributed := happening.unattributed()) is not None:
            raise RuleBroken(happening.id, unattributed)
        told_after_it(happening)
    withdrawn = [targets[i] for i in hidden if i in targets]

    def registry_of(actors: set[str] | None) -> dict:
        found = lookup.introductions(actors)
        return actor_registry([*(r.document for r in found if r.id not in hidden), *happenings])

    # The names the batch gives its actors, against the actors of the record that some
    # introduction names so (each as first introduced): not every actor of the record.
    given = {name for h in happenings for a in h.introduces for name in actor_names(a)}
    namesakes = _introduced(r.document for r in lookup.naming(given) if r.id not in hidden)
    refuse_shared_names(happenings, registry_of(namesakes) if given else {})
    lost_actors = _introduced(withdrawn) - set(registry_of(_introduced(withdrawn)))
    context = _related(lookup, [*happenings, *withdrawn], lost_actors)
    considered = [r.document for r in context if r.id not in hidden and r.id not in batch]
    # the actors the fold meets, not every actor of the record
    registry = registry_of(_named([*considered, *happenings]))
    _, broken = fold_lenient([*considered, *happenings], registry)
    if broken:  # its reasons as every actor's introduction gives them
        _, broken = fold_lenient([*considered, *happenings], registry_of(None))
    if not broken:
        return
    first, error = broken[0]
    if first.id in batch:
        raise error
    names = ", ".join(h.id for h, _ in broken)
    raise RuleBroken(
        first.id,
        f"this batch would leave {len(broken)} recorded event(s) broken: {names} "
        f"(first: {error.message}); retract or amend them in the same batch",
    )


def _introduced(happenings: Iterable[Any]) -> set[str]:
    return {a.id for h in happenings for a in h.introduces}


def _named(happenings: Iterable[Any]) -> set[str]:
    """The actors a fold of ``happenings`` looks up: those each names or introduces."""
    return {a for h in happenings for a in h.mentions()} | _introduced(happenings)


def _refuse_orphaned_relations(
    retraction: Any, fresh: list[Any], lookup: RecordLookup, retracted: set[str]
) -> None:
    """Refuse retracting an event that recorded standing events relate to (their links
    would point at nothing), unless this batch retracts or amends them too, as with what
    others depend on. The batch's own events that relate to it are ``_related_events``'
    to refuse, before this runs."""
    target = retraction.retracts
    amended = {d.supersedes for d in fresh if not isinstance(d, Retraction) and d.supersedes}
    # ``related-to:<id>`` is how the record index finds the events relating to one.
    relating = [r.document for r in lookup.related({f"related-to:{target}"}, ())]
    names = sorted(
        {
            d.id
            for d in relating
            if d.id not in retracted | amended
            # a happening has its relations; the default guards an index edited by hand
            and any(r.to == target for r in getattr(d, "relates", ()))
        }
    )
    if names:
        raise RuleBroken(
            retraction.id,
            f"cannot retract {target!r}: {len(names)} standing event(s) relate to it: "
            f"{', '.join(names)}; retract or amend them in the same batch",
        )


def told_after(document: Any) -> None:
    """Refuse an event that occurred after every one of its sources was published: no
    report tells what had not happened yet (a plan says when it was made, and carries
    its target date apart). A source's date is compared at its precision: one published
    "2025-10" may report anything up to 31 October."""
    latest = max(document.sources, key=lambda s: s.published.end).published
    if document.occurred.start > latest.end:
        previews = all(s.stance == "previews" for s in document.sources)
        raise RuleBroken(
            document.id,
            f"occurred {document.occurred} is after every source's publication (the latest: "
            f"{latest}); a source cannot report what had not yet happened"
            + ("; previews tell what was planned: cite a report from after it" if previews else ""),
        )


def told_after_it(document: Any) -> None:
    """Refuse a source published before the occurrence it is cited for: a report from
    before an event tells what was planned or expected, not what happened, and says so
    with ``stance: previews`` (a preview published after the event is refused too). Each
    date counts at its precision; an alternative's own sources are held against the
    occurrence they give (an alternative ``occurred`` against its own value)."""
    cited = [(s, document.occurred) for s in document.sources]
    for alternative in document.alternatives:
        occurred = _alternative_occurrence(alternative, document.occurred)
        cited += [(s, occurred) for s in alternative.sources]
    for source, occurred in cited:
        before = source.published.end < occurred.start
        if source.stance == "previews" and source.published.start > occurred.end:
            raise RuleBroken(
                document.id,
                f"source {source.publisher!r} (published {source.published}) is marked "
                f"`stance: previews` but was published after it occurred ({occurred}); "
                "a report from after the event reports it",
            )
        if before and source.stance != "previews":
            raise RuleBroken(
                document.id,
                f"source {source.publisher!r} was published {source.published}, before it "
                f"occurred ({occurred}); a report from before the event tells what was "
                "planned: mark it `stance: previews`, or cite a report from after it",
            )


def _alternative_occurrence(alternative: Any, occurred: FuzzyDate) -> FuzzyDate:
    """The occurrence an alternative's sources report: its own value when it gives
    another date, else the event's."""
    if alternative.field != "occurred":
        return occurred
    try:
        return parse_date(alternative.value)
    except DateError:
        return occurred


def _related(lookup: RecordLookup, happenings: list[Any], actors: set[str]) -> list[Record]:
    """Standing records about what ``happenings`` touch, closed over their dependencies:
    a step's plan brings its agreement's signing, a commitment's progress the commitment,
    and so on until nothing new comes."""
    things: set[str] = set()
    for happening in happenings:
        things |= thing_keys(happening)
    found: dict[str, Record] = {}
    asked: set[str] = set()
    while things - asked or actors:
        new = things - asked
        asked |= new
        for record in lookup.related(new, actors):
            found.setdefault(record.id, record)
            things |= thing_keys(record.document)
        actors = set()
    return list(found.values())


def _check_target(document: Any, target_id: str, targets: dict, standing: set[str], verb: str):
    """The standing event that ``document`` retracts or amends: recorded before, or
    earlier in the same batch."""
    target = targets.get(target_id)
    if target is None:
        raise RuleBroken(document.id, f"cannot {verb} {target_id!r}: no such event recorded")
    if isinstance(target, Retraction):
        raise RuleBroken(document.id, f"cannot {verb} {target_id!r}: it is a retraction")
    if target_id not in standing:
        raise RuleBroken(
            document.id,
            f"cannot {verb} {target_id!r}: it is already retracted or superseded "
            f"(see `uspk history {target_id}`)",
        )
    return target
