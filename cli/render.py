"""Text, Markdown and CSV renderings of the projections' plain data.

Text is for an 80-column terminal: a heading line per item, then wrapped, indented body.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import islice
from typing import Any

import orjson

from events.relations import backward, forward

WIDTH = 80
_INDENT = "    "


def wrap(text: str, indent: str = _INDENT, width: int = WIDTH) -> str:
    # Ids and URLs stay whole on one line, so they can be copied or clicked.
    return textwrap.fill(
        " ".join(text.split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def as_json(data: Any) -> str:
    return indented_json(data)


def json_object_chunks(members: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """The text ``as_json`` gives the object of ``members``, one piece at a time: each
    member, and each run of items of a member that is a list, is encoded when it comes,
    so the whole object is never held as one string."""
    yield "{"
    empty = True
    for key, value in members:
        yield f"{'' if empty else ','}\n  {json.dumps(key, ensure_ascii=False)}: "
        empty = False
        yield from indented_pieces(value, "  ")
    yield "}" if empty else "\n}"


def json_list_chunks(items: Iterable[Any]) -> Iterator[str]:
    """The text ``as_json`` gives the list of ``items``, a run of items at a time as
    they come (``indented_pieces``)."""
    return indented_pieces(iter(items))


def batched_text(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """The pieces joined into strings of about ``size`` characters (an encoder's many
    small pieces, written in few large writes)."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def indented_pieces(value: Any, indent: str = "") -> Iterator[str]:
    """``indented_json``'s text in pieces: a long list, or an iterator of items (written
    as a list: items made as they are taken), a run of items at a time, so that no piece
    holds more than a run of them (a section of the state, the exports' lists)."""
    if isinstance(value, Iterator):
        runs = iter(lambda: list(islice(value, _ITEMS_AT_ONCE)), [])
    elif isinstance(value, list) and len(value) > _ITEMS_AT_ONCE:
        runs = (value[i : i + _ITEMS_AT_ONCE] for i in range(0, len(value), _ITEMS_AT_ONCE))
    else:
        yield indented_json(value, indent)
        return
    closing = len(indent) + 2  # a list's text ends with a line break, the indent and "]"
    empty = True
    for run in runs:
        # A run of items as a list: "[\n  item,\n  item\n]", its brackets dropped.
        yield ("[" if empty else ",") + indented_json(run, indent)[1:-closing]
        empty = False
    yield "[]" if empty else f"\n{indent}]"


_ITEMS_AT_ONCE = 256  # encoded in one call: fewer calls, and a piece that stays small


