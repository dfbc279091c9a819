"""A reader's opening of the index, in this process: a store opened read-only
(``file:PATH?mode=ro``) checks the index as it stands and writes nothing; a missing or
outdated index is refused in one line naming what a curator runs, an index behind its
log is counted, and a broken link just past the index is warned of.

tests/store/test_readers.py asks the same of the installed console script in processes
of their own; these ask it through uspk's command line in this process, so that a change
to the opening (projections/readmodel.py) is seen by the tests that run it.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from events.files import validate
from tests.factories import doc
from tests.store.test_readers import (
    CURATED,
    LATE,
    SHIPPED_ID,
    behind_line,
    fingerprint,
    read_only_uri,
    without_sqlite_side_files,
)
from tests.store.test_tampered_log import BROKEN, _byte, _delete
from tests.store.test_trust import _as_written_before, event_id, ok, recorded_states, run, set_state


def made(path: Path) -> str:
    """A store made by its curator: the shipped history and its index."""
    ok(str(path), "--create", "timeline")
    return read_only_uri(path)


def refused_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    return lines[0]


def test_a_reader_of_a_store_without_an_index_is_told_a_curator_makes_it(tmp_path):
    source, copied = tmp_path / "source.sqlite", tmp_path / "copied.sqlite"
    made(source)
    ok(str(source), "copy", str(source), str(copied))  # the log only
    before = fingerprint(tmp_path)

    line = refused_line(run(read_only_uri(copied), "timeline"))

    assert line == (
        f"Error: {copied} has no index to read yet, and you may not write one:"
        " a curator makes it by running `uspk rebuild` on this store"
    )
    assert without_sqlite_side_files(fingerprint(tmp_path), copied) == before


def test_a_reader_of_an_index_of_another_release_is_told_a_curator_rebuilds_it(tmp_path):
    store = tmp_path / "uspk.sqlite"
    reader = made(store)
    with closing(sqlite3.connect(store)) as conn, conn:  # closed: its log checkpointed
        conn.execute("UPDATE uspk_view_meta SET schema_version = 2")
    before = without_sqlite_side_files(fingerprint(tmp_path), store)

    line = refused_line(run(reader, "timeline"))

    assert line == (
        f"Error: {store}: the index was made by another release of uspk, and you may not"
        " rebuild it: a curator runs `uspk rebuild` on this store"
    )
    assert without_sqlite_side_files(fingerprint(tmp_path), store) == before


def test_a_reader_is_told_how_many_changes_the_index_is_behind_and_reads_it_as_it_stands(
    tmp_path,
):
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    store = tmp_path / "uspk.sqlite"
    reader = made(store)
    app = ReplayedUspk(resolve_store(str(store)))  # the log grows, the index does not
    try:
        app.append([validate(CURATED, "curated"), validate(LATE, "late")])
    finally:
        app.close()

    answered = run(reader, "timeline", "--format", "json")

    assert answered.exit_code == 0, answered.output
    assert answered.stderr.splitlines() == [behind_line(2)]
    ids = {entry["id"] for entry in json.loads(answered.stdout)}
    assert SHIPPED_ID in ids and not ids & {CURATED["id"], LATE["id"]}


def test_a_reader_of_an_index_one_change_behind_is_told_one(tmp_path):
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    store = tmp_path / "uspk.sqlite"
    reader = made(store)
    third = doc("meeting", "reader-opening-third", "2025-09-11", participants=["ussm", "fwo"])
    app = ReplayedUspk(resolve_store(str(store)))
    try:
        app.append([validate(third, "third")])
    finally:
        app.close()

    answered = run(reader, "timeline")

    assert answered.exit_code == 0 and answered.stderr.splitlines() == [behind_line(1)]


def test_a_reader_of_an_index_up_to_date_is_told_nothing(tmp_path):
    answered = run(made(tmp_path / "uspk.sqlite"), "timeline")
    assert answered.exit_code == 0 and answered.stderr == ""


def indexed_before_the_history(path: Path) -> str:
    """A store whose index was made on its empty log, the shipped history then loaded
    by the application alone: the index is at position 0, before the chronicle's first
    change (its creation, which records nothing) and everything after it."""
    from projections.readmodel import ReadModel
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    app = ReplayedUspk(resolve_store(str(path)))
    try:
        ReadModel(app)
        app.load_shipped_history()
    finally:
        app.close()
    return read_only_uri(path)


def test_only_recorded_changes_are_counted_behind_not_the_chronicles_creation_or_marks(
    tmp_path,
):
    store = tmp_path / "uspk.sqlite"
    reader = indexed_before_the_history(store)

    answered = run(reader, "timeline")

    assert answered.exit_code == 0, answered.output
    assert behind_line(len(recorded_states(str(store)))) in answered.stderr.splitlines()


def test_the_first_recorded_change_past_an_index_at_the_start_is_checked_for_the_reader(
    tmp_path,
):
    """The change checked is the first recorded one: not the chronicle's creation, which
    comes before it in the log and carries no link."""
    store = tmp_path / "uspk.sqlite"
    reader = indexed_before_the_history(store)
    notification, state = recorded_states(str(store))[0]
    set_state(str(store), notification, state.replace(b'"title":"', b'"title":"Forged '))

    warnings = [line for line in run(reader, "timeline").stderr.splitlines() if BROKEN in line]

    assert len(warnings) == 1 and f"{BROKEN} {event_id(state)!r}" in warnings[0], warnings


def _strip(address: str) -> tuple[str, bytes]:
    """A change after the first stored with no link, as if written before the chain."""
    notification, state = recorded_states(address)[4]
    set_state(address, notification, _as_written_before(state))
    return event_id(state), b""


@pytest.mark.parametrize(
    "tamper",
    [_byte, _delete, _strip],
    ids=["a byte changed", "an event deleted", "a link stripped"],
)
def test_a_reader_of_an_index_stopped_at_a_broken_link_is_warned_of_it_as_a_curator_is(
    tmp_path, tamper
):
    """Each tampering names its own reason (a link not what was chained; a chronicle
    version skipped): the reader's check, made in memory, finds the same as the catch-up."""
    store = tmp_path / "uspk.sqlite"
    reader = made(store)
    named, forged = tamper(str(store))
    rebuilt = run(str(store), "rebuild")  # the curator's index stops before the forgery
    (stopped,) = [line for line in rebuilt.output.splitlines() if line.startswith("Error: ")]
    assert rebuilt.exit_code == 1 and f"broken at event {named!r} (notification " in stopped
    assert stopped.endswith(
        "; answers stop before it until the log is repaired: run `uspk verify`"
    ), stopped

    answered = run(reader, "timeline")

    assert answered.exit_code == 0 and (not forged or forged.decode() not in answered.stdout)
    assert answered.stderr.splitlines() == ["uspk: warning: " + stopped.removeprefix("Error: ")]
