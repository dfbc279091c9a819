"""Nothing tampered is answered silently (issue 17): catch-up and rebuild check each
recorded change's link in the hash chain as they index it. A link that does not verify
stops the index at the last good change; `uspk rebuild` exits 1 naming the event, and
every command then warns on stderr (or refuses) — never the forged content in silence.
An index whose own rows were edited is found by `verify` and by `verify --against`.

Every test runs on a real SQLite file and a real PostgreSQL database, through uspk's own
command line; stored rows are edited with plain SQL.
"""

from __future__ import annotations

import json

import pytest

from tests.store.test_trust import (
    EXTRA,
    SOURCE,
    curated,
    delete_event,
    event_id,
    ok,
    recorded_states,
    run,
    set_state,
    topics,
    versions,
)

__all__ = ["curated"]  # the fixture, shared with test_trust

BROKEN = "the event log is broken at event"
FORMATS = ("html", "timelinejs", "markdown", "csv", "json", "atom", "plover", "sqlite")


def _byte(address: str) -> tuple[str, bytes]:
    """One byte of a title changed (still valid JSON): the forged title is returned."""
    notification, state = recorded_states(address)[4]
    at = state.index(b'"title":"') + 12
    changed = state[:at] + bytes([state[at] ^ 1]) + state[at + 1 :]
    set_state(address, notification, changed)
    return event_id(state), json.loads(changed)["document"]["title"].encode()


def _swap(address: str) -> tuple[str, bytes]:
    states = recorded_states(address)
    (first, a), (second, b) = states[3], states[8]
    set_state(address, first, b)
    set_state(address, second, a)
    return event_id(b), b""


def _delete(address: str) -> tuple[str, bytes]:
    states = recorded_states(address)
    delete_event(address, states[6][0])
    return event_id(states[7][1]), b""


def _timestamp(address: str) -> tuple[str, bytes]:
    """A recorded time moved to 2020, years before the event occurred."""
    notification, state = recorded_states(address)[5]
    data = json.loads(state)
    data["timestamp"]["_data_"] = "2020-01-01T00:00:00+00:00"
    set_state(address, notification, json.dumps(data, separators=(",", ":")).encode())
    return event_id(state), b""


def _recorder(address: str) -> tuple[str, bytes]:
    notification, state = recorded_states(address)[-1]
    set_state(address, notification, state.replace(b"Ayesha Khan", b"Mallory Khan"))
    return EXTRA["id"], b"Mallory Khan"


def _message(address: str) -> tuple[str, bytes]:
    notification, state = recorded_states(address)[-1]
    set_state(address, notification, state.replace(b"Dawn report", b"Fake report"))
    return EXTRA["id"], b"Fake report"


TAMPERINGS = {
    "one byte of a title": _byte,
    "two events swapped": _swap,
    "a middle event deleted": _delete,
    "a recorded time moved to 2020": _timestamp,
    "the recorder edited": _recorder,
    "the message edited": _message,
}


def warned_or_refused(result, forged: bytes) -> None:
    """A command either refused (non-zero, one line) or answered with the one-line
    warning on stderr; never the forged content."""
    assert "Traceback" not in result.output
    if forged:
        assert forged.decode() not in result.stdout
    if result.exit_code == 0:
        warnings = [line for line in result.stderr.splitlines() if BROKEN in line]
        assert len(warnings) == 1 and "run `uspk verify`" in warnings[0], result.stderr
    else:
        assert result.exit_code == 1
        assert BROKEN in result.output or "uspk verify" in result.output, result.output


