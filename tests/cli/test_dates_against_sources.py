"""Dates held against sources: no source reports what had not yet happened. An event
whose occurred start is after the publication of every one of its sources is refused in
one line naming both dates, nothing written; a source's date counts at its precision; a
plan's target date is not an occurrence. Every file of the shipped history holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.recording import told_after
from domain.world import RuleBroken
from events.files import parse_bytes, read_file, validate
from tests.conftest import stored_event_count
from tests.factories import doc

HISTORY = Path(__file__).resolve().parents[2] / "events" / "history"


def meeting(occurred: str, *published: str) -> dict:
    sources = [{"publisher": "Test", "title": f"Report {p}", "published": p} for p in published]
    return doc(
        "meeting",
        "test-dated-meeting",
        occurred,
        participants=["shehbaz-sharif", "ishaq-dar"],
        sources=sources,
    )


def append(uspk, document: dict):
    return uspk("append", "-", input=json.dumps(document))


def test_an_event_after_every_sources_publication_is_refused_in_one_line(uspk_sqlite):
    uspk_sqlite.ok("actors")  # the store made first: its announcement is not the refusal
    before = stored_event_count(uspk_sqlite.address)
    result = append(uspk_sqlite, meeting("2025-12-18", "2025-12-16", "2025-10-02"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert "occurred 2025-12-18 is after every source's publication (the latest: " in line
    assert "2025-12-16" in line and "test-dated-meeting" in line
    assert stored_event_count(uspk_sqlite.address) == before


@pytest.mark.parametrize(
    ("occurred", "published"),
    [
        ("2025-12-16", ("2025-12-16",)),  # reported the same day
        ("2025-12-18", ("2025-12",)),  # a month-precision date: any day of December
        ("2025-12-18", ("2025-10-02", "2025-12-19")),  # one later source is enough
        ("2025-12", ("2025-12-02",)),  # a month starting before its report
    ],
)
def test_an_event_some_source_could_report_is_accepted(uspk_sqlite, occurred, published):
    result = append(uspk_sqlite, meeting(occurred, *published))
    assert result.exit_code == 0, result.output


def test_a_plans_target_date_is_not_an_occurrence(uspk_sqlite):
    plan = doc(
        "step-planned",
        "test-plan-2025-12-01",
        "2025-12-01",
        step="test-later-step",
        description="A step planned for later.",
        target="2026-06",
        sources=[{"publisher": "Test", "title": "The plan", "published": "2025-12-02"}],
    )
    assert append(uspk_sqlite, plan).exit_code == 0


@pytest.mark.parametrize("path", sorted(HISTORY.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_event_is_told_by_a_source_published_on_or_after_it(path):
    for raw in parse_bytes(read_file(str(path)), str(path)):
        document = validate(raw, str(path))
        if document.kind != "retraction":
            try:
                told_after(document)
            except RuleBroken as error:
                pytest.fail(f"{path.name}: {error}")
