"""What the store tests share: opening a store as uspk does, reading it back with plain
SQL, and running uspk's own command line in this process or in spawned ones."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters, as separate uspk runs


def uspk(address: str, *args: str, input: str | bytes | None = None):
    """Run a uspk command in this process; the result carries exit code and output."""
    return CliRunner().invoke(main, ["--db", address, *args], input=input)


def open_store(address: str):
    """The application over ``address`` with the shipped history loaded, as on first use."""
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    app = ReplayedUspk(resolve_store(address))
    app.load_shipped_history()
    return app


def stored_rows(address: str) -> list[tuple[str, int]]:
    """(aggregate id, version) of every row of the store's own event table, with plain SQL."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            rows = conn.execute(
                "SELECT originator_id::text, originator_version FROM uspk_events "
                "ORDER BY notification_id"
            ).fetchall()
        return [(r[0].replace("-", ""), r[1]) for r in rows]
    with sqlite3.connect(address) as conn:
        return conn.execute(
            "SELECT originator_id, originator_version FROM stored_events ORDER BY rowid"
        ).fetchall()


def assert_versions_whole(address: str) -> int:
    """Every aggregate's versions are 1..n with no gap and no repeat; returns the row count."""
    rows = stored_rows(address)
    by_aggregate: dict[str, list[int]] = {}
    for aggregate, version in rows:
        by_aggregate.setdefault(aggregate, []).append(version)
    for aggregate, versions in by_aggregate.items():
        assert versions == list(range(1, len(versions) + 1)), f"{aggregate}: {versions[:20]}"
    return len(rows)


def recorded_ids(address: str) -> Counter:
    """How many times each event id is recorded, read back through the application."""
    app = open_store(address)
    try:
        return Counter(record.id for record in app.records())
    finally:
        app.close()


def no_traceback(result: Any) -> None:
    """A command's result ended with a clean exit (0, or 1 with one 'Error:' line)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError(
            "uspk raised instead of answering:\n"
            + "".join(traceback.format_exception(*result.exc_info))
        )
    assert "Traceback" not in result.output


def one_line_error(result: Any, *fragments: str) -> str:
    """A command refused with exit 1 and one 'Error:' line holding each fragment; the line."""
    no_traceback(result)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], result.output
    return lines[0]


@contextmanager
def read_only(folder: Path):
    """``folder`` read-only: by its mode, or (for root, whom modes do not stop) as a
    read-only bind mount of itself."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mount = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mount.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        # lazily: a connection left open by a failing run must not keep the mount
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
