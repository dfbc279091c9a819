"""The read model keeps its position as eventsourcing's own ``Tracking``, in the tracking
table of eventsourcing's tracking recorder, written with its rows; a read model of an
older release (which kept its own tracking table) is rebuilt on first use."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from projections.readmodel import ReadModel
from service.application import Uspk as Application
from service.stores import resolve_store
from tests.clirunner import Uspk
from tests.store.test_damage import RETRACTED, SOURCE, run_sql, timeline_ids, tracking_table


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


def remake_tracking_as_eventsourcing_does(address: str) -> int:
    """The tracking table dropped and made again by eventsourcing's own recorder (its
    ``create_table`` and ``insert_tracking``, as uspk made it before it wrote its own
    SQL), holding the same position; returns that position."""
    table = tracking_table(address)
    (position,) = plain_rows(
        address, f"SELECT notification_id FROM {table} WHERE application_name = 'uspk'"
    )[0]
    run_sql(address, f"DROP TABLE {table}")
    app = Application(resolve_store(address))
    try:
        plain = app.factory.tracking_recorder()  # eventsourcing's class, its table made
        plain.insert_tracking(Tracking(app.name, position))
    finally:
        app.close()
    return position


def test_a_store_whose_tracking_table_eventsourcing_made_opens_without_a_rebuild(
    store_address,
):
    uspk = Uspk(store_address)
    before = timeline_ids(uspk)
    # A row no log makes: a rebuild would not make it again.
    run_sql(
        store_address,
        "INSERT INTO uspk_view_mentions SELECT 'rebuild-marker', event_id"
        " FROM uspk_view_events WHERE position = 1",
    )
    position = remake_tracking_as_eventsourcing_does(store_address)

    assert timeline_ids(uspk) == before
    found = "SELECT COUNT(*) FROM uspk_view_mentions WHERE actor_id = 'rebuild-marker'"
    assert plain_rows(store_address, found) == [(1,)]
    uspk.ok("retract", RETRACTED, "--reason", "A plan, not a commitment.", *SOURCE)
    app = Application(resolve_store(store_address))
    try:
        end = app.recorder.max_notification_id()
        assert end > position
        assert ReadModel(app).position() == end
    finally:
        app.close()


def test_the_tracking_table_uspk_makes_is_the_one_eventsourcing_makes(store_address):
    uspk = Uspk(store_address)
    uspk.ok("timeline")
    table = tracking_table(store_address)
    migration = f"SELECT notification_id FROM {table} WHERE application_name = '__migration__'"
    assert plain_rows(store_address, migration) == [(1,)]
    app = Application(resolve_store(store_address))
    try:
        end = app.recorder.max_notification_id()
        plain = app.factory.tracking_recorder()  # eventsourcing's create_table runs again
        assert plain.max_tracking_id(app.name) == end
        assert plain.max_tracking_id("__migration__") == 1  # nothing for it to migrate
        plain.insert_tracking(Tracking("another-reader", 7))  # its own upsert fits the table
        assert plain.max_tracking_id("another-reader") == 7
    finally:
        app.close()
    assert plain_rows(
        store_address, f"SELECT notification_id FROM {table} WHERE application_name = 'uspk'"
    ) == [(end,)]
    moved_aside = plain_rows(  # what eventsourcing renames a table it takes for an older one
        store_address,
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'bkup1_%'"
        if store_address.startswith("postgresql://")
        else "SELECT name FROM sqlite_master WHERE name LIKE 'old1_%'",
    )
    assert moved_aside == []
    assert uspk.ok("verify").startswith("verified: ")


def test_a_position_not_past_the_tracked_one_is_refused_naming_it(store_address):
    """Another writer got there first: its page is not applied twice, and the error
    (which a command shows) names whose position and which."""
    Uspk(store_address).ok("timeline")
    app = Application(resolve_store(store_address))
    try:
        views = ReadModel(app)
        at = views.position()
        transaction = views.transaction(lock=True)
        with pytest.raises(IntegrityError) as refused, transaction as sql:
            views.index.insert_position(sql, Tracking(app.name, at))
        assert str(refused.value) == f"Failed to record tracking for {app.name} {at}"
        assert views.position() == at
    finally:
        app.close()
