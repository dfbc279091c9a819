"""Exports of the record for the tools people already use.

Every exporter is a pure function of one ``Bundle``: the believed timeline entries and the
state on a date, computed once by ``uspk export`` from the projections. Exporters import
only the standard library and ``cli.render``, so they are quick to load and easy to test.

Text from event files is untrusted. Two rules hold in every format:

* Markup stays text: each format escapes for its own syntax (HTML entities, Markdown
  backslashes, CSV formula prefixes) and links only ``http(s)`` URLs.
* Invisible controls are shown, never obeyed, wherever a person reads the text: the
  bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069, the
  "Trojan Source" characters) and the C0/C1 control characters become a visible
  ``[U+202E]``. JSON keeps the exact text but writes these characters as ``\\u`` escapes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

TITLE = "The 2025 US\u2013Pakistan reset"

# Tab, LF and CR are ordinary whitespace; every other C0/C1 control and every bidi
# embedding, override and isolate is made visible. LRM/RLM/ALM (U+200E, U+200F, U+061C)
# are marks, not overrides, and legitimate in mixed Urdu-English text: they stay.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that JSON may carry raw but that are escaped in every JSON uspk writes:
# the hidden ones above, and U+2028/U+2029 (line breaks to JavaScript and to editors).
_JSON_ESCAPED = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_JSON_IN_HTML_ESCAPED = re.compile("[<>&\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_HTTP_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def visible(text: Any) -> str:
    """``text`` with its invisible controls shown as ``[U+XXXX]`` (see the module doc)."""
    return _HIDDEN.sub(lambda m: f"[U+{ord(m.group()):04X}]", "" if text is None else str(text))


def link_url(url: str | None) -> str | None:
    """``url`` if it is safe to make a link of (http or https, no spaces or controls)."""
    return url if url and _HTTP_URL.fullmatch(url) else None


def html_text(value: Any) -> str:
    """Event text as HTML that shows exactly the text, controls made visible."""
    return html.escape(visible(value), quote=True)


def cited_link_html(source: dict[str, Any]) -> str:
    """A source's citation as HTML, linked (in a new tab, no referrer) where its URL is
    safe to link."""
    from cli.render import cite  # the citation text every format shares

    label = html_text(cite({**source, "url": None}))
    url = link_url(source.get("url"))
    if url:
        label = (
            f'<a href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{label}</a>'
        )
    return label


def json_text(data: Any, indent: int | None = 2, escape_html: bool = False) -> str:
    """JSON with the exact text, whose hidden characters are written as ``\\u`` escapes.

    With ``escape_html`` it can also sit inside an HTML ``<script>`` element: ``<``, ``>``
    and ``&`` become escapes too, so no text can close the element or open a comment.
    """
    separators = (",", ": ") if indent is not None else (",", ":")
    text = json.dumps(data, indent=indent, ensure_ascii=False, separators=separators)
    # These characters occur only inside JSON strings, where \\uXXXX means the same thing.
    pattern = _JSON_IN_HTML_ESCAPED if escape_html else _JSON_ESCAPED
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Corrections:
    """The amendments and retractions the store holds, and the record as believed before
    each was recorded (so a reader can see what a correction changed)."""

    items: list[dict[str, Any]] = field(default_factory=list)  # in recorded order
    views: list[dict[str, Any]] = field(default_factory=list)  # key, label, believed ids
    former: list[dict[str, Any]] = field(default_factory=list)  # entries no longer believed


@dataclass(frozen=True)
class Bundle:
    """What every export shows: the believed history and the state on one date."""

    entries: list[dict[str, Any]]  # projections.timeline.timeline(...), in occurrence order
    state: dict[str, Any]  # projections.state.state_at(...)
    version: str  # uspk's version, named in the exports
    corrections: Corrections = field(default_factory=Corrections)

    @property
    def as_of(self) -> str:
        return self.state["as_of"]

    @property
    def known_at(self) -> str | None:
        return self.state["known_at"]

    @cached_property
    def _undetermined(self) -> frozenset[str]:
        return frozenset(u["event_id"] for u in self.state["undetermined"])

    def standing(self, entry: dict[str, Any]) -> str:
        """How the state treats an event: settled (counted), undetermined, or after the date."""
        if entry["id"] in self._undetermined:
            return "undetermined"
        return "after" if entry["occurred"]["start"] > self.as_of else "settled"


def extent(entry: dict[str, Any]) -> tuple[str, str, str]:
    """``(start, end, display)`` of an entry: its date interval, stretched to a visit's end."""
    from events.dates import DateError, parse_date

    occurred = entry["occurred"]
    start, end, display = occurred["start"], occurred["end"], occurred["display"]
    until = entry["details"].get("until")
    if until:
        try:
            last = parse_date(until)
        except DateError:  # stored events were validated; never reached
            return start, end, display
        if last.end.isoformat() > end:
            end = last.end.isoformat()
            display = f"{display} \u2013 {last.human()}"
    return start, end, display