def indented_json(value: Any, indent: str = "") -> str:
    """``value`` as JSON indented by two spaces, its text as it is (not ``\\u``-escaped),
    nested at ``indent`` (a JSON text's line breaks are all between tokens: a string's
    own are escaped): ``json.dumps(value, indent=2, ensure_ascii=False)``'s text.

    orjson writes it: the standard library's indenting encoder is pure Python, 18 times
    slower on a large state. What orjson will not write (an integer past 64 bits, a lone
    surrogate, a key that is not text: only an edited index holds such) the standard
    library writes, as before. A float from an edited row may read differently (``1e-7``
    for ``1e-07``, ``null`` for ``NaN``): uspk writes none; amounts are decimal text."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + indent) if indent else text


def cite(source: dict[str, Any]) -> str:
    """'Livemint, "title", 4 Oct 2025, reporting Financial Times, 3 Oct 2025 (denies) <url>'."""
    title = f", \u201c{source['title']}\u201d" if source.get("title") else ""
    text = f"{source['publisher']}{title}, {source['published']['display']}"
    relayed = source.get("relays")
    if relayed:
        when = f", {relayed['published']['display']}" if relayed.get("published") else ""
        text += f", reporting {relayed['publisher']}{when}"
    if source.get("stance") and source["stance"] != "reports":
        text += f" ({source['stance']} it)"
    return f"{text} <{source['url']}>" if source.get("url") else text


def relation_lines(view: dict[str, Any]) -> list[str]:
    """'fulfils X', 'fulfilled by Y' and the values other sources give, one line each."""
    lines = []
    for relation in view.get("relates", ()):
        note = f" ({relation['note']})" if relation.get("note") else ""
        lines.append(f"{forward(relation['relation'])} {relation['to']}{note}")
    for relation in view.get("related_by", ()):
        note = f" ({relation['note']})" if relation.get("note") else ""
        lines.append(f"{backward(relation['relation'])} {relation['from']}{note}")
    for alternative in view.get("alternatives", ()):
        lines.append(alternative_text(alternative))
    return lines


def alternative_text(alternative: dict[str, Any]) -> str:
    note = f" ({alternative['note']})" if alternative.get("note") else ""
    said_by = ", ".join(alternative["said_by"])
    cited = "".join(f"; source: {cite(s)}" for s in alternative.get("sources", ()))
    return (
        f"{alternative['field']} given otherwise: {alternative['value']} by {said_by}{note}{cited}"
    )


def _when(date: dict[str, Any]) -> str:
    return f"{date['display']} [{date['precision']}]"


# -- timeline -------------------------------------------------------------------------


def timeline_text(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "No events match."
    blocks = [_entry_text(entry) for entry in entries]
    return "\n\n".join(blocks) + f"\n\n{len(entries)} event{'s' if len(entries) != 1 else ''}."


def _entry_text(entry: dict[str, Any]) -> str:
    head = f"{_when(entry['occurred'])}  {entry['kind']}  ({entry['id']})"
    lines = [head, wrap(entry["title"], indent="  ", width=WIDTH), wrap(entry["summary"])]
    if entry.get("note"):
        lines.append(wrap("Note: " + entry["note"]))
    lines += [wrap(line) for line in relation_lines(entry)]
    lines += [wrap("Source: " + cite(s)) for s in entry["sources"]]
    return "\n".join(lines)


def timeline_markdown(entries: list[dict[str, Any]]) -> str:
    lines = ["| Date | Kind | Event | Sources |", "| --- | --- | --- | --- |"]
    notes: list[str] = []
    for entry in entries:
        marks = []
        for source in entry["sources"]:
            notes.append(cite(source))
            marks.append(f"[^{len(notes)}]")
        title = md_cell(entry["title"])
        lines.append(
            f"| {md_cell(entry['occurred']['display'])} | {entry['kind']} "
            f"| **{title}** ({entry['id']}) | {' '.join(marks)} |"
        )
    lines.append("")
    lines += [f"[^{n}]: {md_cell(text)}" for n, text in enumerate(notes, start=1)]
    return "\n".join(lines)


# Characters that start Markdown syntax: code, emphasis, links, HTML, table cells,
# headings, images, strike-through (~~) and e-mail autolinks (a@b.example).
_MARKUP = "\\`*_[]<>|#!~@"
# After the escapes: '&' would start an entity; 'http://', '//host', 'mailto:', 'xmpp:' and
# 'www.' would become links (GitHub-flavoured autolinks, markdown-it's linkify). A
# backslash before their punctuation keeps them text.
_AUTOLINK = re.compile(r"(://|//|mailto:|xmpp:|www\.|&)", re.IGNORECASE)


def md_cell(text: str) -> str:
    """Markdown-inert text for a table cell: no links, no HTML, no column breaks."""
    text = " ".join(str(text).split())
    for char in _MARKUP:
        text = text.replace(char, "\\" + char)
    return _AUTOLINK.sub(_defuse_autolink, text)


def _defuse_autolink(match: re.Match[str]) -> str:
    # Backslash escapes of punctuation, which CommonMark shows as the bare character.
    found = match.group()
    if found.endswith(":"):  # 'mailto:', 'xmpp:'
        return found[:-1] + "\\:"
    if found.endswith("/"):  # '://', '//'
        return "\\" + found
    return "\\&" if found == "&" else found[:3] + "\\."


TIMELINE_CSV_COLUMNS = [
    "id",
    "kind",
    "date",
    "precision",
    "start",
    "end",
    "title",
    "summary",
    "actors",
    "source_publisher",
    "source_title",
    "source_published",
    "source_url",
    "recorded",
    "note",
    "relates",
    "alternatives",
]


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: formulas (=, +, -, @, tab, CR) are defused."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def event_csv_head(entry: dict[str, Any]) -> list[str]:
    """The first columns of every CSV of events: id, kind and the date with its precision
    (date, precision, start, end)."""
    occurred = entry["occurred"]
    dates = [occurred[k] for k in ("edtf", "precision", "start", "end")]
    return [entry["id"], entry["kind"], *dates]


def timeline_csv(entries: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TIMELINE_CSV_COLUMNS)
    for entry in entries:
        first = entry["sources"][0]
        row = [
            *event_csv_head(entry),
            entry["title"],
            entry["summary"],
            "; ".join(entry["actors"]),
            first["publisher"],
            first["title"],
            first["published"]["edtf"],
            first["url"],
            entry["recorded"],
            entry["note"],
            "; ".join(relation_lines({"relates": entry.get("relates", ())})),
            "; ".join(map(alternative_text, entry.get("alternatives", ()))),
        ]
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


# -- state ----------------------------------------------------------------------------


# How many entries of each section `uspk state` shows without --all (README: "The state
# on a date").
LATEST = 5


def horizon_line(last: date | str, asked: date | str) -> str:
    """The one line that says where the record stops, for a date after it."""
    from events.dates import parse_date

    day = parse_date(str(last)).human()
    return (
        f"Nothing after {day} is recorded: what is shown for {asked} is the last known "
        "state, not news of that day."
    )


def state_text(
    state: Mapping[str, Any],
    latest: int | None = LATEST,
    recorded_until: date | None = None,
    counts: dict[str, int] | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """The state for people: per section its count and its last ``latest`` entries
    (the latest: sections list entries in the order they occurred), all when None.
    ``recorded_until``: the record's last day, given when the date asked is after it.
    ``state`` may hold only the entries shown, with each section's ``counts`` and the
    ``names`` of the actors the shown engagements name (a ``kept_reading.Summary``)."""
    return "\n".join(state_lines(state, latest, recorded_until, counts, names))


def state_lines(
    state: Mapping[str, Any],
    latest: int | None = LATEST,
    recorded_until: date | None = None,
    counts: dict[str, int] | None = None,
    names: dict[str, str] | None = None,
) -> Iterator[str]:
    """``state_text``'s lines, each made when it is taken: a section's entries are gone
    through one at a time, as they come (a ``kept_reading.Entries``: each made from its row when
    taken), and never held, so that the whole state written (``state --all``) holds
    one section's rows at a time, not its entries or its text (``_listed``)."""
    counts = counts or {}
    known = f", as known at {state['known_at']}" if state.get("known_at") else ""
    yield f"State on {state['as_of']}{known}"
    if recorded_until is not None:
        yield horizon_line(recorded_until, state["as_of"])
    yield ""

    def _bounded(heading: str, section: str, entries: Sequence[dict[str, Any]]) -> tuple:
        return bounded(heading, entries, latest, counts.get(section))

    yield from _listed(_bounded("Agreements", "agreements", state["agreements"]), _agreement)
    names = names or {a["id"]: a["name"] for a in state["actors"]}
    yield ""
    yield from _listed(
        _bounded("Engagements", "engagements", state["engagements"]),
        lambda e: _engagement(e, names),
    )
    yield ""
    yield from _listed(_bounded("Next steps", "next_steps", state["next_steps"]), _step)
    yield ""
    yield from _said_section(state, latest, counts.get("said"))
    yield from _new_kind_sections(state, latest, counts)
    for heading, noted in _noted_groups(state):
        yield ""
        yield from _listed(_bounded(heading, f"noted:{noted[0]['label']}", noted), _noted)
    yield ""
    head, actors = _bounded("Actors", "actors", state["actors"])
    yield from head
    yield from wrapped_lines(joined((a["name"] for a in actors), ", ", "none"), indent="  ")
    del actors  # a section's rows are held only while it is written
    yield ""
    yield from _listed(
        _bounded("Undetermined on this date", "undetermined", state["undetermined"]),
        _undetermined,
    )


