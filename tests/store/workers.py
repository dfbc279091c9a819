"""Code run in spawned processes by the store tests (importable by a fresh interpreter).

Each worker reports through a queue; none swallows an error silently: an unexpected
exception is reported with its traceback, and the test fails showing it.
"""

from __future__ import annotations

import traceback
from typing import Any


def _report(queue: Any, worker: int, outcome: dict) -> None:
    queue.put({"worker": worker, **outcome})


def open_new_store(address: str, barrier: Any, queue: Any, worker: int) -> None:
    """Open a store (perhaps brand new) at the same moment as the others."""
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    barrier.wait()
    try:
        app = ReplayedUspk(resolve_store(address))
        loaded = app.load_shipped_history()
        app.close()
        _report(queue, worker, {"ok": True, "loaded": None if loaded is None else loaded.added})
    except BaseException:  # noqa: BLE001 - reported to the test, which fails
        _report(queue, worker, {"ok": False, "error": traceback.format_exc()})


def append_one_by_one(address: str, barrier: Any, queue: Any, worker: int, ids: list) -> None:
    """Append meetings with the given ids, one append each, racing the other workers.

    Counts how often this worker lost a race (its save hit a newer version written by
    another process), so the test can tell that the writers really overlapped.
    """
    from eventsourcing.persistence import RecordConflictError

    from service.stores import resolve_store
    from tests.factories import make
    from tests.oracle import ReplayedUspk

    class CountingUspk(ReplayedUspk):
        name = "uspk"  # the same tables as uspk itself
        lost = 0

        def save(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            try:
                return super().save(*args, **kwargs)
            except RecordConflictError:
                self.lost += 1
                raise

    try:
        app = CountingUspk(resolve_store(address))
        documents = [
            make("meeting", event_id, "2025-09-09", participants=["ussm", "fwo"])
            for event_id in ids
        ]
        barrier.wait()
        added = []
        for document in documents:
            added += app.append([document]).added
        app.close()
        _report(queue, worker, {"ok": True, "added": added, "lost": app.lost})
    except BaseException:  # noqa: BLE001
        _report(queue, worker, {"ok": False, "error": traceback.format_exc()})


def run_uspk(address: str, barrier: Any, queue: Any, worker: int, args: list) -> None:
    """Run one uspk command line (the console script's `main`) once all are ready."""
    from click.testing import CliRunner

    from cli.main import main

    runner = CliRunner()
    barrier.wait()
    result = runner.invoke(main, ["--db", address, *args])
    error = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        error = "".join(traceback.format_exception(*result.exc_info))
    _report(queue, worker, {"exit": result.exit_code, "output": result.output, "error": error})


def append_batches(address: str, marker: str, first: int, size: int) -> None:
    """Append batches of ``size`` generated meetings, forever, until killed.

    Before appending batch k it writes k on a line of ``marker``, so the test knows
    which batch was being written when it killed this process.
    """
    from service.stores import resolve_store
    from tests.factories import make
    from tests.oracle import ReplayedUspk

    app = ReplayedUspk(resolve_store(address))
    summary = "A generated meeting, written in a batch that may be cut short. " * 10
    with open(marker, "a", buffering=1) as log:
        batch = first
        while True:
            documents = [
                make(
                    "meeting",
                    crash_id(batch, i),
                    "2025-09-09",
                    participants=["ussm", "fwo"],
                    summary=summary,
                )
                for i in range(size)
            ]
            log.write(f"{batch}\n")
            app.append(documents)
            batch += 1


def crash_id(batch: int, index: int) -> str:
    return f"crash-{batch:04d}-{index:05d}"