def kind_label(kind: str) -> str:
    from events.registry import label

    return label(kind)


def summary_line(bundle: Bundle) -> str:
    """'15 events, June 2025 to 8 Sep 2025; state on 2025-09-08, as known now'."""
    entries = bundle.entries
    count = f"{len(entries)} event{'s' if len(entries) != 1 else ''}"
    if entries:
        first = entries[0]["occurred"]["display"]
        last = max(entries, key=lambda e: (e["occurred"]["start"], e["occurred"]["end"]))
        last = last["occurred"]["display"]
        count += f", {first} to {last}" if last != first else f", {first}"
    known = f"as known at {bundle.known_at}" if bundle.known_at else "as known now"
    return f"{count}; state on {bundle.as_of}, {known}"


# -- corrections ------------------------------------------------------------------------

_SAME_IN_EVERY_VERSION = {"id", "kind", "supersedes", "sources", "note", "summary"}


def correction_data(session: Any, known_at: Any = None) -> Corrections:
    """Every amendment and retraction recorded by ``known_at`` (all when None), what it
    corrected, when, why and on which sources; and the record as believed just before
    each moment a correction was recorded."""
    from projections.timeline import timeline

    records = [r for r in session.records() if known_at is None or r.recorded_at <= known_at]
    by_id = {r.id: r for r in records}
    items = [_correction(r, by_id) for r in records if _corrects(r.document)]
    items = [item for item in items if item is not None]
    current = [r.id for r in session.believed(known_at)]
    views = [{"key": "now", "moment": None, "corrections": [], "believed": current}]
    former: dict[str, dict[str, Any]] = {}
    for number, moment in enumerate(sorted({item["recorded_at"] for item in items}), start=1):
        believed = session.believed(moment - timedelta(microseconds=1))
        views.append(
            {
                "key": f"before-{number}",
                "moment": moment.isoformat(timespec="microseconds"),
                "corrections": [i["id"] for i in items if i["recorded_at"] == moment],
                "believed": [r.id for r in believed],
            }
        )
        for entry in timeline([r for r in believed if r.id not in current]):
            former.setdefault(entry["id"], entry)
    for item in items:
        del item["recorded_at"]
    ordered = sorted(former.values(), key=lambda e: (e["occurred"]["start"], e["id"]))
    return Corrections(items=items, views=views, former=ordered)


def _corrects(document: Any) -> bool:
    return document.kind == "retraction" or getattr(document, "supersedes", None) is not None


def _correction(record: Any, by_id: dict[str, Any]) -> dict[str, Any] | None:
    from projections.views import source_view, timestamp_view

    document = record.document
    retraction = document.kind == "retraction"
    target = by_id.get(document.retracts if retraction else document.supersedes)
    if target is None:  # names an event recorded after the moment shown
        return None
    item = {
        "type": "retracted" if retraction else "amended",
        "id": document.id,
        "recorded": timestamp_view(record.recorded_at),
        "recorded_at": record.recorded_at,
        "reason": document.reason if retraction else (document.note or document.summary),
        "sources": [source_view(s) for s in document.sources],
        "target": _brief(target.document),
        "replacement": None if retraction else _brief(document),
        "changes": [] if retraction else _changes(target.document, document),
    }
    return item


def _brief(document: Any) -> dict[str, Any]:
    from projections.views import date_view

    brief = {"id": document.id, "kind": document.kind}
    if document.kind != "retraction":
        brief |= {"title": document.title, "occurred": date_view(document.occurred)}
    return brief


def _changes(before: Any, after: Any) -> list[dict[str, str]]:
    """The fields an amendment changed, each as text before and after."""
    if before.kind == "retraction":
        return []
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return [
        {"field": name, "before": _as_text(old.get(name)), "after": _as_text(new.get(name))}
        for name in dict.fromkeys([*old, *new])
        if name not in _SAME_IN_EVERY_VERSION and old.get(name) != new.get(name)
    ]


def _as_text(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return value.get("name") or value.get("id") or json.dumps(value, ensure_ascii=False)
    return str(value)
