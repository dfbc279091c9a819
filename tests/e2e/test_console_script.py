"""The installed `uspk` console script, run as a user runs it, in separate processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import stored_event_count

UTF8 = {"PYTHONIOENCODING": "utf-8"}


@pytest.fixture
def run(store_address, tmp_path):
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"

    def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, **UTF8, "USPK_DB": store_address, "HOME": str(tmp_path)}
        return subprocess.run(
            [exe, *args], input=stdin, capture_output=True, env=env, cwd=tmp_path, timeout=120
        )

    run.address = store_address
    return run


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.returncode == 0
    for command in (
        "timeline",
        "state",
        "replay",
        "show",
        "append",
        "amend",
        "retract",
        "history",
        "diff",
        "schema",
    ):
        assert command in result.stdout.decode()


def test_an_appended_file_shows_up_in_timeline_and_state_in_new_processes(run, tmp_path):
    event = tmp_path / "extra.yaml"
    event.write_text(
        "id: test-follow-up-call\n"
        "kind: meeting\n"
        'occurred: "2025-09-10"\n'
        "title: A follow-up call\n"
        "summary: A test meeting written by hand.\n"
        "participants: [shehbaz-sharif, ishaq-dar]\n"
        "sources:\n"
        "  - {publisher: Test, title: Test report, published: '2025-09-10'}\n"
    )
    first = run("append", str(event))
    assert first.returncode == 0 and b"+ test-follow-up-call" in first.stdout
    count = stored_event_count(run.address)
    timeline = json.loads(run("timeline", "--format", "json").stdout)
    on_the_tenth = [e["id"] for e in timeline if e["occurred"]["start"] <= "2025-09-10"]
    assert on_the_tenth[-1] == "test-follow-up-call"  # in its place, whatever came after
    state = json.loads(run("state", "--at", "2025-09-10", "--format", "json").stdout)
    assert "test-follow-up-call" in [e["event_id"] for e in state["engagements"]]
    again = run("append", str(event))
    assert again.returncode == 0 and b"1 already recorded, unchanged" in again.stdout
    assert stored_event_count(run.address) == count


def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(run):
    result = run("append", "-", stdin=b"id: x\nkind: summit\n")
    assert result.returncode == 1
    assert result.stderr.decode().startswith("Error: <stdin>: event (id 'x'), field 'kind'")
    assert b"Traceback" not in result.stderr


def test_the_default_store_lives_in_the_user_data_directory(tmp_path):
    exe = shutil.which("uspk")
    env = {k: v for k, v in os.environ.items() if k != "USPK_DB"}
    env |= {**UTF8, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run(
        [exe, "state", "--at", "2025-09-08"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "uspk" / "uspk.sqlite").is_file()


def test_an_unreachable_postgres_is_a_clean_error(tmp_path):
    exe = shutil.which("uspk")
    env = {**os.environ, **UTF8, "USPK_DB": "postgresql://nobody@127.0.0.1:1/none"}
    result = subprocess.run([exe, "timeline"], capture_output=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.decode().startswith(
        "Error: cannot connect to postgresql://nobody@127.0.0.1:1/none: "
    )
    assert b"Traceback" not in result.stderr
