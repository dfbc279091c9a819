"""The read model keeps its position as eventsourcing's own ``Tracking``, in the tracking
table of eventsourcing's tracking recorder, written with its rows; a read model of an
older release (which kept its own tracking table) is rebuilt on first use."""

from __future__ import annotations

from eventsourcing.persistence import TrackingRecorder

from projections.readmodel import ReadModel
from service.application import Uspk as Application
from service.stores import resolve_store
from tests.clirunner import Uspk
from tests.store.test_damage import run_sql, timeline_ids, tracking_table


def plain_rows(address: str, sql: str) -> list[tuple]:
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            return conn.execute(sql).fetchall()
    import sqlite3

    with sqlite3.connect(address) as conn:
        return conn.execute(sql).fetchall()


def test_the_position_is_eventsourcings_tracking_of_the_last_notification(store_address):
    uspk = Uspk(store_address)
    uspk.ok("timeline")
    app = Application(resolve_store(store_address))
    try:
        views = ReadModel(app)
        assert isinstance(views.index, TrackingRecorder)
        end = app.recorder.max_notification_id()
        assert views.index.max_tracking_id(app.name) == views.position() == end
    finally:
        app.close()
    rows = plain_rows(
        store_address,
        f"SELECT notification_id FROM {tracking_table(store_address)} "
        "WHERE application_name = 'uspk'",
    )
    assert rows == [(end,)]


def test_a_read_model_of_the_release_with_its_own_tracking_table_is_rebuilt(store_address):
    uspk = Uspk(store_address)
    before = timeline_ids(uspk)
    run_sql(  # as schema 3 left it: its own tracking table, no meta table
        store_address,
        "DROP TABLE uspk_view_meta",
        "CREATE TABLE uspk_view_tracking (name TEXT PRIMARY KEY, notification_id BIGINT)",
        "INSERT INTO uspk_view_tracking VALUES ('believed-events', 3)",
    )

    assert timeline_ids(uspk) == before
    assert uspk.ok("verify").startswith("verified: ")
    tables = plain_rows(
        store_address,
        "SELECT tablename FROM pg_tables WHERE tablename = 'uspk_view_tracking'"
        if store_address.startswith("postgresql://")
        else "SELECT name FROM sqlite_master WHERE name = 'uspk_view_tracking'",
    )
    assert tables == []
