"""A record a team can trust (issue 13): who recorded each change and why, a hash chain
that `uspk verify` recomputes, exports that carry its head, and copies that keep it.

Every test runs on a real SQLite file and a real PostgreSQL database, through uspk's
own command line; stored rows are edited by hand with plain SQL, as a careless or
dishonest hand would.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from tests.conftest import stored_event_count
from tests.factories import doc
from tests.store.helpers import one_line_error

PEOPLE = ["ishaq-dar", "shehbaz-sharif"]
EXTRA = doc("meeting", "test-trust-meeting", "2025-09-09", participants=PEOPLE)
AMENDED = doc("meeting", "test-trust-meeting-day", "2025-09-10", participants=PEOPLE)
SOURCE = ["--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"]
HEAD = re.compile(r"head sha256:([0-9a-f]{64})")


def run(address: str, *args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(main, ["--db", address, *args], env=env or {}, input=input)


def ok(address: str, *args: str, **options) -> str:
    result = run(address, *args, **options)
    assert result.exit_code == 0, result.output
    return result.stdout


def event_file(tmp_path, document: dict) -> str:
    path = tmp_path / f"{document['id']}.yaml"
    path.write_text(yaml.safe_dump(document))
    return str(path)


# -- plain SQL on the stored events ----------------------------------------------------


def _connect(address: str):
    if address.startswith("postgresql://"):
        import psycopg

        return psycopg.connect(address, autocommit=True), "uspk_events", "notification_id", "%s"
    return sqlite3.connect(address, isolation_level=None), "stored_events", "rowid", "?"


def recorded_states(address: str) -> list[tuple[int, bytes]]:
    """(notification id, stored state) of every recorded change, in the log's order."""
    conn, table, key, _ = _connect(address)
    with conn:
        rows = conn.execute(f"SELECT {key}, state FROM {table} ORDER BY {key}").fetchall()
    return [(row[0], bytes(row[1])) for row in rows if b'"document"' in bytes(row[1])]


def set_state(address: str, notification_id: int, state: bytes) -> None:
    conn, table, key, mark = _connect(address)
    with conn:
        conn.execute(
            f"UPDATE {table} SET state = {mark} WHERE {key} = {mark}", (state, notification_id)
        )


def delete_event(address: str, notification_id: int) -> None:
    conn, table, key, mark = _connect(address)
    with conn:
        conn.execute(f"DELETE FROM {table} WHERE {key} = {mark}", (notification_id,))


def versions(address: str) -> dict[int, int]:
    """The chronicle version of each stored event, by notification id."""
    conn, table, key, _ = _connect(address)
    with conn:
        return dict(conn.execute(f"SELECT {key}, originator_version FROM {table}").fetchall())


def topics(address: str) -> dict[int, str]:
    conn, table, key, _ = _connect(address)
    with conn:
        return dict(conn.execute(f"SELECT {key}, topic FROM {table} ORDER BY {key}").fetchall())


def chain_line(address: str) -> str:
    """The line ``uspk verify`` writes for the chain's first break."""
    [line] = [x for x in run(address, "verify").output.splitlines() if "chronicle version" in x]
    return line


def event_id(state: bytes) -> str:
    return json.loads(state)["document"]["id"]


def verify_fails(address: str, *fragments: str) -> str:
    result = run(address, "verify")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    return result.output


def head_of(address: str) -> str:
    out = ok(address, "verify")
    return HEAD.search(out).group(1)


@pytest.fixture
def curated(store_address, tmp_path) -> str:
    """A store with the shipped history and one change appended by a named curator."""
    ok(
        store_address,
        "append",
        event_file(tmp_path, EXTRA),
        "--as",
        "Ayesha Khan",
        "-m",
        "From the Dawn report of 10 September",
    )
    return store_address


# -- who and why ----------------------------------------------------------------------


def test_a_curator_appends_with_a_message_and_history_shows_who_and_why(curated):
    (entry,) = json.loads(ok(curated, "history", EXTRA["id"], "--format", "json"))
    assert entry["recorded_by"] == "Ayesha Khan"
    assert entry["message"] == "From the Dawn report of 10 September"
    text = ok(curated, "history", EXTRA["id"])
    assert "by Ayesha Khan: From the Dawn report of 10 September" in text
    shown = " ".join(ok(curated, "show", EXTRA["id"]).split())
    assert "by Ayesha Khan: From the Dawn report of 10 September" in shown
    (exported,) = [
        e
        for e in json.loads(ok(curated, "export", "--format", "json"))["events"]
        if e["id"] == EXTRA["id"]
    ]
    assert (exported["recorded_by"], exported["message"]) == (
        "Ayesha Khan",
        "From the Dawn report of 10 September",
    )


