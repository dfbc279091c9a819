"""`uspk timeline` reads the record a page at a time (both backends): every page's
entries carry the relations that believed records of any page name them in, and the
entries are those of one read of the whole record, in the same order."""

from __future__ import annotations

from datetime import date

import pytest

from projections import queries
from service import reading
from service.bootstrap import Session, checked_store

QUESTIONS = [
    {},
    {"since": date(2025, 9, 1), "until": date(2025, 10, 31)},
    {"kinds": ["statement-made", "agreement-signed"]},
    {"actor": "fwo"},
]


@pytest.fixture
def session(store_address):
    with Session(checked_store(store_address, create=True)) as opened:
        yield opened


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_timeline_read_in_pages_says_what_one_read_says(session, question, monkeypatch):
    whole = reading.timeline(session, **question)
    assert any(entry["related_by"] for entry in whole) or question
    monkeypatch.setattr(queries, "_ROWS", 4)  # pages of 4 rows
    pages = list(session.index.believed_pages())
    assert len(pages) > 5 and max(len(records) for records, _ in pages) == 4
    assert reading.timeline(session, **question) == whole


def test_each_page_brings_exactly_the_records_relating_to_its_own(session, monkeypatch):
    def targets(record) -> set[str]:
        return {link.to for link in getattr(record.document, "relates", ())}

    believed = session.index.believed()
    monkeypatch.setattr(queries, "_ROWS", 4)
    seen_relating = False
    for records, relating in session.index.believed_pages():
        ids = {r.id for r in records}
        expected = {r.id for r in believed if targets(r) & ids}
        assert {r.id for r in relating} == expected
        seen_relating |= bool(expected)
    assert seen_relating  # the shipped history relates events (or this proves nothing)


def test_pages_read_while_a_record_is_recorded_agree_with_each_other(session, monkeypatch):
    """The pages and the records relating to each are read in one transaction: a meeting
    recorded (and indexed) after the first page was read, following up an event of a
    later page, is in none of the pages, nor among the records relating to any."""
    from tests.factories import make

    monkeypatch.setattr(queries, "_ROWS", 4)
    pages = session.index.believed_pages()
    first, _ = next(pages)
    later = session.index.believed()[-1].id  # in the last page
    follow_up = make(
        "meeting",
        "test-while-paging",
        "2025-09-08",
        participants=["ussm", "fwo"],
        relates=[{"to": later, "relation": "follows-up"}],
    )
    session.append([follow_up])
    assert session.index.record_of("test-while-paging") is not None  # indexed, and believed
    rest = list(pages)
    assert any(later in {r.id for r in records} for records, _ in rest)
    seen = {r.id for r in first} | {r.id for records, related in rest for r in records + related}
    assert "test-while-paging" not in seen


def test_an_export_read_while_a_record_is_retracted_says_believed_as_its_pages_do(
    session, monkeypatch
):
    """The database export reads every record a page at a time and, in the same read
    transaction, which of them are believed: a meeting retracted after its page was read
    and before its belief was, whose retraction is in none of the pages, is exported as
    believed (as the records exported say), not as retracted by a record not there."""
    from domain.records import believed_records
    from tests.factories import make, retraction

    meeting = make("meeting", "test-while-exporting", "2025-09-08", participants=["ussm", "fwo"])
    session.append([meeting])
    read_belief = session.index._believed_now

    retracted = []

    def retracted_first(sql, ids):  # the retraction recorded between the two reads, once
        if "test-while-exporting" in ids and not retracted:
            retracted.append(True)
            session.append([retraction("test-while-exporting")])
        return read_belief(sql, ids)

    monkeypatch.setattr(session.index, "_believed_now", retracted_first)
    pages = list(reading.exported_database(session).pages)
    assert not session.index.standing({"test-while-exporting"})  # retracted, meanwhile
    exported = {view["id"]: view["believed"] for page in pages for view in page.events}
    last = max(moment for page in pages for moment in page.moments)
    assert exported["test-while-exporting"] is True
    assert {i for i, believed in exported.items() if believed} == {
        r.id for r in believed_records(session.index.everything(), last)
    }
