"""Hostile event text stays text in every format: HTML and <script>, Markdown links,
spreadsheet formulas, right-to-left marks and overrides, control characters, in titles,
summaries, notes, quotes and source fields. (In a real browser and a real Markdown
renderer: tests/browser.) The events are appended with ``uspk append``, except the one
with overrides and control characters, which event files may no longer hold: it is
recorded through the application, as a store written before that rule would hold it."""

from __future__ import annotations

import csv
import io
import json
import re

from cli.exporters import visible
from cli.exporters.html import SCRIPT
from tests.export.htmlscan import Scan
from tests.export.support import (
    HOSTILE_QUOTE,
    HOSTILE_SOURCE,
    HOSTILE_STATEMENT_QUOTE,
    HOSTILE_STEP,
    HOSTILE_SUMMARY,
    HOSTILE_TITLES,
    OVERRIDE_QUOTE,
    OVERRIDE_SUMMARY,
    OVERRIDE_TITLE,
    RLM,
    RLO,
    all_hostile_documents,
)

# Raw in no export: bidi overrides and isolates, control characters but tab, LF and CR.
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Raw in no JSON (they end a line in JavaScript before ES2019, and in some editors).
LINE_BREAKS = re.compile("[\u2028\u2029]")
HOSTILE_IDS = [d["id"] for d in all_hostile_documents()]
SHOWN = ("[U+202E]gnp.exe", "[U+2066]isolated", "[U+001B][31mred", "[U+0007]bell")


# The elements the page is made of; event text adds none.
PAGE_TAGS = {"html", "head", "meta", "title", "link", "style", "body", "header", "footer"}
PAGE_TAGS |= {"h1", "h2", "h3", "h4", "p", "section", "span", "div", "svg", "aside", "details"}
PAGE_TAGS |= {"ol", "ul", "li", "article", "strong", "code", "time", "blockquote", "q", "a"}
PAGE_TAGS |= {"summary", "script"}


def title_of(event_id: str) -> str:
    return next(d["title"] for d in all_hostile_documents() if d["id"] == event_id)


def test_visible_shows_overrides_and_controls_and_keeps_marks_and_ordinary_text():
    assert visible(f"a{RLO}b\u2066c\x1bd{RLM}e\tf") == f"a[U+202E]b[U+2066]c[U+001B]d{RLM}e\tf"
    assert visible("\u0627\u0631\u062f\u0648 Urdu") == "\u0627\u0631\u062f\u0648 Urdu"


# -- HTML -----------------------------------------------------------------------------


def test_html_shows_hostile_text_as_text_and_runs_only_its_own_script(hostile_exports):
    page = hostile_exports["html"].decode()
    scan = Scan(page)
    assert scan.event_handlers() == []
    assert [attrs for attrs, _ in scan.scripts] == [
        {"type": "application/json", "id": "uspk-data"},
        {},
    ]
    assert scan.scripts[1][1] == SCRIPT
    assert scan.tags() <= PAGE_TAGS, scan.tags() - PAGE_TAGS  # no <img>, <b>, <i> from text
    for event_id in HOSTILE_IDS:  # shown, character for character
        assert " ".join(visible(title_of(event_id)).split()) in " ".join(scan.text.split())
    assert visible(HOSTILE_STATEMENT_QUOTE) in scan.text  # in the state panel
    assert visible(HOSTILE_STEP) in scan.text and RLM in scan.text  # a mark stays a mark
    assert not HIDDEN.search(page)  # overrides shown as [U+202E], in JSON as \u202e
    assert all(shown in scan.text for shown in SHOWN)
    hrefs = [a["href"] for t, a in scan.elements if t == "a" and a["href"].startswith("http")]
    assert HOSTILE_SOURCE["url"] in hrefs  # the attribute held: the URL is all of it
    assert all(not h.startswith(("http://evil.example/a", "http://evil.example/m")) for h in hrefs)


def test_html_embedded_data_cannot_close_its_script_and_keeps_the_exact_text(hostile_exports):
    page = hostile_exports["html"].decode()
    start = page.index('<script type="application/json" id="uspk-data">')
    block = page[start : page.index("</script>", start)]
    assert not re.search(r"[<>&]", block.split(">", 1)[1])
    assert not LINE_BREAKS.search(block)
    data = json.loads(Scan(page).scripts[0][1])
    events = {e["id"]: e for e in data["events"]}
    for event_id, title in HOSTILE_TITLES.items():
        assert events[event_id]["title"] == title  # exact
        assert events[event_id]["summary"] == HOSTILE_SUMMARY
        assert events[event_id]["sources"][0]["quote"] == HOSTILE_QUOTE
    override = events["hostile-override"]
    assert (override["title"], override["summary"]) == (OVERRIDE_TITLE, OVERRIDE_SUMMARY)


# -- TimelineJS -----------------------------------------------------------------------

TIMELINEJS_TAGS = {"p", "ul", "li", "a", "br", "q", "em", "blockquote"}


