"""Every command works with no captures at all (the shipped history has none), and only
the commands about captures load the capture libraries or reach the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.archive import site
from tests.archive.conftest import event_file, statement

CAPTURE_LIBRARIES = ("warcio", "trafilatura", "htmldate", "lxml", "urllib.request")

PROBE = """
import sys
from cli.main import main
try:
    main(sys.argv[1:], prog_name="uspk")
except SystemExit as ending:
    code = ending.code or 0
else:
    code = 0
loaded = sorted(m for m in {libraries!r} if m in sys.modules)
print("EXIT:", code, "LOADED:", ",".join(loaded))
"""


@pytest.mark.parametrize(
    "command",
    [
        ("state", "--at", "2025-09-08"),
        ("timeline",),
        ("export", "--format", "json"),
        ("export", "--format", "html"),
        ("verify",),
        ("verify", "--sources"),
        ("archive", "--missing"),
    ],
    ids=" ".join,
)
def test_a_command_with_no_captures_works_and_loads_no_capture_library(tmp_path, command):
    env = {**os.environ, "USPK_DB": str(tmp_path / "uspk.sqlite"), "HOME": str(tmp_path)}
    env.pop("USPK_CAPTURES", None)
    subprocess.run([sys.executable, "-m", "cli", "--create", "timeline"], env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    probe = PROBE.format(libraries=CAPTURE_LIBRARIES)
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "EXIT: 0 LOADED:", result.stdout[-400:]


def test_the_console_script_archives_a_page_and_verifies_the_record_against_it(tmp_path):
    """End to end, as a user runs it: append, archive from the news site, verify."""
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"
    env = {**os.environ, "USPK_DB": str(tmp_path / "uspk.sqlite"), "HOME": str(tmp_path)}
    env.pop("USPK_CAPTURES", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([exe, "--create", *args], env=env, capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)  # fmt: skip

    with site.news_site() as base:
        article = base + site.ARTICLE_PATH
        assert run("append", event_file(tmp_path, statement(article))).returncode == 0
        said = run("verify", "--sources")
        assert said.returncode == 0 and said.stdout.startswith("no captures at all")
        assert run("archive", article).returncode == 0
    verified = run("verify", "--sources")  # the site is gone: nothing is fetched
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("1 source(s) agree with 1 capture(s)")
    assert (tmp_path / "uspk.sqlite.captures").is_dir()
