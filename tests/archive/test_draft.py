"""``uspk draft URL --kind KIND``: an event file begun from the capture of a report about
known actors; once a person fills its placeholders, it appends."""

from __future__ import annotations

import yaml

from tests.archive import site


def test_a_draft_from_an_archived_report_filled_in_appends(uspk, tmp_path, article, captures):
    uspk.ok("archive", article, "--captures", str(captures))
    draft = tmp_path / "draft.yaml"
    uspk.ok("draft", article, "--kind", "meeting", "-o", str(draft), "--captures", str(captures))
    text = draft.read_text(encoding="utf-8")

    event = yaml.safe_load(text)
    [source] = event["sources"]
    assert source == {
        "publisher": site.PUBLISHER,
        "title": site.HEADLINE,
        "published": site.PUBLISHED,
        "url": article,
    }
    assert {"ishaq-dar", "marco-rubio", "asim-munir"} <= set(event["actors"])
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Farah Qamar" in comments  # a name the registry does not know: a candidate
    assert "November 11, 2025 = 2025-11-11" in comments and "$500 million" in comments
    assert "We will work together on critical minerals" in comments  # a candidate quote
    assert event["occurred"] == "YYYY-MM-DD"  # the event's date is a person's judgement

    # what a person decides, written where the draft leaves it
    filled = (
        text.replace('"<id>"', '"dar-rubio-meeting-2025-11-11"', 1)
        .replace('occurred: "YYYY-MM-DD"', 'occurred: "2025-11-11"')
        .replace('"<title>"', '"Dar meets Rubio in Washington"', 1)
        .replace('"<summary>"', '"Ishaq Dar and Marco Rubio agree to widen cooperation."', 1)
        .replace('["<actor id>", "<actor id>"]', '["ishaq-dar", "marco-rubio"]', 1)
    )
    assert "<" not in "\n".join(ln for ln in filled.splitlines() if not ln.lstrip().startswith("#"))
    draft.write_text(filled, encoding="utf-8")
    assert "would append 1 event(s)" in uspk.ok("append", "--dry-run", str(draft))
    uspk.ok("append", str(draft))
    shown = uspk.ok("show", "dar-rubio-meeting-2025-11-11", "--format", "json")
    assert article in shown


def test_a_draft_of_a_page_never_archived_says_how_to_keep_one(uspk_sqlite, tmp_path):
    url = "https://herald.example/never-kept"
    result = uspk_sqlite("draft", url, "--kind", "meeting", "--captures", str(tmp_path / "c"))
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert url in line and "uspk archive" in line


def test_a_draft_never_overwrites_a_file(uspk_sqlite, tmp_path, article, captures):
    uspk_sqlite.ok("archive", article, "--captures", str(captures))
    existing = tmp_path / "mine.yaml"
    existing.write_text("kept: true\n")
    result = uspk_sqlite(
        "draft", article, "--kind", "meeting", "-o", str(existing), "--captures", str(captures)
    )
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_text() == "kept: true\n"


def test_a_pages_line_breaks_stay_inside_the_drafts_comments():
    from datetime import UTC, datetime

    from service.captures import Capture
    from service.drafting import Report, header

    capture = Capture("https://herald.example/a", "0" * 64, datetime.now(UTC), "", None)
    hostile = "Mr Rubio said\rkind: visit\u2028id: injected\x85note: x"
    text = header(Report(capture, quotes=[hostile], candidates=["Farah\rQamar"]))
    assert yaml.safe_load(text) is None  # comments only: nothing of the page is a field
    assert "kind: visit" in text
