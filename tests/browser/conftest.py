"""Headless Chromium for the browser tests: Debian's ``chromium``, driven by
playwright-core from npm (never a browser download), plus the real TimelineJS library and
a real Markdown renderer. ``.ci/run`` installs them: the Debian packages, then
``npm ci --prefix tests/browser``. Without them these tests skip, saying what is missing;
under CI (``CI`` set) they fail instead, as the PostgreSQL tests do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.export.support import ARTIFACTS, Uspk

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
CHROMIUM = os.environ.get("USPK_CHROMIUM", "/usr/bin/chromium")
NPM_PACKAGES = ("playwright-core", "@knight-lab/timelinejs", "markdown-it", "markdown-it-footnote")
INSTALL = "run .ci/run, or: apt-get install chromium nodejs npm && npm ci --prefix tests/browser"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}: the browser tests must run in CI")
    pytest.skip(f"{reason} ({INSTALL})")


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with this folder's npm packages installed."""
    path = shutil.which("node")
    if path is None:
        _missing("no node on PATH")
    for package in NPM_PACKAGES:
        if not (NODE_MODULES / package / "package.json").is_file():
            _missing(f"npm package {package} is not installed in {NODE_MODULES}")
    return path


class Chromium:
    """Runs one job (see drive.mjs) in a fresh headless Chromium; returns what it saw."""

    def __init__(self, node: str, folder: Path) -> None:
        self.node = node
        self.folder = folder
        self.jobs = 0

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        self.jobs += 1
        path = self.folder / f"job-{self.jobs}.json"
        path.write_text(json.dumps(job), encoding="utf-8")
        run = subprocess.run(
            [self.node, str(HERE / "drive.mjs"), str(path)],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "USPK_CHROMIUM": CHROMIUM},
        )
        assert run.returncode == 0, f"drive.mjs failed:\n{run.stderr}"
        seen = json.loads(run.stdout)
        failed = seen.get("failedStep")
        assert failed is None, (
            f"step {failed['step']} failed: {failed['error']}\n"
            f"console: {seen['console']}\npage errors: {seen['pageErrors']}"
        )
        return seen


@pytest.fixture
def chromium(node, tmp_path) -> Chromium:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"no Chromium at {CHROMIUM}")
    return Chromium(node, tmp_path)


@pytest.fixture
def artifacts() -> Path:
    """test-artifacts/ at the top of the repository (gitignored): screenshots, PDFs."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def uspk(tmp_path) -> Uspk:
    return Uspk(str(tmp_path / "uspk.sqlite"))
