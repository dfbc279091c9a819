"""``uspk export -o PATH``: no output may overwrite the store (by any spelling of its
path, through a link, or one of SQLite's files beside it) or a special file; ``-`` and
``/dev/stdout`` both mean standard output."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.export.support import Uspk


def refused(result) -> str:
    """Exit 1 and one line, once the store's first-use note is set aside."""
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("uspk: created")]
    assert len(lines) == 1 and result.stdout == "", result.output
    return lines[0]


@pytest.fixture
def used(tmp_path) -> tuple[Uspk, Path, bytes]:
    """A SQLite store that has been used (with its -wal and -shm beside it), its path,
    and its bytes."""
    path = tmp_path / "uspk.sqlite"
    uspk = Uspk(str(path))
    uspk.ok("timeline")
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").touch()
    return uspk, path, path.read_bytes()


def store_spellings(path: Path) -> list[str]:
    """The store's own path, written other ways, and a link to it."""
    link = path.parent / "link-to-store.html"
    link.symlink_to(path)
    relative = os.path.relpath(path)
    return [
        str(path),
        f"{path.parent}/./{path.name}",
        f"{path.parent}/../{path.parent.name}/{path.name}",
        relative,
        str(link),
    ]


def test_export_refuses_to_overwrite_the_store_by_any_spelling_or_link(used, monkeypatch):
    uspk, path, before = used
    monkeypatch.chdir(path.parent.parent)

    for target in store_spellings(path):
        line = refused(uspk("export", "-o", target))
        assert line == (
            f"Error: {target} would overwrite the event store {path}; give another file name"
        )
    assert path.read_bytes() == before and path.is_file()


def test_export_refuses_to_overwrite_the_store_through_a_hard_link(used):
    """A hard link is the store's file under another name: no path spelling shows it."""
    uspk, path, before = used
    hard = path.parent / "hard-link-to-store.json"
    os.link(path, hard)

    line = refused(uspk("export", "-o", str(hard)))
    assert line == f"Error: {hard} would overwrite the event store {path}; give another file name"
    assert path.read_bytes() == before and hard.samefile(path)


def test_export_refuses_to_overwrite_the_files_sqlite_keeps_beside_the_store(used):
    uspk, path, before = used

    for suffix in ("-wal", "-shm", "-journal"):
        target = f"{path}{suffix}"
        line = refused(uspk("export", "-o", target))
        assert line == (
            f"Error: {target} would overwrite the event store {path}; give another file name"
        )
    assert path.read_bytes() == before


def test_export_refuses_a_special_file_and_leaves_it_special(tmp_path):
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    fifo, sock, folder = tmp_path / "fifo", tmp_path / "sock", tmp_path / "folder"
    os.mkfifo(fifo)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock))
    folder.mkdir()
    specials = [fifo, sock, folder]
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | 0o020000, os.makedev(1, 3))  # a character device
        specials.append(device)
    except PermissionError:
        pass  # not root: FIFO, socket and folder still prove it

    for special in specials:
        line = refused(uspk("export", "-o", str(special)))
        assert line == (
            f"Error: {special} is not a regular file (a device, FIFO, socket or folder); "
            "give a file name, or -o - for standard output"
        )
        assert not special.is_file()
    listener.close()


@pytest.mark.parametrize("stdout", ["-", "/dev/stdout"])
def test_dash_and_dev_stdout_write_the_export_to_standard_output(stdout, tmp_path):
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"
    env = {**os.environ, "USPK_DB": str(tmp_path / "uspk.sqlite")}

    result = subprocess.run(
        [exe, "export", "--format", "json", "-o", stdout],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"{")
    assert [p.name for p in tmp_path.iterdir()] == ["uspk.sqlite"]  # no file named stdout


def test_export_to_a_file_of_another_store_or_a_new_file_still_works(used, tmp_path):
    uspk, path, before = used
    other = tmp_path / "reset.html"

    uspk.ok("export", "-o", str(other))

    assert other.read_bytes().startswith(b"<!DOCTYPE html>")
    assert path.read_bytes() == before
