"""`python -m cli` and `python -m cli.main` run the same command line as `uspk`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

REPO = Path(__file__).resolve().parents[2]
MODULES = ["cli", "cli.main"]


def python_m(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("module", MODULES)
def test_python_m_help_lists_every_command_including_copy_and_export(module, tmp_path):
    result = python_m(module, "--help", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert {"copy", "export"} <= set(main.commands)
    for command in main.commands:
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE), command


@pytest.mark.parametrize("module", MODULES)
def test_python_m_runs_export_against_a_store(module, store_address, tmp_path):
    out = tmp_path / "history.json"
    result = python_m(
        module, "--db", store_address, "export", "--format", "json", "-o", str(out), cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["events"]