def _listed(section: tuple, lines: Callable[[dict[str, Any]], Iterator[str]]) -> Iterator[str]:
    """A section's heading and each entry's ``lines``, from ``bounded``'s (heading,
    entries): the entries (a section's rows) are held here only, while they are written."""
    head, entries = section
    yield from head
    for entry in entries:
        yield from lines(entry)


def _agreement(a: dict[str, Any]) -> Iterator[str]:
    parties = " \u2013 ".join(p["name"] for p in a["parties"])
    yield f"  {a['id']}: {a['instrument']}"
    yield wrap(parties)
    yield wrap(f"{a['status']} {_when(a['signed'])}" + (f" at {a['venue']}" if a["venue"] else ""))
    if a["minerals"]:
        yield wrap("minerals: " + ", ".join(a["minerals"]))
    for c in a["commitments"]:
        phase = f" ({c['phase']})" if c["phase"] else ""
        status = f" [{c['status']}]" if c.get("status", "made") != "made" else ""
        yield wrap(f"commitment{phase}{status}: {c['display']}  [{c['event_id']}]")
        yield from (wrap(line, indent=_INDENT * 2) for line in relation_lines(c))


def _engagement(e: dict[str, Any], names: dict[str, str]) -> Iterator[str]:
    until = f" to {e['until']['display']}" if e["until"] else ""
    yield f"  {e['date']['display']}{until}  {e['kind']}, {e['status']}"
    yield wrap(e["title"])
    roles = engagement_roles(e, names)
    if roles:
        yield wrap(roles)


