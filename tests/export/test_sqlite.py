"""``uspk export --format sqlite``: the database and its Datasette metadata, read back with
plain sqlite3; the output rules every export keeps (never the store, whole or nothing)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.export.support import CORRECTED_COMMITMENT, CORRECTION_REASON, Uspk, corrected
from tests.export.test_output_paths import refused, store_spellings


@pytest.fixture
def exported(tmp_path) -> tuple[sqlite3.Connection, dict, Path]:
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    corrected(uspk)
    uspk.ok("export", "--format", "sqlite", "-o", str(tmp_path / "reset.db"))
    db = sqlite3.connect(tmp_path / "reset.db")
    yield db, json.loads((tmp_path / "reset.metadata.json").read_text("utf-8")), tmp_path
    db.close()


def test_every_table_and_column_is_described_in_the_metadata_for_the_databases_name(exported):
    db, metadata, _ = exported
    described = metadata["databases"]["reset"]["tables"]
    tables = [
        name
        for (name,) in db.execute("select name from sqlite_master where type = 'table'")
        if not name.endswith(("_fts", "_data", "_idx", "_docsize", "_config", "_content"))
    ]
    assert sorted(tables) == sorted(described)
    for table in tables:
        columns = [row[1] for row in db.execute(f"pragma table_info({table})")]
        assert list(described[table]["columns"]) == columns, table
        assert described[table]["description"]
    assert set(metadata["databases"]["reset"]["queries"]) == {
        "what_stood_on",
        "what_stood_on_as_known",
        "what_changed",
        "everything_about",
    }
    assert metadata["license"] and metadata["source"].startswith("Cited reports: ")


def test_events_keep_both_clocks_and_corrected_ones_stay_not_believed(exported):
    db, _, _ = exported
    row = db.execute(
        "select occurred, occurred_precision, recorded_at, believed from events where id = ?",
        ("trump-munir-meeting-2025-06",),
    ).fetchone()
    assert row[:2] == ("2025-06", "month") and row[3] == 0  # superseded by the amendment
    assert db.execute(
        "select believed from events where id = ?", (CORRECTED_COMMITMENT,)
    ).fetchone()
    correction = db.execute(
        "select type, reason from corrections where target = ?", (CORRECTED_COMMITMENT,)
    ).fetchone()
    assert correction == ("retracted", CORRECTION_REASON)
    assert [m for (m,) in db.execute("select count(*) from moments")] == [3]


def test_each_source_is_one_row_linked_to_its_event_and_text_is_searchable(exported):
    db, _, _ = exported
    orphans = db.execute(
        "select count(*) from sources s left join events e on e.id = s.event_id where e.id is null"
    ).fetchone()
    assert orphans == (0,)
    assert db.execute("select count(*) from sources").fetchone()[0] >= 20
    found = db.execute(
        "select e.id from events_fts f join events e on e.rowid = f.rowid "
        "where events_fts match 'refinery'"
    ).fetchall()
    assert ("step-ussm-polymetallic-refinery-2025-09-08",) in found


def test_standing_rows_link_their_actors(exported):
    db, _, _ = exported
    linked = db.execute(
        "select a.actor_id from standing s join standing_actors a on a.standing_id = s.id "
        "where s.section = 'agreements' and s.entry_key = 'ussm-fwo-mou'"
    ).fetchall()
    assert {"ussm", "fwo"} <= {actor for (actor,) in linked}


def test_a_second_export_replaces_both_files_whole_and_leaves_no_temporary_file(tmp_path):
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    (tmp_path / "reset.db").write_bytes(b"not a database")
    (tmp_path / "reset.metadata.json").write_text("old", "utf-8")

    uspk.ok("export", "--format", "sqlite", "-o", str(tmp_path / "reset.db"))

    assert (tmp_path / "reset.db").read_bytes().startswith(b"SQLite format 3\x00")
    assert json.loads((tmp_path / "reset.metadata.json").read_text("utf-8"))["databases"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "reset.db",
        "reset.metadata.json",
        "uspk.sqlite",
    ]


def test_the_sqlite_export_refuses_the_store_by_any_spelling_and_writes_nothing(tmp_path):
    path = tmp_path / "uspk.sqlite"
    uspk = Uspk(str(path))
    uspk.ok("timeline")
    before = path.read_bytes()

    for target in store_spellings(path):
        line = refused(uspk("export", "--format", "sqlite", "-o", target))
        assert line == (
            f"Error: {target} would overwrite the event store {path}; give another file name"
        )
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.metadata.json"))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-o", "-"], "give -o FILE"),
        (["-o", "{tmp}/reset.db", "--at", "2025-09-08"], "--at and --known-at do not apply"),
    ],
)
def test_standard_output_and_a_state_date_are_refused_in_one_line(tmp_path, args, says):
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    result = uspk("export", "--format", "sqlite", *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert says in result.stderr
    assert not list(tmp_path.glob("reset*"))
