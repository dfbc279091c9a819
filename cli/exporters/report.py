"""The whole history and the state on a date as a Markdown report, a CSV sheet or JSON.

* Markdown: tables of the state (agreements with their commitments, next steps,
  engagements, statements, then a table per kind without rules of its own) and of the
  timeline; sources are numbered footnotes.
* CSV: one row per event, UTF-8 with a byte order mark (the command adds it) so that
  spreadsheets read it as UTF-8; dates as EDTF with precision, start and end.
* JSON: every event with its sources and both clocks (occurred, recorded), and the state.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from cli.exporters import TITLE, Bundle, extent, json_chunks, kind_label, link_url, summary_line
from cli.exporters import visible as _visible
from cli.render import (
    alternative_text,
    cite,
    csv_cell,
    event_csv_head,
    md_cell,
    noted_sections,
    recorded_by,
    relation_lines,
    relationship_sections,
    standing_line,
)

# -- Markdown -------------------------------------------------------------------------


def md(text: Any) -> str:
    """Markdown-inert text for one table cell or footnote (no links, HTML or breaks)."""
    return md_cell(_visible(text))


class _Footnotes:
    """Numbered sources, each (source, quote) once, in order of first mention."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._numbers: dict[str, int] = {}

    def marks(self, sources: list[dict[str, Any]]) -> str:
        out = []
        for source in sources:
            text = _footnote(source)
            if text not in self._numbers:
                self.texts.append(text)
                self._numbers[text] = len(self.texts)
            out.append(f"[^{self._numbers[text]}]")
        return " ".join(out)

    def lines(self) -> list[str]:
        return [f"[^{n}]: {text}" for n, text in enumerate(self.texts, start=1)]


def _footnote(source: dict[str, Any]) -> str:
    text = md(cite({**source, "url": None}))
    url = link_url(source.get("url"))
    if url:  # a CommonMark autolink, whose only text is the URL; '<' or '>' would end it
        text += " <" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    elif source.get("url"):
        text += f" ({md(source['url'])})"
    from cli.exporters import capture_link

    captured = capture_link(source)
    if captured:  # the page as it was read, published beside the report
        text += f" ([{md(captured[1])}](<{captured[0]}>))"
    if source.get("quote"):
        text += f": \u201c{md(source['quote'])}\u201d"
    return text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines + [""]


def markdown(bundle: Bundle) -> Iterator[str]:
    notes = _Footnotes()
    state = bundle.state
    names = {a["id"]: a["name"] for a in state["actors"]}

    def who(ids: list[str]) -> str:
        return md(", ".join(names.get(i, i) for i in ids))

    out = [f"# {md(TITLE)}", "", md(summary_line(bundle)) + f". Exported by uspk {bundle.version}."]
    out += ["", f"## State on {bundle.as_of}", ""]

    out += [f"### Agreements ({len(state['agreements'])})", ""]
    rows = []
    for a in state["agreements"]:
        commitments = [
            md(c["display"] + (f" ({c['phase']})" if c["phase"] else ""))
            + " "
            + notes.marks(c["sources"])
            for c in a["commitments"]
        ]
        signed = f"{a['status']} {a['signed']['display']}" + (
            f" at {a['venue']}" if a["venue"] else ""
        )
        rows.append(
            [
                f"**{md(a['instrument'])}** ({a['id']})",
                md(" \u2013 ".join(p["name"] for p in a["parties"])),
                md(signed),
                "; ".join(commitments) or "none",
                notes.marks(a["sources"]),
            ]
        )
    out += _table(["Agreement", "Parties", "Signed", "Commitments", "Sources"], rows)

    out += [f"### Next steps ({len(state['next_steps'])})", ""]
    rows = [
        [
            md(s["description"]) + f" ({s['id']})",
            s["status"],
            who(s["owners"]),
            md(s["agreement"] or ""),
            md(s["target"]["display"] if s["target"] else ""),
            notes.marks(s["sources"]),
        ]
        for s in state["next_steps"]
    ]
    out += _table(["Step", "Status", "Owners", "Agreement", "Target", "Sources"], rows)

    out += [f"### Engagements ({len(state['engagements'])})", ""]
    rows = [
        [
            md(e["date"]["display"] + (f" \u2013 {e['until']['display']}" if e["until"] else "")),
            kind_label(e["kind"]),
            f"**{md(e['title'])}** ({e['event_id']})",
            e["status"],
            notes.marks(e["sources"]),
        ]
        for e in state["engagements"]
    ]
    out += _table(["Date", "Kind", "Engagement", "Status", "Sources"], rows)

    out += [f"### Statements ({len(state['statements'])})", ""]
    rows = [
        [
            md(s["date"]["display"]),
            md(s["speaker"] + (f" for {s['on_behalf_of']}" if s["on_behalf_of"] else "")),
            f"\u201c{md(s['quote'])}\u201d"
            + "".join(f" _{md(x)}_" for x in filter(None, [standing_line(s.get("standing"))])),
            notes.marks(s["sources"]),
        ]
        for s in state["statements"]
    ]
    out += _table(["Date", "Speaker", "Quote", "Sources"], rows)

    for section, items in relationship_sections(state):
        out += [f"### {md(section)} ({len(items)})", ""]
        rows = [
            [
                md(i["date"]["display"]),
                f"{md(i['text'])} ({i['event_id']})",
                md("; ".join(i["lines"])),
                notes.marks(i["sources"]),
            ]
            for i in items
        ]
        out += _table(["Date", "What", "Relations", "Sources"], rows)

    for section, noted in noted_sections(state):
        out += [f"### {md(section)} ({len(noted)})", ""]
        rows = [
            [
                md(n["date"]["display"]),
                f"**{md(n['title'])}** ({n['event_id']})",
                md(n["summary"]),
                who(n["actors"]),
                notes.marks(n["sources"]),
            ]
            for n in noted
        ]
        out += _table(["Date", "Event", "Summary", "Actors", "Sources"], rows)

    if state["undetermined"]:
        out += [f"### Undetermined on this date ({len(state['undetermined'])})", ""]
        rows = [
            [f"**{md(u['title'])}** ({u['event_id']})", md(u["date"]["display"]), md(u["reason"])]
            for u in state["undetermined"]
        ]
        out += _table(["Event", "Date", "Why"], rows)

    out += [f"## Timeline ({len(bundle.entries)} events)", ""]
    rows = []
    for entry in bundle.entries:
        event = f"**{md(entry['title'])}** ({entry['id']}): {md(entry['summary'])}"
        if entry.get("note"):
            event += f" _Note: {md(entry['note'])}_"
        for line in relation_lines(entry):
            event += f" _{md(line)}_"
        rows.append(
            [
                md(extent(entry)[2]),
                entry["occurred"]["precision"],
                kind_label(entry["kind"]),
                event,
                notes.marks(entry["sources"]),
            ]
        )
    out += _table(["Date", "Precision", "Kind", "Event", "Sources"], rows)

    out += _corrections_md(bundle, notes)
    out += ["## Sources", ""] + notes.lines()
    if bundle.chain_mark:
        out += ["", bundle.chain_mark]
    return (line + "\n" for line in out)  # written line by line, never joined whole


