"""`uspk diff` on a real store (both backends): it folds only the units of the record
that change between its two days (those with a happening ending between them), and still
says exactly what the whole fold's diff says, actors included: an actor who joined the
state earlier, through another unit, is not introduced again."""

from __future__ import annotations

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


def test_a_diff_read_while_a_record_is_recorded_says_what_the_records_said_before_it(
    session, monkeypatch
):
    """The change rows and where each actor first joined the state are read in one read
    transaction: a meeting of 2000 that introduces the United States earlier, recorded
    after the rows were read and before the joins were, changes nothing the diff says
    (read apart, the joins would say the rows' actors joined elsewhere)."""
    from projections import kept

    since, until = date(2025, 5, 31), date(2025, 6, 30)
    before = whole_fold_diff(session, since, until)
    early = make(
        "meeting",
        "early-2000",
        "2000-01",
        participants=["ussm", "fwo"],
        introduces=[actor("united-states", "state", name="United States")],
    )
    read_changes, recorded = kept.read_changes, []

    def recorded_between(rows, unseal):  # after the rows, before the joins: once
        changed = read_changes(rows, unseal)
        if not recorded:
            recorded.append(session.append([early]))
        return changed

    monkeypatch.setattr(kept, "read_changes", recorded_between)
    assert reading.diff(session, since, until) == before
    assert recorded and reading.diff(session, since, until) != before  # it was recorded
