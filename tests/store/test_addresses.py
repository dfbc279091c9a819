"""Store addresses: a user's path never silently becomes a new store, and an address
that cannot be a store (in memory, a special file, a file that is not SQLite, a path
that cannot exist) is refused in one line, with nothing written."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from tests.conftest import stored_event_count
from tests.factories import doc
from tests.store.helpers import one_line_error, read_only, uspk

NEW_STORE = "uspk: created a new store at {} with the shipped history\n"
GOOD = doc("meeting", "address-test-meeting", "2025-09-09", participants=["ussm", "fwo"])


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "address", [":memory:", "file::memory:?cache=shared", "file:uspk.sqlite?mode=memory"]
)
def test_an_in_memory_store_is_refused_from_db_and_uspk_db(address, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    by_option = uspk(address, "append", "-", input=json.dumps(GOOD))
    by_env = CliRunner().invoke(main, ["timeline"], env={"USPK_DB": address})

    for result in (by_option, by_env):
        line = one_line_error(result)
        assert line == (
            f"Error: {address!r} is an in-memory database: nothing written there would be "
            "kept; give the path of a SQLite file"
        )
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("memory", [":memory:", "file::memory:"])
def test_copy_refuses_an_in_memory_store_at_either_end(memory, store_address, tmp_path):
    source = str(tmp_path / "source.sqlite")
    assert uspk(source, "timeline").exit_code == 0

    into_memory = uspk(source, "copy", source, memory)
    from_memory = uspk(source, "copy", memory, store_address)

    for result in (into_memory, from_memory):
        assert "is an in-memory database" in one_line_error(result)
    assert stored_event_count(store_address) == 0


def test_a_db_in_a_missing_folder_is_refused_and_nothing_is_created(tmp_path):
    typo = tmp_path / "no" / "such" / "uspk.sqlite"

    result = uspk(str(typo), "timeline")

    assert one_line_error(result) == (
        f"Error: {typo}: the folder {typo.parent} does not exist; check the path, "
        "or pass --create to create the store and its folders"
    )
    assert files_in(tmp_path) == []


def test_create_makes_the_folders_and_a_new_store_is_announced_once_on_stderr(tmp_path):
    path = tmp_path / "team" / "records" / "uspk.sqlite"
    runner = CliRunner()

    first = runner.invoke(main, ["--db", str(path), "--create", "timeline", "--format", "json"])
    second = runner.invoke(main, ["--db", str(path), "timeline", "--format", "json"])

    assert first.exit_code == 0, first.output
    assert first.stderr == NEW_STORE.format(path)
    assert first.stdout == second.stdout and first.stdout.startswith("[")
    assert second.stderr == ""


def test_an_empty_file_becomes_a_new_store_and_says_so(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()

    result = uspk(str(path), "timeline")

    assert result.exit_code == 0, result.output
    assert result.stderr == NEW_STORE.format(path)
    assert stored_event_count(str(path)) > 0


def test_the_default_location_is_created_without_create(tmp_path):
    data_home = tmp_path / "no-data-home-yet"
    runner = CliRunner()

    result = runner.invoke(
        main, ["timeline"], env={"USPK_DB": None, "XDG_DATA_HOME": str(data_home)}
    )

    assert result.exit_code == 0, result.output
    store = data_home / "uspk" / "uspk.sqlite"
    assert result.stderr == NEW_STORE.format(store)
    assert stored_event_count(str(store)) > 0


def special_files(tmp_path: Path) -> list[tuple[Path, str]]:
    """A FIFO, a socket, a folder and, when we may make one, a character device."""
    fifo, sock, folder = tmp_path / "fifo", tmp_path / "sock", tmp_path / "folder"
    os.mkfifo(fifo)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock))
    folder.mkdir()
    found = [(fifo, "is a special file (a FIFO)"), (sock, "is a special file (a socket)")]
    found.append((folder, "is a directory"))
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | 0o020000, os.makedev(1, 3))  # S_IFCHR: like /dev/null
        found.append((device, "is a special file (a character device)"))
    except PermissionError:
        found.append((Path("/dev/null"), "is a special file (a character device)"))
    return found


def test_a_special_file_or_folder_as_db_is_refused(tmp_path):
    for path, what in special_files(tmp_path):
        line = one_line_error(uspk(str(path), "timeline"))
        assert line.startswith(f"Error: {path} {what}"), line
        assert not path.is_file()


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n")

    line = one_line_error(uspk(str(notes), "timeline"))

    assert line == f"Error: {notes} is not a SQLite database (it does not start with its header)"
    assert notes.read_text() == "my notes, not a database\n"
    assert files_in(tmp_path) == ["notes.txt"]


def test_a_truncated_store_is_refused_and_left_as_it_was(tmp_path):
    whole = tmp_path / "whole.sqlite"
    assert uspk(str(whole), "timeline").exit_code == 0
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(whole.read_bytes()[:8192])

    line = one_line_error(uspk(str(truncated), "timeline"))

    assert line == f"Error: {truncated} is damaged: the file is shorter than its header says"
    assert truncated.stat().st_size == 8192


@pytest.mark.parametrize(
    ("address", "said", "said_with_create"),
    [
        ("~uspk-no-such-user/x.sqlite", "there is no user 'uspk-no-such-user'", "no user"),
        ("/proc/uspk/no/such.sqlite", "does not exist", "cannot create the folder /proc/uspk/no"),
        ("{tmp}/" + "n" * 300 + ".sqlite", "the path or a name in it is too long", "too long"),
        ("{tmp}/a-file/uspk.sqlite", "a-file is not a folder", "a-file is not a folder"),
    ],
)
def test_a_path_that_cannot_hold_a_store_is_one_line(address, said, said_with_create, tmp_path):
    (tmp_path / "a-file").write_text("")
    address = address.format(tmp=tmp_path)

    plain = CliRunner().invoke(main, ["--db", address, "timeline"])
    create = CliRunner().invoke(main, ["--db", address, "--create", "timeline"])

    assert said in one_line_error(plain)
    assert said_with_create in one_line_error(create)
    assert files_in(tmp_path) == ["a-file"]


def test_a_read_only_store_answers_and_a_new_one_in_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    store = folder / "uspk.sqlite"
    assert uspk(str(store), "timeline").exit_code == 0
    before = files_in(folder)

    with read_only(folder):
        existing = uspk(str(store), "timeline")
        new = one_line_error(uspk(str(folder / "new.sqlite"), "timeline"))

    assert existing.exit_code == 0 and existing.stdout.startswith("June 2025"), existing.output
    assert new == (
        f"Error: {folder / 'new.sqlite'}: cannot create a store there: "
        f"the folder {folder} is read-only"
    )
    assert files_in(folder) == before


def test_a_file_being_written_is_left_to_sqlite_which_still_refuses_it_in_one_line(tmp_path):
    """Beside a -wal or -journal another process may be growing the file; its header
    and length are then not judged, and SQLite's own refusal is one line too."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n")
    (tmp_path / "notes.txt-journal").touch()

    line = one_line_error(uspk(str(notes), "timeline"))

    assert line.startswith("Error: the event store could not be used: ")
    assert notes.read_text() == "my notes, not a database\n"
