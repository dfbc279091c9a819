"""The Markdown report through a real Markdown renderer (markdown-it, CommonMark with
tables, footnotes and GitHub-style autolinks, raw HTML allowed): hostile event text
renders as text, and the only links are the sources' own and the footnotes'."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import unquote

from tests.browser.conftest import HERE
from tests.export.htmlscan import Scan
from tests.export.support import AUTOLINKS, MD_LINK, SCRIPT, hostile_store

# What markdown-it makes of the report's own syntax; event text may add no element.
REPORT_TAGS = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "strong"}
REPORT_TAGS |= {"em", "a", "code", "section", "ol", "li", "hr", "sup"}
TABLE_RULE = re.compile(r"\|( --- \|)+")  # the line under a table's header row


def render(node: str, markdown: bytes, tmp_path) -> Scan:
    path = tmp_path / "report.md"
    path.write_bytes(markdown)
    run = subprocess.run(
        [node, str(HERE / "render-markdown.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return Scan(run.stdout)


def test_the_shipped_report_renders_its_tables_links_and_footnotes(node, uspk, tmp_path):
    entries = uspk.timeline()
    report = uspk.export(tmp_path, "markdown")
    scan = render(node, report, tmp_path)
    assert scan.tags() <= REPORT_TAGS
    written = [line for line in report.decode().splitlines() if TABLE_RULE.fullmatch(line)]
    assert sum(1 for tag, _ in scan.elements if tag == "table") == len(written) >= 5
    sources = {s["url"] for e in entries for s in e["sources"]}
    hrefs = [a["href"] for tag, a in scan.elements if tag == "a"]
    assert {h for h in hrefs if h.startswith("http")} == sources
    assert any(h.startswith("#fn") for h in hrefs)  # footnote marks link to their notes


def test_hostile_text_renders_as_text_in_a_real_markdown_renderer(node, tmp_path):
    uspk = hostile_store(tmp_path)
    sources = {unquote(s["url"]) for e in uspk.timeline() for s in e["sources"]}
    scan = render(node, uspk.export(tmp_path, "markdown"), tmp_path)
    assert scan.tags() <= REPORT_TAGS, scan.tags() - REPORT_TAGS  # no <script>, <img>, <b>
    assert scan.event_handlers() == [] and scan.comments == []
    for _, attrs in scan.with_attribute("href"):
        href = attrs["href"]
        assert href.startswith("#fn") or unquote(href) in sources, href
    assert MD_LINK in scan.text and SCRIPT in scan.text  # shown, not obeyed
    assert AUTOLINKS in scan.text  # no mailto: or //host link, no strike-through
    assert "[U+202E]gnp.exe" in scan.text
