"""The lines `uspk verify` writes for rows that disagree with the log: the count, the
first five keys in order (a pair as ``actor/event``), and how many more there are."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from events.files import validate
from projections.chain import ChainCheck
from projections.tables import SCHEMA_VERSION, TABLES
from tests.clirunner import Uspk
from tests.factories import retraction
from tests.store.helpers import open_store
from tests.store.test_damage import EXTRA, rewrite_stored_event, unknown_kind

HISTORY = Path(__file__).resolve().parents[2] / "events" / "history"
SOURCE = ["--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"]
RETRACT_OPTIONS = "--publisher TEXT --title TEXT --published DATE"


@pytest.fixture
def uspk(tmp_path) -> Uspk:
    store = Uspk(str(tmp_path / "uspk.sqlite"))
    store.ok("timeline")  # the shipped history, indexed
    return store


def first(address: str, sql: str, count: int) -> list[tuple]:
    with sqlite3.connect(address) as db:
        return db.execute(sql).fetchall()[:count]


def verify_lines(uspk: Uspk) -> list[str]:
    result = uspk("verify")
    assert result.exit_code == 1, result.output
    return result.output.splitlines()


def delete_events(address: str, ids: list[str]) -> None:
    with sqlite3.connect(address) as db:
        db.executemany("DELETE FROM uspk_view_events WHERE event_id = ?", [(i,) for i in ids])


def test_six_missing_rows_name_the_first_five_in_order_and_count_the_one_more(uspk):
    ids = [r[0] for r in first(uspk.address, "SELECT event_id FROM uspk_view_events", 6)]
    delete_events(uspk.address, ids)

    named = ", ".join(sorted(ids)[:5])
    assert (
        f"uspk_view_events: 6 row(s) missing (the log has them): {named} and 1 more"
        in verify_lines(uspk)
    )


def test_five_missing_rows_are_all_named_with_no_more(uspk):
    ids = [r[0] for r in first(uspk.address, "SELECT event_id FROM uspk_view_events", 5)]
    delete_events(uspk.address, ids)

    named = ", ".join(sorted(ids))
    assert f"uspk_view_events: 5 row(s) missing (the log has them): {named}" in verify_lines(uspk)


def test_a_missing_mention_is_named_by_its_actor_and_event(uspk):
    (actor, event), *_ = first(uspk.address, "SELECT actor_id, event_id FROM uspk_view_mentions", 1)
    with sqlite3.connect(uspk.address) as db:
        db.execute(
            "DELETE FROM uspk_view_mentions WHERE actor_id = ? AND event_id = ?", (actor, event)
        )

    assert (
        f"uspk_view_mentions: 1 row(s) missing (the log has them): {actor}/{event}"
        in verify_lines(uspk)
    )


def test_a_log_with_no_recorded_change_says_so_for_its_chain():
    """Before any change is recorded (an empty log: every store loads the shipped
    history, so the summary is read directly)."""
    assert ChainCheck().summary() == "chain: no recorded changes yet"


def test_the_summary_says_how_many_changes_were_stored_before_the_chain():
    assert ChainCheck(count=3, head="ab", unchained=2).summary() == (
        "chain: 3 recorded changes, head sha256:ab; the first 2 were stored before the "
        "chain existed (covered by the links after them)"
    )
    assert ChainCheck(count=3, head="ab").summary() == "chain: 3 recorded changes, head sha256:ab"


def test_an_amendment_retracted_shows_its_original_again_and_verify_agrees(uspk, tmp_path):
    """The retraction ends the amendment's hiding: the fold verify makes ends it too."""
    original = "ussm-fwo-sustainability-priority-2025-09-08"  # nothing depends on it
    amended = yaml.safe_load(
        (HISTORY / "2025-09-08-ussm-fwo-sustainability-priority.yaml").read_text()
    )
    amended = {**amended, "id": f"{original}-amended", "summary": "Said again, more plainly."}
    amendment = tmp_path / "amended.yaml"
    amendment.write_text(yaml.safe_dump(amended))
    uspk.ok("amend", original, str(amendment))
    hidden = uspk.ok("verify")
    uspk.ok("retract", amended["id"], "--reason", "Not so.", *SOURCE)

    result = uspk("verify")

    assert result.exit_code == 0, result.output
    count = int(hidden.split(" hidden")[0].rsplit(" ", 1)[1])
    assert f", {count} hidden," in result.output  # the amendment now, not the original


