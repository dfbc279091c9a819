"""What a narrowed state (`state --agreement/--actor/--kind`) keeps, decided event by
event and without a database: an event is about the agreements it refers to, the actors
it names or introduces, and its kind (``about_keys``); an entry is kept when, for each
kind of filter given, one of its events is about one of the ids asked (``wanted``). The
kept rows hold each entry's ``about_keys`` (projections/kept.py); the integration and
property tests hold the narrowed state read from them equal to the whole state's entries
about the same things."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.records import Record
from projections.state import Narrowing, about_keys, event_ids, state_at
from tests.factories import actor, make, signing

NOW = datetime(2026, 1, 1, tzinfo=UTC)

INTRO = make(
    "meeting",
    "intro",
    "2025-06",
    participants=["ussm", "fwo"],
    introduces=[actor("ussm"), actor("fwo"), actor("munir", "person"), actor("pakistan", "state")],
)
COMMITMENT = make("commitment-made", "c1", "2025-09-08", agreement="a1", description="First phase.")
STATEMENT = make("statement-made", "st1", "2025-09-08", speaker="munir", quote="Good.", about="a1")
SIGNING = signing()
OTHER_MEETING = make("meeting", "other", "2025-09-05", participants=["munir", "pakistan"])

AGREEMENT = Narrowing(agreements=frozenset({"a1"}))
MUNIR = Narrowing(actors=frozenset({"munir"}))
COMMITMENTS = Narrowing(kinds=frozenset({"commitment-made"}))


def test_an_event_is_about_an_actor_it_names_or_introduces_and_no_other():
    assert MUNIR.keeps(STATEMENT) and MUNIR.keeps(INTRO)
    assert not MUNIR.keeps(COMMITMENT)


def test_an_event_is_about_its_kind_and_no_other():
    assert COMMITMENTS.keeps(COMMITMENT)
    assert not COMMITMENTS.keeps(STATEMENT)


def test_an_event_is_about_the_agreements_it_refers_to():
    assert AGREEMENT.keeps(COMMITMENT) and AGREEMENT.keeps(STATEMENT)
    assert not AGREEMENT.keeps(OTHER_MEETING)


def test_what_an_event_is_about_is_its_agreements_actors_and_kind_as_keys():
    assert about_keys(STATEMENT) == {"agreement:a1", "actor:munir", "kind:statement-made"}
    assert about_keys(OTHER_MEETING) == {"actor:munir", "actor:pakistan", "kind:meeting"}


def test_each_kind_of_filter_given_wants_its_own_keys():
    asked = Narrowing(frozenset({"a1"}), frozenset({"munir", "fwo"}), frozenset({"meeting"}))
    assert asked.wanted() == [
        {"agreement:a1"},
        {"actor:munir", "actor:fwo"},
        {"kind:meeting"},
    ]
    assert MUNIR.wanted() == [{"actor:munir"}] and Narrowing().wanted() == []


def test_an_entry_is_kept_when_each_filter_is_met_by_one_of_its_events():
    both = Narrowing(agreements=frozenset({"a1"}), kinds=frozenset({"meeting"}))
    assert not both._keeps([COMMITMENT])  # about a1, not a meeting
    assert both._keeps([COMMITMENT, OTHER_MEETING])  # one about a1, another a meeting
    assert not both._keeps([OTHER_MEETING])


# -- found by the mutation run of 6 December (scripts/mutants state) ----------------------

WORLD = [
    Record(h, NOW, n)
    for n, h in enumerate([INTRO, SIGNING, COMMITMENT, STATEMENT, OTHER_MEETING], 1)
]
SEPT_9 = date(2025, 9, 9)


def test_a_narrowing_by_one_kind_of_filter_alone_narrows():
    whole = state_at(WORLD, SEPT_9, NOW)
    assert "other" in [e["event_id"] for e in whole["engagements"]]
    for alone in (AGREEMENT, MUNIR, COMMITMENTS):
        assert alone, alone
        assert state_at(WORLD, SEPT_9, NOW, narrowing=alone) != whole
    assert not Narrowing()
    assert state_at(WORLD, SEPT_9, NOW, narrowing=Narrowing()) == whole


def test_a_narrowed_state_keeps_its_day_and_moment_and_the_actors_its_entries_name():
    asked = state_at(WORLD, SEPT_9, NOW, narrowing=AGREEMENT)
    whole = state_at(WORLD, SEPT_9, NOW)
    assert asked["as_of"] == whole["as_of"] == "2025-09-09"
    assert asked["known_at"] == whole["known_at"] is not None
    assert [e["event_id"] for e in asked["engagements"]] == []
    assert [s["event_id"] for s in asked["statements"]] == ["st1"]
    # The signing names ussm and fwo, the statement munir; nothing kept names pakistan.
    assert [a["id"] for a in asked["actors"]] == ["fwo", "munir", "ussm"]


def test_an_entry_s_events_are_its_own_and_those_nested_in_it():
    [agreement] = state_at(WORLD, SEPT_9)["agreements"]
    assert agreement["event_id"] == "a1-signed"
    assert set(event_ids(agreement)) >= {"a1-signed", "c1"}
    assert event_ids([agreement, {"event_id": "x"}])[-1] == "x"
    assert event_ids("a1-signed") == []
