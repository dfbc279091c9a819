"""The kept standing rows (projections/kept.py) on scenarios the random histories reach
rarely: each answer must be the pure fold's of the records believed then."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.world import actor_registry
from projections import state as states
from service.bootstrap import Session, checked_store
from tests.factories import actor, make


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 7, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def fold(session: Session, as_of: date) -> dict:
    believed = session.index.believed()
    registry = actor_registry(r.document for r in believed)
    return states.state_at(believed, as_of, None, registry)


def test_an_actor_introduced_again_under_another_name_is_renamed_in_every_entry(tmp_path):
    """A statement by USSM (a shipped actor) in 2020 lives in a unit of its own; a 2019
    meeting then introduces USSM under another name. The statement's speaker must show
    that name wherever the fold does, though nothing else ties the two events."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = make("statement-made", "ussm-said-2020", "2020-05-01", speaker="ussm", quote="Yes.")
        session.append([said])
        renamed = actor("ussm", name="US Strategic Metals (renamed)")
        session.append(
            [
                make(
                    "meeting",
                    "ussm-renamed-2019",
                    "2019-01-01",
                    participants=["ussm", "fwo"],
                    introduces=[renamed],
                )
            ]
        )
        for as_of in (date(2019, 6, 1), date(2020, 6, 1), date(2025, 10, 1)):
            assert dict(session.index.kept_state(as_of)) == fold(session, as_of), as_of
        speaker = [
            s["speaker"]
            for s in dict(session.index.kept_state(date(2020, 6, 1)))["statements"]
            if s["event_id"] == "ussm-said-2020"
        ]
        assert speaker == ["US Strategic Metals (renamed)"]


def test_an_actor_introduced_again_as_it_was_leaves_the_rows_as_verify_makes_them(tmp_path):
    """A meeting of 2000 introduces Pakistan and the United States as the shipped history
    does (the same name, type, country and role; aliases are not shown). Such an
    introduction ties nothing together: the rows kept on append are the rows `uspk
    verify` makes afresh from every record (it reported a damaged index here, joining
    every introduction of an actor into one unit afresh but not on append), and the
    state still says what the fold says."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        states_again = [
            actor("united-states", "state", name="United States"),
            actor("pakistan", "state", name="Pakistan"),
        ]
        session.append(
            [
                make(
                    "meeting",
                    "early-meeting-2000",
                    "2000-01",
                    participants=["ussm", "fwo"],
                    introduces=states_again,
                )
            ]
        )
        held, made = session.index.kept_now()
        assert held == made
        for as_of in (date(2000, 1, 31), date(2025, 6, 30), date(2025, 10, 1)):
            assert dict(session.index.kept_state(as_of)) == fold(session, as_of), as_of