def _step(s: dict[str, Any]) -> Iterator[str]:
    overdue = ", overdue" if s.get("overdue") else ""
    yield f"  [{s['status']}{overdue}] {s['id']}"
    yield wrap(s["description"])
    yield from (wrap(line) for line in relation_lines(s))


def _noted(n: dict[str, Any]) -> Iterator[str]:
    yield f"  {n['date']['display']}  {n['event_id']}"
    yield wrap(f"{n['title']}: {n['summary']}")


def _undetermined(u: dict[str, Any]) -> Iterator[str]:
    yield f"  {u['event_id']}"
    yield wrap(f"{u['title']}: {u['reason']}")


def joined(texts: Iterable[str], separator: str, empty: str = "") -> Iterator[str]:
    """``separator.join(texts) or empty``, a piece at a time."""
    written = False
    for n, text in enumerate(texts):
        if n:
            yield separator
            written = True
        if text:
            yield text
            written = True
    if not written:
        yield empty


_WORDS_AT_ONCE = 1024  # wrapped in one call: a run of lines, never the whole list


def wrapped_lines(
    pieces: Iterable[str], indent: str = _INDENT, run: int = _WORDS_AT_ONCE
) -> Iterator[str]:
    """``wrap("".join(pieces), indent)``'s lines, the text wrapped ``run`` words at a
    time as it comes (a list of every actor's name, as long as the history). Filling is
    greedy, so where a line ends depends only on where it begins: every line of a run but
    its last is a line of the whole, and the last is wrapped again with the next run."""
    carried: list[str] = []  # the words of the last line wrapped, perhaps not yet full
    words: list[str] = []
    partial = ""  # a word a piece ended inside of
    for piece in pieces:
        text = partial + piece
        found = text.split()
        partial = found.pop() if found and not text[-1].isspace() else ""
        words += found
        if len(words) >= run:
            lines = wrap(" ".join([*carried, *words]), indent).split("\n")
            yield from lines[:-1]
            carried, words = lines[-1][len(indent) :].split(" "), []
    yield from wrap(" ".join([*carried, *words, partial]), indent).split("\n")


