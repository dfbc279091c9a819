"""The Atom feed and the PLOVER and ACLED exports, written by the installed console
script in separate processes, as a newsroom would run them."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import jsonschema
import pytest

SCHEMA = Path(__file__).resolve().parents[1] / "export" / "plover.schema.json"
pytestmark = pytest.mark.e2e


@pytest.fixture
def uspk(store_address, tmp_path):
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "USPK_DB": store_address, "HOME": str(tmp_path)}
        result = subprocess.run([exe, *args], capture_output=True, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        return result

    return run


def test_a_feed_readers_view_of_a_retraction_recorded_in_another_process(uspk, tmp_path):
    uspk(
        "retract",
        "ussm-fwo-sustainability-priority-2025-09-08",
        "--reason",
        "A principle the cooperation will prioritise, not a commitment.",
        *("--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"),
    )
    uspk("export", "--format", "atom", "-o", "changes.xml")
    feed = feedparser.parse((tmp_path / "changes.xml").read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    latest = feed.entries[0]
    assert latest.title.startswith("Retracted: ")
    assert "not a commitment" in latest.summary


def test_plover_lines_validate_and_acled_rows_match_them(uspk, tmp_path):
    uspk("export", "--format", "plover", "-o", "reset.jsonl")
    uspk("export", "--format", "csv", "--acled", "-o", "reset-acled.csv")
    records = [json.loads(line) for line in (tmp_path / "reset.jsonl").read_text().splitlines()]
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for record in records:
        validator.validate(record)
    sheet = (tmp_path / "reset-acled.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(sheet)))
    assert [r["event_id_cnty"] for r in rows] == [r["id"] for r in records]
    assert [r["plover_event"] for r in rows] == [r["event"][0] for r in records]