@pytest.mark.parametrize("tamper", TAMPERINGS)
def test_a_tampered_log_stops_rebuild_naming_the_event_and_every_answer_warns(
    curated, tmp_path, tamper
):
    named, forged = TAMPERINGS[tamper](curated)

    rebuilt = run(curated, "rebuild")
    assert rebuilt.exit_code == 1, rebuilt.output
    assert "Traceback" not in rebuilt.output
    assert f"{BROKEN} {named!r}" in rebuilt.output and "uspk verify" in rebuilt.output

    for args in (
        ("show", EXTRA["id"]),
        ("state", "--at", "2025-12-31"),
        ("state", "--at", "2025-09-08"),
        ("timeline",),
        ("replay", "--until", "2025-09-08"),
        ("diff", "2025-07", "2025-10"),
        ("history", EXTRA["id"]),
    ):
        warned_or_refused(run(curated, *args), forged)
    for fmt in FORMATS:
        out = tmp_path / f"export.{fmt}"
        warned_or_refused(run(curated, "export", "--format", fmt, "-o", str(out)), b"")
        if out.exists() and forged and fmt != "sqlite":
            assert forged not in out.read_bytes()
    # Writing would chain onto a forgery: refused in one line.
    refused = run(curated, "retract", EXTRA["id"], "--reason", "Forged?", *SOURCE)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert BROKEN in refused.output


def test_a_catch_up_stops_at_a_link_that_does_not_verify(curated, tmp_path):
    """Not only rebuild: a command's own catch-up checks the changes it indexes."""
    from tests.store.test_trust import AMENDED, event_file

    ok(curated, "append", event_file(tmp_path, AMENDED), "--as", "Bilal", "-m", "Late")
    ok(curated, "rebuild")
    # An edit the index has not seen yet: the last change, indexed, then forgotten.
    notification, state = recorded_states(curated)[-1]
    set_state(curated, notification, state.replace(b"Bilal", b"Eve"))
    result = run(curated, "rebuild")
    assert result.exit_code == 1 and f"{BROKEN} {AMENDED['id']!r}" in result.output
    shown = run(curated, "show", AMENDED["id"])
    assert "Eve" not in shown.stdout
    warned_or_refused(shown, b"Eve")
    # The index stops at the last good change: the one before is still answered.
    assert EXTRA["id"] in run(curated, "show", EXTRA["id"]).stdout


def test_a_catch_up_names_a_change_removed_just_past_the_index_by_the_version_skipped(
    store_address,
):
    """The index's own chronicle version is where the catch-up's check of versions
    starts: a change deleted right after it is named as removed, not only as unchained."""
    from events.files import validate
    from tests.factories import doc
    from tests.store.helpers import open_store

    ok(store_address, "timeline")
    version = max(versions(store_address).values())
    people = ["ussm", "fwo"]
    app = open_store(store_address)  # recorded by the application alone: the index lags
    try:
        for day in ("2025-09-11", "2025-09-12"):
            meeting = doc("meeting", f"tampered-log-{day}", day, participants=people)
            app.append([validate(meeting, "test")])
    finally:
        app.close()
    deleted, after = recorded_states(store_address)[-2:]
    delete_event(store_address, deleted[0])

    answered = run(store_address, "timeline")

    warnings = [line for line in answered.stderr.splitlines() if BROKEN in line]
    assert warnings == [
        f"uspk: warning: {BROKEN} {event_id(after[1])!r} (notification {after[0]}): it follows"
        f" chronicle version {version}: a stored event was removed or moved; answers stop"
        " before it until the log is repaired: run `uspk verify`"
    ], answered.output


def _recorded_unseen(address: str, day: str) -> tuple[int, bytes]:
    """A meeting recorded by the application alone (the index lags); its stored row."""
    from events.files import validate
    from tests.factories import doc
    from tests.store.helpers import open_store

    meeting = doc("meeting", f"tampered-log-{day}", day, participants=["ussm", "fwo"])
    app = open_store(address)
    try:
        app.append([validate(meeting, "test")])
    finally:
        app.close()
    return recorded_states(address)[-1]


