"""An Atom feed (RFC 4287) of what was recorded: one entry per recorded change (an event
appended, amended or retracted), newest first, for people who follow the record in a
feed reader.

Each entry carries the recorded time (``updated``, ``published``), the event's occurred
date at its precision (in its text, and as ``uspk:occurred`` with the EDTF date and its
interval), a summary, a correction's reason, and links to the sources. The XML is
written by the standard library's ElementTree, which escapes markup; characters XML 1.0
cannot carry at all (controls, U+FFFE, U+FFFF, lone surrogates) are shown as ``[U+XXXX]``.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from xml.etree import ElementTree as ET

from cli.exporters import TITLE, Bundle, kind_label, link_url, summary_line, visible
from cli.render import relation_lines

ATOM = "http://www.w3.org/2005/Atom"
USPK = "urn:uspk:atom:2025"  # this feed's own elements (Atom allows foreign markup)
ET.register_namespace("", ATOM)
ET.register_namespace("uspk", USPK)

# Not allowed anywhere in an XML 1.0 document, even escaped (``visible`` shows the rest).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_VERBS = {"appended": "Recorded", "amended": "Amended", "retracted": "Retracted"}


def author(change: dict[str, Any]) -> str:
    """Who recorded ``change`` (a name, or the system user as ``os:``/``pg:``); uspk for
    a change recorded before the store kept recorders."""
    return change.get("recorded_by") or "uspk"


def atom(bundle: Bundle) -> str:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", _urn("changes"))
    _text(feed, "title", f"{TITLE}: recorded changes")
    _text(feed, "subtitle", summary_line(bundle))
    newest = bundle.changes[0]["recorded"] if bundle.changes else bundle.known_at
    _text(feed, "updated", newest or f"{bundle.as_of}T00:00:00+00:00")
    _name(feed, "uspk")
    generator = _text(feed, "generator", "uspk")
    generator.set("version", bundle.version)
    if bundle.chain_mark:  # what `uspk verify --against` checks the feed by
        ET.SubElement(feed, f"{{{USPK}}}chain").text = bundle.chain_mark
    for change in bundle.changes:
        feed.append(_entry(change))
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _entry(change: dict[str, Any]) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    event = change["event"]
    about = event or change["target"]  # a retraction speaks of the event it retracts
    _text(entry, "id", _urn(f"change/{change['id']}"))
    _text(entry, "title", f"{_VERBS[change['type']]}: {about.get('title', about['id'])}")
    _text(entry, "published", change["recorded"])
    _text(entry, "updated", change["recorded"])
    _name(entry, author(change))
    _category(entry, change["type"], "change")
    _category(entry, about["kind"], "kind", kind_label(about["kind"]))
    occurred = about.get("occurred")
    if occurred:
        mark = ET.SubElement(entry, f"{{{USPK}}}occurred")
        mark.text = occurred["edtf"]
        for name in ("precision", "start", "end"):
            mark.set(name, occurred[name])
    _text(entry, "summary", _summary(change, about))
    _text(entry, "content", "\n".join(_content(change, about)))
    for source in change.get("sources") or event["sources"]:
        url = link_url(source.get("url"))
        if url:
            link = ET.SubElement(entry, f"{{{ATOM}}}link")
            link.set("rel", "related")
            link.set("href", url)
            link.set("title", _xml(_cite({**source, "url": None})))
        capture = source.get("capture")
        if capture and url:  # the page as it was read: uspk archive, uspk verify --sources
            kept = ET.SubElement(entry, f"{{{USPK}}}capture")
            kept.set("url", url)
            for name in ("sha256", "captured_at", "href"):
                if capture.get(name):
                    kept.set(name, capture[name])
    return entry


def _summary(change: dict[str, Any], about: dict[str, Any]) -> str:
    """'18 Jun 2025 (day): what happened', or for a retraction, why it was retracted."""
    if change["type"] == "retracted":
        text = f"Retracted because: {change['reason']}"
    else:
        text = change["event"]["summary"]
    when = about.get("occurred")
    return f"{when['display']} ({when['precision']}): {text}" if when else text


def _content(change: dict[str, Any], about: dict[str, Any]) -> list[str]:
    lines = [f"Event: {about['id']} ({kind_label(about['kind'])})"]
    if about.get("occurred"):
        occurred = about["occurred"]
        lines.append(
            f"Occurred: {occurred['display']} ({occurred['edtf']}, {occurred['precision']} "
            f"precision, {occurred['start']} to {occurred['end']})"
        )
    lines.append(f"Recorded: {change['recorded']} by {author(change)}")
    if change.get("message"):
        lines.append(f"Message: {change['message']}")
    if change["type"] == "amended":
        lines.append(f"Amends: {change['target']['id']}")
        lines += [f"Changed {c['field']}: {c['before']} -> {c['after']}" for c in change["changes"]]
    if change.get("reason"):
        lines.append(f"Reason: {change['reason']}")
    if change["event"]:
        lines.append(f"Summary: {change['event']['summary']}")
        lines += [f"Link: {line}" for line in relation_lines(change["event"])]
    sources = change.get("sources") or change["event"]["sources"]
    lines += [f"Source: {_cite(s)}" for s in sources]
    return lines


def _cite(source: dict[str, Any]) -> str:
    from cli.render import cite

    return cite(source)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _xml(text)
    if tag in ("title", "subtitle", "summary", "content"):
        element.set("type", "text")
    return element


def _name(parent: ET.Element, name: str) -> None:
    person = ET.SubElement(parent, f"{{{ATOM}}}author")
    _text(person, "name", name)


def _category(parent: ET.Element, term: str, scheme: str, label: str | None = None) -> None:
    category = ET.SubElement(parent, f"{{{ATOM}}}category")
    category.set("term", _xml(term))
    category.set("scheme", f"{USPK}:{scheme}")
    if label:
        category.set("label", _xml(label))


def _xml(text: Any) -> str:
    """Text XML 1.0 can carry, with invisible controls shown (see cli.exporters)."""
    return _NOT_XML.sub(lambda m: f"[U+{ord(m.group()):04X}]", visible(text))


def _urn(name: str) -> str:
    """A stable id: the same change has the same entry id in every export."""
    return f"urn:uuid:{uuid5(NAMESPACE_URL, f'https://uspk.invalid/{name}')}"