def test_a_log_without_an_index_is_verified_by_its_count_and_left_for_the_next_command(uspk):
    """As a copied store, or one no command has opened: only the log is read."""
    changes = uspk.ok("verify").split(" recorded changes")[0].rsplit(" ", 1)[1]
    with sqlite3.connect(uspk.address) as db:
        for table in TABLES:
            db.execute(f"DROP TABLE {table}")

    result = uspk("verify")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"verified: {changes} recorded changes in the log; no index yet "
        "(the next command builds it)"
    )


def unreadable_extra(address: str, retracted: bool) -> int:
    """A meeting recorded in the log by the application alone (the index has not seen
    it), then edited by hand into a kind no uspk knows, and its retraction recorded after
    it when ``retracted``; returns the meeting's notification id."""
    app = open_store(address)
    try:
        app.append([validate(EXTRA, "test")])
        if retracted:
            app.append([retraction(EXTRA["id"])])
    finally:
        app.close()
    return rewrite_stored_event(address, EXTRA["id"], unknown_kind)


def test_a_log_without_an_index_that_holds_an_unreadable_event_names_it(uspk):
    notification = unreadable_extra(uspk.address, retracted=False)
    with sqlite3.connect(uspk.address) as db:
        for table in TABLES:
            db.execute(f"DROP TABLE {table}")

    unreadable, chained = verify_lines(uspk)

    assert unreadable.startswith(
        f"the stored event at notification {notification} (event id '{EXTRA['id']}') "
        "cannot be read by this version of uspk"
    )
    assert unreadable.endswith(f"uspk retract {EXTRA['id']} --reason TEXT {RETRACT_OPTIONS}")
    assert "is not what was chained" in chained  # the hand edit, seen by the chain


def test_an_unreadable_event_past_the_index_that_a_later_retraction_excuses_is_not_damage(uspk):
    unreadable_extra(uspk.address, retracted=True)

    (chained,) = verify_lines(uspk)  # the log's part agrees; the chain sees the edit

    assert f"event '{EXTRA['id']}'" in chained and "is not what was chained" in chained


def test_meta_counts_that_differ_from_the_log_are_each_named_with_both_values(uspk):
    """The meta row's records, chronicle version and history digest are each compared
    with the log's: each that differs is one line saying what it is and what the log
    gives."""
    ((records, version, digest),) = first(
        uspk.address, "SELECT records, chronicle_version, history_digest FROM uspk_view_meta", 1
    )
    with sqlite3.connect(uspk.address) as db:
        db.execute(
            "UPDATE uspk_view_meta SET records = records + 1,"
            " chronicle_version = chronicle_version + 2, history_digest = 'edited'"
        )

    lines = verify_lines(uspk)

    assert f"uspk_view_meta: records is {records + 1}, the log gives {records}" in lines
    assert f"uspk_view_meta: chronicle_version is {version + 2}, the log gives {version}" in lines
    assert f"uspk_view_meta: history_digest is 'edited', the log gives {digest!r}" in lines


def test_a_read_model_of_another_schema_says_which_it_is_and_which_this_uspk_has(uspk):
    with sqlite3.connect(uspk.address) as db:
        db.execute("UPDATE uspk_view_meta SET schema_version = 2")

    assert (
        f"the read model is of schema version 2, this uspk's is {SCHEMA_VERSION}"
        in verify_lines(uspk)
    )


def test_a_read_model_past_the_end_of_the_log_says_where_each_is(uspk):
    end = uspk.ok("verify").split(" of ")[1].split(";")[0]
    with sqlite3.connect(uspk.address) as db:
        db.execute("UPDATE tracking SET notification_id = notification_id + 3")

    assert (
        f"the read model is at notification {int(end) + 3} but the log ends at {end}"
        in verify_lines(uspk)
    )


def test_a_missing_hiding_is_named_by_what_it_hides_and_what_hides_it(uspk):
    ((hidden, by),) = first(uspk.address, "SELECT event_id, by_id FROM uspk_view_hidden", 1)
    with sqlite3.connect(uspk.address) as db:
        db.execute("DELETE FROM uspk_view_hidden WHERE event_id = ? AND by_id = ?", (hidden, by))

    assert f"uspk_view_hidden: 1 row(s) missing (the log has them): {hidden}/{by}" in verify_lines(
        uspk
    )


