"""The narrowed state (projections.state.narrowed_state) over records held in memory: what
it reads, what it asks the index, and the actors it names. The integration tests hold a
narrowed answer equal to the whole state's entries about the same thing on a real store;
these say what only the narrowing decides: no record dated after the day is read, each
question is asked once, introductions are folded only where an actor has two versions,
and the whole registry is read only when an actor has no believed introduction. Found by
the mutation run (scripts/mutants state)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from domain.records import Record
from domain.world import actor_registry
from projections.entries import answer_keys
from projections.state import Narrowing, narrowed_state
from tests.factories import actor, make, signing

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = date(2025, 9, 9)

INTRO = make(
    "meeting",
    "intro",
    "2025-06",
    participants=["ussm", "fwo"],
    introduces=[actor("ussm"), actor("fwo"), actor("munir", "person"), actor("pakistan", "state")],
)
SIGNING = signing()
COMMITMENT = make("commitment-made", "c1", "2025-09-08", agreement="a1", description="First phase.")
LATER_COMMITMENT = make(
    "commitment-made", "c-late", "2025-10-01", agreement="a1", description="Second phase."
)
STATEMENT = make("statement-made", "st1", "2025-09-08", speaker="munir", quote="Good.", about="a1")
OTHER_MEETING = make("meeting", "other", "2025-09-05", participants=["munir", "pakistan"])
LATER_MEETING = make("meeting", "later", "2025-10-02", participants=["munir", "fwo"])
LATER_INTRO = make(
    "meeting",
    "later-intro",
    "2025-10-03",
    participants=["ussm", "fwo"],
    introduces=[actor("munir", "person", role="Later role")],
)
WORLD = [
    INTRO,
    SIGNING,
    COMMITMENT,
    LATER_COMMITMENT,
    STATEMENT,
    OTHER_MEETING,
    LATER_MEETING,
    LATER_INTRO,
]


class Lookup:
    """``NarrowingLookup`` over records in memory (the index's answers, read the obvious
    way), keeping every record it hands out and every question it is asked."""

    def __init__(self, happenings) -> None:
        self.records = [Record(h, NOW, n) for n, h in enumerate(happenings, start=1)]
        self.read: set[str] = set()
        self.calls: list[tuple[list[str], date | None]] = []  # with_keys's questions
        self.present_asked: list[str] = []

    @staticmethod
    def _keys(record: Record) -> set[str]:
        return record.document.things() | answer_keys(record.document)

    def _by(self, as_of: date | None, wanted: Callable[[Record], bool]) -> list[Record]:
        found = [
            r
            for r in self.records
            if (as_of is None or r.document.occurred.start <= as_of) and wanted(r)
        ]
        self.read |= {r.id for r in found}
        return found

    def with_keys(self, keys, as_of):
        self.calls.append((sorted(keys), as_of))
        return self._by(as_of, lambda r: bool(self._keys(r) & keys))

    def present(self, keys):
        self.present_asked += sorted(keys)
        return {k for r in self.records for k in self._keys(r)} & keys

    def mentioning(self, actors, as_of):
        return self._by(as_of, lambda r: bool(set(r.document.mentions()) & set(actors)))

    def of_kinds(self, kinds, as_of):
        return self._by(as_of, lambda r: r.document.kind in kinds)


class WholeRegistry:
    """Every actor of the record, counting how often it is read (the whole registry
    is every introduction: a narrowed state reads it only when it must)."""

    def __init__(self, happenings) -> None:
        self.registry = actor_registry(happenings)
        self.reads = 0

    def __call__(self) -> dict:
        self.reads += 1
        return self.registry


def narrowed(narrowing: Narrowing, happenings=WORLD, known_at=None, whole=None, on=DAY):
    lookup = Lookup(happenings)
    state, records = narrowed_state(narrowing, lookup, on, known_at, whole)
    return state, records, lookup


AGREEMENT = Narrowing(agreements=frozenset({"a1"}))
MUNIR = Narrowing(actors=frozenset({"munir"}))
COMMITMENTS = Narrowing(kinds=frozenset({"commitment-made"}))


# -- which entries are about what is asked ------------------------------------------------


def test_an_event_is_about_an_actor_it_names_or_introduces_and_no_other():
    assert MUNIR.keeps(STATEMENT) and MUNIR.keeps(INTRO)
    assert not MUNIR.keeps(COMMITMENT)


def test_an_event_is_about_its_kind_and_no_other():
    assert COMMITMENTS.keeps(COMMITMENT)
    assert not COMMITMENTS.keeps(STATEMENT)


def test_an_event_is_about_the_agreements_it_refers_to():
    assert AGREEMENT.keeps(COMMITMENT) and AGREEMENT.keeps(STATEMENT)
    assert not AGREEMENT.keeps(OTHER_MEETING)


def test_a_narrowed_state_keeps_the_day_and_the_moment_asked_about():
    moment = datetime(2025, 12, 1, tzinfo=UTC)
    state, _, _ = narrowed(AGREEMENT, known_at=moment)
    assert (state["as_of"], state["known_at"]) == ("2025-09-09", "2025-12-01T00:00:00.000000+00:00")


def test_narrowed_by_an_actor_its_entries_are_those_naming_it():
    state, _, _ = narrowed(MUNIR)
    assert [s["event_id"] for s in state["statements"]] == ["st1"]
    assert [e["event_id"] for e in state["engagements"]] == ["intro", "other"]
    assert [a["event_id"] for a in state["agreements"]] == []
    assert [a["id"] for a in state["actors"]] == ["fwo", "munir", "pakistan", "ussm"]


# -- what it reads --------------------------------------------------------------------------


@pytest.mark.parametrize("narrowing", [AGREEMENT, MUNIR, COMMITMENTS], ids=str)
def test_a_narrowed_state_folds_no_record_dated_after_the_day(narrowing):
    _, records, lookup = narrowed(narrowing)
    # Introductions are read at any date (an actor's versions), and no other record.
    assert "c-late" not in lookup.read and "later" not in lookup.read
    assert all(r.document.occurred.start <= DAY for r in records)


@pytest.mark.parametrize("narrowing", [AGREEMENT, MUNIR, COMMITMENTS], ids=str)
def test_a_narrowed_state_asks_for_each_dependency_and_each_introduction_once(narrowing):
    _, _, lookup = narrowed(narrowing, whole=WholeRegistry(WORLD))
    # The seeds' question (an agreement's key) is asked again as a dependency of the
    # seeds; an introduction is asked for by date (a seed) and at any date (its versions).
    calls = lookup.calls[1:] if narrowing.agreements else lookup.calls
    dependencies = [k for keys, _ in calls for k in keys if not k.startswith("introduces:")]
    assert dependencies and len(dependencies) == len(set(dependencies))
    assert len(lookup.present_asked) == len(set(lookup.present_asked))


def test_an_actor_introduced_once_is_named_without_folding_its_introduction():
    _, records, _ = narrowed(COMMITMENTS, whole=WholeRegistry(WORLD))
    assert [r.id for r in records] == ["a1-signed", "c1", "st1"]


@pytest.mark.parametrize("day", ["2025-09-01", "2025-09-09"])
def test_an_actor_introduced_again_is_named_as_last_introduced_by_the_day(day):
    again = make(
        "meeting",
        "again",
        day,
        participants=["pakistan", "fwo"],
        introduces=[actor("ussm", role="Lender (later)")],
    )
    state, records, _ = narrowed(AGREEMENT, [*WORLD, again])
    ussm = next(a for a in state["actors"] if a["id"] == "ussm")
    assert ussm["role"] == "Lender (later)"
    assert {"intro", "again"} <= {r.id for r in records}


def test_an_actor_introduced_twice_alike_is_named_without_folding_its_introductions():
    alike = make(
        "meeting", "alike", "2025-07", participants=["pakistan", "fwo"], introduces=[actor("ussm")]
    )
    state, records, _ = narrowed(COMMITMENTS, [*WORLD, alike], whole=WholeRegistry(WORLD))
    assert [r.id for r in records] == ["a1-signed", "c1", "st1"]
    assert [a["id"] for a in state["actors"]] == ["fwo", "ussm"]


def test_an_actor_introduced_again_after_the_day_is_named_as_first_introduced():
    again = make(
        "meeting",
        "again",
        "2025-09-10",
        participants=["pakistan", "fwo"],
        introduces=[actor("ussm", role="Lender (later)")],
    )
    state, records, _ = narrowed(AGREEMENT, [*WORLD, again])
    ussm = next(a for a in state["actors"] if a["id"] == "ussm")
    assert ussm["role"] is None and "again" not in {r.id for r in records}


# -- the actors' registry -------------------------------------------------------------------


@pytest.mark.parametrize("narrowing", [AGREEMENT, MUNIR, COMMITMENTS], ids=str)
def test_the_whole_registry_is_not_read_when_every_actor_has_a_believed_introduction(
    narrowing,
):
    whole = WholeRegistry(WORLD)
    narrowed(narrowing, whole=whole)
    assert whole.reads == 0


# An actor whose introduction is withdrawn (retracted) while an event still names it: no
# believed record introduces it, and the index holds only the other introductions.
BELIEVED_INTRO = make(
    "meeting",
    "intro",
    "2025-06",
    participants=["ussm", "fwo"],
    introduces=[actor("ussm"), actor("fwo")],
)
WITHDRAWN_MUNIR = [BELIEVED_INTRO, SIGNING, COMMITMENT, STATEMENT]


def test_an_actor_whose_introduction_is_withdrawn_leaves_the_other_entries_standing():
    whole = WholeRegistry([BELIEVED_INTRO])
    state, records, _ = narrowed(COMMITMENTS, WITHDRAWN_MUNIR, whole=whole)
    assert "st1" in {r.id for r in records} and whole.reads >= 1
    [agreement] = state["agreements"]
    assert [c["event_id"] for c in agreement["commitments"]] == ["c1"]
    assert state["undetermined"] == []


def test_without_a_whole_registry_an_event_naming_an_actor_introduced_by_nothing_is_undetermined():
    state, _, _ = narrowed(AGREEMENT, WITHDRAWN_MUNIR)
    assert state["statements"] == []
    [undetermined] = state["undetermined"]
    assert undetermined["event_id"] == "st1" and "'munir'" in undetermined["reason"]


# -- actors named only by what the day cannot settle ---------------------------------------


def test_an_actor_named_only_by_an_undetermined_event_is_looked_for_once_and_shown():
    september = make(
        "statement-made", "sept", "2025-09", speaker="munir", quote="Soon.", about="a1"
    )
    believed = [INTRO, SIGNING, september, LATER_MEETING]
    state, records, lookup = narrowed(AGREEMENT, believed)
    assert [u["event_id"] for u in state["undetermined"]] == ["sept"]
    assert "munir" in {a["id"] for a in state["actors"]}
    assert "later" not in lookup.read


def test_an_actor_introduced_only_after_the_day_ends_the_search_unnamed():
    september = make(
        "statement-made", "sept", "2025-09", speaker="munir", quote="Soon.", about="a1"
    )
    introduced_later = make(
        "meeting",
        "later-intro",
        "2025-10",
        participants=["ussm", "fwo"],
        introduces=[actor("munir", "person")],
    )
    early = make(
        "meeting",
        "intro",
        "2025-06",
        participants=["ussm", "fwo"],
        introduces=[actor("ussm"), actor("fwo")],
    )
    believed = [early, SIGNING, september, introduced_later]
    state, records, _ = narrowed(AGREEMENT, believed, whole=WholeRegistry(believed))
    assert [u["event_id"] for u in state["undetermined"]] == ["sept"]
    assert "munir" not in {a["id"] for a in state["actors"]}
    assert "later-intro" not in {r.id for r in records}


def test_each_actor_is_asked_about_once_through_every_round_of_the_fold():
    # Three rounds: the agreement's records; the introductions of ussm, introduced in two
    # versions; the records naming munir, whom only an undetermined statement names.
    munir_introduced = make(
        "meeting",
        "munir-intro",
        "2025-06",
        participants=["pakistan", "fwo"],
        introduces=[actor("munir", "person")],
    )
    first = make(
        "meeting",
        "intro",
        "2025-06",
        participants=["ussm", "fwo"],
        introduces=[actor("ussm"), actor("fwo"), actor("pakistan", "state")],
    )
    again = make(
        "meeting",
        "again",
        "2025-09-01",
        participants=["pakistan", "fwo"],
        introduces=[actor("ussm", role="Lender (later)")],
    )
    september = make(
        "statement-made", "sept", "2025-09", speaker="munir", quote="Soon.", about="a1"
    )
    believed = [first, munir_introduced, SIGNING, again, september, OTHER_MEETING]
    state, records, lookup = narrowed(AGREEMENT, believed, whole=WholeRegistry(believed))
    assert {"again", "munir-intro"} <= {r.id for r in records}
    assert {a["id"] for a in state["actors"]} >= {"ussm", "munir"}
    assert len(lookup.present_asked) == len(set(lookup.present_asked))
