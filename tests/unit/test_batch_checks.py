"""A batch checked as a whole: every document in it is checked whatever comes before it,
what it needs is found however many things it touches, and each refusal is one line
naming the event to fix, word for word (issue 18: found unchecked by the mutation run)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.chronicle import Chronicle, Conflict, current
from domain.world import RuleBroken
from events.files import validate
from tests.factories import SOURCE, commitment, introductions, make, progress, retraction, signing
from tests.factories import step as planned
from tests.oracle import record

NOW = datetime(2025, 9, 10, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
ACTORS = introductions("ussm", "fwo")


def recorded(*documents) -> Chronicle:
    chronicle = Chronicle()
    record(chronicle, [ACTORS, *documents], NOW)
    return chronicle


def refusal(chronicle, *documents, kind=RuleBroken) -> RuleBroken:
    with pytest.raises(kind) as refused:
        record(chronicle, list(documents), LATER)
    return refused.value


def meeting(event_id: str, occurred: str = "2025-06", **fields):
    return make("meeting", event_id, occurred, participants=["ussm", "fwo"], **fields)


# -- the dates -----------------------------------------------------------------------------


def test_an_event_on_the_day_it_is_recorded_is_accepted_the_next_day_refused_naming_it():
    chronicle = recorded()
    record(chronicle, [meeting("today", "2025-09-11")], LATER)
    error = refusal(chronicle, meeting("tomorrow", "2025-09-12"))
    assert str(error) == (
        "event 'tomorrow': occurred 2025-09-12 is after it is recorded (2025-09-11); "
        "a plan carries a target date instead"
    )


def test_a_document_after_a_retraction_in_the_batch_is_still_checked():
    chronicle = recorded(meeting("june"))
    error = refusal(chronicle, retraction("june"), meeting("tomorrow", "2025-09-12"))
    assert error.event_id == "tomorrow"


# -- amendments and retractions in one batch --------------------------------------------------


def test_an_amendment_of_another_kind_names_the_amendment():
    chronicle = recorded(meeting("june"))
    error = refusal(chronicle, planned("s1", supersedes="june"))
    assert str(error) == (
        "event 's1-planned': an amendment must be of the same kind as 'june' (meeting), "
        "not step-planned"
    )


def test_one_event_withdrawn_twice_is_refused_even_after_other_documents():
    chronicle = recorded(meeting("june"))
    twice = [meeting("july", "2025-07"), retraction("june"), retraction("june", "retract-again")]
    error = refusal(chronicle, *twice)
    assert str(error) == (
        "event 'retract-again': 'june' is retracted by 'retract-june' and retracted by "
        "'retract-again' in one batch; an event can be amended or retracted once per batch: "
        "keep one of them"
    )


def june_moved_to_the_18th():
    """A partial amendment of the meeting "june": its own id, a source, the new date."""
    return validate(
        {"id": "june-18", "kind": "meeting", "supersedes": "june", "sources": [SOURCE],
         "occurred": "2025-06-18"},
        "test",
    )  # fmt: skip


def test_a_partial_amendment_of_an_event_earlier_in_the_same_batch_is_completed_from_it():
    partial = june_moved_to_the_18th()
    chronicle = recorded(meeting("june", place="Washington"), partial)
    [_, amended] = current(chronicle.records)
    assert (amended.id, str(amended.occurred), amended.place) == (
        "june-18",
        "2025-06-18",
        "Washington",
    )


def test_a_partial_amendment_does_not_carry_the_amended_events_note():
    partial = june_moved_to_the_18th()
    chronicle = recorded(meeting("june", note="A note about the June meeting."))
    record(chronicle, [partial], LATER)
    [_, amended] = current(chronicle.records)
    assert amended.id == "june-18" and amended.note is None


def test_a_partial_amendment_that_cannot_be_whole_names_the_amendment():
    chronicle = recorded(signing("a1"), commitment("a1", "c1"))
    partial = validate(
        {"id": "c1-up-to", "kind": "commitment-made", "supersedes": "c1", "sources": [SOURCE],
         "bound": "up-to"},
        "test",
    )  # fmt: skip
    error = refusal(chronicle, partial)
    assert error.event_id == "c1-up-to"
    assert error.message.startswith("amending 'c1', field '(event)': approximate: true contra")


# -- ids -----------------------------------------------------------------------------------


def test_an_id_recorded_before_with_other_content_is_a_conflict_saying_when():
    chronicle = recorded(meeting("june"))
    error = refusal(chronicle, meeting("june", "2025-06-02"), kind=Conflict)
    assert str(error) == (
        "event 'june': id already recorded 2025-09-10 12:00:00 UTC with different content; "
        "use a new id, or `uspk amend` to supersede it"
    )


def test_an_id_twice_in_one_batch_with_other_content_is_a_conflict():
    chronicle = recorded()
    error = refusal(chronicle, meeting("june"), meeting("june", "2025-06-02"), kind=Conflict)
    assert str(error) == (
        "event 'june': id already earlier in this batch with different content; "
        "use a new id, or `uspk amend` to supersede it"
    )


# -- what the batch needs ------------------------------------------------------------------


def test_a_batch_touching_two_agreements_finds_both_signings():
    chronicle = recorded(signing("a1"), signing("a2", "a2-signed"))
    added, _ = record(chronicle, [commitment("a1", "c1"), commitment("a2", "c2")], LATER)
    assert added == ["c1", "c2"]


def test_a_steps_progress_finds_its_plan_and_the_plans_agreement():
    chronicle = recorded(signing("a1"), planned("s1", agreement="a1"))
    added, _ = record(chronicle, [progress("s1", "under-way", "p1", "2025-09-11")], LATER)
    assert added == ["p1"]


def test_retracting_what_two_events_need_names_both_and_the_first():
    chronicle = recorded(signing("a1"), commitment("a1", "c1"), planned("s1", agreement="a1"))
    error = refusal(chronicle, retraction("a1-signed"))
    assert error.event_id == "c1"
    assert error.message.startswith(
        "this batch would leave 2 recorded event(s) broken: c1, s1-planned (first: agreement"
    )


# -- relations -----------------------------------------------------------------------------


def test_a_relation_to_itself_or_to_nothing_is_refused_naming_the_event():
    chronicle = recorded(meeting("june"))
    itself = meeting("july", "2025-07", relates=[{"to": "july", "relation": "follows-up"}])
    assert str(refusal(chronicle, itself)) == (
        "event 'july': relates to itself; name another event"
    )
    nothing = meeting("july", "2025-07", relates=[{"to": "ghost", "relation": "follows-up"}])
    assert str(refusal(chronicle, nothing)) == (
        "event 'july': relates to 'ghost' (follows-up), but no event (other than a retraction) "
        "with that id is recorded or in this batch"
    )


def test_a_batch_with_a_retraction_and_a_relation_is_accepted():
    chronicle = recorded(meeting("june"), meeting("may", "2025-05"))
    july = meeting("july", "2025-07", relates=[{"to": "june", "relation": "follows-up"}])
    added, _ = record(chronicle, [retraction("may"), july], LATER)
    assert added == ["retract-may", "july"]


def test_an_actor_introduced_again_under_a_new_name_is_accepted():
    chronicle = recorded()
    renamed = meeting(
        "july", "2025-07", introduces=[{"id": "ussm", "name": "US Strategic Metals",
                                        "type": "organisation"}],
    )  # fmt: skip
    added, _ = record(chronicle, [renamed], LATER)
    assert added == ["july"]


def test_retracting_again_names_the_new_retraction():
    chronicle = recorded(meeting("june"), retraction("june"))
    again = retraction("june", reason="Still wrong.")
    error = refusal(chronicle, again)
    assert error.event_id == "retract-june"
    assert error.message == (
        "cannot retract 'june': already retracted by 'retract-june' (recorded 2025-09-10 "
        "12:00:00 UTC)"
    )


def test_a_conflict_says_when_the_id_was_recorded_to_the_second():
    chronicle = Chronicle()
    record(chronicle, [ACTORS, meeting("june")], NOW.replace(microsecond=123456))
    error = refusal(chronicle, meeting("june", "2025-06-02"), kind=Conflict)
    assert "id already recorded 2025-09-10 12:00:00 UTC with different content" in str(error)


def test_a_batch_finds_what_each_of_its_records_needs_not_only_the_last_ones():
    chronicle = recorded(
        signing("a1"),
        signing("a2", "a2-signed"),
        planned("s1", agreement="a1"),
        commitment("a2", "c2"),
    )
    batch = [
        progress("s1", "under-way", "p1", "2025-09-11"),
        make("commitment-progressed", "p2", "2025-09-11", commitment="c2", status="fulfilled"),
    ]
    added, _ = record(chronicle, batch, LATER)
    assert added == ["p1", "p2"]


def test_a_retraction_is_about_no_thing():
    """The index files every row under its things; a retraction's row has none."""
    from domain.recording import thing_keys

    assert thing_keys(retraction("june")) == set()
    assert thing_keys(commitment("a1", "c1")) == {"agreement:a1", "commitment:c1"}
