"""One reader of the notification log (projections.notifications), on a real store: pages
of any size read the log once, in order, after a position, up to a stop, of given topics;
and a catch-up, which writes a page per transaction, commits its position with its rows
and never splits a batch between two transactions."""

from __future__ import annotations

import pytest

from events.files import validate
from projections import kept
from projections import notifications as reader
from projections.entries import HISTORY_LOADED, RECORDED
from projections.readmodel import ReadModel
from projections.verify import verify
from tests.factories import doc
from tests.store.helpers import open_store

LOGGED = [RECORDED, HISTORY_LOADED]
BATCHES = 6  # appended after the shipped history (one batch of 68), 3 events each


@pytest.fixture
def app(store_address):
    """The shipped history in the log, no index made yet."""
    app = open_store(store_address)
    yield app
    app.close()


def ids(notifications) -> list[int]:
    return [n.id for n in notifications]


def test_pages_of_any_size_read_the_whole_log_once_in_order(app):
    whole = ids(app.recorder.select_notifications(1, 100_000))
    for size in (1, 3, len(whole) - 1, len(whole) + 5):
        assert ids(reader.notifications(app.recorder, limit=size)) == whole
        paged = list(reader.pages(app.recorder, limit=size))
        assert all(len(page) <= size for page in paged) and ids(sum(paged, [])) == whole


def test_a_read_asks_the_log_for_pages_of_the_size_it_is_given(app):
    """What a read holds in memory at once is a page of ``limit`` (copy reads its batches
    so): the log is asked for that many at a time, not for ``PAGE``."""
    asked: list[int] = []

    class Asked:  # the store's own recorder; what it is asked for, noted
        def select_notifications(self, start, limit, stop=None, topics=()):
            asked.append(limit)
            return app.recorder.select_notifications(start, limit, stop=stop, topics=topics)

    read = ids(reader.notifications(Asked(), limit=4))
    assert read == ids(app.recorder.select_notifications(1, 100_000))
    # every page, and the empty one that ends the read
    assert set(asked) == {4} and len(asked) == -(-len(read) // 4) + 1


def test_a_read_starts_after_a_position_stops_at_a_stop_and_keeps_its_topics(app):
    whole = list(app.recorder.select_notifications(1, 100_000))
    middle = whole[len(whole) // 2].id
    after = ids(reader.notifications(app.recorder, after=middle, limit=4))
    assert after == [n.id for n in whole if n.id > middle]
    upto = ids(reader.notifications(app.recorder, stop=middle, limit=4))
    assert upto == [n.id for n in whole if n.id <= middle]
    recorded = ids(reader.notifications(app.recorder, topics=[RECORDED], limit=4))
    assert recorded == [n.id for n in whole if n.topic == RECORDED]
    assert ids(reader.page(app.recorder, middle, limit=1)) == [middle + 1]


def meeting(number: int) -> dict:
    return doc(
        "meeting",
        f"test-meeting-{number}",
        f"2025-09-{10 + number % 15:02d}",
        participants=["shehbaz-sharif", "ishaq-dar"],
    )


@pytest.fixture
def batches(app):
    """The shipped history and ``BATCHES`` more batches in the log, no index yet."""
    for batch in range(BATCHES):
        app.append([validate(meeting(3 * batch + i), "test") for i in range(3)])
    return app


def test_batches_longer_than_a_page_are_indexed_as_one_page_would(batches, monkeypatch):
    monkeypatch.setattr(reader, "PAGE", 2)  # every batch is longer than a page
    views = ReadModel(batches)
    assert views.catch_up(batches.recorder) == len(
        list(reader.notifications(batches.recorder, topics=LOGGED))
    )
    verdict = verify(batches.recorder, views)
    assert verdict.disagreements == [], verdict.disagreements


def test_a_page_ends_with_the_batch_that_fills_it(batches, monkeypatch):
    """A page of 3 is exactly one batch of 3: the next batch begins the next page."""
    monkeypatch.setattr(reader, "PAGE", 3)
    told: list[int] = []
    applied = ReadModel(batches).catch_up(batches.recorder, told.append)
    assert told[1:] == [3] * BATCHES and sum(told) == applied  # after the shipped history's


def test_a_catch_up_stopped_mid_page_leaves_its_position_and_rows_agreeing(batches, monkeypatch):
    monkeypatch.setattr(reader, "PAGE", 4)
    maintain, maintained = kept.maintain, []

    def stopped_on_the_third_batch(*args, **kwargs):
        if len(maintained) == 2:  # the third batch's rows are written: stop before the commit
            raise RuntimeError("stopped mid-page")
        maintained.append(True)
        return maintain(*args, **kwargs)

    monkeypatch.setattr(kept, "maintain", stopped_on_the_third_batch)
    views = ReadModel(batches)
    with pytest.raises(RuntimeError, match="stopped mid-page"):
        views.catch_up(batches.recorder)

    logged = list(reader.notifications(batches.recorder, topics=LOGGED))
    position = views.position()
    assert 0 < position < logged[-1].id
    with views.index.transaction() as sql:
        rows = sql.one("SELECT COUNT(*) FROM uspk_view_events")[0]
        (records,) = sql.one("SELECT records FROM uspk_view_meta")
    assert rows == records == sum(n.topic == RECORDED and n.id <= position for n in logged)

    monkeypatch.setattr(kept, "maintain", maintain)
    assert views.catch_up(batches.recorder) == sum(n.id > position for n in logged)
    verdict = verify(batches.recorder, views)
    assert verdict.disagreements == [], verdict.disagreements
