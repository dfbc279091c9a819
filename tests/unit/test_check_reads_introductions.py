"""A batch's check reads the introductions of the actors its fold meets, not of every
actor in the record (at 100,000 events, reading every introduction was most of a
one-event append); a refusal's words are the same as when every actor is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.chronicle import Chronicle
from domain.recording import check_batch
from domain.world import RuleBroken
from tests.factories import actor, introductions, make
from tests.oracle import RecordsLookup, record

NOW = datetime(2025, 9, 10, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
OTHERS = [f"other-{n}" for n in range(20)]  # actors the batches below never name


class AskedLookup(RecordsLookup):
    """The in-memory lookup, noting which actors' introductions were asked for (None:
    every actor's); ``whole``: answer every actor's, whatever is asked."""

    def __init__(self, chronicle: Chronicle, whole: bool = False) -> None:
        super().__init__(chronicle.records, chronicle.by_id)
        self.asked: list[frozenset[str] | None] = []
        self.whole = whole

    def introductions(self, actors=None):
        self.asked.append(None if actors is None else frozenset(actors))
        return super().introductions(None if self.whole else actors)


def chronicle() -> Chronicle:
    kept = Chronicle()
    alone = meeting("intro-abc", "abc-3", "fwo", introduces=[actor("abc-3")])
    record(kept, [introductions("ussm", "fwo", *OTHERS), alone], NOW)
    return kept


def meeting(event_id: str, *participants: str, **fields):
    return make("meeting", event_id, "2025-06", participants=list(participants), **fields)


def test_a_batch_that_introduces_no_one_asks_for_the_actors_it_names_only():
    lookup = AskedLookup(chronicle())
    fresh, _ = check_batch([meeting("m1", "ussm", "fwo")], lookup, LATER)
    assert [d.id for d in fresh] == ["m1"]
    assert None not in lookup.asked  # never every actor's
    assert set().union(*lookup.asked) == {"ussm", "fwo"}
    assert not lookup.asked[-1] & {"abc-3", *OTHERS}


def test_a_batch_that_introduces_an_actor_checks_its_names_against_their_namesakes_only():
    """Its names are looked up as names (any case), and only the actors some record
    introduces by one of them are read; a name taken is still refused."""
    lookup = AskedLookup(chronicle())
    introducing = meeting("m2", "ussm", "fwo", introduces=[actor("new-one")])
    check_batch([introducing], lookup, LATER)
    assert None not in lookup.asked  # never every actor's
    assert not set().union(*lookup.asked) & {"abc-3", *OTHERS}
    taken = meeting("m3", "ussm", "fwo", introduces=[actor("new-two", name="OTHER 7")])
    lookup = AskedLookup(chronicle())
    with pytest.raises(RuleBroken, match="already names actor other-7"):
        check_batch([taken], lookup, LATER)
    assert {"other-7"} <= set().union(*(a for a in lookup.asked if a is not None))


def test_a_refusal_reads_as_it_does_when_every_actor_is_known():
    """The unknown actor's suggestions come from every actor of the record, also one
    introduced by an event the batch's fold never meets."""
    batch = [meeting("m4", "abc-4", "fwo")]
    messages = []
    for whole in (False, True):
        with pytest.raises(RuleBroken) as refused:
            check_batch(batch, AskedLookup(chronicle(), whole), LATER)
        messages.append(refused.value.message)
    assert messages[0] == messages[1]
    assert messages[0].endswith("did you mean abc-3?")