def _corrections_md(bundle: Bundle, notes: _Footnotes) -> list[str]:
    """What was amended or retracted, when it was recorded, why, and on which sources."""
    items = bundle.corrections.items
    if not items:
        return []
    out = [
        f"## Corrections ({len(items)})",
        "",
        "History is never rewritten: a corrected event stays in the record, and "
        "`uspk timeline --known-at` a moment before its correction still shows it.",
        "",
    ]
    rows = []
    for c in items:
        what = _brief_md(c["target"])
        if c["replacement"] is not None:
            what += f"; replaced by {_brief_md(c['replacement'])}"
        changes = "; ".join(
            f"{ch['field']}: {ch['before']} \u2192 {ch['after']}" for ch in c["changes"]
        )
        rows.append(
            [
                md(f"{c['recorded']} {recorded_by(c)}"),
                "Retracted" if c["type"] == "retracted" else "Amended",
                what + (f" ({md(changes)})" if changes else ""),
                md(c["reason"] or "not given"),
                notes.marks(c["sources"]),
            ]
        )
    return out + _table(["Recorded", "Correction", "Event", "Why", "Sources"], rows)


def _brief_md(brief: dict[str, Any]) -> str:
    if "title" not in brief:
        return f"({brief['id']})"
    return f"**{md(brief['title'])}** ({brief['id']}, {md(brief['occurred']['display'])})"


# -- CSV ------------------------------------------------------------------------------

CSV_COLUMNS = [
    "id",
    "kind",
    "edtf",
    "precision",
    "start",
    "end",
    "display",
    "approximate",
    "uncertain",
    "until",
    "title",
    "summary",
    "actors",
    "sources",
    "source_urls",
    "quotes",
    "note",
    "recorded",
    "state_as_of",
    "standing",
    "relates",
    "alternatives",
]


def csv_text(bundle: Bundle) -> str:
    """One row per event. ``standing`` says how the state on ``state_as_of`` treats it:
    settled (counted), undetermined (its date contains the day) or after (not yet)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in bundle.entries:
        occurred = entry["occurred"]
        sources = entry["sources"]
        row = [
            *event_csv_head(entry),
            occurred["display"],
            "yes" if occurred["approximate"] else "no",
            "yes" if occurred["uncertain"] else "no",
            entry["details"].get("until", ""),
            entry["title"],
            entry["summary"],
            "; ".join(entry["actors"]),
            "\n".join(cite(s) for s in sources),
            "\n".join(s["url"] or "" for s in sources),
            "\n".join(s["quote"] or "" for s in sources),
            entry["note"],
            entry["recorded"],
            bundle.as_of,
            bundle.standing(entry),
            "\n".join(relation_lines({"relates": entry.get("relates", ())})),
            "\n".join(map(alternative_text, entry.get("alternatives", ()))),
        ]
        writer.writerow([csv_cell(_visible(value)) for value in row])
    return out.getvalue()


# -- JSON -----------------------------------------------------------------------------


def json_document(bundle: Bundle) -> dict[str, Any]:
    return {
        "uspk_export": 1,
        "title": TITLE,
        "generator": f"uspk {bundle.version}",
        "as_of": bundle.as_of,
        "known_at": bundle.known_at,
        "events": bundle.entries,
        "state": bundle.state,
        "chain": bundle.chain,
        # each amendment and retraction: what it corrected, when recorded, why, sources
        "corrections": bundle.corrections.items,
    }


def json_export(bundle: Bundle) -> Iterator[str]:
    """The JSON export, a piece at a time (``json_chunks``)."""
    return json_text_pieces(json_document(bundle))


def json_text_pieces(document: dict[str, Any]) -> Iterator[str]:
    """An export's JSON document as written, a piece at a time, and its last newline."""
    yield from json_chunks(document)
    yield "\n"