def engagement_roles(e: dict[str, Any], names: dict[str, str]) -> str:
    """'hosted by X; mediated by Y; opened by Z; with A, B; more than 50 delegations':
    the roles a conference or talks give (nothing for a meeting or a visit)."""

    def who(ids: list[str]) -> str:
        return ", ".join(names.get(i, i) for i in ids)

    if not (e.get("hosts") or e.get("mediators")):
        return ""
    parts = [f"hosted by {who(e['hosts'])}"] if e.get("hosts") else []
    if e.get("mediators"):
        parts.append(f"mediated by {who(e['mediators'])}")
    if e.get("opened_by"):
        parts.append(f"opened by {who(e['opened_by'])}")
    if e["participants"]:
        parts.append(f"with {who(e['participants'])}")
    if e.get("attendance"):
        parts.append(e["attendance"])
    return "; ".join(parts)


def bounded(
    heading: str, entries: Sequence[dict[str, Any]], latest: int | None, count: int | None = None
) -> tuple[list[str], Sequence[dict[str, Any]]]:
    """A section's heading with its count (``count``, when ``entries`` holds only the
    latest; else theirs), a line for the entries left out, and the entries to show: the
    last ``latest`` of them, or all."""
    total = len(entries) if count is None else count
    if latest is None or total <= latest:
        return [f"{heading} ({total})"], entries
    return [
        f"{heading} ({total}, the latest {latest} shown)",
        f"  ... {total - latest} earlier not shown; --all shows everything",
    ], entries[-latest:]


def _new_kind_sections(
    state: Mapping[str, Any], latest: int | None = LATEST, counts: dict[str, int] | None = None
) -> Iterator[str]:
    """Measures, financing, shipments and announcements, as ``state_text`` shows them."""
    counts = counts or {}

    def _bounded(heading: str, section: str) -> tuple:
        return bounded(heading, state.get(section, []), latest, counts.get(section))

    for heading, section, lines in (
        ("Measures", "measures", _measure),
        ("Financing", "financing", _financing),
        ("Shipments", "shipments", _shipment),
    ):
        yield ""
        yield from _listed(_bounded(heading, section), lines)


def _measure(m: dict[str, Any]) -> Iterator[str]:
    value = f": {m['value']}" if m["value"] else ""
    yield f"  {m['measure']}{value} ({m['status']})"
    since = f"since {m['since']['display']}, " if m["in_force"] else ""
    yield wrap(f"{since}{m['instrument']} by {m['authority']['name']}  [{m['event_id']}]")


def _financing(f: dict[str, Any]) -> Iterator[str]:
    amount = f", {f['display']}" if f["display"] else ""
    yield f"  [{f['stage']}] {f['id']}{amount}"
    borrower = f" to {f['borrower']['name']}" if f["borrower"] else ""
    yield wrap(f"{f['lender']['name']}{borrower}: {f['project']}")
    yield from (wrap(line) for line in relation_lines(f))


def _shipment(m: dict[str, Any]) -> Iterator[str]:
    quantity = f", {m['quantity']}" if m["quantity"] else ""
    yield f"  {m['date']['display']}  {m['event_id']}"
    yield wrap(f"{', '.join(m['goods'])}{quantity}: {m['title']}")
    serves = [f"agreement {m['agreement']}"] * bool(m["agreement"]) + [f"step {m['step']}"] * bool(
        m["step"]
    )
    if serves:
        yield wrap("serves " + ", ".join(serves))
    yield from (wrap(line) for line in relation_lines(m))


def said(state: Mapping[str, Any]) -> Sequence[dict[str, Any]]:
    """What was said by the date, latest first: statements and the claims of
    announcements and proposals, each as ``{date, who, words, event_id, standing,
    view}`` (``view``: the state's entry, with its relations), made when it is taken:
    only each one's place is held (its sections' entries are gone through once for
    their dates, and each is made again when its item is taken)."""
    sections = [state.get(section, ()) for section in _SAYING]
    places = [
        (n, i, (entry["date"]["end"], entry["date"]["start"]))
        for n, entries in enumerate(sections)
        for i, entry in enumerate(entries)
    ]
    places.sort(key=lambda place: place[2], reverse=True)  # equal dates: the state's order
    makers = list(_SAYING.values())
    return _Placed([(n, i) for n, i, _ in places], lambda n, i: makers[n](sections[n][i]))


