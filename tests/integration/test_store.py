"""The application over a real store (SQLite file; PostgreSQL when one is given)."""

from datetime import date

import pytest

from domain.world import RuleBroken
from events.history import history_files
from projections.state import state_at
from projections.timeline import timeline
from service.stores import resolve_store
from tests.conftest import stored_event_count
from tests.factories import make
from tests.oracle import ReplayedUspk


def open_app(address):
    app = ReplayedUspk(resolve_store(address))
    app.load_shipped_history()
    return app


def test_first_use_loads_the_shipped_history_once(store_address):
    first = open_app(store_address)
    count = stored_event_count(store_address)
    assert len(first.records()) == len(history_files())
    first.close()
    again = open_app(store_address)
    assert stored_event_count(store_address) == count
    assert len(again.records()) == len(history_files())
    again.close()


def test_state_on_the_seventh_has_no_agreement_and_on_the_eighth_has_both(store_address):
    app = open_app(store_address)
    before = state_at(app.believed(), date(2025, 9, 7))
    after = state_at(app.believed(), date(2025, 9, 8))
    assert before["agreements"] == []
    assert {a["id"] for a in after["agreements"]} == {"ussm-fwo-mou", "meg-nlcp-mou"}
    ussm = next(a for a in after["agreements"] if a["id"] == "ussm-fwo-mou")
    assert {p["id"] for p in ussm["parties"]} == {"ussm", "fwo"}
    assert set(ussm["minerals"]) >= {"antimony", "copper", "gold", "tungsten"}
    [phase] = [c for c in ussm["commitments"] if c["amount"]]
    assert (phase["amount"], phase["currency"], phase["approximate"]) == ("500000000", "USD", True)
    assert {s["status"] for s in after["next_steps"]} == {"planned"}
    app.close()


def test_timeline_starts_with_the_june_meeting_at_month_precision(store_address):
    app = open_app(store_address)
    entries = timeline(app.believed())
    assert entries[0]["id"] == "trump-munir-meeting-2025-06"
    assert entries[0]["occurred"]["precision"] == "month"
    assert all(entry["sources"] for entry in entries)
    app.close()


def test_an_appended_event_is_there_in_a_new_process_and_appending_again_is_a_no_op(
    store_address,
):
    app = open_app(store_address)
    extra = make(
        "meeting", "test-follow-up", "2025-09-09", participants=["shehbaz-sharif", "donald-trump"]
    )
    assert app.append([extra]).added == ["test-follow-up"]
    count = stored_event_count(store_address)
    app.close()
    reopened = open_app(store_address)
    assert reopened.record_of("test-follow-up") is not None
    assert reopened.append([extra]).added == []
    assert stored_event_count(store_address) == count
    reopened.close()


def test_a_refused_batch_writes_nothing(store_address):
    app = open_app(store_address)
    count = stored_event_count(store_address)
    good = make("meeting", "test-good", "2025-09-09", participants=["ussm", "fwo"])
    bad = make("meeting", "test-bad", "2025-09-09", participants=["ussm", "nobody"])
    with pytest.raises(RuleBroken, match="unknown actor 'nobody'"):
        app.append([good, bad])
    assert stored_event_count(store_address) == count
    app.close()
