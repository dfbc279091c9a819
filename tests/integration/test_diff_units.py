"""`uspk diff` on a real store (both backends): it folds only the units of the record
that change between its two days (those with a happening ending between them), and still
says exactly what the whole fold's diff says, actors included: an actor who joined the
state earlier, through another unit, is not introduced again."""

from __future__ import annotations

import gc
import sys
from datetime import date, timedelta

import pytest

from domain.world import actor_registry
from projections import diff as changes
from service import reading
from service.bootstrap import Session, checked_store
from tests.factories import actor, make

# Each month of the shipped history, a week, a day, and the whole of it.
WINDOWS = [
    (date(2025, 5, 31), date(2025, 6, 30)),
    (date(2025, 8, 31), date(2025, 9, 30)),
    (date(2025, 9, 7), date(2025, 9, 8)),
    (date(2025, 10, 1), date(2025, 10, 8)),
    (date(2025, 11, 30), date(2026, 2, 28)),
    (date(2024, 12, 31), date(2026, 12, 31)),
]


@pytest.fixture
def session(store_address):
    with Session(checked_store(store_address, create=True)) as opened:
        # Later than its month, an event of its own unit that names actors who joined
        # the state in June (the Trump-Munir meeting) and September.
        opened.append(
            [make("meeting", "late-meeting", "2025-10-03", participants=["asim-munir", "fwo"])]
        )
        yield opened


def whole_fold_diff(session: Session, since: date, until: date) -> list:
    believed = session.index.believed()
    return changes.diff(believed, since, until, actor_registry(r.document for r in believed))


@pytest.mark.parametrize("since, until", WINDOWS)
def test_diff_of_the_changing_units_says_what_the_whole_fold_says(session, since, until):
    assert reading.diff(session, since, until) == whole_fold_diff(session, since, until)


def test_an_actor_who_joined_through_another_unit_is_not_introduced_again(session):
    since, until = date(2025, 10, 2), date(2025, 10, 3)
    said = reading.diff(session, since, until)
    assert {c["event_id"] for c in said} == {"late-meeting"}
    assert [c["change"] for c in said if c["category"] == "actor"] == []
    # ... while in the month he first joined the state, Asim Munir is introduced.
    june = reading.diff(session, date(2025, 5, 31), date(2025, 6, 30))
    introduced = [c["change"] for c in june if c["category"] == "actor"]
    assert any(c.startswith("actor introduced:") and "(asim-munir)" in c for c in introduced)


def test_a_window_in_which_nothing_ends_changes_nothing(session):
    last = max(r.document.occurred.end for r in session.index.believed())
    assert reading.diff(session, last, last + timedelta(days=400)) == []


@pytest.mark.parametrize("since, until", WINDOWS)
def test_an_earlier_first_introduction_changes_what_later_happenings_say(session, since, until):
    """A meeting of 2000 introduces the United States and Pakistan without the aliases
    the shipped history gives them. In the whole fold they are first introduced in 2000,
    so the shipped happenings that bring them with their aliases update them: every kept
    change row that brings them is made again on that append, not only those of the
    meeting's own unit."""
    states = [
        actor("united-states", "state", name="United States"),
        actor("pakistan", "state", name="Pakistan"),
    ]
    session.append(
        [make("meeting", "early-2000", "2000-01", participants=["ussm", "fwo"], introduces=states)]
    )
    said = reading.diff(session, since, until)
    assert said == whole_fold_diff(session, since, until)
    if since <= date(2025, 6, 1) <= until:
        assert "actor updated: United States (united-states)" in [c["change"] for c in said]


def test_a_unit_grown_in_the_batch_of_an_earlier_first_introduction_is_made_again_whole(
    session,
):
    """The same earlier introduction, appended with a later meeting that follows up the
    Trump-Munir meeting of June 2025: that meeting's unit grows by a record of December,
    but its rows of June, where it brings the United States, change too (it now updates
    an actor first introduced in 2000). A unit that only grew keeps its rows before the
    new record's first day, unless one of its actors may show another name."""
    states = [
        actor("united-states", "state", name="United States"),
        actor("pakistan", "state", name="Pakistan"),
    ]
    follow_up = {"to": "trump-munir-meeting-2025-06", "relation": "follows-up"}
    session.append(
        [
            make(
                "meeting", "early-2000", "2000-01", participants=["ussm", "fwo"], introduces=states
            ),
            make(
                "meeting",
                "late-follow-up",
                "2025-12-01",
                participants=["asim-munir", "donald-trump"],
                relates=[follow_up],
            ),
        ]
    )
    june = (date(2025, 5, 31), date(2025, 6, 30))
    said = reading.diff(session, *june)
    assert said == whole_fold_diff(session, *june)
    assert "actor updated: United States (united-states)" in [c["change"] for c in said]


def test_the_cyclic_collector_never_runs_while_a_diff_reads_and_answers(session):
    """The change rows' JSON, decoded, makes objects without cycles, freed with the
    answer: a pass of the cyclic collector finds nothing in them, yet walks every object
    the process holds (measured: 1.1 s a pass in a process holding 50,000 records, the
    whole of a diff that otherwise takes 40 ms; benchmarks/README.md). With the collector
    set to run at almost every allocation, no pass starts while the rows are read, decoded
    or made into the answer."""
    inside = {"changed_between", "first_joins", "read_changes", "changed"}
    passes = []

    def seen(phase: str, info: dict) -> None:
        frame = sys._getframe(1)
        while phase == "start" and frame is not None:
            if frame.f_code.co_name in inside:
                passes.append(frame.f_code.co_name)
                return
            frame = frame.f_back

    threshold = gc.get_threshold()
    gc.callbacks.append(seen)
    gc.set_threshold(1)
    try:
        said = reading.diff(session, *WINDOWS[-1])
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(seen)
    assert len(said) > 100  # the scenario decoded rows: the whole shipped history's changes
    assert passes == []


def test_a_diff_read_while_a_record_is_recorded_says_what_the_records_said_before_it(
    session, monkeypatch
):
    """The change rows and where each actor first joined the state are read in one read
    transaction: a meeting of 2000 that introduces the United States earlier, recorded
    after the rows were read and before the joins were, changes nothing the diff says
    (read apart, the joins would say the rows' actors joined elsewhere)."""
    from projections import kept_reading

    since, until = date(2025, 5, 31), date(2025, 6, 30)
    before = whole_fold_diff(session, since, until)
    early = make(
        "meeting",
        "early-2000",
        "2000-01",
        participants=["ussm", "fwo"],
        introduces=[actor("united-states", "state", name="United States")],
    )
    read_changes, recorded = kept_reading.read_changes, []

    def recorded_between(rows, unseal):  # after the rows, before the joins: once
        changed = read_changes(rows, unseal)
        if not recorded:
            recorded.append(session.append([early]))
        return changed

    monkeypatch.setattr(kept_reading, "read_changes", recorded_between)
    assert reading.diff(session, since, until) == before
    assert recorded and reading.diff(session, since, until) != before  # it was recorded