def test_timelinejs_text_is_escaped_html_with_only_its_own_tags_and_links(hostile_exports):
    raw = hostile_exports["timelinejs"].decode()
    assert not HIDDEN.search(raw) and not LINE_BREAKS.search(raw)
    slides = {e["unique_id"]: e for e in json.loads(raw)["events"]}
    for event_id in HOSTILE_IDS:
        slide = slides[event_id]
        assert slide["autolink"] is False  # TimelineJS makes no links out of the text
        fields = [slide["text"]["headline"], slide["text"]["text"]]
        fields += [slide["media"][k] for k in ("url", "caption", "credit")]
        for field in fields:
            scan = Scan(field)
            assert scan.tags() <= TIMELINEJS_TAGS and scan.event_handlers() == []
            for _, attrs in scan.with_attribute("href"):
                assert attrs["href"] == HOSTILE_SOURCE["url"], attrs
                assert attrs["rel"] == "noopener noreferrer"
        assert Scan(slide["text"]["headline"]).text == visible(title_of(event_id))
    assert Scan(slides["hostile-minus"]["media"]["url"]).text == visible(HOSTILE_QUOTE)
    assert visible(HOSTILE_SUMMARY) in Scan(slides["hostile-at"]["text"]["text"]).text
    override = slides["hostile-override"]
    assert Scan(override["media"]["url"]).text == visible(OVERRIDE_QUOTE)
    assert visible(OVERRIDE_SUMMARY) in Scan(override["text"]["text"]).text


def test_timelinejs_media_gives_its_type_detector_no_word_to_find(hostile_exports):
    # TimelineJS picks the media type by searching media.url for words ("iframe",
    # "spotify", ".pdf" ...); the quote's characters are all character references.
    for slide in json.loads(hostile_exports["timelinejs"])["events"]:
        inner = slide["media"]["url"].removeprefix("<blockquote>").removesuffix("</blockquote>")
        assert re.fullmatch(r"(&#\d+;)*", inner)


# -- Markdown -------------------------------------------------------------------------

_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")  # a CommonMark backslash escape


def test_markdown_escapes_every_markup_character_in_event_text(hostile_exports):
    report = hostile_exports["markdown"].decode()
    assert not HIDDEN.search(report)
    assert all(shown.replace("[", "\\[").replace("]", "\\]") in report for shown in SHOWN)
    for line in report.splitlines():
        bare = _ESCAPED.sub("", line)
        bare = re.sub(r"<https?://[^<>\s]+>", "", bare)  # autolinks of sources' URLs
        assert "<" not in bare and ">" not in bare, line
        assert "](" not in bare and "://" not in bare and "www." not in bare.lower(), line
        assert "&" not in bare and "`" not in bare, line
        assert "mailto:" not in bare.lower(), line
        unlinked = re.sub(r"<https?://[^<>\s]+>", "", line)
        assert not re.search(r"(?<![\\:])//", unlinked), line  # '\//' or '\://' only
        assert "@" not in bare and "~" not in bare, line
    rows = [line for line in report.splitlines() if any(f"({i})" in line for i in HOSTILE_IDS)]
    assert len(rows) >= len(HOSTILE_IDS) and all(row.count(" | ") >= 3 for row in rows)
    assert all(line.startswith("|") and line.endswith("|") for line in rows)


# -- CSV ------------------------------------------------------------------------------


def test_csv_defuses_every_formula_and_shows_overrides(hostile_exports):
    raw = hostile_exports["csv"].decode("utf-8-sig")
    assert not HIDDEN.search(raw.replace("\r\n", "\n"))
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    by_id = {row[0]: row for row in rows}
    header = rows[0]
    for event_id, title in HOSTILE_TITLES.items():
        row = dict(zip(header, by_id[event_id], strict=True))
        assert row["title"] == "'" + visible(title)
        assert row["note"].startswith("'-<img")
        assert row["quotes"] == "'" + visible(HOSTILE_QUOTE)
        assert row["sources"].startswith("'@Evil <i>Press</i>")
    override = dict(zip(header, by_id["hostile-override"], strict=True))
    assert override["title"] == "'" + visible(OVERRIDE_TITLE)
    assert override["quotes"] == "'" + visible(OVERRIDE_QUOTE)


# -- JSON -----------------------------------------------------------------------------


def test_json_keeps_the_exact_text_with_invisible_characters_written_as_escapes(hostile_exports):
    raw = hostile_exports["json"].decode()
    assert not HIDDEN.search(raw) and not LINE_BREAKS.search(raw)
    assert "\\u202e" in raw and "\\u2028" in raw and "\\u001b" in raw
    data = json.loads(raw)
    events = {e["id"]: e for e in data["events"]}
    for document in all_hostile_documents():
        event = events[document["id"]]
        assert (event["title"], event["summary"]) == (document["title"], document["summary"])
        assert event["sources"][0] == {
            **document["sources"][0],
            "published": event["sources"][0]["published"],
        }
    statement = next(s for s in data["state"]["statements"] if s["event_id"] == "hostile-statement")
    assert statement["quote"] == HOSTILE_STATEMENT_QUOTE