class _Placed(Sequence):
    """Items taken from their places (``places``) in the order of the places, each made
    (``make(*place)``) when it is taken and never kept."""

    def __init__(self, places: list[tuple], make: Any) -> None:
        self.places, self.make = places, make

    def __len__(self) -> int:
        return len(self.places)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.make(*place) for place in self.places[index]]
        return self.make(*self.places[index])


def _statement_said(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": s["date"],
        "who": s["speaker"],
        "words": f"\u201c{s['quote']}\u201d",
        "event_id": s["event_id"],
        "standing": s.get("standing"),
        "view": s,
    }


def _announcement_said(a: dict[str, Any]) -> dict[str, Any]:
    realised = ", ".join(a["realised_by"])
    status = f"realised by {realised}" if realised else "not realised"
    return {
        "date": a["date"],
        "who": a["announcer"]["name"],
        "words": f"{a['claim']} (announced: {a['deal']}, {status})" + money_words(a),
        "event_id": a["event_id"],
        "standing": a.get("standing"),
        "view": a,
    }


def _proposal_said(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": p["date"],
        "who": p["proposer"],
        "words": f"{p['claim']} (proposal {p['proposal']}: {p['status']}"
        + {True: ", official", False: ", not official", None: ""}[p["official"]]
        + ")"
        + money_words(p),
        "event_id": p["event_id"],
        "standing": p.get("standing"),
        "view": p,
    }


# The sections of what was said, in the state's order, and each one's item.
_SAYING = {
    "statements": _statement_said,
    "announcements": _announcement_said,
    "proposals": _proposal_said,
}


def _standing_words(view: dict[str, Any]) -> str:
    line = standing_line(view.get("standing"))
    return f"; {line}" if line else ""


def _bears(by: dict[str, Any]) -> str:
    """'denied by' for an event relating to the claim or a source of it that denies it."""
    if by.get("relation"):
        return backward(by["relation"])
    return {"confirms": "confirmed by", "denies": "denied by", "disputes": "disputed by"}[
        by["bearing"]
    ]


def money_words(view: dict[str, Any]) -> str:
    """'; amount: USD 686 million (notified); review: 30 days, to 2025-11-09'."""
    out = ""
    money = view.get("money")
    if money:
        out += f"; amount: {money['display']} ({money['stage']})"
    review = view.get("review")
    if review:
        ends = f", to {review['ends']}" if review["ends"] else ""
        out += f"; review: {review['days']} days{ends}"
    return out


def standing_line(standing: dict[str, Any] | None) -> str | None:
    """'denied: by a senior security official, 5 Oct 2025 (official-denial)'; None for a
    claim nothing bears on."""
    if not standing or not standing["by"]:
        return None
    by = "; ".join(
        f"{_bears(b)} {b['who'] or b['event_id']}, {b['date']['display']} "
        + ("(a source)" if b.get("source") else f"({b['event_id']})")
        for b in standing["by"]
    )
    return f"{standing['status'].upper()}: {by}"


def _said_section(
    state: Mapping[str, Any], latest: int | None, count: int | None = None
) -> Iterator[str]:
    """What was said, latest first (``said``), with each claim's standing and links;
    ``count``: how many, when ``state`` holds only the latest."""
    items = said(state)
    total = len(items) if count is None else count
    if latest is None or total <= latest:
        yield f"What was said ({total})"
    else:
        yield f"What was said ({total}, the latest {latest} shown)"
        yield f"  ... {total - latest} earlier not shown; --all shows everything"
        items = items[:latest]
    for item in items:
        head = f"  {item['date']['display']}  {item['who']}  [{item['event_id']}]"
        yield head if len(head) <= WIDTH else wrap(head, indent="  ")
        yield wrap(item["words"])
        line = standing_line(item["standing"])
        if line:
            yield wrap(line)
        yield from (wrap(x) for x in relation_lines(item["view"]))


