"""``uspk export`` as a command: where it writes, how it fails, what it reads from the store."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import click
import pytest

from cli.main import main
from tests.export.support import Uspk
from tests.shipped import after_history, current_documents

AFTER = after_history().date().isoformat()  # a day after every shipped event

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def one_clean_line(result) -> str:
    assert "Traceback" not in result.output
    new_store = "uspk: created a new store at "  # the fixture's store, on its first use
    lines = [line for line in result.output.strip().splitlines() if not line.startswith(new_store)]
    assert len(lines) == 1, result.output
    return lines[0]


def test_every_option_has_help_and_help_imports_neither_pydantic_nor_eventsourcing():
    export = main.commands["export"]
    for param in export.params:
        assert isinstance(param, click.Option) and len(param.help or "") > 20, param.name
    code = textwrap.dedent(
        """
        import sys
        from click.testing import CliRunner
        from cli.main import main
        result = CliRunner().invoke(main, ["export", "--help"])
        assert result.exit_code == 0 and "--known-at WHEN" in result.output, result.output
        heavy = ("pydantic", "eventsourcing", "projections", "domain", "cli.exporters")
        print(sorted(m for m in sys.modules if m.startswith(heavy)))
        """
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_without_output_the_page_goes_to_standard_output_and_dash_means_it_too(uspk):
    page = uspk.ok("export")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    data = json.loads(uspk.ok("export", "--format", "json", "-o", "-"))
    assert len(data["events"]) == len(current_documents())


def test_the_file_is_replaced_whole_with_the_umask_mode_and_no_temporary_file_left(uspk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "reset.html"
    target.write_text("old page")
    os.chmod(target, 0o640)
    uspk.ok("export", "-o", str(target))
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert os.stat(target).st_mode & 0o777 == 0o640  # a replaced file keeps its mode
    assert sorted(p.name for p in out.iterdir()) == ["reset.html"]
    fresh = out / "reset.json"
    umask = os.umask(0o027)
    try:
        uspk.ok("export", "--format", "json", "-o", str(fresh))
    finally:
        os.umask(umask)
    assert os.stat(fresh).st_mode & 0o777 == 0o640


def test_a_missing_folder_is_one_clean_line_and_creates_nothing(uspk, tmp_path):
    target = tmp_path / "no-such-folder" / "reset.html"
    result = uspk("export", "-o", str(target))
    assert result.exit_code == 1
    assert one_clean_line(result) == f"Error: {target}: cannot write: No such file or directory"
    assert not target.parent.exists()


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_half_file(tmp_path):
    """A real failed write: the export runs with a file-size limit (as on a full disk)."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    limit = 100_000  # room for SQLite's own files; less than the page
    assert len(uspk.export(tmp_path, "html")) > limit  # also creates and loads the store
    out = tmp_path / "out"
    out.mkdir()
    target = out / "reset.html"
    target.write_text("old page")
    code = textwrap.dedent(
        f"""
        from cli.main import main
        main(["--db", {uspk.address!r}, "export", "-o", {str(target)!r}])
        """
    )

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.strip() == f"Error: {target}: cannot write: File too large"
    assert target.read_text() == "old page"
    assert sorted(p.name for p in out.iterdir()) == ["reset.html"]


def test_a_bad_date_is_a_usage_error_without_traceback(uspk):
    result = uspk("export", "--at", "8/9/2025")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'--at'" in result.output and "'8/9/2025' is not a date" in result.output
    result = uspk("export", "--known-at", "yesterday")
    assert result.exit_code == 2 and "is neither a date" in result.output


def test_known_at_before_anything_was_recorded_is_one_clean_line(uspk):
    result = uspk("export", "--known-at", "2020-01-01")
    assert result.exit_code == 1
    assert one_clean_line(result) == (
        "Error: nothing to export: no events are believed at the --known-at moment"
    )


def test_a_month_for_at_means_its_last_day(uspk):
    data = json.loads(uspk.ok("export", "--format", "json", "--at", "2025-06"))
    assert data["as_of"] == "2025-06-30"
    assert [u["event_id"] for u in data["state"]["undetermined"]] == []


def test_export_reads_the_store_on_both_backends_and_known_at_hides_what_came_later(
    uspk_any, tmp_path
):
    before = json.loads(uspk_any.ok("export", "--format", "json"))
    assert len(before["events"]) == len(current_documents())
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    path = tmp_path / "extra.json"
    path.write_text(
        json.dumps(
            {
                "id": "test-extra-meeting",
                "kind": "meeting",
                "occurred": AFTER,  # after every shipped event
                "title": "An extra meeting",
                "summary": "A test happening.",
                "participants": ["shehbaz-sharif", "ishaq-dar"],
                "sources": [{"publisher": "Test", "title": "A report", "published": AFTER}],
            }
        )
    )
    uspk_any.ok("append", str(path))
    now = json.loads(uspk_any.ok("export", "--format", "json"))
    assert now["events"][-1]["id"] == "test-extra-meeting" and now["as_of"] == AFTER
    then = json.loads(uspk_any.ok("export", "--format", "json", "--known-at", moment))
    assert [e["id"] for e in then["events"]] == [e["id"] for e in before["events"]]
    assert then["known_at"] is not None and then["as_of"] == before["as_of"]
    slides = json.loads(uspk_any.ok("export", "--format", "timelinejs", "--known-at", moment))
    assert len(slides["events"]) == len(current_documents())


@pytest.mark.parametrize("fmt", ["html", "timelinejs", "markdown", "csv", "json", "atom", "plover"])
def test_every_format_is_the_same_bytes_on_stdout_and_in_a_file(uspk, tmp_path, fmt):
    written = uspk.export(tmp_path, fmt)
    printed = uspk("export", "--format", fmt).stdout_bytes
    assert printed == written and len(written) > 1000
