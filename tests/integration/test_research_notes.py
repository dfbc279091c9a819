"""The shipped history answers to its research notes (docs/research/*.md), read back from
a store on both backends: every quote a source carries appears there word for word, and
no source is dated later than the notes date it. And the history's 2026 says what the
notes say of the tariff: on 1 March 2026 the 19% reciprocal tariff is not in force."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.clirunner import Uspk

NOTES = sorted((Path(__file__).resolve().parents[2] / "docs" / "research").glob("*.md"))
_NAMES = "january february march april may june july august september october november december"
MONTHS = {name[:n]: i for i, name in enumerate(_NAMES.split(), 1) for n in (3, len(name))}
ISO = re.compile(r"\b(20\d\d)[-/](\d\d)(?:-(\d\d))?\b")  # 2026-02-21, 2026-02, /2025/07/
NUMERIC = re.compile(r"\b(\d\d)[/-](\d\d)[/-](20\d\d)\b")  # 10/03/2025, 11-26-2025 (US order)
WRITTEN = re.compile(
    r"\b(?:(\d{1,2}) ([A-Z][a-z]+),? (20\d\d)|([A-Z][a-z]+) (\d{1,2}),? (20\d\d))\b"
)
URL = re.compile(r"https?://[^\s)]+")
CODE = re.compile(r"`[^`]*`")  # event ids and file names: their dates are not the notes'


def words(text: str) -> str:
    """Text with blockquote marks and line breaks gone: what a quote is compared as."""
    return " ".join(re.sub(r"^\s*>\s?", " ", text, flags=re.M).split())


def blocks(text: str) -> list[str]:
    """The notes cut into items: a list item, a heading or a paragraph each."""
    return re.split(r"\n(?=\s*(?:- |## |\n))", text)


def latest_date(block: str) -> date | None:
    """The latest date a block of the notes gives (2026-02-21, 2026-02, /2025/07/, 21 Feb
    2026, February 21, 2026, 10/03/2025), a month read as its 28th."""
    block = " ".join(CODE.sub("", block).split())
    found = []
    for m, d, y in NUMERIC.findall(block):
        if 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
            found.append(date(int(y), int(m), int(d)))
    for y, m, d in ISO.findall(block):
        month = int(m)
        if 1 <= month <= 12:
            found.append(date(int(y), month, int(d) if d else 28))
    for d1, mon1, y1, mon2, d2, y2 in WRITTEN.findall(block):
        month = MONTHS.get((mon1 or mon2).lower().rstrip("."))
        if month:
            found.append(date(int(y1 or y2), month, int(d1 or d2)))
    return max(found, default=None)


@pytest.fixture(scope="module")
def notes() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in NOTES)


def sources(store_address) -> list[tuple[str, dict]]:
    return [(e["id"], s) for e in Uspk(store_address).timeline() for s in e["sources"]]


def test_every_quote_in_the_shipped_history_is_in_the_research_notes(store_address, notes):
    text = words(notes)
    missing = [
        (event_id, source["publisher"], piece[:60])
        for event_id, source in sources(store_address)
        for piece in map(words, (source["quote"] or "").split("[...]"))
        if piece and piece not in text
    ]
    assert missing == []


def test_no_source_is_dated_later_than_the_research_notes_date_it(store_address, notes):
    dated_in_notes: dict[str, list[date]] = {}
    for block in blocks(notes):
        when = latest_date(block)
        for url in URL.findall(block):
            if when is not None:
                dated_in_notes.setdefault(url.rstrip(").,;"), []).append(when)
    later = []
    for event_id, source in sources(store_address):
        published = source["published"]
        if published["edtf"].endswith(("?", "%")):  # marked uncertain: nothing to hold
            continue
        start = date.fromisoformat(published["start"])
        notes_say = dated_in_notes.get(source["url"] or "")
        if not notes_say or start > max(notes_say):
            later.append((event_id, source["publisher"], published["edtf"], notes_say))
    assert later == []


def test_on_1_march_2026_the_19_percent_reciprocal_tariff_is_not_in_force(store_address):
    state = json.loads(Uspk(store_address).ok("state", "--at", "2026-03-01", "--format", "json"))
    in_force = [(m["measure"], m["value"]) for m in state["measures"] if m["in_force"]]
    assert ("us-reciprocal-tariff-pakistan", "19%") not in in_force
    assert all(m != "us-reciprocal-tariff-pakistan" for m, _ in in_force)
