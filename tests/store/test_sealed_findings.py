"""The second trial's findings (issue 17), each fixed: a broken rule in replay is one
line, odd bytes in who and why are refused, a reader's dry run writes nothing and is not
checked against a stale index, the rule gaps are closed and the unclear words are one
vocabulary. Each test runs on a real SQLite file and, where the code path is shared, a
real PostgreSQL database, through uspk's own command line.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import stored_event_count
from tests.factories import doc
from tests.shipped import current_documents, independent_event
from tests.store.helpers import SPAWN, one_line_error
from tests.store.test_readers import (
    LATE,
    _drop_roles_made,
    read_only_uri,
    reader_role,
)
from tests.store.test_trust import SOURCE, delete_event, event_file, ok, recorded_states, run

__all__ = ["_drop_roles_made"]  # the role-dropping fixture, shared with test_readers

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "README.template.md"
INTRODUCES_FWO = "ussm-fwo-mou-signed-2025-09-08"  # introduces 'fwo', which later events name
UNRELATED = independent_event()  # nothing relates to it or needs it
RELATED = "cnergyico-vitol-us-crude-deal-2025-08-01"  # the first cargo's arrival relates to it
# The first cargo's arrival as the record believes it (its latest shipped amendment).
[RELATING] = [
    d.id for d in current_documents() if any(r.to == RELATED for r in getattr(d, "relates", ()))
]
PEOPLE = ["ishaq-dar", "shehbaz-sharif"]


@pytest.fixture
def store(store_address) -> str:
    ok(store_address, "timeline")
    return store_address


def _execute(address: str, statement: str) -> None:
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address, autocommit=True) as conn:
            conn.execute(statement)
        return
    with sqlite3.connect(address, isolation_level=None) as conn:
        conn.execute(statement)


def no_traceback(result) -> None:  # noqa: ANN001
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output


# -- replay: a broken rule is one line ------------------------------------------------------


def test_replay_after_a_middle_event_was_deleted_and_the_index_rebuilt_is_no_traceback(store):
    (notification,) = [n for n, s in recorded_states(store) if INTRODUCES_FWO.encode() in s]
    delete_event(store, notification)
    rebuilt = run(store, "rebuild")
    no_traceback(rebuilt)
    assert rebuilt.exit_code == 1 and "the event log is broken at event" in rebuilt.output
    replayed = run(store, "replay", "--until", "2025-09-08")
    no_traceback(replayed)
    # The good part of the log holds events recorded before 'fwo' was introduced, in
    # the same batch: replay refuses in one line, after the warning.
    warning, error = replayed.stderr.strip().splitlines()
    assert "the event log is broken at event" in warning and "run `uspk verify`" in warning
    assert replayed.exit_code == 1 and error.startswith("Error: ")
    assert "unknown actor 'fwo'" in error and "`uspk verify`" in error


def test_replay_of_an_index_that_lost_an_introduction_is_one_line_naming_verify(store):
    _execute(store, f"DELETE FROM uspk_view_events WHERE event_id = '{INTRODUCES_FWO}'")
    line = one_line_error(run(store, "replay", "--until", "2025-09-08"), "breaks a rule")
    assert "unknown actor 'fwo'" in line and "`uspk verify`" in line and "`uspk rebuild`" in line


# -- who and why: only text ------------------------------------------------------------------


def _console(address: str, *args: bytes | str, stdin: bytes | None = None):
    """The installed console script, given raw bytes as arguments (as a shell passes them)."""
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}
    env.pop("USPK_DB", None)
    return subprocess.run(
        [exe, "--db", address, *args], input=stdin, capture_output=True, env=env, timeout=120
    )


@pytest.mark.parametrize("option", ["-m", "--as"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["append", "dry-run"])
def test_bytes_that_are_not_utf8_in_who_or_why_are_refused_in_one_line(store, option, dry_run):
    stored = stored_event_count(store)
    extra = doc("meeting", "sealed-bytes-meeting", "2025-09-09", participants=PEOPLE)
    args = ["append", *(["--dry-run"] if dry_run else []), option, b"a\xffb", "-"]
    result = _console(store, *args, stdin=json.dumps(extra).encode())
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1, result.stderr.decode()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr.decode()
    assert "0xFF" in lines[0] and "not UTF-8" in lines[0]
    assert b"would append" not in result.stdout
    assert stored_event_count(store) == stored


REFUSED_SIGNATURES = {
    "an invisible name": (["--as", "\u200b"], "invisible"),
    "a zero-width space in a name": (["--as", "Ayesha\u200bKhan"], "U+200B"),
    "markup as a name": (["--as", "<b>Eve</b>"], "markup"),
    "PG: in capitals": (["--as", "PG:postgres"], "'pg:' / 'os:'"),
    "OS: in capitals": (["--as", "Os:root"], "'pg:' / 'os:'"),
    "a noncharacter in a message": (["-m", "why\ufffe"], "U+FFFE"),
    "a plane-16 noncharacter in a message": (["-m", "why\U0010ffff"], "U+10FFFF"),
    "an invisible message": (["-m", "\u200b"], "invisible"),
}


@pytest.mark.parametrize("case", REFUSED_SIGNATURES)
def test_names_and_messages_that_are_not_plain_text_are_refused(store, tmp_path, case):
    args, fragment = REFUSED_SIGNATURES[case]
    stored = stored_event_count(store)
    extra = doc("meeting", "sealed-signature-meeting", "2025-09-09", participants=PEOPLE)
    for dry in ([], ["--dry-run"]):
        result = run(store, "append", *dry, event_file(tmp_path, extra), *args)
        one_line_error(result, fragment)
    assert stored_event_count(store) == stored


def test_a_name_in_urdu_with_a_joiner_is_kept(store, tmp_path):
    extra = doc("meeting", "sealed-urdu-name-meeting", "2025-09-09", participants=PEOPLE)
    ok(store, "append", event_file(tmp_path, extra), "--as", "عائشہ\u200cخان")


# -- a reader's dry run ----------------------------------------------------------------------


def test_a_readers_dry_run_against_an_index_behind_the_log_is_refused_and_writes_nothing(
    store_address,
):
    from events.files import validate
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    ok(store_address, "--create", "timeline")
    if store_address.startswith("postgresql://"):
        reader = reader_role(store_address, grant_existing=True)
    else:
        reader = read_only_uri(Path(store_address))
    app = ReplayedUspk(resolve_store(store_address))  # the log grows, the index does not
    try:
        app.append([validate(LATE, "late")])
    finally:
        app.close()
    stored = stored_event_count(store_address)

    for command in (["append", "--dry-run", "-"], ["amend", LATE["id"], "--dry-run", "-"]):
        document = LATE if command[0] == "append" else {**LATE, "id": "readers-late-day"}
        result = _console(reader, *command, stdin=json.dumps(document).encode())
        lines = result.stderr.decode().strip().splitlines()
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert lines[-1].startswith("Error: ") and "Traceback" not in result.stderr.decode()
        assert "1 recorded change(s) behind the event log" in lines[-1]
        assert b"would append" not in result.stdout
    assert stored_event_count(store_address) == stored
    # The index was not touched by the reader: a curator's command still finds it behind.
    assert _console(reader, "timeline").stderr.decode().count("behind") == 1


# -- rule gaps ---------------------------------------------------------------------------------


def test_a_relation_to_a_retracted_event_is_refused(store, tmp_path):
    ok(store, "retract", UNRELATED, "--reason", "Wrong day.", *SOURCE)
    relating = doc(
        "meeting",
        "sealed-relating-meeting",
        "2025-09-09",
        participants=PEOPLE,
        relates=[{"to": UNRELATED, "relation": "follows-up"}],
    )
    one_line_error(
        run(store, "append", event_file(tmp_path, relating)), UNRELATED, "retracted or superseded"
    )


def test_retracting_an_event_others_relate_to_is_refused_unless_they_go_too(store):
    refused = one_line_error(
        run(store, "retract", RELATED, "--reason", "Doubtful.", *SOURCE, "--dry-run"),
        f"cannot retract {RELATED!r}",
    )
    assert RELATING in refused
    together = [RELATED, RELATING]
    result = run(store, "retract", *together, "--reason", "Doubtful.", *SOURCE, "--dry-run")
    assert result.exit_code == 0 and "would append 2 event(s)" in result.output, result.output


@pytest.mark.parametrize("field", ["amount", "id", "no-such-field"])
def test_an_alternative_names_a_fact_of_its_kind(store, tmp_path, field):
    meeting = doc(
        "meeting",
        "sealed-alternative-meeting",
        "2025-09-09",
        participants=PEOPLE,
        alternatives=[{"field": field, "value": "other", "said_by": ["Test Gazette"]}],
    )
    one_line_error(
        run(store, "append", "--dry-run", event_file(tmp_path, meeting)),
        f"field {field!r} is not a fact of a meeting",
    )
    meeting["alternatives"][0]["field"] = "occurred"
    assert run(store, "append", "--dry-run", event_file(tmp_path, meeting)).exit_code == 0


# -- unclear words -------------------------------------------------------------------------


def test_amending_a_retracted_event_says_it_is_retracted(store, tmp_path):
    ok(store, "retract", UNRELATED, "--reason", "Wrong day.", *SOURCE)
    partial = tmp_path / "amendment.yaml"
    partial.write_text(yaml.safe_dump({"id": "sealed-amended", "claim": "x", "title": "T"}))
    one_line_error(run(store, "amend", UNRELATED, str(partial)), "already retracted")


def test_retract_with_a_url_needs_no_title(store):
    source = ["--publisher", "Review desk", "--published", "2025-10"]
    result = run(
        store, "retract", UNRELATED, "--reason", "Wrong.", *source, "--url", "https://x.example/r"
    )
    assert result.exit_code == 0 and f"retract-{UNRELATED}" in result.output, result.output
    one_line_error(
        run(store, "retract", RELATED, "--reason", "Wrong.", *source), "without a title needs a url"
    )


def test_new_retraction_points_to_uspk_retract(store):
    result = run(store, "new", "retraction")
    assert result.exit_code == 2 and "uspk retract ID --reason" in result.output


def test_copy_rebuild_and_verify_count_in_one_vocabulary(store, tmp_path):
    copied = run("unused", "copy", store, str(tmp_path / "copy.sqlite")).output
    rebuilt = ok(store, "rebuild")
    verified = ok(store, "verify")
    assert copied.startswith("copied ") and " stored event(s) " in copied
    assert rebuilt.startswith("rebuilt the index from ") and " stored event(s): " in rebuilt
    assert " recorded change(s)" in rebuilt
    assert verified.startswith("verified: ") and " recorded changes, " in verified
    assert "index at log position " in verified and "notification" not in verified
    for command in ("copy", "rebuild", "verify"):
        text = " ".join(run(store, command, "--help").output.split())
        assert "Counts:" in text and "stored event" in text and "recorded change" in text


def _open_new_store(address: str, queue) -> None:  # noqa: ANN001 - a multiprocessing queue
    from click.testing import CliRunner

    from cli.main import main

    result = CliRunner().invoke(main, ["--db", address, "actors"])
    queue.put((result.exit_code, result.stderr))


def test_only_the_process_that_loaded_the_history_announces_a_new_store(tmp_path):
    address = str(tmp_path / "raced.sqlite")
    queue = SPAWN.Queue()
    workers = [SPAWN.Process(target=_open_new_store, args=(address, queue)) for _ in range(6)]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(code == 0 for code, _ in outcomes), outcomes
    announced = [err for _, err in outcomes if "created a new store" in err]
    assert len(announced) == 1, outcomes


def test_the_readmes_dependency_paragraph_says_each_thing_once():
    text = TEMPLATE.read_text(encoding="utf-8")
    assert text.count("(property-based tests), `ruff`, `psycopg`") == 1
    assert "The author is `uspk` until the store keeps" not in text
    assert "An entry's author is who recorded the" in text