def test_without_a_name_the_recorder_is_uspk_user_else_the_system_user_shown_as_such(
    store_address, tmp_path
):
    ok(store_address, "append", event_file(tmp_path, EXTRA), env={"USPK_USER": "desk-2"})
    ok(store_address, "append", event_file(tmp_path, AMENDED))
    by = {
        e["id"]: e["recorded_by"]
        for e in json.loads(ok(store_address, "timeline", "--format", "json"))
    }
    assert by[EXTRA["id"]] == "desk-2"
    fallback = "pg:" if store_address.startswith("postgresql://") else "os:"
    assert by[AMENDED["id"]].startswith(fallback) and len(by[AMENDED["id"]]) > 3
    assert all(name for name in by.values())  # the shipped history too: nothing anonymous


def test_amendments_and_retractions_carry_who_and_why_into_the_corrections(curated, tmp_path):
    ok(
        curated,
        "amend",
        EXTRA["id"],
        event_file(tmp_path, AMENDED),
        "--as",
        "Bilal",
        "-m",
        "The day, from the ministry",
    )
    ok(
        curated,
        "retract",
        AMENDED["id"],
        "--reason",
        "Never happened.",
        *SOURCE,
        "--as",
        "Chen",
        "-m",
        "Second source retracted it",
    )
    lines = ok(curated, "history", EXTRA["id"])
    assert "by Bilal: The day, from the ministry" in lines
    assert "by Chen: Second source retracted it" in lines
    page = ok(curated, "export", "--format", "html")
    assert "Recorded by Bilal: The day, from the ministry" in page
    assert "Recorded by Chen: Second source retracted it" in page
    report = ok(curated, "export", "--format", "markdown")
    assert "by Chen: Second source retracted it" in report


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["--as", ""], {}, "--as: the recorder's name is empty"),
        (["--as", "Eve\x1b[2J"], {}, "--as: the name holds the control character U+001B"),
        (["--as", "x" * 101], {}, "--as: the name is 101 characters long, at most 100"),
        (["--as", "os:root"], {}, "'pg:' / 'os:'"),
        ([], {"USPK_USER": " "}, "USPK_USER: the recorder's name is empty"),
        (["-m", ""], {}, "-m: the message is empty"),
        (["-m", "why\x00"], {}, "-m: the message holds the control character U+0000"),
        (["-m", "m" * 2001], {}, "-m: the message is 2001 characters long"),
    ],
)
def test_a_bad_name_or_message_is_one_line_and_nothing_is_written(
    store_address, tmp_path, args, env, fragment
):
    ok(store_address, "timeline")
    before = stored_event_count(store_address)
    result = run(store_address, "append", event_file(tmp_path, EXTRA), *args, env=env)
    one_line_error(result, fragment)
    assert stored_event_count(store_address) == before


def test_a_message_may_span_lines(store_address, tmp_path):
    ok(store_address, "append", event_file(tmp_path, EXTRA), "-m", "First line\nsecond line")
    (entry,) = json.loads(ok(store_address, "history", EXTRA["id"], "--format", "json"))
    assert entry["message"] == "First line\nsecond line"


# -- a tamper-evident log ---------------------------------------------------------------


def test_an_untouched_store_verifies_and_names_its_chain_head(curated):
    out = ok(curated, "verify")
    count = len(recorded_states(curated))
    assert f"chain: {count} recorded changes, head sha256:" in out


def test_one_byte_changed_in_an_event_fails_verify_naming_the_event(curated):
    notification, state = recorded_states(curated)[4]
    at = state.index(b'"title"') + 12  # inside the title's text: still valid JSON
    changed = state[:at] + bytes([state[at] ^ 1]) + state[at + 1 :]
    set_state(curated, notification, changed)
    verify_fails(curated, f"event {event_id(state)!r}", "not what was chained")


def test_bytes_that_no_longer_decode_fail_verify_naming_the_place(curated):
    notification, state = recorded_states(curated)[2]
    set_state(curated, notification, state[:-3])
    verify_fails(curated, f"notification {notification}", "cannot be decoded")
    version = versions(curated)[notification]
    assert chain_line(curated) == (
        f"the stored event at notification {notification}, chronicle version {version} "
        "cannot be decoded: its stored bytes were changed (or written with other settings)"
    )


