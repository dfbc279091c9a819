"""A recorded moment as the index writes it (projections.entries.moment): fixed-width UTC
text to the microsecond, so that text order is time order, whatever the zone a time was
given in or the machine's."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

from projections.entries import moment

KARACHI = timezone(timedelta(hours=5))


def test_a_recorded_moment_is_utc_text_to_the_microsecond_whatever_the_machines_zone(
    monkeypatch,
):
    monkeypatch.setenv("TZ", "Asia/Karachi")
    time.tzset()
    try:
        assert moment(datetime(2026, 1, 1, 5, 0, tzinfo=KARACHI)) == "2026-01-01T00:00:00.000000"
        assert moment(datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=UTC)) == "2026-01-01T00:00:00.000005"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_recorded_moments_sort_as_text_in_time_order():
    times = [
        datetime(300, 1, 1, tzinfo=UTC),
        datetime(2025, 9, 8, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 9, 9, 4, 0, tzinfo=KARACHI),  # 2025-09-08T23:00 UTC
        datetime(2025, 9, 9, tzinfo=UTC),
    ]
    assert sorted(times, key=moment) == sorted(times)
    assert sorted(map(moment, times)) == [moment(t) for t in sorted(times)]
