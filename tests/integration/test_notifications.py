"""One reader of the notification log (projections.notifications), on a real store: pages
of any size read the log once, in order, after a position, up to a stop, of given topics."""

from __future__ import annotations

import pytest

from projections import notifications as reader
from projections.readmodel import RECORDED
from tests.store.helpers import open_store


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
        assert all(len(page) <= size for page in reader.pages(app.recorder, limit=size))


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
