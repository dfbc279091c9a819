"""Several uspk processes writing one store at the same moment (each a fresh interpreter,
released together by a barrier): every accepted event is stored exactly once, a race
for the same change has exactly one winner, the losers get the rule that refused them,
and no one sees a traceback or SQLite's "database is locked"."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections import Counter

import pytest
import yaml

from tests.conftest import stored_event_count
from tests.factories import doc
from tests.store import workers
from tests.store.helpers import (
    SPAWN,
    assert_versions_whole,
    open_store,
    recorded_ids,
    uspk,
)

PROCESSES = 6


def prepared(address: str) -> int:
    """A store in use: the shipped history loaded. Returns its row count."""
    open_store(address).close()
    return assert_versions_whole(address)


def race(target, address: str, per_worker: list[tuple]) -> list[dict]:
    """Start one process per argument tuple; they wait for each other, then run."""
    barrier, queue = SPAWN.Barrier(len(per_worker)), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=target, args=(address, barrier, queue, n, *args))
        for n, args in enumerate(per_worker)
    ]
    for process in processes:
        process.start()
    reports = sorted((queue.get(timeout=600) for _ in processes), key=lambda r: r["worker"])
    for process in processes:
        process.join()
    return reports


def write_yaml(path, documents) -> str:
    data = json.loads(json.dumps(documents))  # a copy: shared parts would become aliases
    path.write_text(yaml.safe_dump(data if len(data) > 1 else data[0]))
    return str(path)


# -- disjoint events ---------------------------------------------------------------------


def test_writers_appending_different_events_together_store_every_one_exactly_once(
    store_address,
):
    rows = prepared(store_address)
    expected: list[str] = []
    lost_races = 0
    # Race until some writer has really lost a race and retried (it nearly always
    # happens in the first round); every round must keep every event exactly once.
    for round_ in range(5):
        ids = [[f"r{round_}-w{w}-e{i}" for i in range(5)] for w in range(PROCESSES)]
        reports = race(workers.append_one_by_one, store_address, [(i,) for i in ids])
        failures = [r["error"] for r in reports if not r["ok"]]
        assert not failures, failures[0]
        assert [r["added"] for r in reports] == ids
        expected += [event_id for worker_ids in ids for event_id in worker_ids]
        rows += len(ids) * len(ids[0])
        assert stored_event_count(store_address) == rows
        assert assert_versions_whole(store_address) == rows
        recorded = recorded_ids(store_address)
        assert {i: recorded[i] for i in expected} == dict.fromkeys(expected, 1)
        lost_races += sum(r["lost"] for r in reports)
        if lost_races:
            break
    assert lost_races > 0, "the writers never overlapped: the race was not tested"


def test_uspk_commands_appending_different_files_together_all_succeed(store_address, tmp_path):
    rows = prepared(store_address)
    files = [
        write_yaml(
            tmp_path / f"w{w}.yaml",
            [
                doc("meeting", f"cli-w{w}-e{i}", "2025-09-09", participants=["ussm", "fwo"])
                for i in range(3)
            ],
        )
        for w in range(PROCESSES)
    ]
    reports = race(workers.run_uspk, store_address, [(["append", f],) for f in files])

    for report in reports:
        assert report["error"] is None, report["error"]
        assert (report["exit"], report["output"].splitlines()[0]) == (0, "appended 3 event(s)")
    assert stored_event_count(store_address) == rows + 3 * PROCESSES
    recorded = recorded_ids(store_address)
    wanted = [f"cli-w{w}-e{i}" for w in range(PROCESSES) for i in range(3)]
    assert {i: recorded[i] for i in wanted} == dict.fromkeys(wanted, 1)


# -- the same change -----------------------------------------------------------------------


def race_for_one_change(address, tmp_path, documents, rule) -> None:
    """Each process appends one of ``documents`` (rival versions of one change)."""
    rows = prepared(address)
    files = [write_yaml(tmp_path / f"{d['id']}.yaml", [d]) for d in documents]
    reports = race(workers.run_uspk, address, [(["append", f],) for f in files])

    for report in reports:
        assert report["error"] is None, report["error"]
    winners = [r for r in reports if r["exit"] == 0]
    losers = [r for r in reports if r["exit"] != 0]
    assert len(winners) == 1, [r["output"] for r in reports]
    [winner_id] = [d["id"] for n, d in enumerate(documents) if n == winners[0]["worker"]]
    assert winners[0]["output"].splitlines() == ["appended 1 event(s)", f"  + {winner_id}"]
    for loser in losers:
        assert loser["exit"] == 1
        [line] = loser["output"].splitlines()
        assert line.startswith("Error: ")
        assert rule in line and line.endswith("nothing was written")
        assert "database is locked" not in line
    assert stored_event_count(address) == rows + 1
    assert assert_versions_whole(address) == rows + 1
    recorded = recorded_ids(address)
    assert Counter({d["id"]: recorded[d["id"]] for d in documents}) == Counter(
        {d["id"]: 1 if d["id"] == winner_id else 0 for d in documents}
    )


def test_rival_progress_updates_of_one_step_have_one_winner(store_address, tmp_path):
    documents = [
        doc(
            "step-progressed",
            f"teams-under-way-{n}",
            "2025-10",
            step="form-dedicated-teams",
            status="under-way",
        )
        for n in range(PROCESSES)
    ]
    race_for_one_change(store_address, tmp_path, documents, "already under-way")
    state = uspk(store_address, "state", "--at", "2025-10-31", "--format", "json")
    assert '"status": "under-way"' in state.output


def test_rival_signings_of_one_new_agreement_have_one_winner(store_address, tmp_path):
    documents = [
        doc(
            "agreement-signed",
            f"phase-two-signed-{n}",
            "2025-10",
            agreement="ussm-fwo-phase-two",
            instrument="MoU",
            parties=["ussm", "fwo"],
            scope=f"Second phase, as told by source {n}.",
        )
        for n in range(PROCESSES)
    ]
    race_for_one_change(store_address, tmp_path, documents, "was already signed")


# -- a writer held up by another --------------------------------------------------------


class WriteLock:
    """Hold the store's write lock from outside uspk, as a long write by another would."""

    def __init__(self, address: str) -> None:
        self.address = address

    def __enter__(self) -> WriteLock:
        if self.address.startswith("postgresql://"):
            import psycopg

            self.conn = psycopg.connect(self.address)
            self.conn.execute("LOCK TABLE uspk_events IN EXCLUSIVE MODE")
        else:
            self.conn = sqlite3.connect(self.address, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.rollback()  # psycopg and sqlite3 alike: the lock goes with the transaction
        self.conn.close()


@pytest.mark.e2e
def test_an_append_held_up_by_another_writer_waits_its_turn_instead_of_failing(
    store_address, tmp_path
):
    rows = prepared(store_address)
    file = write_yaml(
        tmp_path / "late.yaml",
        [doc("meeting", "held-up-meeting", "2025-09-09", participants=["ussm", "fwo"])],
    )
    script = shutil.which("uspk")
    assert script, "the uspk console script is not installed (pip install -e .)"
    with WriteLock(store_address):
        process = subprocess.Popen(
            [script, "--db", store_address, "append", file],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # While the lock is held the append cannot finish; give it time to get there.
            out, err = process.communicate(timeout=2)
        except subprocess.TimeoutExpired:
            out = err = None
        assert out is None, f"finished while the store was locked: {out!r} {err!r}"
    out, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (0, "")
    assert out.splitlines() == ["appended 1 event(s)", "  + held-up-meeting"]
    assert stored_event_count(store_address) == rows + 1