def test_a_deleted_event_fails_verify_naming_the_event_after_it(curated):
    states = recorded_states(curated)
    delete_event(curated, states[6][0])
    verify_fails(curated, f"event {event_id(states[7][1])!r}", "removed or moved")
    after = states[7][0]
    version = versions(curated)[after]
    assert chain_line(curated) == (
        f"event {event_id(states[7][1])!r} (notification {after}, chronicle version {version}) "
        f"follows chronicle version {version - 2}: a stored event was removed or moved here"
    )


def test_a_deleted_event_before_a_mark_that_records_no_change_is_named_by_its_place(curated):
    """The chronicle's other events (the shipped history's loading) carry no change:
    a gap before one is named by where it is stored."""
    mark = next(n for n, topic in topics(curated).items() if topic.endswith("HistoryLoaded"))
    delete_event(curated, mark - 1)
    version = versions(curated)[mark]
    assert chain_line(curated) == (
        f"the stored event at notification {mark}, chronicle version {version} follows "
        f"chronicle version {version - 2}: a stored event was removed or moved here"
    )


@pytest.mark.parametrize("position", [1, 5])
def test_a_link_stripped_from_a_change_after_the_first_fails_verify_naming_it(curated, position):
    """Only changes before every link may carry none: the second change is already after
    the first one's link."""
    notification, state = recorded_states(curated)[position]
    data = json.loads(state)
    del data["chain"]
    set_state(curated, notification, json.dumps(data, separators=(",", ":")).encode())
    verify_fails(curated, f"recorded change {position + 1},", "carries no link")


def test_two_swapped_events_fail_verify_naming_the_first_place_they_differ(curated):
    states = recorded_states(curated)
    (first, a), (second, b) = states[3], states[8]
    set_state(curated, first, b)
    set_state(curated, second, a)
    verify_fails(curated, f"event {event_id(b)!r}", "not what was chained")


def test_the_last_event_deleted_is_caught_by_a_published_export(curated, tmp_path):
    published = tmp_path / "published.json"
    ok(curated, "export", "--format", "json", "-o", str(published))
    delete_event(curated, recorded_states(curated)[-1][0])
    result = run(curated, "verify", "--against", str(published))
    assert result.exit_code == 1
    assert "but the store holds only" in result.output


# -- exports carry the head; verify --against checks one -----------------------------------


@pytest.mark.parametrize("fmt", ["json", "html", "markdown", "timelinejs", "atom", "sqlite"])
def test_every_export_carries_the_chain_head_and_verifies_against_its_store(curated, tmp_path, fmt):
    published = tmp_path / f"published.{fmt}"
    ok(curated, "export", "--format", fmt, "-o", str(published))
    assert head_of(curated) in published.read_bytes().decode("utf-8", errors="replace")
    out = ok(curated, "verify", "--against", str(published))
    assert "matches the store" in out and "nothing recorded since" in out
    ok(curated, "append", event_file(tmp_path, AMENDED))  # the store grows: still proven
    assert "1 recorded since" in ok(curated, "verify", "--against", str(published))


def test_an_export_of_an_earlier_belief_carries_the_head_of_that_moment(curated, tmp_path):
    (entry,) = json.loads(ok(curated, "history", EXTRA["id"], "--format", "json"))
    ok(curated, "append", event_file(tmp_path, AMENDED))
    exported = json.loads(
        ok(curated, "export", "--format", "json", "--known-at", entry["recorded"])
    )
    assert exported["chain"]["count"] == len(recorded_states(curated)) - 1
    published = tmp_path / "then.json"
    published.write_text(json.dumps(exported))
    assert "1 recorded since" in ok(curated, "verify", "--against", str(published))


def test_an_export_edited_by_hand_or_from_another_store_does_not_verify(curated, tmp_path):
    published = tmp_path / "published.json"
    ok(curated, "export", "--format", "json", "-o", str(published))
    data = json.loads(published.read_text())
    data["chain"]["mark"] = data["chain"]["mark"].replace(data["chain"]["head"][7:17], "0123456789")
    published.write_text(json.dumps(data))
    result = run(curated, "verify", "--against", str(published))
    assert result.exit_code == 1 and "the store's chain at" in result.output
    other = tmp_path / "other.sqlite"
    ok(str(other), "append", event_file(tmp_path, AMENDED))  # another history: other head
    genuine = tmp_path / "genuine.json"
    ok(curated, "export", "--format", "json", "-o", str(genuine))
    result = run(str(other), "verify", "--against", str(genuine))
    assert result.exit_code == 1 and "the store's chain at" in result.output


