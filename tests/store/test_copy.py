"""`uspk copy SOURCE_DB TARGET_DB`: a whole history moved to another store answers every
question the same way, because every stored event arrives unchanged and in order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.stores import resolve_store
from tests.conftest import stored_event_count
from tests.factories import doc
from tests.store.helpers import no_traceback, uspk


def stored_events(address: str) -> list[tuple]:
    """Every stored event as the target's recorder reads it, in notification order."""
    from service.application import Uspk

    app = Uspk(resolve_store(address))
    try:
        events, last = [], None
        while page := app.recorder.select_notifications(
            start=last, limit=100, inclusive_of_start=last is None
        ):
            events += [
                (n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in page
            ]
            last = page[-1].id
        return events
    finally:
        app.close()


def ok(result) -> str:
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return result.output


def append(address: str, document: dict) -> None:
    ok(uspk(address, "append", "-", input=json.dumps(document)))


def build_history(address: str) -> str:
    """The shipped history, a later event, then a retraction of it; returns a moment
    between the two, so that --known-at then still believes the event."""
    append(
        address,
        doc(
            "meeting",
            "copy-follow-up-meeting",
            "2025-09-20",
            participants=["ussm", "fwo"],
            title="A follow-up meeting, later retracted",
        ),
    )
    between = datetime.now(UTC).isoformat()
    ok(
        uspk(
            address,
            "retract",
            "copy-follow-up-meeting",
            "--reason",
            "The report was withdrawn.",
            "--publisher",
            "Test Gazette",
            "--title",
            "Correction",
            "--published",
            "2025-09-21",
        )
    )
    return between


QUESTIONS = [
    ("timeline", "--format", "json"),
    ("state", "--at", "2025-09-08", "--format", "json"),
    ("state", "--at", "2025-09-07", "--format", "json"),
    ("show", "ussm-fwo-mou-signed-2025-09-08", "--format", "json"),
]


def answers(address: str, between: str) -> list[str]:
    known_then = [
        ("timeline", "--known-at", between, "--format", "json"),
        ("state", "--at", "2025-09-30", "--known-at", between, "--format", "json"),
    ]
    return [ok(uspk(address, *question)) for question in [*QUESTIONS, *known_then]]


def copy(source: str, target: str, *options: str):
    result = uspk(source, "copy", *options, source, target)
    no_traceback(result)
    return result


def assert_same_history(source: str, target: str, between: str) -> None:
    assert stored_events(target) == stored_events(source)
    source_answers, target_answers = answers(source, between), answers(target, between)
    assert target_answers == source_answers
    # the moment in between really separates two beliefs
    assert "copy-follow-up-meeting" in source_answers[4]
    assert "copy-follow-up-meeting" not in source_answers[0]


def test_copy_moves_a_sqlite_history_and_every_answer_stays_the_same(tmp_path, store_address):
    source = str(tmp_path / "source.sqlite")
    between = build_history(source)
    count = stored_event_count(source)

    result = copy(source, store_address, "--batch-size", "7")  # several batches

    assert result.exit_code == 0, result.output
    shown = resolve_store(store_address).address
    assert result.output == f"copied {count} stored event(s) from {source} to {shown}\n"
    assert stored_event_count(store_address) == count
    assert_same_history(source, store_address, between)


@pytest.mark.postgres
def test_copy_moves_a_postgresql_history_to_a_sqlite_file(postgres_url, tmp_path):
    between = build_history(postgres_url)
    target = str(tmp_path / "copied.sqlite")

    assert copy(postgres_url, target).exit_code == 0
    assert_same_history(postgres_url, target, between)


def test_copying_again_changes_nothing_and_copies_only_what_the_source_gained(
    tmp_path, store_address
):
    source = str(tmp_path / "source.sqlite")
    between = build_history(source)
    copy(source, store_address)
    count = stored_event_count(store_address)

    again = copy(source, store_address)
    assert again.exit_code == 0
    assert again.output.endswith(
        f"already holds this history ({count} stored events); nothing copied\n"
    )
    assert stored_event_count(store_address) == count

    append(source, doc("meeting", "copy-later-meeting", "2025-09-22", participants=["ussm", "fwo"]))
    grown = copy(source, store_address)
    assert grown.exit_code == 0
    assert grown.output.startswith("copied 1 stored event(s)")
    assert grown.output.endswith(f"; {count} were already there\n")
    assert_same_history(source, store_address, between)


def test_copy_refuses_a_target_that_holds_another_history_and_leaves_it_untouched(
    tmp_path, store_address
):
    source = str(tmp_path / "source.sqlite")
    build_history(source)
    ok(uspk(store_address, "timeline"))  # the target's own first use: its own history
    before = stored_events(store_address)

    result = copy(source, store_address)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {resolve_store(store_address).address} already holds a different history "
        "(stored event 1 is not the source's); nothing was copied. "
        "Copy into a new, empty store, before any other uspk command uses it "
        "(the first use of a store loads the shipped history)\n"
    )
    assert stored_events(store_address) == before


