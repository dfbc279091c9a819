"""A process stopped while holding the store's lock (Ctrl-Z, a laptop asleep) makes the
others that must write give up after the lock timeout with one line, never wait forever;
a read with nothing to catch up needs no lock and answers meanwhile; once the lock is
let go, commands work again."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import pytest
import yaml

from projections.locks import CREATE_TABLES_LOCK, READ_MODEL_LOCK
from tests.clirunner import Uspk
from tests.factories import doc
from tests.store.helpers import one_line_error

EXTRA = doc("meeting", "test-extra", "2025-09-09", participants=["shehbaz-sharif", "ishaq-dar"])
GAVE_UP = "another uspk process has held the store's lock for more than 2 s"


@pytest.mark.postgres
@pytest.mark.parametrize("key", [READ_MODEL_LOCK, CREATE_TABLES_LOCK], ids=["read", "tables"])
def test_postgres_write_gives_up_on_a_held_lock_within_the_timeout_while_reads_answer(
    postgres_url, monkeypatch, key
):
    import psycopg

    uspk = Uspk(postgres_url)
    uspk.ok("timeline")
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "2")
    with psycopg.connect(postgres_url) as holder:  # a transaction left open, as if stopped
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
        if key == READ_MODEL_LOCK:  # nothing to catch up: the index's lock is not needed
            assert "Trump" in uspk.ok("timeline")
        else:  # every opening declares the tables (eventsourcing): a read waits too
            one_line_error(uspk("timeline"), GAVE_UP)
        started = time.monotonic()
        result = uspk("append", "-", input=yaml.safe_dump(EXTRA))
        waited = time.monotonic() - started
        one_line_error(result, GAVE_UP, f"pid {holder.info.backend_pid}", "stop that process")
        holder.rollback()
    assert 2 <= waited < 10
    uspk.ok("timeline")


def test_sqlite_write_gives_up_on_a_held_write_lock_in_one_line_while_reads_answer(
    tmp_path, monkeypatch
):
    address = str(tmp_path / "uspk.sqlite")
    uspk = Uspk(address)
    uspk.ok("timeline")
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "2")
    holder = sqlite3.connect(address, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock, as a stopped writer would
    try:
        assert "Trump" in uspk.ok("timeline")  # nothing to catch up: no lock needed
        started = time.monotonic()
        result = uspk("append", "-", input=yaml.safe_dump(EXTRA))
        waited = time.monotonic() - started
        one_line_error(result, GAVE_UP, "try again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert waited < 10
    uspk.ok("timeline")


def test_a_lock_timeout_that_is_not_a_number_of_seconds_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "soon")
    result = Uspk(str(tmp_path / "uspk.sqlite"))("timeline")
    one_line_error(result, "USPK_LOCK_TIMEOUT='soon': expected a whole number of seconds")


@pytest.mark.postgres
def test_the_table_lock_names_its_holder_and_no_one_once_it_is_let_go(postgres_url):
    # Asked after the wait timed out: the holder may have let go in between.
    import psycopg

    from service.application import Uspk as Application
    from service.stores import _holder, resolve_store

    app = Application(resolve_store(postgres_url))
    try:
        with psycopg.connect(postgres_url) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (CREATE_TABLES_LOCK,))
            assert _holder(app.factory) == holder.info.backend_pid
            holder.rollback()
        assert _holder(app.factory) is None
    finally:
        app.close()


@contextmanager
def index_lock_held(address: str):
    """The read model's lock held by another connection, as a stopped writer would: the
    write lock of a SQLite file, the advisory lock of PostgreSQL."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (READ_MODEL_LOCK,))
            yield
            holder.rollback()
        return
    holder = sqlite3.connect(address, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_what_writes_the_index_waits_its_turn_on_its_lock_and_a_mere_read_needs_none(
    store_address, monkeypatch
):
    """Marking another release's index, a catch-up with something to apply and a rebuild
    each take the index's lock before they read (SQLite: no read lock to upgrade later;
    PostgreSQL: writers take turns): under a held lock each gives up after the timeout,
    and a rebuild that gave up has changed nothing. Opening a whole index of this release
    and a catch-up with nothing to apply see so in one read, without the lock, and go on."""
    from events.files import validate
    from projections.locks import StoreLocked
    from projections.readmodel import ReadModel
    from projections.tables import SCHEMA_VERSION
    from service.application import Uspk as Application
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk
    from tests.store.test_damage import run_sql

    Uspk(store_address).ok("timeline")
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "1")
    app = Application(resolve_store(store_address))
    try:
        views = ReadModel(app)
        at = views.position()
        with index_lock_held(store_address):
            assert ReadModel(app).position() == at  # nothing to make or mark
            assert views.catch_up(app.recorder) == 0  # nothing to apply
        run_sql(store_address, "UPDATE uspk_view_meta SET schema_version = 1")
        with index_lock_held(store_address), pytest.raises(StoreLocked):
            ReadModel(app)  # another release's: marked (for a rebuild) under the lock
        run_sql(store_address, f"UPDATE uspk_view_meta SET schema_version = {SCHEMA_VERSION}")
        grown = ReplayedUspk(resolve_store(store_address))  # the log grows, the index not
        try:
            grown.append([validate(EXTRA, "extra")])
        finally:
            grown.close()
        for step in (
            lambda: views.catch_up(app.recorder),
            lambda: views.rebuild(app.recorder),
        ):
            with index_lock_held(store_address), pytest.raises(StoreLocked):
                step()
        assert views.position() == at and views.everything()
        assert views.catch_up(app.recorder) == 1  # the lock let go: the change applied
    finally:
        app.close()