def relationship_sections(state: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Measures, financing, shipments and announcements as the exports show them: one
    section each, every item an event with its date, one line of text, its relations and
    alternatives (``lines``) and its sources."""

    def item(view: dict[str, Any], text: str) -> dict[str, Any]:
        return {
            "event_id": view["event_id"],
            "date": view["date"] if "date" in view else view["history"][-1]["date"],
            "text": text,
            "lines": relation_lines(view),
            "sources": view["sources"],
        }

    def measure(m: dict[str, Any]) -> str:
        value = f": {m['value']}" if m["value"] else ""
        was = f" (was {m['value_before']})" if m["value_before"] else ""
        since = f", since {m['since']['display']}" if m["in_force"] else ""
        return (
            f"{m['measure']}{value}{was}, {m['status']}{since}; {m['instrument']} by "
            + m["authority"]["name"]
        )

    def financing(f: dict[str, Any]) -> str:
        amount = f", {f['display']}" if f["display"] else ""
        borrower = f" to {f['borrower']['name']}" if f["borrower"] else ""
        return f"{f['id']}: {f['stage']}{amount}; {f['lender']['name']}{borrower}, {f['project']}"

    def shipment(m: dict[str, Any]) -> str:
        quantity = f" ({m['quantity']})" if m["quantity"] else ""
        serves = ", ".join(f"{what} {m[what]}" for what in ("agreement", "step") if m.get(what))
        return f"{', '.join(m['goods'])}{quantity}: {m['title']}" + (
            f"; serves {serves}" if serves else ""
        )

    def announcement(a: dict[str, Any]) -> str:
        realised = ", ".join(a["realised_by"])
        status = f"realised by {realised}" if realised else "not realised"
        text = f"{a['deal']} ({status}): {a['announcer']['name']}: {a['claim']}"
        return text + money_words(a) + _standing_words(a)

    def proposal(p: dict[str, Any]) -> str:
        official = {True: ", official", False: ", not official", None: ""}[p["official"]]
        text = f"{p['proposal']} ({p['status']}{official}): {p['proposer']}: {p['claim']}"
        return text + money_words(p) + _standing_words(p)

    sections = [
        ("Measures", [item(m, measure(m)) for m in state.get("measures", ())]),
        ("Financing", [item(f, financing(f)) for f in state.get("financing", ())]),
        ("Shipments", [item(m, shipment(m)) for m in state.get("shipments", ())]),
        ("Announcements", [item(a, announcement(a)) for a in state.get("announcements", ())]),
        ("Proposals", [item(p, proposal(p)) for p in state.get("proposals", ())]),
    ]
    return [(heading, items) for heading, items in sections if items]


def noted_sections(state: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The state's happenings of kinds without rules of their own, one section per kind,
    headed by its label ("Sanction imposed"), in the order the kinds first occur."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for noted in state.get("noted", ()):
        sections.setdefault(_noted_heading(noted), []).append(noted)
    return list(sections.items())


def _noted_heading(noted: dict[str, Any]) -> str:
    return noted["label"][:1].upper() + noted["label"][1:]


def _noted_groups(state: Mapping[str, Any]) -> list[tuple[str, Sequence[dict[str, Any]]]]:
    """``noted_sections``, each section's entries made when taken: only their places
    are held (the entries are gone through once for their labels)."""
    noted = state.get("noted", ())
    places: dict[str, list[tuple[int]]] = {}
    for i, entry in enumerate(noted):
        places.setdefault(_noted_heading(entry), []).append((i,))
    return [(heading, _Placed(held, noted.__getitem__)) for heading, held in places.items()]


# -- replay ---------------------------------------------------------------------------


def replay_text(steps: list[dict[str, Any]]) -> str:
    out = []
    for number, step in enumerate(steps, start=1):
        event = step["event"]
        out.append(f"{number:>3}. {_when(event['occurred'])}  {event['kind']}  ({event['id']})")
        out.append(wrap(event["title"], indent="     "))
        for change in step["changes"]:
            out.append(wrap("+ " + change, indent="       "))
        out.append(wrap("Source: " + cite(event["sources"][0]), indent="       "))
        totals = ", ".join(_count(v, k) for k, v in step["totals"].items())
        out.append(wrap("= " + totals, indent="     "))
        out.append("")
    out.append(f"{len(steps)} events replayed.")
    return "\n".join(out)


# -- diff and history ------------------------------------------------------------------


def diff_text(
    changes: list[dict[str, Any]], since, until, recorded_until: date | None = None
) -> str:
    out = [f"Changes after {since} up to {until}"]
    if recorded_until is not None:
        out.append(horizon_line(recorded_until, until))
    out.append("")
    last = None
    for change in changes:
        if change["event_id"] != last:
            when = change["occurred"]["display"]
            out.append(f"  {when}  {change['kind']}  ({change['event_id']})")
            out.append(wrap("Source: " + cite(change["source"]), indent="      "))
            last = change["event_id"]
        out.append(wrap("+ " + change["change"], indent="      "))
    out.append("")
    out.append(f"{len(changes)} change{'s' if len(changes) != 1 else ''}.")
    return "\n".join(out)


def recorded_by(view: dict[str, Any]) -> str:
    """'by NAME: message', as every text view shows who recorded a change and why."""
    who = view.get("recorded_by") or "an unknown recorder (before uspk kept recorders)"
    return f"by {who}" + (f": {view['message']}" if view.get("message") else "")


def history_text(entries: list[dict[str, Any]]) -> str:
    out = []
    for entry in entries:
        out.append(f"{entry['recorded']}  #{entry['position']}  {entry['kind']}  ({entry['id']})")
        out.append(wrap(recorded_by(entry)))
        if entry["kind"] == "retraction":
            out.append(wrap(f"retracts {entry['retracts']}: {entry['reason']}"))
        else:
            amends = f", amends {entry['supersedes']}" if entry.get("supersedes") else ""
            out.append(wrap(f"occurred {entry['occurred']}{amends}; now {entry['standing']}"))
            out.append(wrap(entry["title"]))
        out += [wrap("Source: " + cite(s)) for s in entry["sources"]]
    return "\n".join(out)


def _count(number: int, plural: str) -> str:
    """'1 agreement', '2 agreements', '1 step planned'."""
    if number == 1:
        first, _, rest = plural.partition(" ")
        plural = " ".join(filter(None, (first.removesuffix("s"), rest)))
    return f"{number} {plural}"


# -- one event ------------------------------------------------------------------------


def show_text(view: dict[str, Any]) -> str:
    entry = view["event"]
    lines = [_entry_text(entry), "", f"  recorded: {entry['recorded']}"]
    lines.append(wrap(recorded_by(entry), indent="  "))
    standing = view.get("standing") or {"status": "current"}
    if standing["status"] != "current":
        lines.append(
            wrap(
                f"{standing['status'].upper()} by {standing['by']} at {standing['when']}"
                + (f": {standing['reason']}" if standing.get("reason") else ""),
                indent="  ",
            )
        )
    for key, value in entry["details"].items():
        if value in (None, [], {}):
            continue
        if isinstance(value, list):  # introduced actors are shown by name and id
            value = [f"{v['name']} ({v['id']})" if isinstance(v, dict) else v for v in value]
            value = ", ".join(map(str, value))
        lines.append(wrap(f"{key.replace('_', ' ')}: {value}", indent="  "))
    for source in entry["sources"]:
        if source.get("quote"):
            lines.append(
                wrap(f"\u201c{source['quote']}\u201d \u2014 {source['publisher']}", indent="  ")
            )
    return "\n".join(lines)