def test_copy_refuses_a_source_with_nothing_to_copy(tmp_path, store_address):
    missing = copy(str(tmp_path / "no-such.sqlite"), store_address)
    assert (missing.exit_code, missing.output) == (
        1,
        f"Error: {tmp_path / 'no-such.sqlite'}: no such file\n",
    )
    empty = str(tmp_path / "empty.sqlite")
    (tmp_path / "empty.sqlite").touch()
    nothing = copy(empty, store_address)
    assert (nothing.exit_code, nothing.output) == (
        1,
        f"Error: {empty} holds no events: nothing to copy\n",
    )
    same = copy(empty, empty)
    assert same.output == f"Error: source and target are the same store ({empty})\n"
    assert stored_event_count(store_address) == 0


def test_copy_help_names_both_stores_and_says_db_is_not_used():
    result = uspk("unused.sqlite", "copy", "--help")
    assert result.exit_code == 0
    assert "SOURCE_DB TARGET_DB" in result.output
    assert "--db and USPK_DB are not used here" in result.output


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def damaged_copies(tmp_path) -> dict[str, str]:
    """A text file, a store cut short, and a store of the right length whose pages after
    the first are garbage: each as a path, with what the refusal says."""
    whole = tmp_path / "whole.sqlite"
    ok(uspk(str(whole), "timeline"))
    data = whole.read_bytes()
    text, cut, scrambled = (tmp_path / n for n in ("notes.txt", "cut.sqlite", "bad.sqlite"))
    text.write_text("not a database\n")
    cut.write_bytes(data[:8192])
    scrambled.write_bytes(data[:4096] + b"\xa5" * (len(data) - 4096))
    return {
        str(text): "is not a SQLite database",
        str(cut): "is damaged: the file is shorter than its header says",
        str(scrambled): "the event store could not be used: ",
    }


def test_copy_from_a_file_that_is_not_a_whole_sqlite_store_is_one_line(tmp_path, store_address):
    for source, said in damaged_copies(tmp_path).items():
        result = copy(source, store_address)
        assert said in one_line_error(result)
    assert stored_event_count(store_address) == 0


def test_copy_into_a_file_that_is_not_a_whole_sqlite_store_is_one_line_and_untouched(
    tmp_path, store_address
):
    ok(uspk(store_address, "timeline"))  # the source: any store, on either backend
    for target, said in damaged_copies(tmp_path).items():
        before = Path(target).read_bytes()
        result = copy(store_address, target)
        assert said in one_line_error(result)
        assert Path(target).read_bytes() == before


def test_copy_into_a_missing_folder_needs_create(tmp_path, store_address):
    ok(uspk(store_address, "timeline"))
    target = tmp_path / "new" / "folder" / "copy.sqlite"

    refused = copy(store_address, str(target))
    created = uspk(store_address, "--create", "copy", store_address, str(target))

    assert "does not exist; check the path, or pass --create" in one_line_error(refused)
    assert created.exit_code == 0, created.output
    assert stored_event_count(str(target)) == stored_event_count(store_address)
