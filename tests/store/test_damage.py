"""A read model that disagrees with its log never answers in silence.

Each kind of damage is done with plain SQL on a real store (both backends); then the
regular commands refuse in one line that names `uspk verify` / `uspk rebuild`, `verify`
names the disagreement and exits 1, `rebuild` repairs, and `verify` and `timeline` agree
with the log again.
"""

from __future__ import annotations

import sqlite3

import pytest
import yaml

from tests.clirunner import Uspk
from tests.factories import doc

RETRACTED = "ussm-fwo-immediate-export-2025-09-08"
EXTRA = doc(
    "meeting", "test-extra-meeting", "2025-09-09", participants=["shehbaz-sharif", "ishaq-dar"]
)
SOURCE = ["--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"]


def run_sql(address: str, *statements: str) -> None:
    """Statements run on the store's database with plain SQL, as a careless hand would."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    with sqlite3.connect(address) as conn:
        for statement in statements:
            conn.execute(statement)


def event_table(address: str) -> str:
    return "uspk_events" if address.startswith("postgresql://") else "stored_events"


def timeline_ids(uspk: Uspk) -> list[str]:
    return [entry["id"] for entry in uspk.timeline()]


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], result.output


@pytest.fixture
def used_store(store_address) -> tuple[Uspk, list[str]]:
    """A store with the shipped history and one retraction; its timeline's ids."""
    uspk = Uspk(store_address)
    uspk.ok("retract", RETRACTED, "--reason", "A plan, not a commitment.", *SOURCE)
    return uspk, timeline_ids(uspk)


DAMAGE = {
    "tracking row deleted": (
        ["DELETE FROM uspk_view_tracking"],
        "the tracking row is missing",
    ),
    "hidings table dropped": (
        ["DROP TABLE uspk_view_hidden"],
        "table uspk_view_hidden is missing",
    ),
    "events view dropped": (
        ["DROP TABLE uspk_view_events"],
        "table uspk_view_events is missing",
    ),
    "events view emptied": (
        ["DELETE FROM uspk_view_events"],
        "uspk_view_events: ",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_read_model_is_refused_named_by_verify_and_repaired_by_rebuild(
    used_store, damage
):
    uspk, before = used_store
    statements, named = DAMAGE[damage]
    run_sql(uspk.address, *statements)

    one_line_error(uspk("timeline"), "uspk verify", "uspk rebuild")
    one_line_error(uspk("show", before[0]), "uspk verify", "uspk rebuild")
    verified = uspk("verify")
    assert verified.exit_code == 1 and named in verified.output, verified.output
    assert "Traceback" not in verified.output

    assert "rebuilt from " in uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: ")
    assert timeline_ids(uspk) == before and RETRACTED not in before


def test_an_edited_read_model_row_is_named_by_verify_and_repaired_by_rebuild(used_store):
    uspk, before = used_store
    first = before[0]
    run_sql(
        uspk.address,
        f"UPDATE uspk_view_events SET occ_start = '2030-01-01' WHERE event_id = '{first}'",
    )
    verified = uspk("verify")
    assert verified.exit_code == 1, verified.output
    assert f"uspk_view_events: 1 row(s) that differ from the log: {first}" in verified.output

    uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: ")
    assert timeline_ids(uspk) == before


def test_verify_reads_only_it_never_repairs(used_store):
    uspk, _ = used_store
    run_sql(uspk.address, "DROP TABLE uspk_view_hidden")
    assert uspk("verify").exit_code == 1
    assert uspk("verify").exit_code == 1  # still damaged: verify changed nothing
    one_line_error(uspk("timeline"), "uspk rebuild")


def test_verify_of_a_sound_store_says_how_many_events_and_where_the_read_model_is(used_store):
    uspk, before = used_store
    summary = uspk.ok("verify").strip()
    assert summary.startswith("verified: ") and ", 1 hidden, read model at notification " in summary
    position, end = summary.rsplit("notification ", 1)[1].split(" of ")
    assert position == end


def test_an_emptied_event_log_is_noticed_and_after_rebuild_the_history_is_loaded_again(
    used_store,
):
    uspk, before = used_store
    run_sql(uspk.address, f"DELETE FROM {event_table(uspk.address)}")

    one_line_error(uspk("timeline"), "ahead", "uspk verify", "uspk rebuild")
    extra = uspk("append", "-", input=yaml.safe_dump(EXTRA))
    one_line_error(extra, "uspk rebuild")
    verified = uspk("verify")
    assert verified.exit_code == 1 and "but the log ends at 0" in verified.output

    assert "rebuilt from 0 notification(s)" in uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: 0 events, 0 hidden")
    # The log is the truth, and an empty log is a new store: first use loads the history.
    again = timeline_ids(uspk)
    assert RETRACTED in again and set(before) < set(again)
    assert uspk.ok("verify").startswith("verified: ")