def test_a_link_stripped_from_a_change_the_index_has_not_seen_stops_its_catch_up(
    store_address,
):
    """Only changes stored before every link may carry none: the catch-up asks the log
    whether a change before this one carries a link (here every one does)."""
    from tests.store.test_trust import _as_written_before

    ok(store_address, "timeline")
    notification, state = _recorded_unseen(store_address, "2025-09-11")
    set_state(store_address, notification, _as_written_before(state))

    warnings = [
        line for line in run(store_address, "timeline").stderr.splitlines() if BROKEN in line
    ]

    assert len(warnings) == 1 and f"{BROKEN} {event_id(state)!r}" in warnings[0], warnings


def test_changes_stored_before_the_chain_are_caught_up_after_indexed_ones(store_address):
    """A store written before the chain: a change without a link after indexed ones
    (that carry none either) is indexed, its link computed."""
    from tests.store.test_trust import _as_written_before

    ok(store_address, "timeline")
    for notification, state in recorded_states(store_address):
        set_state(store_address, notification, _as_written_before(state))
    ok(store_address, "rebuild")
    notification, state = _recorded_unseen(store_address, "2025-09-11")
    set_state(store_address, notification, _as_written_before(state))

    answered = run(store_address, "timeline")

    assert answered.exit_code == 0 and BROKEN not in answered.stderr, answered.output
    assert event_id(state) in answered.stdout


def _written_before_the_chain(address: str) -> None:
    """The store's changes as uspk stored them before it kept links, indexed so."""
    from tests.store.test_trust import _as_written_before

    ok(address, "timeline")
    for notification, state in recorded_states(address):
        set_state(address, notification, _as_written_before(state))
    ok(address, "rebuild")


def test_an_unlinked_change_before_a_linked_one_is_caught_up_with_it(store_address):
    """An older uspk recorded a change without a link, a newer one the next with one, and
    one catch-up meets both: only the changes before the unlinked one are asked for a
    link, so it is indexed, and the linked one follows its computed link."""
    from tests.store.test_trust import _as_written_before

    _written_before_the_chain(store_address)
    older, _ = _recorded_unseen(store_address, "2025-09-11")
    newer, state = _recorded_unseen(store_address, "2025-09-12")
    set_state(store_address, older, _as_written_before(dict(recorded_states(store_address))[older]))

    answered = run(store_address, "timeline")

    assert answered.exit_code == 0 and BROKEN not in answered.stderr, answered.output
    assert "tampered-log-2025-09-11" in answered.stdout and event_id(state) in answered.stdout


def test_a_link_stripped_just_after_the_first_linked_change_stops_the_catch_up(store_address):
    """After an upgrade the first change with a link is indexed; the change after it
    without one is a link removed: the log is asked up to the change just before."""
    from tests.store.test_trust import _as_written_before

    _written_before_the_chain(store_address)
    _recorded_unseen(store_address, "2025-09-11")
    ok(store_address, "timeline")
    notification, state = _recorded_unseen(store_address, "2025-09-12")
    set_state(store_address, notification, _as_written_before(state))

    warnings = [
        line for line in run(store_address, "timeline").stderr.splitlines() if BROKEN in line
    ]

    assert warnings == [
        f"uspk: warning: {BROKEN} {event_id(state)!r} (notification {notification}): it"
        " carries no link although changes before it do: its link was removed, or an older"
        " uspk recorded it; answers stop before it until the log is repaired: run `uspk verify`"
    ]


