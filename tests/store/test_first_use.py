"""First use of a store: uspk creates what it needs and loads the shipped history once,
also when several processes open the same new store at the same moment."""

from __future__ import annotations

import sqlite3

from events.history import history_files
from tests.conftest import stored_event_count
from tests.store import workers
from tests.store.helpers import SPAWN, assert_versions_whole, open_store, recorded_ids

PROCESSES = 8


def event_table_exists(address: str) -> bool:
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            found = conn.execute("SELECT to_regclass('public.uspk_events')").fetchone()[0]
        return found is not None
    with sqlite3.connect(address) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    return "stored_events" in names


def shipped_ids() -> set[str]:
    import yaml

    return {yaml.safe_load(path.read_text())["id"] for path in history_files()}


def test_first_use_creates_the_event_table_and_loads_the_history_once(store_address):
    assert stored_event_count(store_address) == 0

    open_store(store_address).close()
    assert event_table_exists(store_address)
    rows = assert_versions_whole(store_address)
    open_store(store_address).close()

    assert assert_versions_whole(store_address) == rows
    ids = recorded_ids(store_address)
    assert set(ids) == shipped_ids()
    assert set(ids.values()) == {1}


def open_all_at_once(address: str) -> list[dict]:
    barrier, queue = SPAWN.Barrier(PROCESSES), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=workers.open_new_store, args=(address, barrier, queue, n))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = [queue.get(timeout=300) for _ in processes]
    for process in processes:
        process.join()
    failures = [r["error"] for r in reports if not r["ok"]]
    assert not failures, failures[0]
    return reports


def test_processes_opening_a_new_store_together_all_succeed_and_load_the_history_once(
    store_address,
):
    # A brand-new store: every process creates the tables, one loads the history.
    reports = open_all_at_once(store_address)
    loaders = [r for r in reports if r["loaded"]]  # the others found it loaded: None or []
    assert len(loaders) == 1, reports
    assert set(loaders[0]["loaded"]) == shipped_ids()
    rows = assert_versions_whole(store_address)

    # The same store, now existing: opening it together again changes nothing.
    reports = open_all_at_once(store_address)
    assert not any(r["loaded"] for r in reports), reports
    assert assert_versions_whole(store_address) == rows
    ids = recorded_ids(store_address)
    assert set(ids) == shipped_ids()
    assert set(ids.values()) == {1}


def test_a_release_whose_shipped_file_disagrees_with_the_store_still_answers(
    store_address, tmp_path, monkeypatch
):
    """A store that loaded a shipped file which a later release changed: the new history
    is not written, every command still answers from what was recorded, and says why."""
    import shutil

    import events.history
    from tests.store.helpers import uspk

    open_store(store_address).close()
    before = stored_event_count(store_address)
    edited = tmp_path / "history"
    shutil.copytree(events.history.HISTORY_DIR, edited, ignore=shutil.ignore_patterns("*.py"))
    first = sorted(edited.glob("*.yaml"))[0]
    first.write_text(first.read_text().replace("title:", "title: Edited —", 1))
    monkeypatch.setattr(events.history, "HISTORY_DIR", edited)

    result = uspk(store_address, "timeline", "--format", "json")

    assert result.exit_code == 0, result.output
    assert "shipped history was not loaded" in result.stderr
    assert "nothing was written" not in result.stdout
    assert stored_event_count(store_address) == before
    assert uspk(store_address, "state", "--at", "2025-09-08").exit_code == 0
