"""An Atom feed a reader subscribes to by track: ``export --format atom`` takes the
timeline's filters (--actor, --kind, --agreement) and keeps the changes of the events
they keep, the corrections of those events included."""

from __future__ import annotations

import json
from uuid import NAMESPACE_URL, uuid5
from xml.etree import ElementTree as ET

from tests.export.support import CORRECTED_COMMITMENT, CORRECTED_JUNE, JUNE_AMENDMENT, corrected

ATOM = "{http://www.w3.org/2005/Atom}"


def changed(uspk, tmp_path, *filters: str) -> set[str]:
    """The ids of the records whose changes the feed carries (each entry's id is the
    UUID its change's record id names)."""
    feed = ET.fromstring(uspk.export(tmp_path, "atom", *filters))
    entries = {e.find(f"{ATOM}id").text for e in feed.iter(f"{ATOM}entry")}
    records = [r["id"] for r in json.loads(uspk.ok("export", "--format", "json"))["corrections"]]
    records += [e["id"] for e in uspk.timeline()] + [CORRECTED_COMMITMENT, CORRECTED_JUNE]
    return {r for r in records if _urn(r) in entries}


def _urn(record_id: str) -> str:
    return f"urn:uuid:{uuid5(NAMESPACE_URL, f'https://uspk.invalid/change/{record_id}')}"


def test_a_feed_by_actor_keeps_that_actors_events_and_their_corrections(uspk, tmp_path):
    corrected(uspk)
    everything = changed(uspk, tmp_path)
    munir = changed(uspk, tmp_path, "--actor", "Asim Munir")
    assert {CORRECTED_JUNE, JUNE_AMENDMENT} <= munir < everything
    assert CORRECTED_COMMITMENT not in munir


def test_a_feed_by_kind_or_agreement_includes_the_retraction_of_what_it_keeps(uspk, tmp_path):
    corrected(uspk)
    corrections = json.loads(uspk.ok("export", "--format", "json"))["corrections"]
    [retraction] = [c["id"] for c in corrections if c["target"]["id"] == CORRECTED_COMMITMENT]
    by_kind = changed(uspk, tmp_path, "--kind", "commitment-made")
    assert {CORRECTED_COMMITMENT, retraction} <= by_kind
    assert CORRECTED_JUNE not in by_kind
    by_agreement = changed(uspk, tmp_path, "--agreement", "ussm-fwo-mou")
    assert {CORRECTED_COMMITMENT, retraction} <= by_agreement
    assert CORRECTED_JUNE not in by_agreement


def test_the_track_filters_are_options_of_the_atom_feed_only(uspk):
    result = uspk("export", "--format", "json", "--actor", "asim-munir")
    assert result.exit_code == 2 and "options of --format atom" in result.output
    unknown = uspk("export", "--format", "atom", "--actor", "nobody-at-all")
    assert unknown.exit_code != 0 and "no actor called 'nobody-at-all'" in unknown.output