def test_a_link_stripped_after_a_retracted_event_that_does_not_decode_stops_the_catch_up(
    store_address,
):
    """After an upgrade, an event that no longer decodes is retracted: the retraction is
    the first change with a link, so the next change without one is a link removed. The
    log is asked for a link before it past the event that does not decode."""
    from events.files import validate
    from service.bootstrap import Session
    from service.stores import resolve_store
    from tests.factories import doc
    from tests.store.test_trust import _as_written_before

    _written_before_the_chain(store_address)
    unreadable, _ = _recorded_unseen(store_address, "2025-09-11")
    set_state(store_address, unreadable, b"{not json")
    name = f"unreadable-notification-{unreadable}"
    ok(store_address, "retract", name, "--reason", "Does not decode.", *SOURCE)
    meeting = doc("meeting", "tampered-log-2025-09-12", "2025-09-12", participants=["ussm", "fwo"])
    session = Session(resolve_store(store_address))
    try:  # recorded, not yet indexed: the application's own append, without the catch-up
        session.app.append([validate(meeting, "test")], view=session.view)
    finally:
        session.close()
    notification, state = recorded_states(store_address)[-1]
    set_state(store_address, notification, _as_written_before(state))

    warnings = [
        line for line in run(store_address, "timeline").stderr.splitlines() if BROKEN in line
    ]

    assert len(warnings) == 1 and f"{BROKEN} {event_id(state)!r}" in warnings[0], warnings


def test_a_gap_just_before_the_historys_mark_is_named_by_the_marks_place(tmp_path):
    """The mark that the shipped history was loaded records no change and names no event:
    the last change before it deleted, catch-up stops at the mark, named by its place."""
    address = str(tmp_path / "uspk.sqlite")
    ok(address, "--create", "timeline")
    deleted = recorded_states(address)[-1][0]
    delete_event(address, deleted)
    found = versions(address)
    (mark,) = [n for n, topic in topics(address).items() if topic.endswith(".HistoryLoaded")]

    rebuilt = run(address, "rebuild")

    assert rebuilt.exit_code == 1 and mark > deleted
    assert [line for line in rebuilt.output.splitlines() if line.startswith("Error: ")] == [
        f"Error: the event log is broken at notification {mark}: it follows chronicle version"
        f" {found[mark] - 2}: a stored event was removed or moved; answers stop before it"
        " until the log is repaired: run `uspk verify`"
    ]


def test_an_untampered_log_rebuilds_and_answers_without_a_warning(curated):
    assert run(curated, "rebuild").exit_code == 0
    result = run(curated, "timeline")
    assert result.exit_code == 0 and BROKEN not in result.stderr


def _edit_index(address: str, old: str, new: str) -> None:
    sql = f"UPDATE uspk_view_events SET document = replace(document, '{old}', '{new}')"
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address, autocommit=True) as conn:
            conn.execute(sql)
        return
    import sqlite3

    with sqlite3.connect(address, isolation_level=None) as conn:
        conn.execute(sql)


def test_an_edited_index_is_found_by_verify_and_by_verify_against(curated, tmp_path):
    published = tmp_path / "pub.json"
    ok(curated, "export", "--format", "json", "-o", str(published))
    assert run(curated, "verify", "--against", str(published)).exit_code == 0
    _edit_index(curated, "Mota-Engil and NLCP sign MoU", "Mallory signs MoU")
    assert "Mallory" in run(curated, "show", "meg-nlcp-mou-signed-2025-09-08").stdout

    plain = run(curated, "verify")
    assert plain.exit_code == 1 and "meg-nlcp-mou-signed-2025-09-08" in plain.output
    against = run(curated, "verify", "--against", str(published))
    assert against.exit_code == 1, against.output
    assert "uspk_view_events: 1 row(s) that differ from the log" in against.output
    assert "index disagrees with its log" in against.output
    ok(curated, "rebuild")
    assert run(curated, "verify", "--against", str(published)).exit_code == 0


def test_a_reader_of_an_index_stopped_at_a_broken_link_is_warned_too(tmp_path):
    """A reader may not catch up; the change after the index is checked in memory."""
    from tests.store.test_readers import console, read_only_uri

    store = tmp_path / "uspk.sqlite"
    ok(str(store), "--create", "timeline")
    named, _ = _byte(str(store))
    assert run(str(store), "rebuild").exit_code == 1
    answered = console(read_only_uri(store), "timeline")
    warning = answered.stderr.decode().strip().splitlines()
    assert answered.returncode == 0 and len(warning) == 1, warning
    assert f"{BROKEN} {named!r}" in warning[0] and "run `uspk verify`" in warning[0]
