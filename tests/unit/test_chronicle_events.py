"""The events a checked batch becomes (domain.chronicle.chronicle_events): numbered after
the version the check saw, each chained to the one before, and read back as the records
they stand for. The aggregate itself, no store."""

import json
from datetime import UTC, datetime

from domain.chain import link
from domain.chronicle import CHRONICLE_ID, Chronicle, Signed, chronicle_events
from domain.records import decode, decode_json
from tests.factories import commitment, introductions, signing

NOW = datetime(2025, 9, 10, 12, tzinfo=UTC)
BATCH = [introductions("ussm", "fwo"), signing("a1"), commitment("a1")]  # an amount: Decimal


def replayed(events) -> Chronicle:
    chronicle = None
    for event in events:
        chronicle = event.mutate(chronicle)
    return chronicle


def test_a_new_stores_first_batch_follows_the_chronicles_creation_and_ends_with_its_mark():
    signed = Signed(recorder="Ayesha Khan", message="First load")
    events = chronicle_events(BATCH, NOW, 0, digest="d1", signed=signed)
    names = [type(e).__name__ for e in events]
    assert names == ["Created", "Recorded", "Recorded", "Recorded", "HistoryLoaded"]
    assert [e.originator_version for e in events] == [1, 2, 3, 4, 5]
    assert events[-1].timestamp == NOW
    assert {e.originator_id for e in events} == {CHRONICLE_ID}
    chronicle = replayed(events)
    assert [r.id for r in chronicle.records] == ["intro", "a1-signed", "c1"]
    assert [(r.recorder, r.message, r.recorded_at) for r in chronicle.records] == [
        ("Ayesha Khan", "First load", NOW)
    ] * 3
    assert chronicle.history_digest == "d1" and chronicle.version == 5


def test_a_later_batch_is_numbered_after_the_version_checked_and_chained_to_its_head():
    signed = Signed(recorder="Ayesha Khan", message="More", previous="f" * 64)
    first, second, _ = chronicle_events(BATCH, NOW, 7, signed=signed)
    assert (first.originator_version, second.originator_version) == (8, 9)
    stored = [d.model_dump(mode="json") for d in BATCH]
    assert first.document == stored[0] and second.document == stored[1]
    assert (first.timestamp, first.recorder, first.message) == (NOW, "Ayesha Khan", "More")
    expected = link("f" * 64, stored[0], "Ayesha Khan", "More", NOW)
    assert first.chain == expected
    assert second.chain == link(expected, stored[1], "Ayesha Khan", "More", NOW)


def test_a_batch_without_a_digest_carries_no_history_mark():
    events = chronicle_events(BATCH, NOW, 3)
    assert [type(e).__name__ for e in events] == ["Recorded"] * 3
    assert events[2].document["amount"] == "500000000"  # stored as JSON, not a Decimal
    assert events[0].chain == link(None, BATCH[0].model_dump(mode="json"), None, None, NOW)


def test_a_stored_documents_json_text_reads_as_the_document():
    stored = BATCH[1].model_dump(mode="json")
    assert decode_json(json.dumps(stored)) == decode(stored) == BATCH[1]


def test_a_new_chronicle_has_no_history_mark_and_no_chain_head():
    chronicle = Chronicle()
    assert chronicle.history_digest is None and chronicle.chain_head is None
