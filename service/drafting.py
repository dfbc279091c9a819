"""``uspk draft``: what an archived report offers an event file, read from its capture.

Read, never judged: the source's publisher, headline, url and the page's own date; the
known actors the text names (by name or alias, from the record's registry); names that
look like new actors; the dates and amounts it states; its sentences that name known
actors (candidate quotes). What happened, when, and at which precision stays for a
person: the draft fills only the source and the actors, and lists the rest as comments.
"""

from __future__ import annotations

import calendar
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

from service.captures import Capture

_MONTHS = list(calendar.month_name)[1:]
_MONTH = "(?P<m>" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?)"
_DATES = [  # (pattern, precision): the year is always stated; no year, no date
    (re.compile(rf"\b(?P<d>\d{{1,2}}) {_MONTH},? (?P<y>\d{{4}})\b"), "day"),
    (re.compile(rf"\b{_MONTH} (?P<d>\d{{1,2}}),? (?P<y>\d{{4}})\b"), "day"),
    (re.compile(rf"\b{_MONTH},? (?P<y>\d{{4}})\b"), "month"),
]
_AMOUNT = re.compile(
    r"(?:US\$|\$|USD ?|Rs\.? ?|PKR ?|€|£)\d[\d,]*(?:\.\d+)?"
    r"(?: ?(?:million|billion|trillion|bn|m)\b)?"
    r"|\b\d[\d,]*(?:\.\d+)? (?:million|billion|trillion) (?:dollars|rupees|euros)\b"
)
# Two or more capitalised words: a name, a title or an institution (a candidate, no more)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:of |the |and )?[A-Z][a-z]+)+\b")
_TITLES = {
    "Mr", "Ms", "Mrs", "Dr", "Senator", "President", "Minister", "Prime", "Deputy",
    "Secretary", "Finance", "Foreign", "Commerce", "Field", "Marshal", "General", "Chief",
    "State", "Ambassador", "Governor", "Chairman", "Federal", "Army", "Interior", "Defence",
}  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019']?\s+(?=[\"\u201c\u2018A-Z])")
COMMENT_WIDTH = 88
# Controls and the line breaks YAML (and editors) honour: \r, NEL, LS, PS, ...
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass
class Report:
    """What a capture of a report offers an event file."""

    capture: Capture
    actors: dict[str, str] = field(default_factory=dict)  # id -> the name the text uses
    candidates: list[str] = field(default_factory=list)  # names not in the registry
    dates: list[tuple[str, str]] = field(default_factory=list)  # (as stated, EDTF)
    amounts: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)  # sentences naming known actors


def read_report(capture: Capture, registry: dict[str, Any]) -> Report:
    """The report in ``capture`` read against the record's actors (``registry``)."""
    text = capture.text
    report = Report(capture)
    spans: list[tuple[int, int]] = []
    for actor_id, actor in registry.items():
        for name in sorted({actor.name, *actor.aliases}, key=len, reverse=True):
            found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
            if found:
                report.actors.setdefault(actor_id, name)
                spans += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    order = {a: text.find(n) for a, n in report.actors.items()}
    report.actors = dict(sorted(report.actors.items(), key=lambda item: order[item[0]]))
    report.candidates = _candidates(text, spans)
    report.dates = _dates(text)
    report.amounts = list(dict.fromkeys(m.group().strip() for m in _AMOUNT.finditer(text)))
    # a person is named again by surname ("Mr Rubio said"): enough to offer the sentence
    names = [*report.actors.values()] + [
        registry[a].name.split()[-1] for a in report.actors if registry[a].type == "person"
    ]
    report.quotes = [
        s.strip()
        for s in _SENTENCE_END.split(text.replace("\n", " "))
        if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", s) for n in names)
    ]
    return report


def _candidates(text: str, known: list[tuple[int, int]]) -> list[str]:
    found = []
    for match in _NAME.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in known):
            continue
        words = match.group().split()
        while words and words[0] in _TITLES:
            words = words[1:]
        name = " ".join(words)
        if len(words) >= 2 and not any(w in _MONTHS for w in words):
            found.append(name)
    return list(dict.fromkeys(found))


def _dates(text: str) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    taken: list[tuple[int, int]] = []
    for pattern, precision in _DATES:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue  # "November 2025" inside "November 11, 2025"
            month = _month_number(match["m"])
            if month is None:
                continue
            year = match["y"]
            edtf = f"{year}-{month:02d}" + (f"-{int(match['d']):02d}" if precision == "day" else "")
            taken.append(match.span())
            found.setdefault(match.group(), edtf)
    return list(found.items())


def _month_number(word: str | None) -> int | None:
    if not word:
        return None
    word = word.rstrip(".")[:3]
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(word):
            return number
    return None


def values(report: Report, model: type) -> dict[str, Any]:
    """The fields a draft fills in: the source as the page gives it, the actors named."""
    capture = report.capture
    source: dict[str, Any] = {"url": capture.url}
    if capture.site:
        source["publisher"] = capture.site
    if capture.title:
        source["title"] = capture.title
    if capture.page_published:
        source["published"] = capture.page_published
    filled: dict[str, Any] = {"sources": [source]}
    if report.actors and "actors" in model.model_fields:
        filled["actors"] = list(report.actors)
    return filled


def header(report: Report) -> str:
    """The draft's opening comments: where it comes from, and what the text offers."""
    capture = report.capture
    when = capture.view()["captured_at"]
    lines = [
        f"Drafted by `uspk draft` from the capture {capture.sha256} of {capture.url} "
        f"(captured {when}). The source and `actors` are filled in from the page; check "
        "them. Kind, date and its precision, title, summary and the rest are yours to "
        "decide: nothing below is a judgement.",
        "",
    ]
    if report.actors:
        named = ", ".join(f"{a} ({n})" for a, n in report.actors.items())
        lines += [f"Known actors the text names: {named}.", ""]
    sections = [
        ("Names not in the record's actors (introduce one under `introduces` if the event "
         "needs it; uspk actors lists the known ones):", report.candidates),
        ("Dates the text states (the event's date is when it happened, at the precision a "
         "source gives):", [f"{said} = {edtf}" for said, edtf in report.dates]),
        ("Amounts the text states:", report.amounts),
        ("Candidate quotes (sentences naming known actors); copy the words that carry the "
         "fact into the source's quote:", report.quotes),
    ]  # fmt: skip
    for title, items in sections:
        if items:
            lines.append(title)
            lines += [f"- {item}" for item in items]
            lines.append("")
    out = []
    for line in lines:
        # the page's words stay inside the comment: no character of theirs ends its line
        line = _LINE_BREAKING.sub(" ", line)
        wrapped = textwrap.wrap(line, COMMENT_WIDTH - 2, subsequent_indent="  ")
        out += [f"# {w}" for w in wrapped] or ["#"]
    return "\n".join(out) + "\n"