def test_a_missing_unit_row_is_named_by_its_event_alone(uspk):
    ((event, _unit),) = first(uspk.address, "SELECT event_id, unit FROM uspk_view_units", 1)
    with sqlite3.connect(uspk.address) as db:
        db.execute("DELETE FROM uspk_view_units WHERE event_id = ?", (event,))

    assert f"uspk_view_units: 1 row(s) missing (the log has them): {event}" in verify_lines(uspk)


def test_a_row_the_log_does_not_have_is_named_as_such(uspk):
    ((event,),) = first(uspk.address, "SELECT event_id FROM uspk_view_events", 1)
    with sqlite3.connect(uspk.address) as db:
        db.execute(
            "INSERT INTO uspk_view_things (thing, event_id) VALUES (?, ?)",
            ("agreement:never-signed", event),
        )

    assert (
        f"uspk_view_things: 1 row(s) that the log does not have: agreement:never-signed/{event}"
        in verify_lines(uspk)
    )


def test_an_edited_standing_row_is_named_by_its_unit_section_entry_and_first_day(uspk):
    """The kept rows' line names a row by what names it, not by its end."""
    ((unit, section, key, since),) = first(
        uspk.address,
        "SELECT unit, section, entry_key, valid_from FROM uspk_view_standing"
        " WHERE hidden_at IS NULL AND valid_to IS NOT NULL",
        1,
    )
    with sqlite3.connect(uspk.address) as db:
        db.execute(
            "UPDATE uspk_view_standing SET entry = '{\"edited\": 1}' WHERE unit = ? AND section = ?"
            " AND entry_key = ? AND valid_from = ? AND hidden_at IS NULL",
            (unit, section, key, since),
        )

    assert (
        f"uspk_view_standing: 1 row(s) that differ from the log: {unit}/{section}/{key}/{since}"
        in verify_lines(uspk)
    )


def test_a_missing_tracking_row_is_named_as_such(uspk):
    with sqlite3.connect(uspk.address) as db:
        db.execute("DELETE FROM tracking")

    assert verify_lines(uspk) == ["the tracking row is missing"]


def test_an_index_set_back_to_no_notification_names_its_rows_and_no_unreadable_event(
    uspk,
):
    """Set back to notification 0, the index holds rows of every change the log had by
    then (none): each table's are named. What lies after it is what its catch-up would
    read, the recorded changes and the history's loading; the chronicle's creation,
    which no index reads, is not an unreadable event."""
    with sqlite3.connect(uspk.address) as db:
        db.execute("UPDATE tracking SET notification_id = 0")

    lines = verify_lines(uspk)

    assert [line.split(":")[0] for line in lines] == [
        "uspk_view_events",
        "uspk_view_mentions",
        "uspk_view_things",
        "uspk_view_hidden",
        "uspk_view_meta",
        "uspk_view_meta",
        "uspk_view_meta",
    ]


def test_a_missing_meta_row_is_named_as_such(uspk):
    with sqlite3.connect(uspk.address) as db:
        db.execute("DELETE FROM uspk_view_meta")

    assert verify_lines(uspk) == ["the meta row is missing"]


def test_a_missing_table_is_named_and_the_tables_after_it_are_still_compared(uspk):
    ((hidden, by),) = first(uspk.address, "SELECT event_id, by_id FROM uspk_view_hidden", 1)
    with sqlite3.connect(uspk.address) as db:
        db.execute("DROP TABLE uspk_view_mentions")
        db.execute("DELETE FROM uspk_view_hidden WHERE event_id = ? AND by_id = ?", (hidden, by))

    assert verify_lines(uspk) == [
        "table uspk_view_mentions is missing",
        f"uspk_view_hidden: 1 row(s) missing (the log has them): {hidden}/{by}",
    ]


def test_an_index_set_back_to_the_log_s_start_and_emptied_is_behind_not_damaged(uspk):
    """An index at notification 0 that holds nothing agrees with the log up to there:
    the next command catches it up; verify says where it stands."""
    tables = ["uspk_view_events", "uspk_view_mentions", "uspk_view_things", "uspk_view_hidden"]
    tables += ["uspk_view_units", "uspk_view_standing", "uspk_view_actors"]
    with sqlite3.connect(uspk.address) as db:
        db.execute("UPDATE tracking SET notification_id = 0")
        for table in tables:
            db.execute(f"DELETE FROM {table}")
        db.execute(
            "UPDATE uspk_view_meta SET records = 0, chronicle_version = 0, history_digest = NULL"
        )
    said = uspk.ok("verify")
    assert said.startswith("verified: 0 recorded changes, 0 hidden, index at log position 0 of ")