def test_a_head_quoted_in_an_event_never_stands_for_the_json_export(curated, tmp_path):
    published = tmp_path / "published.json"
    ok(curated, "export", "--format", "json", "-o", str(published))
    data = json.loads(published.read_text())
    forged = "uspk record: 1 recorded changes, chain head sha256:" + "0" * 64
    data["events"][0]["title"] = forged
    published.write_text(json.dumps(data))
    assert "matches the store" in ok(curated, "verify", "--against", str(published))


def test_a_file_without_a_chain_head_is_one_line(curated, tmp_path):
    sheet = tmp_path / "sheet.csv"
    ok(curated, "export", "--format", "csv", "-o", str(sheet))
    one_line_error(run(curated, "verify", "--against", str(sheet)), "carries no chain head")
    one_line_error(
        run(curated, "verify", "--against", str(tmp_path / "missing.json")), "cannot read"
    )


# -- copy keeps the proof -------------------------------------------------------------------


def test_a_store_and_its_copy_verify_to_the_same_head_both_ways(curated, tmp_path, request):
    if curated.startswith("postgresql://"):
        other = str(tmp_path / "copy.sqlite")
    else:
        other = request.getfixturevalue("postgres_url")
    published = tmp_path / "published.html"
    ok(curated, "export", "--format", "html", "-o", str(published))
    result = CliRunner().invoke(main, ["copy", curated, other])
    assert result.exit_code == 0, result.output
    assert head_of(other) == head_of(curated)
    assert "matches the store" in ok(other, "verify", "--against", str(published))
    (entry,) = json.loads(ok(other, "history", EXTRA["id"], "--format", "json"))
    assert (entry["recorded_by"], entry["message"]) == (
        "Ayesha Khan",
        "From the Dawn report of 10 September",
    )
    back = str(tmp_path / "back.sqlite")
    assert CliRunner().invoke(main, ["copy", other, back]).exit_code == 0
    assert head_of(back) == head_of(curated)


# -- stores written before ---------------------------------------------------------------


def _as_written_before(state: bytes) -> bytes:
    """A stored change as uspk wrote it before it kept recorders and links."""
    data = json.loads(state)
    for key in ("recorder", "message", "chain"):
        data.pop(key, None)
    return json.dumps(data, separators=(",", ":")).encode()


def test_events_stored_before_the_chain_still_read_and_are_covered_by_later_links(
    curated, tmp_path
):
    states = recorded_states(curated)
    for notification, state in states:
        set_state(curated, notification, _as_written_before(state))
    ok(curated, "rebuild")
    (entry,) = json.loads(ok(curated, "history", EXTRA["id"], "--format", "json"))
    assert entry["recorded_by"] is None and entry["message"] is None
    assert "by an unknown recorder (before uspk kept recorders)" in ok(
        curated, "history", EXTRA["id"]
    )
    out = ok(curated, "verify")
    assert f"the first {len(states)} were stored before the chain existed" in out
    ok(curated, "append", event_file(tmp_path, AMENDED), "-m", "After the upgrade")
    assert "Traceback" not in ok(curated, "verify")
    # An edit to an unchained event is seen by the first link after it.
    notification, state = recorded_states(curated)[1]
    set_state(curated, notification, state.replace(b'"title":"', b'"title":"X', 1))
    verify_fails(curated, f"event {AMENDED['id']!r}", "not what was chained")


def test_an_index_of_schema_5_is_rebuilt_from_the_log_with_who_and_why(curated):
    if curated.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(curated, autocommit=True) as conn:
            for column in ("recorder", "message", "chain"):
                conn.execute(f"ALTER TABLE uspk_view_events DROP COLUMN {column}")
            conn.execute("UPDATE uspk_view_meta SET schema_version = 5")
    else:
        with sqlite3.connect(curated) as conn:
            for column in ("recorder", "message", "chain"):
                conn.execute(f"ALTER TABLE uspk_view_events DROP COLUMN {column}")
            conn.execute("UPDATE uspk_view_meta SET schema_version = 5")
    (entry,) = json.loads(ok(curated, "history", EXTRA["id"], "--format", "json"))
    assert entry["recorded_by"] == "Ayesha Khan"
    assert "index at log position" in ok(curated, "verify")
