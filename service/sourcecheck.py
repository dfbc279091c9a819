"""``uspk verify --sources``: every believed event's sources against their captures.

A source's quote must be found word for word in the article text extracted from each
capture of its URL, after the differences that are typography and not words are set
aside: runs of whitespace, typographic quotes and apostrophes, dashes, compatibility
forms (NFKC: a no-break space, an ellipsis character). ``[...]`` marks words left out: the
parts around it must appear in that order. A source's ``published`` date must agree with
the page's own (htmldate's, to the day) at the source's precision: the page's day falls
in the month or year the source gives; an approximate or uncertain date (``~``, ``?``)
may be one of its units off. A page that states no date of its own is not a
disagreement; it is counted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from events.dates import FuzzyDate, Precision
from service.captures import Capture

_OMISSION = re.compile(r"\s*\[\s*(?:\.\s*){3}\]\s*|\s*\[\s*\u2026\s*\]\s*")
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),  # invisible breaks
    }
)
_SPACE = re.compile(r"\s+")
_SPACED_DASH = re.compile(r"\s*-\s*")


def normalised(text: str) -> str:
    """``text`` with typography set aside: what 'word for word' compares."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    # a dash between words is written "a—b", "a — b" or "a - b": the same words
    return _SPACE.sub(" ", _SPACED_DASH.sub(" - ", text)).strip()


def quote_parts(quote: str) -> list[str]:
    """The parts of a quote that must appear in order (``[...]`` separates them)."""
    return [p for p in (normalised(part) for part in _OMISSION.split(quote)) if p]


def quote_found(quote: str, text: str) -> bool:
    """Whether every part of ``quote`` is in ``text``, in order, word for word."""
    return first_missing_part(quote, text) is None


def date_agrees(published: FuzzyDate, page_day: date) -> bool:
    """Whether the page's own day is the source's date at the source's precision."""
    start, end = published.start, published.end
    if published.qualifier:  # approximate or uncertain: one unit either way
        step = {Precision.DAY: 1, Precision.MONTH: 31, Precision.YEAR: 366}[published.precision]
        start, end = start - timedelta(days=step), end + timedelta(days=step)
    return start <= page_day <= end


@dataclass
class SourcesVerdict:
    """What ``verify --sources`` found: one line per disagreement, and the counts."""

    disagreements: list[str] = field(default_factory=list)
    checked: int = 0  # sources checked against at least one capture
    captures: int = 0  # captures read
    without_capture: list[tuple[str, str]] = field(default_factory=list)  # (event, url)
    without_url: int = 0
    undated_pages: int = 0

    @property
    def summary(self) -> str:
        if not self.captures:
            return (
                "no captures at all: nothing was checked; `uspk archive URL` keeps a source's "
                f"page ({len(self.without_capture)} cited source(s) have none)"
            )
        words = [
            f"{self.checked} source(s) agree with {self.captures} capture(s)"
            if not self.disagreements
            else f"{len(self.disagreements)} disagreement(s) in {self.checked} source(s) "
            f"checked against {self.captures} capture(s)",
            f"{len(self.without_capture)} source(s) without a capture",
        ]
        if self.without_url:
            words.append(f"{self.without_url} without a URL")
        if self.undated_pages:
            words.append(f"{self.undated_pages} page(s) state no date of their own")
        return "; ".join(words)


def check_sources(records: Iterable, captured: dict[str, list[Capture]]) -> SourcesVerdict:
    """Each believed record's sources against the captures of their URLs."""
    verdict = SourcesVerdict(captures=sum(len(c) for c in captured.values()))
    for record in records:
        for number, source in enumerate(record.document.sources, start=1):
            if source.url is None:
                verdict.without_url += 1
                continue
            captures = captured.get(source.url)
            if not captures:
                verdict.without_capture.append((record.id, source.url))
                continue
            verdict.checked += 1
            named = f"{record.id}: source {number} ({source.publisher}, {source.url})"
            for capture in captures:
                verdict.disagreements += _disagreements(named, source, capture, verdict)
    return verdict


def _disagreements(named: str, source, capture: Capture, verdict: SourcesVerdict) -> list[str]:  # noqa: ANN001
    found = []
    seen = f"capture {capture.sha256[:12]} of {capture.captured_at:%Y-%m-%d %H:%M}Z"
    missing = first_missing_part(source.quote, capture.text) if source.quote else None
    if missing is not None:
        found.append(f"{named}: the quote is not in the {seen}: {_short(missing)!r} not found")
    if capture.page_published is None:
        verdict.undated_pages += 1
    elif not date_agrees(source.published, date.fromisoformat(capture.page_published)):
        found.append(
            f"{named}: published {source.published.edtf}, but the page dates itself "
            f"{capture.page_published} ({seen})"
        )
    return found


def first_missing_part(quote: str, text: str) -> str | None:
    """The first part of the quote (from ``[...]`` to ``[...]``) not found in ``text`` in
    order, or None when every part is."""
    haystack, at = normalised(text), 0
    for part in quote_parts(quote):
        found = haystack.find(part, at)
        if found < 0:
            return part
        at = found + len(part)
    return None


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"
