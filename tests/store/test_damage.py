"""A read model that disagrees with its log never answers in silence.

Each kind of damage is done with plain SQL on a real store (both backends); then the
regular commands refuse in one line that names `uspk verify` / `uspk rebuild`, `verify`
names the disagreement and exits 1, `rebuild` repairs, and `verify` and `timeline` agree
with the log again.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import yaml

from events.files import validate
from tests.clirunner import Uspk
from tests.factories import doc
from tests.shipped import shipped_amendments
from tests.store.helpers import one_line_error, open_store

RETRACTED = "ussm-fwo-sustainability-priority-2025-09-08"  # a commitment nothing depends on
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


def tracking_table(address: str) -> str:
    """eventsourcing's tracking table, where the read model's position is kept."""
    return "uspk_tracking" if address.startswith("postgresql://") else "tracking"


def timeline_ids(uspk: Uspk) -> list[str]:
    return [entry["id"] for entry in uspk.timeline()]


@pytest.fixture
def used_store(store_address) -> tuple[Uspk, list[str]]:
    """A store with the shipped history and one retraction; its timeline's ids."""
    uspk = Uspk(store_address)
    uspk.ok("retract", RETRACTED, "--reason", "A plan, not a commitment.", *SOURCE)
    return uspk, timeline_ids(uspk)


