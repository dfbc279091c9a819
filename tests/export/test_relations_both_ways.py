"""Every relation reads both ways in every view: the event that names it ("denies X")
and the event it names ("denied by Y"), in text timeline, show and state, the HTML list
and state panel, Markdown, JSON, TimelineJS, Atom, the SQLite export and PLOVER. The
words come from the one declaration (``events.relations``), so a relation added there
is checked here with nothing else to change."""

from __future__ import annotations

import json
import sqlite3

import pytest

from events.relations import RELATIONS, backward, forward
from tests.export.support import Uspk, append

SPEAKER = "shehbaz-sharif"  # introduced by the shipped history


def _statement(event_id: str, day: str, **fields) -> dict:
    return {
        "id": event_id,
        "kind": "statement-made",
        "occurred": day,
        "title": f"Statement {event_id}",
        "summary": "A test statement.",
        "speaker": SPEAKER,
        "quote": "Words said.",
        "sources": [{"publisher": "Test", "title": "A report", "published": day}],
        **fields,
    }


def pairs() -> list[tuple[str, str, str]]:
    """(relation, the claim's id, the relating event's id), one pair per relation."""
    return [(name, f"claim-{name}", f"relating-{name}") for name in RELATIONS]


@pytest.fixture(scope="module")
def related(tmp_path_factory):
    """A store with, for every relation, a claim and a later event relating to it."""
    folder = tmp_path_factory.mktemp("relations")
    uspk = Uspk(str(folder / "uspk.sqlite"))
    documents = []
    for relation, claim, relating in pairs():
        documents.append(_statement(claim, "2025-10-01"))
        documents.append(
            _statement(relating, "2025-10-02", relates=[{"to": claim, "relation": relation}])
        )
    append(uspk, folder, *documents)
    exports = {
        fmt: uspk.export(folder, fmt, "--at", "2025-10-10").decode()
        for fmt in ("html", "markdown", "json", "timelinejs", "atom", "plover")
    }
    uspk.ok("export", "--format", "sqlite", "-o", str(folder / "reset.db"))
    return uspk, exports, folder / "reset.db"


def both_ways(text: str, relation: str, claim: str, relating: str) -> list[str]:
    """What of the two readings ``text`` lacks."""
    wanted = [f"{forward(relation)} {claim}", f"{backward(relation)} {relating}"]
    return [w for w in wanted if w not in text]


@pytest.mark.parametrize("view", ["timeline", "state", "show"])
def test_every_relation_reads_both_ways_in_the_text_views(related, view):
    uspk, _, _ = related
    if view == "timeline":
        text = uspk.ok("timeline", "--since", "2025-10-01", "--until", "2025-10-02")
    elif view == "state":
        text = uspk.ok("state", "--at", "2025-10-10", "--all")
    for relation, claim, relating in pairs():
        if view == "show":
            text = uspk.ok("show", claim) + uspk.ok("show", relating)
        assert both_ways(text, relation, claim, relating) == [], (view, relation)


@pytest.mark.parametrize("fmt", ["html", "markdown", "timelinejs", "atom"])
def test_every_relation_reads_both_ways_in_the_exports_people_read(related, fmt):
    _, exports, _ = related
    text = exports[fmt]
    if fmt == "timelinejs":  # the slides' text
        text = json.dumps(json.loads(text), ensure_ascii=False)
    for relation, claim, relating in pairs():
        assert both_ways(text, relation, claim, relating) == [], (fmt, relation)


def test_the_html_state_panel_shows_both_readings(related):
    _, exports, _ = related
    panel = exports["html"].split('data-view="now">', 1)[1].split("</aside>", 1)[0]
    for relation, claim, relating in pairs():
        assert both_ways(panel, relation, claim, relating) == [], relation


def test_every_relation_is_data_both_ways_in_json_plover_and_sqlite(related):
    _, exports, database = related
    entries = {e["id"]: e for e in json.loads(exports["json"])["events"]}
    plover = {r["id"]: r for r in map(json.loads, exports["plover"].splitlines())}
    with sqlite3.connect(database) as db:
        rows = {
            (f, t): (reads, back)
            for f, t, reads, back in db.execute(
                "SELECT from_event, to_event, reads, reads_back FROM relations"
            )
        }
    for relation, claim, relating in pairs():
        assert {"to": claim, "relation": relation, "note": None} in entries[relating]["relates"]
        assert {"from": relating, "relation": relation, "note": None} in entries[claim][
            "related_by"
        ]
        assert {"reads": forward(relation), "event": claim} in plover[relating]["uspk_links"]
        assert {"reads": backward(relation), "event": relating} in plover[claim]["uspk_links"]
        assert rows[(relating, claim)] == (forward(relation), backward(relation))


def test_every_relation_has_two_distinct_readings():
    for relation in RELATIONS.values():
        assert relation.forward and relation.backward and relation.forward != relation.backward
