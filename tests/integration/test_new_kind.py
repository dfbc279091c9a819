"""A kind of event is declared once: a model defined here, and nowhere else, goes through
append, timeline, state, show, replay, diff and every export format, on both backends."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing

import pytest

from tests.clirunner import Uspk
from tests.factories import SOURCE

SANCTION = {
    "id": "sanction-test-2025-09",
    "kind": "sanction-imposed",
    "occurred": "2025-09-20",
    "title": "A test sanction on a mining firm",
    "summary": "A sanction invented by this test, to prove a new kind needs one class.",
    "authority": "ussm",
    "measure": "Export licences suspended",
    "sources": [SOURCE],
}


@pytest.fixture
def uspk(store_address, sanction_kind) -> Uspk:
    uspk = Uspk(store_address)
    appended = uspk("append", "-", input=json.dumps(SANCTION))
    assert appended.exit_code == 0, appended.output
    return uspk


def test_a_kind_declared_by_one_model_is_a_kind_the_schema_and_validation_know(sanction_kind):
    from events.files import validate
    from events.kinds import kinds
    from events.schema import event_file_schema

    assert "sanction-imposed" in kinds()
    assert "sanction-imposed" in json.dumps(event_file_schema())
    assert validate(dict(SANCTION), "test").mentions() == ["ussm"]


def test_a_new_kind_is_appended_and_shown_in_the_timeline_by_its_kind(uspk):
    [entry] = uspk.timeline("--kind", "sanction-imposed")
    assert entry["id"] == SANCTION["id"] and entry["actors"] == ["ussm"]
    assert entry["details"]["measure"] == "Export licences suspended"
    text = uspk.ok("timeline", "--kind", "sanction-imposed")
    assert "sanction-imposed  (sanction-test-2025-09)" in text


def test_a_new_kind_stands_in_the_state_after_its_date_and_not_before(uspk):
    before = json.loads(uspk.ok("state", "--at", "2025-09-19", "--format", "json"))
    after = json.loads(uspk.ok("state", "--at", "2025-09-20", "--format", "json"))
    assert before["noted"] == []
    [noted] = after["noted"]
    assert (noted["event_id"], noted["kind"], noted["label"]) == (
        SANCTION["id"],
        "sanction-imposed",
        "sanction imposed",
    )
    assert noted["actors"] == ["ussm"] and noted["details"]["measure"] == SANCTION["measure"]
    assert len(after["agreements"]) == len(before["agreements"])  # nothing else moved
    text = uspk.ok("state", "--at", "2025-09-20")
    assert "Sanction imposed (1)" in text and SANCTION["title"] in text
    assert "Sanction imposed" not in uspk.ok("state", "--at", "2025-09-19")


def test_a_new_kind_is_shown_replayed_and_counted_as_a_change(uspk):
    assert "measure: Export licences suspended" in uspk.ok("show", SANCTION["id"])
    replayed = uspk.ok("replay")
    assert f"sanction-imposed  ({SANCTION['id']})" in replayed
    assert f"+ sanction imposed: {SANCTION['title']}" in replayed
    changes = json.loads(uspk.ok("diff", "2025-09-19", "2025-09-21", "--format", "json"))
    assert [c["event_id"] for c in changes] == [SANCTION["id"]]


def test_a_new_kind_is_in_every_export_format(uspk, tmp_path):
    at = ("--at", "2025-09-30")
    page = uspk.ok("export", "--format", "html", *at)
    assert 'data-kind="sanction-imposed"' in page and ".k-sanction-imposed{--c:" in page
    assert "Sanction imposed (1)" in page
    timelinejs = json.loads(uspk.ok("export", "--format", "timelinejs", *at))
    [slide] = [e for e in timelinejs["events"] if e["unique_id"] == SANCTION["id"]]
    assert slide["group"] == "sanction imposed"
    report = uspk.ok("export", "--format", "markdown", *at)
    assert "### Sanction imposed (1)" in report and "sanction imposed" in report
    rows = list(
        csv.DictReader(io.StringIO(uspk.ok("export", "--format", "csv", *at).lstrip("\ufeff")))
    )
    assert [r["kind"] for r in rows if r["id"] == SANCTION["id"]] == ["sanction-imposed"]
    data = json.loads(uspk.ok("export", "--format", "json", *at))
    assert SANCTION["id"] in [e["id"] for e in data["events"]]
    assert [n["event_id"] for n in data["state"]["noted"]] == [SANCTION["id"]]
    plover = [json.loads(line) for line in uspk.ok("export", "--format", "plover").splitlines()]
    [record] = [r for r in plover if r["id"] == SANCTION["id"]]
    assert (record["event"], record["mode"], record["quad_code"]) == (
        ["SANCTION"],
        ["discontinue"],
        4,
    )
    assert [a["uspk_actor"] for a in record["actor"]] == ["ussm"]
    assert f'<title type="text">Recorded: {SANCTION["title"]}</title>' in uspk.ok(
        "export", "--format", "atom"
    )
    database = tmp_path / "reset.db"
    uspk.ok("export", "--format", "sqlite", "-o", str(database))
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT kind FROM events WHERE id = ?", (SANCTION["id"],)).fetchall() == [
            ("sanction-imposed",)
        ]
        stood = db.execute(
            "SELECT section, valid_from FROM standing WHERE event_id = ?", (SANCTION["id"],)
        ).fetchall()
        assert ("noted", "2025-09-20") in stood


def test_a_new_kind_narrows_the_state_by_its_kind(uspk):
    narrowed = json.loads(
        uspk.ok("state", "--at", "2025-09-30", "--kind", "sanction-imposed", "--format", "json")
    )
    assert [n["event_id"] for n in narrowed["noted"]] == [SANCTION["id"]]
    assert narrowed["agreements"] == [] and narrowed["engagements"] == []


def test_the_kind_option_names_every_declared_kind_when_given_another(uspk):
    result = uspk("timeline", "--kind", "summit")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        "Invalid value for '--kind': 'summit' is not a kind of event; expected one of: "
        "meeting, visit, agreement-signed, commitment-made, statement-made, step-planned, "
        "step-progressed, government-action, financing, shipment, announcement, proposal, "
        "conference, talks, commitment-progressed, sanction-imposed"
    ) in " ".join(result.output.split())
