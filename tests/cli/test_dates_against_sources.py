"""Dates held against sources: no source reports what had not yet happened. An event
whose occurred start is after the publication of every one of its sources is refused in
one line naming both dates, nothing written; a source's date counts at its precision; a
plan's target date is not an occurrence. A source published before the occurrence tells
what was planned and says so (``stance: previews``), or is refused likewise; a preview
published after the event is refused. Every event the shipped history believes holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.recording import told_after, told_after_it
from domain.world import RuleBroken
from events.files import parse_bytes, read_file, validate
from tests.conftest import stored_event_count
from tests.factories import doc
from tests.shipped import current_documents

HISTORY = Path(__file__).resolve().parents[2] / "events" / "history"


def meeting(occurred: str, *published: str, previews: tuple[str, ...] = ()) -> dict:
    sources = [{"publisher": "Test", "title": f"Report {p}", "published": p} for p in published]
    sources += [
        {"publisher": "Test", "title": f"Preview {p}", "published": p, "stance": "previews"}
        for p in previews
    ]
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
        ("2025-12-18", ("2025-12-18", "2025-12-19")),  # every source on or after it
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


def test_a_source_published_before_the_occurrence_is_refused_in_one_line(uspk_sqlite):
    uspk_sqlite.ok("actors")
    before = stored_event_count(uspk_sqlite.address)
    result = append(uspk_sqlite, meeting("2025-12-18", "2025-12-19", "2025-12-16"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert "test-dated-meeting" in line and "published 2025-12-16, before it occurred" in line
    assert "2025-12-18" in line and "stance: previews" in line
    assert stored_event_count(uspk_sqlite.address) == before


def test_a_source_published_the_month_of_the_occurrence_counts_at_its_precision(uspk_sqlite):
    assert append(uspk_sqlite, meeting("2025-12-18", "2025-12-19", "2025-12")).exit_code == 0


def test_a_preview_marked_as_such_stands_beside_a_later_report_and_shows_it(uspk_sqlite):
    result = append(uspk_sqlite, meeting("2025-12-18", "2025-12-19", previews=("2025-12-16",)))
    assert result.exit_code == 0, result.output
    shown = uspk_sqlite.ok("show", "test-dated-meeting")
    assert "Preview 2025-12-16" in shown and "(previews it)" in shown


def test_previews_alone_do_not_tell_that_it_happened(uspk_sqlite):
    result = append(uspk_sqlite, meeting("2025-12-18", previews=("2025-12-16",)))
    assert result.exit_code == 1
    assert "is after every source's publication" in result.output
    assert "previews tell what was planned: cite a report from after it" in result.output


def test_a_preview_published_after_the_event_is_refused(uspk_sqlite):
    uspk_sqlite.ok("actors")
    result = append(uspk_sqlite, meeting("2025-12-18", "2025-12-19", previews=("2025-12-20",)))
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert "marked `stance: previews` but was published after it occurred" in line


@pytest.mark.parametrize(
    ("field", "value", "published", "accepted"),
    [
        ("place", "Lahore", "2025-12-16", False),  # before the event it reports
        ("place", "Lahore", "2025-12-19", True),
        ("occurred", "2025-12-15", "2025-12-16", True),  # after the date it gives
        ("occurred", "2025-12-20", "2025-12-19", False),  # before the date it gives
    ],
)
def test_an_alternatives_sources_are_held_against_the_occurrence_they_report(
    uspk_sqlite, field, value, published, accepted
):
    document = meeting("2025-12-18", "2025-12-19")
    document["alternatives"] = [
        {
            "field": field,
            "value": value,
            "sources": [{"publisher": "Other", "title": "Another report", "published": published}],
        }
    ]
    result = append(uspk_sqlite, document)
    assert (result.exit_code == 0) is accepted, result.output


@pytest.mark.parametrize("document", current_documents(), ids=lambda d: d.id)
def test_every_believed_shipped_event_is_dated_against_its_sources(document):
    """What the record believes: a shipped file recorded before the rule is kept as it
    was, and its amendment (shipped beside it) holds the rule."""
    if document.kind != "retraction":
        try:
            told_after(document)
            told_after_it(document)
        except RuleBroken as error:
            pytest.fail(str(error))


@pytest.mark.parametrize("path", sorted(HISTORY.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_file_is_told_by_a_source_published_on_or_after_it(path):
    for raw in parse_bytes(read_file(str(path)), str(path)):
        document = validate(raw, str(path))
        # A partial amendment is checked completed, as the record believes it (above).
        if document.kind != "retraction" and hasattr(document, "occurred"):
            try:
                told_after(document)
            except RuleBroken as error:
                pytest.fail(f"{path.name}: {error}")
