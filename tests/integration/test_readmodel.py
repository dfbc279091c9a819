"""The materialized read model: kept up to date from the notification log, exactly once,
across restarts, and always telling the same story as the chronicle itself."""

import sqlite3
from datetime import date

from click.testing import CliRunner

from cli.main import main
from domain.chronicle import believed_records
from projections.readmodel import ReadModel
from service.bootstrap import Session
from service.stores import resolve_store
from tests.factories import make, retraction
from tests.oracle import ReplayedUspk, chronicle_of
from tests.shipped import after_history, june_amendment, june_visit_backfill, shipped_documents

# recorded after the shipped history's last day (nothing is recorded before it occurs)
DAY1 = after_history()
DAY2 = after_history(10)
DAY3 = after_history(26)


def view_rows(address):
    app = ReplayedUspk(resolve_store(address))
    try:
        views = ReadModel(app)
        return views.position(), [r.id for r in views.everything()]
    finally:
        app.close()


def test_a_restarted_read_model_keeps_its_position_and_applies_nothing_twice(store_address):
    store = resolve_store(store_address)
    with Session(store) as session:
        first_position = session.views.position()
        assert first_position > 0
        assert session.views.catch_up(session.app.recorder) == 0
    position, ids = view_rows(store_address)
    assert position == first_position and len(ids) == len(set(ids)) == len(shipped_documents())
    with Session(store) as again:  # a new process would do just this
        assert again.views.position() == first_position
        extra = make("meeting", "test-one-more", "2025-09-09", participants=["ussm", "fwo"])
        again.app.append([extra], again.view)
        assert again.views.catch_up(again.app.recorder) == 1
        assert again.views.catch_up(again.app.recorder) == 0
    _, ids = view_rows(store_address)
    assert ids.count("test-one-more") == 1 and len(ids) == len(shipped_documents()) + 1


def test_the_read_model_believes_what_the_chronicle_believes_at_every_moment(store_address):
    clock = type("Clock", (), {"now": DAY1, "__call__": lambda self: self.now})()
    app = ReplayedUspk(resolve_store(store_address), clock=clock)
    app.append(shipped_documents())
    clock.now = DAY2
    app.append([june_amendment(), june_visit_backfill()])
    clock.now = DAY3
    app.append([retraction("ussm-fwo-sustainability-priority-2025-09-08")])  # nothing depends on it
    views = ReadModel(app)
    views.catch_up(app.recorder)
    records = app.records()
    for moment in (DAY1, DAY2, DAY3, None):
        expected = [(r.id, r.recorded_at) for r in believed_records(records, moment)]
        assert [(r.id, r.recorded_at) for r in views.believed(moment)] == expected
    window = views.believed(None, starting_by=date(2025, 6, 30), ending_from=date(2025, 6, 1))
    assert [r.id for r in window] == ["munir-us-visit-2025-06", "trump-munir-lunch-2025-06-18"]
    assert views.registry()["asim-munir"].name == "Syed Asim Munir"
    views.close()
    app.close()


def test_retracting_an_amendment_makes_the_event_it_amended_believed_again(store_address):
    """The amendment hid the event it amended; once the amendment is retracted nothing
    hides it, and the index, the chronicle and the timeline all show it again."""
    clock = type("Clock", (), {"now": DAY1, "__call__": lambda self: self.now})()
    app = ReplayedUspk(resolve_store(store_address), clock=clock)
    documents = shipped_documents()
    app.append(documents)
    [original] = [d for d in documents if d.id == "ussm-fwo-sustainability-priority-2025-09-08"]
    amendment = original.model_copy(
        update={
            "id": "test-amended-priority",
            "title": "An amended title",
            "supersedes": original.id,
        }
    )
    clock.now = DAY2
    app.append([amendment])
    clock.now = DAY3
    app.append([retraction(amendment.id)])
    views = ReadModel(app)
    views.catch_up(app.recorder)
    believed = [r.id for r in views.believed(None)]
    assert original.id in believed and amendment.id not in believed
    assert original.id not in [r.id for r in views.believed(DAY2)]
    assert views.standing({original.id, amendment.id}) == {original.id}
    assert [r.id for r in believed_records(app.records(), None)] == believed
    views.close()
    app.close()
    timeline = CliRunner().invoke(main, ["--db", store_address, "timeline"])
    assert timeline.exit_code == 0, timeline.output
    assert original.title in timeline.stdout and "An amended title" not in timeline.stdout


def test_rebuild_from_zero_gives_the_same_rows(store_address):
    with Session(resolve_store(store_address)) as session:
        before = [(r.id, r.recorded_at, r.position) for r in session.views.everything()]
        told: list[int] = []
        applied = session.views.rebuild(session.app.recorder, told.append)
        after = [(r.id, r.recorded_at, r.position) for r in session.views.everything()]
    assert applied >= len(before) and after == before
    assert told and sum(told) == applied  # the progress shown counts every change applied


def test_an_index_of_another_release_is_outdated_until_it_is_rebuilt(tmp_path):
    address = str(tmp_path / "uspk.sqlite")
    with Session(resolve_store(address)):
        pass
    with sqlite3.connect(address) as conn:
        conn.execute("UPDATE uspk_view_meta SET schema_version = 2")
    app = ReplayedUspk(resolve_store(address))
    try:
        views = ReadModel(app)
        assert views.outdated is True
        views.rebuild(app.recorder)
        assert views.outdated is False
    finally:
        app.close()


def test_answers_read_in_keyset_pages_are_those_of_one_read(store_address, monkeypatch):
    """Pages of 3 rows: every page boundary of the shipped history is crossed."""
    import projections.queries

    with Session(resolve_store(store_address)) as session:
        session.app.append([june_amendment(), june_visit_backfill()], session.view)
        session.views.catch_up(session.app.recorder)
        whole = session.views.everything(), session.views.believed(), session.views.registry()
        monkeypatch.setattr(projections.queries, "_ROWS", 3)
        paged = session.views.everything(), session.views.believed(), session.views.registry()
        records = chronicle_of(session.app).records
    oracle = believed_records(records)
    assert paged == whole
    assert [r.id for r in paged[0]] == [r.id for r in records]
    assert [(r.id, r.recorded_at) for r in paged[1]] == [(r.id, r.recorded_at) for r in oracle]
