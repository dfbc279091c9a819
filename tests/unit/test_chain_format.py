"""The hash chain's format is a published contract (exports carry its head): fixed
inputs, their canonical bytes written out here, and the pinned sha256 of each link, so an
outside verifier can recompute a head (README: "The hash chain's format")."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta, timezone

from domain.chain import link
from projections.chain import head_view

# A first change: non-ASCII text, a nested list of objects, a float and an int, a null;
# recorded at 17:00:00.000250 in UTC+5 (12:00 UTC), by a named recorder, no message.
FIRST = {
    "id": "e1",
    "kind": "meeting",
    "title": "Dar meets Rubio \u2014 \u201ctalks\u201d",
    "amounts": [1.5, 2],
    "sources": [{"url": "https://x.example/a", "publisher": "Dawn"}],
    "until": None,
}
FIRST_AT = datetime(2025, 9, 9, 17, 0, 0, 250, tzinfo=timezone(timedelta(hours=5)))
FIRST_BYTES = (
    '{"document":{"amounts":[1.5,2],"id":"e1","kind":"meeting",'
    '"sources":[{"publisher":"Dawn","url":"https://x.example/a"}],'
    '"title":"Dar meets Rubio \u2014 \u201ctalks\u201d","until":null},'
    '"message":null,"previous":"","recorded":"2025-09-09T12:00:00.000250+00:00",'
    '"recorder":"Ayesha Khan"}'
).encode("utf-8")
FIRST_LINK = "593b2710bbf2cdbef9a5cc38213a14255670a78803de4b10cd22ff969a660df6"

# The second change, chained to the first: no recorder, a message of two lines.
SECOND = {"id": "retract-e1", "kind": "retraction", "retracts": "e1", "reason": "Wrong."}
SECOND_AT = datetime(2025, 9, 10, tzinfo=UTC)
SECOND_BYTES = (
    '{"document":{"id":"retract-e1","kind":"retraction","reason":"Wrong.","retracts":"e1"},'
    '"message":"line one\\nline two",'
    f'"previous":"{FIRST_LINK}",'
    '"recorded":"2025-09-10T00:00:00.000000+00:00","recorder":null}'
).encode()
SECOND_LINK = "5dbed330abb0797889a6eada48f4c68e0a4843a748abe7407541d00c3d2e5015"


def test_the_canonical_bytes_of_a_link_hash_to_the_pinned_sha256():
    """What an outside verifier computes from the README's description alone."""
    assert hashlib.sha256(FIRST_BYTES).hexdigest() == FIRST_LINK
    assert hashlib.sha256(SECOND_BYTES).hexdigest() == SECOND_LINK


def test_a_link_from_fixed_inputs_is_the_pinned_sha256():
    first = link(None, FIRST, "Ayesha Khan", None, FIRST_AT)
    assert first == FIRST_LINK
    assert link(first, SECOND, None, "line one\nline two", SECOND_AT) == SECOND_LINK


def test_the_first_change_is_chained_to_the_empty_text():
    assert link("", FIRST, "Ayesha Khan", None, FIRST_AT) == FIRST_LINK


def test_a_link_is_the_same_whatever_the_machines_time_zone(monkeypatch):
    """The time is hashed in UTC, not in the zone of the machine that records it."""
    monkeypatch.setenv("TZ", "Asia/Karachi")
    time.tzset()
    try:
        assert link(None, FIRST, "Ayesha Khan", None, FIRST_AT) == FIRST_LINK
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_export_of_a_record_without_a_chain_carries_no_head_and_no_mark():
    assert head_view(0, None) == {"count": 0, "head": None, "mark": None}


def test_an_export_carries_the_head_as_sha256_and_the_line_verify_against_finds():
    assert head_view(3, "ab12") == {
        "count": 3,
        "head": "sha256:ab12",
        "mark": "uspk record: 3 recorded changes, chain head sha256:ab12",
    }
