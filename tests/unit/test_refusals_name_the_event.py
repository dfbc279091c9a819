"""A refused retraction or amendment is named, and the line says why: the refused event's
id (the one to fix in the file) and the event it names, word for word (issue 18: the
mutation run found these lines unchecked)."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from domain.chronicle import Chronicle, Conflict
from domain.recording import retraction_id
from domain.world import RuleBroken
from events.files import validate
from tests.factories import SOURCE, introductions, make, retraction
from tests.oracle import record

NOW = datetime(2025, 9, 10, 12, tzinfo=UTC)
ACTORS = introductions("ussm", "fwo")
JUNE = make("meeting", "june", "2025-06", participants=["ussm", "fwo"])


def recorded(*documents):
    chronicle = Chronicle()
    record(chronicle, [ACTORS, JUNE, *documents], NOW)
    return chronicle


def refusal(chronicle, *documents) -> RuleBroken:
    with pytest.raises(RuleBroken) as refused:
        record(chronicle, list(documents), NOW + timedelta(days=1))
    return refused.value


def partial(event_id: str, supersedes: str, **changes):
    raw = {"id": event_id, "kind": "meeting", "supersedes": supersedes, "sources": [SOURCE]}
    return validate({**raw, **changes}, "test")


def test_retracting_what_was_never_recorded_names_the_retraction():
    error = refusal(recorded(), retraction("ghost"))
    assert str(error) == "event 'retract-ghost': cannot retract 'ghost': no such event recorded"


def test_retracting_a_retraction_names_the_new_retraction():
    chronicle = recorded(retraction("june"))
    error = refusal(chronicle, retraction("retract-june"))
    assert str(error) == (
        "event 'retract-retract-june': cannot retract 'retract-june': it is a retraction"
    )


def test_amending_what_an_amendment_already_superseded_names_the_second_amendment():
    first = make(
        "meeting", "june-18", "2025-06-18", participants=["ussm", "fwo"], supersedes="june"
    )
    chronicle = recorded(first)
    second = make(
        "meeting", "june-19", "2025-06-19", participants=["ussm", "fwo"], supersedes="june"
    )
    error = refusal(chronicle, second)
    assert error.event_id == "june-19"
    assert error.message.startswith("cannot amend 'june': it is already retracted or superseded")


def test_a_partial_amendment_of_nothing_or_of_a_retraction_names_the_amendment():
    chronicle = recorded(retraction("june"))
    error = refusal(chronicle, partial("a", "ghost", occurred="2025-06-18"))
    assert str(error) == "event 'a': cannot amend 'ghost': no such event recorded"
    error = refusal(chronicle, partial("b", "retract-june", occurred="2025-06-18"))
    assert str(error) == "event 'b': cannot amend 'retract-june': it is a retraction"


def test_a_partial_amendment_of_another_kind_names_the_amendment():
    error = refusal(recorded(), partial("b", "june", kind="visit"))
    assert error.event_id == "b"
    assert error.message == "an amendment must be of the same kind as 'june' (meeting), not visit"


def test_a_retraction_reusing_a_recorded_events_id_is_a_conflict_not_a_second_retraction():
    chronicle = recorded()
    reused = retraction("june", event_id="june")
    with pytest.raises(Conflict, match="id already recorded .* with different content"):
        record(chronicle, [reused], NOW + timedelta(days=1))
    retracted = recorded(retraction("june"))
    meeting = make("meeting", "retract-june", "2025-06-20", participants=["ussm", "fwo"])
    with pytest.raises(Conflict, match="id already recorded .* with different content"):
        record(retracted, [meeting], NOW + timedelta(days=1))


def test_a_long_ids_retraction_id_is_its_start_a_dash_and_twelve_hex_digits_of_its_sha256():
    """The id is stored: a retraction made later, by any release, of the same event must
    get the same one (sha256 of "e" * 73 starts 7b9098012afd)."""
    event_id = "e" * 73
    assert retraction_id(event_id) == f"retract-{'e' * 59}-7b9098012afd"
    assert hashlib.sha256(event_id.encode()).hexdigest().startswith("7b9098012afd")
