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
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cli.render import batched_text, indented_pieces
from projections.corrections import Corrections

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


def capture_link(source: dict[str, Any]) -> tuple[str, str] | None:
    """``(href, words)`` of a source's published capture (``uspk export --with-captures``),
    or None: the href is uspk's own relative path to a file named by its sha256."""
    capture = source.get("capture") or {}
    if not capture.get("href"):
        return None
    words = f"capture of {capture['captured_at'][:10]}, sha256 {capture['sha256'][:12]}\u2026"
    return capture["href"], words


def json_text(data: Any, indent: int | None = 2, escape_html: bool = False) -> str:
    """JSON with the exact text, whose hidden characters are written as ``\\u`` escapes.

    With ``escape_html`` it can also sit inside an HTML ``<script>`` element: ``<``, ``>``
    and ``&`` become escapes too, so no text can close the element or open a comment.
    """
    return "".join(json_chunks(data, indent, escape_html))


def json_chunks(data: Any, indent: int | None = 2, escape_html: bool = False) -> Iterator[str]:
    """``json_text`` a piece at a time, so that an export is written as it is encoded and
    never held whole: the same text (``"".join`` of it is ``json_text``)."""
    encoder = _encoder(indent)
    if indent is not None:  # json.dumps's own encoder's pieces, a Streamed item by item
        pieces = _streamed_pieces(data, encoder, " " * indent)
    else:  # the compact C encoder, member by member and item by item of the top lists
        pieces = _compact_pieces(data, encoder.encode)
    # These characters occur only inside JSON strings, where \\uXXXX means the same thing.
    pattern = _JSON_IN_HTML_ESCAPED if escape_html else _JSON_ESCAPED
    for batch in batched_text(pieces):
        yield pattern.sub(_unicode_escape, batch)


def _encoder(indent: int | None) -> json.JSONEncoder:
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.JSONEncoder(indent=indent, ensure_ascii=False, separators=separators)


