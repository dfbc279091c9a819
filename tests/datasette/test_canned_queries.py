"""The SQLite export in a real Datasette: each canned query, through Datasette's JSON API,
gives what ``uspk state`` (the console script, in a subprocess) gives, on both backends.

The store holds the shipped history, then the June meeting amended to its day, then a
commitment retracted: three recorded moments, each a belief of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import _postgres_admin_url
from tests.datasette.served import serving
from tests.export.support import CORRECTED_COMMITMENT, Uspk, corrected
from tests.shipped import june_amendment, shipped_documents

JUNE_MEETING = "trump-munir-meeting-2025-06"


def console(address: str, folder: Path, *args: str) -> str:
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"
    env = {**os.environ, "USPK_DB": address, "HOME": str(folder), "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run([exe, *args], capture_output=True, env=env, cwd=folder, timeout=120)
    assert run.returncode == 0, run.stderr.decode()
    return run.stdout.decode()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store(request, tmp_path_factory):
    """An empty store on each backend, shared by this module's tests (which only read)."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("store") / "uspk.sqlite")
        return
    import psycopg

    admin = _postgres_admin_url()
    name = f"uspk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def served(store, tmp_path_factory):
    store_address, tmp_path = store, tmp_path_factory.mktemp("export")
    corrected(Uspk(store_address))
    console(store_address, tmp_path, "export", "--format", "sqlite", "-o", "reset.db")
    with sqlite3.connect(tmp_path / "reset.db") as db:
        moments = [m for (m,) in db.execute("select recorded_at from moments order by 1")]
    with serving(tmp_path / "reset.db", tmp_path / "reset.metadata.json") as datasette:
        yield datasette, moments, lambda *args: console(store_address, tmp_path, *args)


def sections(rows: list[dict]) -> dict[str, list[dict]]:
    """Datasette's rows, as the sections of a state (each in its order)."""
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["section"], []).append(json.loads(row["entry"]))
    return found


def state(uspk, at: str, *known_at: str) -> dict[str, list[dict]]:
    known = ["--known-at", known_at[0]] if known_at else []
    answer = json.loads(uspk("state", "--at", at, *known, "--format", "json"))
    return {key: value for key, value in answer.items() if isinstance(value, list) and value}


def test_what_stood_on_a_date_as_known_at_a_moment_is_what_uspk_state_says(served):
    datasette, moments, uspk = served
    loaded, amended, retracted = moments
    pairs = [
        ("2025-06-15", loaded),  # inside the June meeting's month: undetermined
        ("2025-06-20", loaded),
        ("2025-06-20", amended),  # the meeting now has its day, 18 June
        ("2025-09-08", amended),
        ("2025-09-08", retracted),
        ("2025-12-31", loaded[:10]),  # a day as known-at: the end of that day
    ]
    for at, known_at in pairs:
        rows = datasette.rows("what_stood_on_as_known", at=at, known_at=known_at)
        assert sections(rows) == state(uspk, at, known_at), (at, known_at)
    june = datasette.rows("what_stood_on_as_known", at="2025-06-15", known_at=loaded)
    assert [(r["section"], r["event_id"]) for r in june] == [("undetermined", JUNE_MEETING)]


def test_what_stood_on_a_date_as_believed_now_is_what_uspk_state_says(served):
    datasette, _, uspk = served
    for at in ("2025-06-15", "2025-07-18", "2025-09-08", "2025-10-03", "2026-01-01"):
        assert sections(datasette.rows("what_stood_on", at=at)) == state(uspk, at), at
    sept_8 = datasette.rows("what_stood_on", at="2025-09-08")
    assert CORRECTED_COMMITMENT not in {r["event_id"] for r in sept_8}


def test_what_changed_between_two_dates_lists_the_mous_signed_between_them(served):
    datasette, _, _ = served
    changes = datasette.rows("what_changed", **{"from": "2025-09-07", "to": "2025-09-09"})
    added = {(c["section"], c["entry_key"]) for c in changes if c["change"] == "added"}
    assert {("agreements", "ussm-fwo-mou"), ("agreements", "meg-nlcp-mou")} <= added
    assert all(c["before"] is None for c in changes if c["change"] == "added")


def test_everything_about_an_actor_by_id_or_name_lists_the_events_naming_them(served):
    datasette, _, _ = served
    # Every event the store recorded that names him: the shipped ones, and the amendment
    # of the June meeting (still listed, with believed 1 or 0, as the store holds all).
    recorded = [*shipped_documents(), june_amendment()]
    naming = {d.id for d in recorded if "asim-munir" in d.mentions()}
    by_id = datasette.rows("everything_about", actor="asim-munir")
    assert JUNE_MEETING in naming and len(by_id) == len(naming)
    assert {r["id"] for r in by_id} == naming
    assert {r["actor"] for r in by_id} == {"Syed Asim Munir"}
    # Part of his name finds the same events (no other actor's name holds "Munir").
    by_name = datasette.rows("everything_about", actor="Munir")
    assert sorted(r["id"] for r in by_name) == sorted(r["id"] for r in by_id)


def test_full_text_search_finds_events_by_a_word_of_their_text(served):
    datasette, _, _ = served
    found = datasette.rows("events", _search="refinery")
    assert "step-ussm-polymetallic-refinery-2025-09-08" in {r["id"] for r in found}
    assert datasette.rows("events", _search="zzzunknownword") == []
