"""A writer killed (SIGKILL) in the middle of appending a batch: every batch is in the
store whole or not at all, and the store opens and takes appends afterwards.

The child process appends batches of thousands of generated events, one batch per
append (one transaction, several MB: more than SQLite's page cache, so pages reach the
write-ahead log before the commit). The test kills it at a moment when the store shows a
write in progress (the SQLite write lock held, or the PostgreSQL event table locked by the
insert), after a further random delay, and repeats with new children until at least one
kill has cut a batch short. On PostgreSQL a batch goes in through one database-function
call, a window too short to hit by chance on a loaded machine, so a statement trigger
(test-only, in the throwaway database) holds each insert's transaction open a moment
longer: the kill then lands inside the transaction by design.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

from tests.conftest import stored_event_count
from tests.store import workers
from tests.store.helpers import SPAWN, assert_versions_whole, open_store, uspk

BATCH = 3000
ROUNDS = 12  # rounds end as soon as a kill has cut a batch short
HANG_GUARD = 300  # seconds: a child that never gets to write fails the test, not hangs it


def write_in_progress(address: str) -> bool:
    """Whether a transaction is writing the event table right now (seen from outside)."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            held = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'uspk_events' AND l.mode = 'ExclusiveLock' AND l.granted"
            ).fetchone()[0]
        return held > 0
    conn = sqlite3.connect(address, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error) or "busy" in str(error), error
        return True
    else:
        conn.execute("ROLLBACK")
        return False
    finally:
        conn.close()


def widen_the_write_window(address: str) -> None:
    """On PostgreSQL, make every insert into the event table sleep inside its transaction."""
    if not address.startswith("postgresql://"):
        return
    import psycopg

    with psycopg.connect(address, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION uspk_test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$"
        )
        conn.execute(
            "CREATE TRIGGER uspk_test_slow_insert AFTER INSERT ON uspk_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION uspk_test_slow_insert()"
        )


def batches_begun(marker: Path) -> list[int]:
    return [int(line) for line in marker.read_text().split()] if marker.exists() else []


def kill_mid_batch(address: str, marker: Path, first: int) -> int:
    """Run a writer from batch ``first``; kill it while it writes a later batch.

    Returns the batch it had begun when it died.
    """
    child = SPAWN.Process(target=workers.append_batches, args=(address, str(marker), first, BATCH))
    child.start()
    try:
        deadline = time.monotonic() + HANG_GUARD
        # Let at least one batch commit, so the kill lands in a store with history.
        while max(batches_begun(marker), default=-1) <= first:
            assert child.is_alive() and time.monotonic() < deadline, "writer never wrote"
            time.sleep(0.01)
        while not write_in_progress(address):
            assert child.is_alive() and time.monotonic() < deadline, "writer never wrote"
        time.sleep(random.uniform(0, 0.03))
        child.kill()  # SIGKILL: no cleanup, no rollback by the process itself
    finally:
        child.join()
    assert child.exitcode == -9
    return batches_begun(marker)[-1]


def batch_sizes(address: str) -> Counter:
    """How many events of each generated batch the store holds, read through uspk."""
    app = open_store(address)
    try:
        return Counter(
            int(record.id.split("-")[1])
            for record in app.records()
            if record.id.startswith("crash-")
        )
    finally:
        app.close()


def test_a_writer_killed_mid_batch_leaves_each_batch_whole_or_absent(store_address, tmp_path):
    open_store(store_address).close()
    widen_the_write_window(store_address)
    marker = tmp_path / "batches-begun"
    cut_short = 0
    first = 0
    for _ in range(ROUNDS):
        in_flight = kill_mid_batch(store_address, marker, first)

        sizes = batch_sizes(store_address)
        assert set(sizes.values()) <= {BATCH}, f"a batch was half written: {sizes}"
        assert set(sizes) in ({*range(in_flight)}, {*range(in_flight + 1)})
        rows = assert_versions_whole(store_address)
        assert stored_event_count(store_address) == rows
        cut_short += in_flight not in sizes
        first = in_flight + 1
        if cut_short:
            break
    assert cut_short, "no kill landed while a batch was being written"

    # The store still opens and takes appends, through the command line.
    result = uspk(store_address, "append", "-", input=_one_meeting())
    assert (result.exit_code, result.output.splitlines()[0]) == (0, "appended 1 event(s)")
    assert stored_event_count(store_address) == rows + 1


def _one_meeting() -> str:
    import json

    from tests.factories import doc

    return json.dumps(doc("meeting", "after-the-crash", "2025-09-10", participants=["ussm", "fwo"]))