class Spooled:
    """A list that compact ``json_chunks`` writes from a temporary file (in memory while
    it is small) into which its items were encoded as they came: what one pass over an
    export's events writes in several places of a document (the page's list, chart and
    data) without reading them again or holding them. A context manager: the file is
    gone when it is left."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed on leaving
            max_size=1 << 20, mode="w+", encoding="utf-8", newline=""
        )
        self.encode, self.empty = _encoder(None).encode, True

    def __enter__(self) -> Spooled:
        return self

    def __exit__(self, *_: object) -> None:
        self.file.close()

    def add(self, item: Any) -> None:
        self.file.write(self.encode(item) if self.empty else "," + self.encode(item))
        self.empty = False

    def pieces(self) -> Iterator[str]:
        self.file.seek(0)
        while piece := self.file.read(1 << 16):
            yield piece


class Streamed:
    """A list that ``json_chunks`` writes as its items come (an export's events, read a
    page at a time), or with ``pairs`` an object written a member at a time (the state, a
    section at a time): the same text as the list or dict would give, never held whole.
    Indented JSON: inside an object. Compact JSON (the page's embedded data): a list
    within the levels that ``_compact_pieces`` opens."""

    def __init__(self, items: Iterable[Any], pairs: bool = False) -> None:
        self.items, self.pairs = items, pairs


def _streamed_pieces(value: Any, encoder: json.JSONEncoder, pad: str, depth: int = 0):  # noqa: ANN201
    """``value`` indented as ``json.dumps(value, indent=len(pad))`` writes it at ``depth``,
    each ``Streamed`` in it written an item at a time. What holds none is the encoder's
    own text with each line break indented ``depth`` times more (JSON text has no raw
    line break but those)."""
    if isinstance(value, dict) and any(isinstance(v, Streamed) for v in value.values()):
        value = Streamed(value.items(), pairs=True)
    if not isinstance(value, Streamed) and pad == "  ":  # as ``uspk``'s own JSON is written
        yield from indented_pieces(value, pad * depth)
        return
    if not isinstance(value, Streamed):  # pure Python when indented
        pieces = encoder.iterencode(value)
        yield from (p.replace("\n", "\n" + pad * depth) for p in pieces) if depth else pieces
        return
    opening, closing = "{}" if value.pairs else "[]"
    inside = f"\n{pad * (depth + 1)}"
    empty = True
    for item in value.items:
        yield f"{opening if empty else ','}{inside}"
        if value.pairs:
            key, item = item
            yield f"{encoder.encode(key)}: "
        yield from _streamed_pieces(item, encoder, pad, depth + 1)
        empty = False
    yield opening + closing if empty else f"\n{pad * depth}{closing}"


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _compact_pieces(data: Any, encode: Callable[[Any], str], depth: int = 3) -> Iterator[str]:
    """Compact JSON of ``data`` (no spaces), its objects and lists opened ``depth`` levels
    deep so that no piece holds more than one of their members."""
    if depth and isinstance(data, Mapping) and all(isinstance(k, str) for k in data):
        yield "{"
        for i, (key, value) in enumerate(data.items()):
            yield f"{',' if i else ''}{encode(key)}:"
            yield from _compact_pieces(value, encode, depth - 1)
        yield "}"
    elif isinstance(data, Spooled):
        yield "["
        yield from data.pieces()
        yield "]"
    elif depth and (isinstance(data, (list, Streamed)) or _is_made(data)):
        data = data.items if isinstance(data, Streamed) else data
        yield "["
        for i, item in enumerate(data):
            if i:
                yield ","
            yield from _compact_pieces(item, encode, depth - 1)
        yield "]"
    elif _is_made(data):
        yield encode(list(data))
    else:
        yield encode(data)


def _is_made(value: Any) -> bool:
    """A sequence whose items are made as they are taken (a state section's
    ``kept_reading.Entries``): written as a list, which the C encoder cannot take it for."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, list, tuple))


@dataclass(frozen=True)
class Bundle:
    """What every export shows: the believed history and the state on one date."""

    # projections.timeline.timeline(...), in occurrence order: a list, or (the page's,
    # gone through once, with ``seen``) an iterator of them as they are read
    entries: Iterable[dict[str, Any]]
    state: Mapping[str, Any]  # projections.state.state_at(...), or the page's KeptState
    version: str  # uspk's version, named in the exports
    corrections: Corrections = field(default_factory=Corrections)
    changes: list[dict[str, Any]] = field(default_factory=list)  # projections.changelog
    chain: dict[str, Any] | None = None  # the chain head: count, head, mark (one line)
    seen: Overview | None = None  # the overview, when it was read otherwise (the page's)

    @property
    def chain_mark(self) -> str:
        """The chain head's line, which `uspk verify --against` finds ('' if none)."""
        return (self.chain or {}).get("mark") or ""

    @property
    def as_of(self) -> str:
        return self.state["as_of"]

    @property
    def known_at(self) -> str | None:
        return self.state["known_at"]

    @property
    def recorded_until(self) -> str | None:
        """The last day an exported event is dated to, when the state's date is after
        it (the state shown is then the last known one); else None."""
        last = self.overview.last_end
        return last if last is not None and self.as_of > last else None

    @cached_property
    def overview(self) -> Overview:
        """What the heads of an export say of all its events: ``seen``, or one pass over
        them."""
        return self.seen or Overview.of(self.entries)

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
    from events.kinds import label

    return label(kind)


@dataclass(frozen=True)
class Overview:
    """What is said of all of an export's events before any is written (counts, the
    span, the chart's lanes), gathered in one pass so that the events need not be held."""

    count: int = 0
    first: str | None = None  # the first event's date, as shown
    last: str | None = None  # the latest-starting (then latest-ending) one's, as shown
    last_end: str | None = None  # the last day any event is dated to
    kinds: frozenset[str] = frozenset()

    @classmethod
    def of(cls, entries: Iterable[dict[str, Any]]) -> Overview:
        count, first, latest, last_end, kinds = 0, None, None, None, set()
        for entry in entries:
            occurred = entry["occurred"]
            count += 1
            first = first or occurred
            if latest is None or (occurred["start"], occurred["end"]) > (
                latest["start"],
                latest["end"],
            ):  # the first of the latest, as max() gives
                latest = occurred
            last_end = max(last_end or occurred["end"], occurred["end"])
            kinds.add(entry["kind"])
        return cls(
            count,
            first and first["display"],
            latest and latest["display"],
            last_end,
            frozenset(kinds),
        )


def summary_line(bundle: Bundle) -> str:
    """'15 events, June 2025 to 8 Sep 2025; state on 2025-09-08, as known now'."""
    seen = bundle.overview
    count = f"{seen.count} event{'s' if seen.count != 1 else ''}"
    if seen.count:
        first, last = seen.first, seen.last
        count += f", {first} to {last}" if last != first else f", {first}"
    known = f"as known at {bundle.known_at}" if bundle.known_at else "as known now"
    return f"{count}; state on {bundle.as_of}, {known}"


# -- corrections ------------------------------------------------------------------------
