"""A correction says exactly what changed and why: every changed field (summary and
sources included); "Why"/"Reason" come from the correction's message (or a note it
brings), never from the new summary; the page names who recorded it apart from which
event corrects it."""

from __future__ import annotations

import json

from tests.export.support import CORRECTED_JUNE, JUNE_AMENDMENT
from tests.shipped import EXAMPLES

LUNCH = str(EXAMPLES / "2025-06-18-trump-munir-lunch.yaml")


def amendment_of(uspk) -> dict:
    corrections = json.loads(uspk.ok("export", "--format", "json"))["corrections"]
    [item] = [c for c in corrections if c["id"] == JUNE_AMENDMENT]
    return item


def test_every_changed_field_is_listed_summary_and_sources_included(uspk):
    uspk.ok("amend", CORRECTED_JUNE, LUNCH, "--message", "A second source gives the day.")
    item = amendment_of(uspk)
    fields = {c["field"] for c in item["changes"]}
    assert {"occurred", "title", "summary", "sources", "place"} <= fields
    [sources] = [c for c in item["changes"] if c["field"] == "sources"]
    assert sources["before"] != sources["after"]


def test_the_reason_is_the_corrections_message_never_its_new_summary(uspk, tmp_path):
    uspk.ok("amend", CORRECTED_JUNE, LUNCH, "--message", "A second source gives the day.")
    item = amendment_of(uspk)
    assert item["reason"] == "A second source gives the day."
    feed = uspk.export(tmp_path, "atom").decode()
    assert "Reason: A second source gives the day." in feed
    page = " ".join(uspk.export(tmp_path, "html").decode().split())
    assert '<strong>Why:</strong> <span dir="auto">A second source gives the day.</span>' in (page)


def test_without_a_message_the_reason_is_the_note_it_brings_never_the_summary(uspk, tmp_path):
    uspk.ok("amend", CORRECTED_JUNE, LUNCH)
    item = amendment_of(uspk)
    event = json.loads(uspk.ok("show", JUNE_AMENDMENT, "--format", "json"))["event"]
    assert item["reason"] == event["note"] and item["reason"] != event["summary"]
    feed = uspk.export(tmp_path, "atom").decode()
    assert f"Reason: {event['summary']}" not in feed


def test_with_neither_message_nor_new_note_the_page_says_the_reason_is_not_given(uspk, tmp_path):
    amendment = {"id": "test-june-retitled", "title": "Trump hosts Munir (retitled)"}
    amendment["sources"] = [{"publisher": "Test", "title": "Recheck", "published": "2025-07-01"}]
    path = tmp_path / "retitle.json"
    path.write_text(json.dumps(amendment))
    uspk.ok("amend", CORRECTED_JUNE, str(path))
    page = " ".join(uspk.export(tmp_path, "html").decode().split())
    assert 'Why:</strong> <span dir="auto">not given' in page


def test_the_page_names_who_recorded_it_apart_from_the_correcting_event(uspk, tmp_path):
    uspk.ok("amend", CORRECTED_JUNE, LUNCH, "--as", "desk-editor")
    page = " ".join(uspk.export(tmp_path, "html").decode().split())
    assert f"the correction is <code>{JUNE_AMENDMENT}</code>" in page
    assert f", by <code>{JUNE_AMENDMENT}</code>" not in page
    assert "Recorded by desk-editor" in page
