"""The Atom feed of recorded changes, read by a real feed parser (feedparser, as feed
readers read it) and checked against what RFC 4287 requires of a feed and its entries."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import feedparser

from cli.exporters.atom import ATOM, USPK, author
from tests.export.support import (
    CORRECTED_COMMITMENT,
    CORRECTED_JUNE,
    CORRECTION_REASON,
    SCRIPT,
    Uspk,
    corrected,
    meeting,
)
from tests.shipped import current_documents

A = f"{{{ATOM}}}"


def parsed(xml: bytes):
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def rfc4287_complete(xml: bytes) -> ET.Element:
    """The feed has id, title, updated and an author; every entry id, title, updated, an
    author and content; ids are unique."""
    root = ET.fromstring(xml)
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated", f"author/{A}name"):
        assert (root.findtext(f"{A}{tag}") or "").strip(), tag
    entries = root.findall(f"{A}entry")
    for entry in entries:
        for tag in ("id", "title", "updated", f"author/{A}name", "content"):
            assert (entry.findtext(f"{A}{tag}") or "").strip(), (tag, ET.tostring(entry))
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == len(ids)
    return root


def test_one_entry_per_recorded_change_newest_first_on_both_backends(uspk_any, tmp_path):
    when = corrected(uspk_any)
    xml = uspk_any.export(tmp_path, "atom")
    root = rfc4287_complete(xml)
    feed = parsed(xml)
    shipped = len(current_documents())
    assert len(feed.entries) == shipped + 2  # every shipped event, an amendment, a retraction
    kinds = [next(t.term for t in e.tags if t.scheme.endswith(":change")) for e in feed.entries]
    assert kinds[:2] == ["retracted", "amended"] and set(kinds[2:]) == {"appended"}
    updated = [e.updated for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    assert updated[:2] == [when["retracted"], when["amended"]]
    assert feed.feed.updated == when["retracted"]
    assert len(root.findall(f"{A}entry")) == shipped + 2


def test_a_retraction_carries_its_reason_and_an_amendment_what_it_changed(uspk, tmp_path):
    corrected(uspk)
    feed = parsed(uspk.export(tmp_path, "atom"))
    retraction, amendment = feed.entries[:2]
    assert retraction.title.startswith("Retracted: ")
    assert CORRECTION_REASON in retraction.summary
    assert f"Event: {CORRECTED_COMMITMENT}" in retraction.content[0].value
    assert f"Reason: {CORRECTION_REASON}" in retraction.content[0].value
    assert retraction.get("links", []) == []  # its source has no URL
    assert f"Amends: {CORRECTED_JUNE}" in amendment.content[0].value
    assert "Changed occurred: 2025-06 -> 2025-06-18" in amendment.content[0].value
    assert amendment.summary.startswith("18 Jun 2025 (day): ")


def test_each_entry_gives_the_occurred_date_at_its_precision_and_links_its_sources(uspk, tmp_path):
    root = ET.fromstring(uspk.export(tmp_path, "atom"))
    by_event = {}
    for entry in root.findall(f"{A}entry"):
        occurred = entry.find(f"{{{USPK}}}occurred")
        by_event[entry.findtext(f"{A}content").split("\n")[0]] = (entry, occurred)
    entry, occurred = by_event[f"Event: {CORRECTED_JUNE} (meeting)"]
    assert occurred.text == "2025-06"
    assert occurred.attrib == {"precision": "month", "start": "2025-06-01", "end": "2025-06-30"}
    assert entry.findtext(f"{A}summary").startswith("June 2025 (month): ")
    timeline = {e["id"]: e for e in uspk.timeline()}
    urls = [s["url"] for s in timeline[CORRECTED_JUNE]["sources"] if s["url"]]
    links = [link.get("href") for link in entry.findall(f"{A}link[@rel='related']")]
    assert links == urls and links


def test_known_at_before_the_corrections_leaves_them_out(uspk, tmp_path):
    before = json.loads(uspk.ok("export", "--format", "json"))["events"][-1]["recorded"]
    corrected(uspk)
    feed = parsed(uspk.export(tmp_path, "atom", "--known-at", before))
    assert len(feed.entries) == len(current_documents())
    assert {t.term for e in feed.entries for t in e.tags if t.scheme.endswith(":change")} == {
        "appended"
    }


def test_an_entrys_author_is_who_recorded_the_change_and_its_content_says_why(uspk, tmp_path):
    path = tmp_path / "append.json"
    path.write_text(json.dumps([meeting("desk-meeting", "2025-09-09", "A desk meeting")]))
    uspk.ok("append", str(path), "--as", "Sana Mir", "-m", "From the desk's notes")
    feed = parsed(uspk.export(tmp_path, "atom"))
    by_id = {e.id: e for e in feed.entries}
    (mine,) = [e for e in feed.entries if "desk-meeting" in e.content[0].value]
    assert mine.author == "Sana Mir"
    assert "Message: From the desk's notes" in mine.content[0].value
    shipped = [e for i, e in by_id.items() if e is not mine]
    assert shipped and all(e.author.startswith("os:") for e in shipped)  # the system user
    assert author({"type": "appended"}) == "uspk"  # a change from before recorders were kept


def test_hostile_text_yields_valid_xml_that_shows_it_as_text(hostile_exports):
    xml = hostile_exports["atom"]
    rfc4287_complete(xml)
    feed = parsed(xml)
    titles = " ".join(e.title for e in feed.entries)
    assert "[U+202E]gnp.exe" in titles and "[U+001B][31mred" in titles
    assert "<script>" not in xml.decode() and "&lt;script&gt;" in xml.decode()
    summaries = " ".join(e.summary for e in feed.entries)
    assert "[U+0007]bell" in summaries


def test_cdata_ends_and_characters_xml_cannot_hold_still_make_a_valid_feed(tmp_path):
    from events.files import validate
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk as Application

    uspk = Uspk(str(tmp_path / "edge.sqlite"))
    uspk.ok("timeline")  # the shipped history first
    title = f"]]> <![CDATA[ x ]]> \ufffe\uffff {SCRIPT} & \x0c end"
    document = meeting("xml-edge", "2025-09-10", title, summary="]]>&lt; \x00 nul")
    app = Application(resolve_store(uspk.address))
    try:
        assert app.append([validate(document, "test")]).added == ["xml-edge"]
    finally:
        app.close()
    xml = uspk.export(tmp_path, "atom")
    rfc4287_complete(xml)
    [entry] = [e for e in parsed(xml).entries if "xml-edge" in e.content[0].value]
    assert entry.title == f"Recorded: ]]> <![CDATA[ x ]]> [U+FFFE][U+FFFF] {SCRIPT} & [U+000C] end"
    assert entry.summary.endswith("]]>&lt; [U+0000] nul")
