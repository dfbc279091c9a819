"""The rules at their edges: the day a period ends, a value on a limit, a rule no other
test reaches (issue 18: each test here failed on a hand-made mutation that the suite
did not notice). Domain and projection functions only; no store."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.chronicle import Chronicle, current
from domain.recording import retraction_id
from domain.records import Record
from domain.world import RuleBroken, describe_amount, fold
from events.dates import parse_date
from events.model import SLUG_MAX_LENGTH
from projections.state import state_at
from tests.factories import financing, introductions, make, progress, signing, step
from tests.oracle import record

ACTORS = introductions("ussm", "fwo")
NOW = datetime(2025, 12, 31, 12, tzinfo=UTC)


# -- the world's rules ---------------------------------------------------------------------


def test_planning_a_step_id_twice_is_refused():
    again = step("s1", event_id="s1-planned-again", occurred="2025-09-09")
    with pytest.raises(RuleBroken, match="step 's1' is already planned"):
        fold([ACTORS, step("s1"), again])


def test_a_step_on_an_agreement_never_signed_is_refused():
    with pytest.raises(RuleBroken, match="agreement 'a1'"):
        fold([ACTORS, step("s1", agreement="a1")])
    assert fold([ACTORS, signing("a1"), step("s1", agreement="a1")]).steps["s1"].agreement == "a1"


def test_a_pledge_on_the_last_day_of_an_approvals_month_stands_beside_it_at_approved():
    """The approval is known to the month: the month's last day is still inside it, so
    the dates cannot order the two."""

    approved = financing("f1", "approved", "2025-09")
    world = fold([ACTORS, approved, financing("f2", "pledged", "2025-09-30")])
    assert world.financing["loan"].stage == "approved"
    assert [h[0] for h in world.financing["loan"].history] == ["approved", "pledged"]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_000_000_000, "USD 1 billion"),
        (1_000_000, "USD 1 million"),
        (999_999_999, "USD 999,999,999"),
        (2_500_000_000, "USD 2.5 billion"),
    ],
)
def test_an_amount_of_exactly_one_billion_or_million_reads_in_words(amount, words):
    done = make(
        "commitment-made",
        "c1",
        agreement="a1",
        description="A loan.",
        amount=amount,
        currency="USD",
    )
    world = fold([ACTORS, signing("a1"), done])
    assert describe_amount(world.agreements["a1"].commitments[0]) == words


def visit(until: str | None, occurred: str = "2025-09-08"):
    return make(
        "visit",
        "v1",
        occurred,
        delegation=["ussm"],
        origin="ussm",
        destination="fwo",
        purpose="Talks.",
        **({"until": until} if until else {}),
    )


def test_a_visit_until_the_month_it_began_in_is_accepted():
    """``until: 2025-09`` may be any day of September, so it may be on or after the 8th."""
    world = fold([ACTORS, visit("2025-09")])
    [the_visit] = [e for e in world.engagements if e.kind == "visit"]
    assert str(the_visit.until) == "2025-09"
    with pytest.raises(RuleBroken, match="cannot end"):
        fold([ACTORS, visit("2025-08")])


# -- recording -----------------------------------------------------------------------------


def test_amending_an_event_an_earlier_amendment_superseded_is_refused():
    chronicle = Chronicle()
    june = make("meeting", "june", "2025-06", participants=["ussm", "fwo"])
    record(chronicle, [ACTORS, june], NOW)
    first = make(
        "meeting", "june-18", "2025-06-18", participants=["ussm", "fwo"], supersedes="june"
    )
    record(chronicle, [first], NOW + timedelta(days=1))
    second = make(
        "meeting", "june-19", "2025-06-19", participants=["ussm", "fwo"], supersedes="june"
    )
    with pytest.raises(RuleBroken, match="'june': it is already retracted or superseded"):
        record(chronicle, [second], NOW + timedelta(days=2))
    assert [h.id for h in current(chronicle.records)] == ["intro", "june-18"]


def test_a_retraction_id_of_exactly_the_limit_is_retract_and_the_id_unchanged():
    event_id = "e" * (SLUG_MAX_LENGTH - len("retract-"))
    assert retraction_id(event_id) == f"retract-{event_id}"
    assert len(retraction_id(event_id + "e")) == SLUG_MAX_LENGTH  # one more: shortened


# -- dates ---------------------------------------------------------------------------------


def test_a_year_runs_from_the_first_of_january_to_the_thirty_first_of_december():
    year = parse_date("2025")
    assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert year.contains(date(2025, 1, 1)) and not year.contains(date(2024, 12, 31))


@pytest.mark.parametrize(
    ("text", "approximate", "uncertain"),
    [
        ("2025-06", False, False),
        ("2025-06~", True, False),
        ("2025-06?", False, True),
        ("2025-06%", True, True),
    ],
)
def test_the_percent_qualifier_is_both_approximate_and_uncertain(text, approximate, uncertain):
    parsed = parse_date(text)
    assert (parsed.approximate, parsed.uncertain) == (approximate, uncertain)


# -- the state on a day --------------------------------------------------------------------


def visits(happenings, on: str) -> list[dict]:
    return [e for e in state(happenings, on)["engagements"] if e["kind"] == "visit"]


def state(happenings, on: str) -> dict:
    records = [Record(h, NOW, n) for n, h in enumerate(happenings, start=1)]
    return state_at(records, date.fromisoformat(on))


def tariff(ends: str):
    return make(
        "government-action",
        "tariff",
        "2025-07-31",
        authority="ussm",
        instrument="executive order",
        measure="a-tariff",
        description="A tariff.",
        effective="2025-08-07",
        ends=ends,
    )


def test_a_measure_that_ends_on_a_day_shows_ended_on_that_day():
    happenings = [ACTORS, tariff(ends="2025-10-01")]
    [before] = state(happenings, "2025-09-30")["measures"]
    assert before["status"] == "in force"
    [on_the_day] = state(happenings, "2025-10-01")["measures"]
    assert on_the_day["status"] == "ended 2025-10-01"


def test_a_visit_shows_under_way_until_its_last_day_and_held_on_it():
    happenings = [ACTORS, visit("2025-09-10")]
    [during] = visits(happenings, "2025-09-09")
    assert during["status"] == "under way"
    [last_day] = visits(happenings, "2025-09-10")
    assert last_day["status"] == "held"


# -- found by the mutation run (scripts/mutants domain) --------------------------------


@pytest.mark.parametrize(
    ("text", "human"),
    [
        ("2025-06", "June 2025"),
        ("2025-06~", "approximately June 2025"),
        ("2025-09-08?", "possibly 8 Sep 2025"),
        ("2025%", "possibly about 2025"),
    ],
)
def test_a_date_reads_in_words_with_its_qualifier(text, human):
    assert parse_date(text).human() == human


def test_a_month_contains_its_last_day_and_not_the_next():
    june = parse_date("2025-06")
    assert june.contains(date(2025, 6, 30)) and not june.contains(date(2025, 7, 1))


def test_a_dropped_step_moves_no_more_and_each_status_is_kept_with_its_date_and_event():
    events = [ACTORS, step("s1"), progress("s1", "under-way", "p1", "2025-10")]
    dropped = [*events, progress("s1", "dropped", "p2", "2025-11")]
    world = fold(dropped)
    assert [(s, str(d), e) for s, d, e in world.steps["s1"].history][-2:] == [
        ("under-way", "2025-10", "p1"),
        ("dropped", "2025-11", "p2"),
    ]
    with pytest.raises(RuleBroken, match="step 's1' is already dropped; it cannot move on"):
        fold([*dropped, progress("s1", "done", "p3", "2025-12")])


def unknown_actor_message(parties, *known) -> str:
    with pytest.raises(RuleBroken) as refused:
        fold([introductions("ussm", "fwo", *known), signing("a1", parties=parties)])
    return refused.value.message


def test_an_unknown_actor_far_from_every_known_one_gets_no_suggestion():
    assert unknown_actor_message(("zzzzzz", "fwo")) == (
        "unknown actor 'zzzzzz' (introduced by no event in the record)"
    )


def test_an_unknown_actor_is_matched_to_known_names_whatever_their_case():
    coas = {"id": "coas", "name": "Syed Asim Munir", "type": "person"}
    with pytest.raises(RuleBroken, match="did you mean coas\\?"):
        fold(
            [
                ACTORS,
                make("meeting", "m", participants=["syed-asim-munir", "fwo"], introduces=[coas]),
            ]
        )


def test_an_unknown_actor_gets_at_most_three_suggestions_down_to_half_alike():
    message = unknown_actor_message(("ab-0", "fwo"), "ab-1", "ab-2", "ab-3", "ab-4")
    assert message.endswith("; did you mean ab-4, ab-3, ab-2?")
    assert unknown_actor_message(("abcd", "fwo"), "abxy").endswith("; did you mean abxy?")