DAMAGE = {  # the damage done; what verify names; what a command's refusal names
    "tracking row deleted": (
        ["DELETE FROM {tracking} WHERE application_name = 'uspk'"],
        "the tracking row is missing",
        "(its tracking row is missing)",
    ),
    "tracking table dropped": (
        ["DROP TABLE {tracking}"],
        "table {tracking} is missing",
        "(table {tracking} missing)",
    ),
    "meta row deleted": (
        ["DELETE FROM uspk_view_meta"],
        "the meta row is missing",
        "(its meta row is missing)",
    ),
    "hidings table dropped": (
        ["DROP TABLE uspk_view_hidden"],
        "table uspk_view_hidden is missing",
        "(table uspk_view_hidden missing)",
    ),
    "two tables dropped": (
        ["DROP TABLE uspk_view_hidden", "DROP TABLE uspk_view_things"],
        "table uspk_view_hidden is missing",
        "(table uspk_view_things, uspk_view_hidden missing)",  # in the order of the schema
    ),
    # Both: the missing table is named, the meta row's absence taken for part of it.
    "meta row deleted and a table dropped": (
        ["DELETE FROM uspk_view_meta", "DROP TABLE uspk_view_hidden"],
        "table uspk_view_hidden is missing",
        "(table uspk_view_hidden missing)",
    ),
    "events view dropped": (
        ["DROP TABLE uspk_view_events"],
        "table uspk_view_events is missing",
        "(table uspk_view_events missing)",
    ),
    "events view emptied": (
        ["DELETE FROM uspk_view_events"],
        "uspk_view_events: ",
        " records but holds 0)",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_read_model_is_refused_named_by_verify_and_repaired_by_rebuild(
    used_store, damage
):
    uspk, before = used_store
    tracking = tracking_table(uspk.address)
    statements, named, said = (
        [s.format(tracking=tracking) for s in DAMAGE[damage][0]],
        DAMAGE[damage][1].format(tracking=tracking),
        DAMAGE[damage][2].format(tracking=tracking),
    )
    run_sql(uspk.address, *statements)

    line = one_line_error(uspk("timeline"), "uspk verify", "uspk rebuild", said)
    assert line.startswith("Error: the read model disagrees with the event log (") and (
        line.endswith("); `uspk verify` shows how, `uspk rebuild` repairs it from the log")
    ), line
    one_line_error(uspk("show", before[0]), "uspk verify", "uspk rebuild")
    verified = uspk("verify")
    assert verified.exit_code == 1 and named in verified.output, verified.output
    assert "Traceback" not in verified.output

    assert "rebuilt the index from " in uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: ")
    assert timeline_ids(uspk) == before and RETRACTED not in before


UNSEEN_BY_COMMANDS = {  # too costly to notice on every command: verify finds them
    "an edited event row": (
        "UPDATE uspk_view_events SET occ_start = '2030-01-01' WHERE event_id = '{first}'",
        "uspk_view_events: 1 row(s) that differ from the log: {first}",
    ),
    # The state kept (projections/kept.py): verify makes the believed rows again.
    "an edited standing row": (
        'UPDATE uspk_view_standing SET entry = \'{"id": "meg-nlcp-mou"}\''
        " WHERE section = 'agreements' AND entry_key = 'meg-nlcp-mou' AND hidden_at IS NULL",
        "uspk_view_standing: 1 row(s) that differ from the log: "
        "meg-nlcp-mou-signed-2025-09-08/agreements/meg-nlcp-mou/2025-09-08",
    ),
    "a standing row deleted": (
        "DELETE FROM uspk_view_standing"
        " WHERE section = 'agreements' AND entry_key = 'meg-nlcp-mou'",
        "uspk_view_standing: 1 row(s) missing (the log has them): meg-nlcp-mou-signed-2025-09-08",
    ),
    "units emptied": (
        "DELETE FROM uspk_view_units",
        "uspk_view_units: ",
    ),
    # The actors settled from the standing rows (projections/settled.py).
    "a settled actor edited": (
        """UPDATE uspk_view_actors SET entry = '{"id": "mota-engil", "name": "Edited"}'"""
        " WHERE entry_key = 'mota-engil'",
        "uspk_view_actors: 1 row(s) that differ from the log: mota-engil/",
    ),
    "a settled actor deleted": (
        "DELETE FROM uspk_view_actors WHERE entry_key = 'mota-engil'",
        "uspk_view_actors: 1 row(s) missing (the log has them): mota-engil/",
    ),
    "hidings emptied": (
        "DELETE FROM uspk_view_hidden",
        # the test's retraction, and the shipped events their shipped amendments hide
        f"uspk_view_hidden: {1 + len(shipped_amendments())} row(s) missing (the log has them): ",
    ),
}


@pytest.mark.parametrize("damage", UNSEEN_BY_COMMANDS)
def test_rows_edited_or_deleted_are_named_by_verify_and_repaired_by_rebuild(used_store, damage):
    uspk, before = used_store
    statement, named = (text.replace("{first}", before[0]) for text in UNSEEN_BY_COMMANDS[damage])
    run_sql(uspk.address, statement)
    verified = uspk("verify")
    assert verified.exit_code == 1 and named in verified.output, verified.output

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
    summary, chain = uspk.ok("verify").strip().split("; ")  # the read model; the hash chain
    assert chain.startswith("chain: ") and " recorded changes, head sha256:" in chain
    assert (
        summary.startswith("verified: ")
        and f", {1 + len(shipped_amendments())} hidden, index at log position " in summary
    )
    position, end = summary.rsplit("log position ", 1)[1].split(" of ")
    assert position == end


def test_an_emptied_event_log_is_noticed_and_after_rebuild_the_history_is_loaded_again(
    used_store,
):
    uspk, before = used_store
    run_sql(uspk.address, f"DELETE FROM {event_table(uspk.address)}")

    one_line_error(uspk("timeline"), "ahead", "the log ends at 0)", "uspk verify", "uspk rebuild")
    extra = uspk("append", "-", input=yaml.safe_dump(EXTRA))
    one_line_error(extra, "uspk rebuild")
    verified = uspk("verify")
    assert verified.exit_code == 1 and "but the log ends at 0" in verified.output

    assert "rebuilt the index from 0 stored event(s): 0 recorded change(s)" in uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: 0 recorded changes, 0 hidden")
    # The log is the truth, and an empty log is a new store: first use loads the history.
    again = timeline_ids(uspk)
    assert RETRACTED in again and set(before) < set(again)
    assert uspk.ok("verify").startswith("verified: ")


# -- a stored event this code cannot read ----------------------------------------------


def rewrite_stored_event(address: str, event_id: str, change) -> int:
    """Replace the stored state of ``event_id``'s event with ``change(state)``, with plain
    SQL; returns its notification id."""
    postgres = address.startswith("postgresql://")
    key = "notification_id" if postgres else "rowid"
    select = f"SELECT {key}, state FROM {event_table(address)} ORDER BY {key}"
    update = f"UPDATE {event_table(address)} SET state = %s WHERE {key} = %s"
    if postgres:
        import psycopg

        with psycopg.connect(address, autocommit=True) as conn:
            rows = conn.execute(select).fetchall()
            found = next(n for n, state in rows if event_id.encode() in bytes(state))
            conn.execute(update, (change(bytes(dict(rows)[found])), found))
        return found
    with sqlite3.connect(address) as conn:
        rows = conn.execute(select).fetchall()
        found = next(n for n, state in rows if event_id.encode() in state)
        conn.execute(update.replace("%s", "?"), (change(dict(rows)[found]), found))
    return found


def unknown_kind(state: bytes) -> bytes:
    changed = state.replace(b'"kind":"meeting"', b'"kind":"coup"')
    assert changed != state
    return changed


def broken_json(state: bytes) -> bytes:
    return b"{not json" + state


def record_extra_unseen(address: str) -> None:
    """EXTRA recorded in the log by the application alone: the read model has not seen it,
    as with an event written by a newer uspk."""
    app = open_store(address)
    try:
        app.append([validate(EXTRA, "test")])
    finally:
        app.close()


UNREADABLE = {
    "an unknown kind": (unknown_kind, "test-extra-meeting"),
    "broken JSON": (broken_json, None),  # its id cannot be read: named by its place
}


@pytest.mark.parametrize("how", UNREADABLE)
def test_an_unreadable_stored_event_is_named_retracted_and_then_skipped(store_address, how):
    change, event_id = UNREADABLE[how]
    uspk = Uspk(store_address)
    before = timeline_ids(uspk)
    record_extra_unseen(store_address)
    notification = rewrite_stored_event(store_address, EXTRA["id"], change)
    name = event_id or f"unreadable-notification-{notification}"

    refused = uspk("timeline")
    line = one_line_error(refused, f"notification {notification}", f"uspk retract {name} --reason")
    # Named by its id when that can be read; by its place alone when not.
    which = f" (event id '{event_id}')" if event_id else ""
    assert line.startswith(
        f"Error: the stored event at notification {notification}{which} cannot be read by "
        "this version of uspk ("
    ) and line.endswith(
        "); queries stop before it until it is retracted: "
        f"uspk retract {name} --reason TEXT --publisher TEXT --title TEXT --published DATE"
    ), line
    one_line_error(
        uspk(
            "append",
            "-",
            input=yaml.safe_dump(
                doc("meeting", "test-other", participants=["shehbaz-sharif", "ishaq-dar"])
            ),
        ),
        name,
    )
    assert uspk("schema").exit_code == 0 and uspk("--help").exit_code == 0
    verified = uspk("verify")
    assert verified.exit_code == 1 and f"uspk retract {name}" in verified.output

    retracted = uspk("retract", name, "--reason", "Unreadable after a bad edit.", *SOURCE)
    assert retracted.exit_code == 0, retracted.output
    assert f"+ retract-{name}" in retracted.output

    assert timeline_ids(uspk) == before
    # The read model agrees with the log again; the hand edit stays visible in the chain.
    (line,) = uspk("verify").output.splitlines()
    assert f"notification {notification}" in line
    assert "cannot be decoded" in line if event_id is None else "not what was chained" in line
    assert "Unreadable after a bad edit." in uspk.ok("show", f"retract-{name}")
    uspk.ok("rebuild")  # a rebuild skips it again
    assert timeline_ids(uspk) == before


def test_a_blocked_store_takes_only_the_retraction_of_the_unreadable_event(store_address):
    uspk = Uspk(store_address)
    record_extra_unseen(store_address)
    rewrite_stored_event(store_address, EXTRA["id"], unknown_kind)
    other = uspk("retract", RETRACTED, "--reason", "Not this one.", *SOURCE)
    one_line_error(other, "uspk retract test-extra-meeting")
    dry = uspk("retract", EXTRA["id"], "--reason", "Unreadable.", *SOURCE, "--dry-run")
    assert dry.exit_code == 0 and "would append 1 event(s)" in dry.output
    one_line_error(uspk("timeline"), "uspk retract test-extra-meeting")  # nothing written


def test_a_row_the_catch_up_would_add_already_there_is_damage_named_in_one_line(used_store):
    """A row of an event the index has not applied yet, put there by hand: the catch-up
    that would add it is refused (a constraint of the index, on either database), named
    by the event, and rebuild repairs it."""
    uspk, before = used_store
    record_extra_unseen(uspk.address)
    run_sql(
        uspk.address,
        "INSERT INTO uspk_view_mentions (actor_id, event_id)"
        f" VALUES ('ishaq-dar', '{EXTRA['id']}')",
    )

    line = one_line_error(uspk("timeline"), "uspk verify", "uspk rebuild")

    assert f"(a row it would add is already there: {EXTRA['id']})" in line
    uspk.ok("rebuild")
    assert set(timeline_ids(uspk)) == {*before, EXTRA["id"]}


def test_a_constraint_refusal_is_known_as_the_driver_raised_it_or_as_eventsourcing_wrapped_it():
    from eventsourcing.persistence import IntegrityError, PersistenceError

    from projections.damage import is_integrity_error

    def raised(error: BaseException, cause: BaseException | None) -> BaseException:
        try:
            raise error from cause
        except BaseException as caught:  # noqa: BLE001 - the error, with its cause set
            return caught

    refused = sqlite3.IntegrityError("UNIQUE constraint failed: uspk_view_mentions")
    assert is_integrity_error(refused)
    assert is_integrity_error(raised(IntegrityError("wrapped"), refused))
    assert is_integrity_error(raised(sqlite3.IntegrityError("raw"), ValueError("its cause")))
    locked = sqlite3.OperationalError("database is locked")
    assert not is_integrity_error(locked)
    assert not is_integrity_error(raised(PersistenceError("wrapped"), locked))
    assert not is_integrity_error(PersistenceError("no cause"))


def test_a_read_model_that_is_only_behind_is_not_damage(used_store):
    uspk, before = used_store
    record_extra_unseen(uspk.address)
    summary = uspk.ok("verify").split("; ")[0]  # the read model's part
    position, end = summary.rsplit("log position ", 1)[1].split(" of ")
    assert int(position) < int(end)  # behind: verify says where it is, and agrees
    assert EXTRA["id"] in timeline_ids(uspk)  # the next command catches up
    assert uspk.ok("verify").split("; ")[0].endswith(f"log position {end} of {end}")


def test_a_read_model_of_an_older_release_is_rebuilt_on_first_use(used_store):
    uspk, before = used_store
    run_sql(uspk.address, "UPDATE uspk_view_meta SET schema_version = 2")
    assert "schema version 2" in uspk("verify").output
    assert timeline_ids(uspk) == before
    assert uspk.ok("verify").startswith("verified: ")


@pytest.mark.parametrize(
    ("section", "key", "edit"),
    [
        ("agreements", "meg-nlcp-mou", "entry = '{not json'"),
        ("agreements", "meg-nlcp-mou", """entry = '["a list"]'"""),
        ("agreements", "meg-nlcp-mou", """entry = '{"id": "meg-nlcp-mou"}'"""),
        # What the text reads beside the entries it shows: the actors an engagement
        # names, their names, and each row's place in its section.
        ("engagements", "ussm-mota-engil-visit-2025-09-07", """entry = '{"participants": 5}'"""),
        ("uspk_view_actors", "mota-engil", """entry = '{"id": "mota-engil"}'"""),
        ("engagements", "ussm-mota-engil-visit-2025-09-07", "sort_key = X'00'"),
    ],
)
def test_a_standing_row_edited_out_of_shape_is_refused_by_state_in_one_line(
    used_store, section, key, edit
):
    """``uspk state`` answers from the kept rows: one uspk could not have written is
    named in one line that says how to repair it, never a traceback; whether the text
    shows every entry (--all) or the latest few (the edited ones among them on the
    day they were made)."""
    uspk, _ = used_store
    if "X'00'" in edit and uspk.address.startswith("postgresql"):
        pytest.skip("a PostgreSQL text column holds only text")
    # the actors are read from their settled rows (one per actor), the rest by section
    table, where = (
        (section, "")
        if section == "uspk_view_actors"
        else ("uspk_view_standing", f"section = '{section}' AND ")
    )
    run_sql(uspk.address, f"UPDATE {table} SET {edit} WHERE {where}entry_key = '{key}'")
    for asked in (["--at", "2025-10-01", "--all"], ["--at", "2025-09-08"]):
        one_line_error(uspk("state", *asked), "`uspk rebuild` repairs it")
    uspk.ok("rebuild")
    state = json.loads(uspk.ok("state", "--at", "2025-10-01", "--format", "json"))
    assert "meg-nlcp-mou" in {a["id"] for a in state["agreements"]}
