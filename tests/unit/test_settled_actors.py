"""An actor's rows across units settled into one row per span of days
(projections/settled.py): placed where it first joined any unit standing then, showing
the version of its latest introduction in any; no database needed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from projections.settled import settle
from projections.standing import Row, stood

# (actor, valid from, valid to, join rank, version key, entry)
EARLY_JOIN = ("a", "2020-01-01", None, "2020-01-01|0001|x", "", '{"name": "A"}')
LATE_JOIN = ("a", "2021-01-01", None, "2021-01-01|0001|y", "", '{"name": "A"}')


def test_an_actor_in_two_units_is_placed_where_it_first_joined_any():
    assert list(settle([LATE_JOIN, EARLY_JOIN])) == [
        ("a", "2020-01-01", None, "2020-01-01|0001|x", "", '{"name": "A"}')
    ]


def test_an_actor_shows_its_latest_version_in_any_unit_from_the_day_it_applies():
    renamed = ("a", "2022-06-01", None, "2022-06-01|0001|z", "2022-06-01|0001|z", '{"name": "B"}')
    older = (*EARLY_JOIN[:3], EARLY_JOIN[3], "2019-01-01|0001|i", '{"name": "A"}')
    assert list(settle([older, renamed])) == [
        ("a", "2020-01-01", "2022-06-01", EARLY_JOIN[3], "2019-01-01|0001|i", '{"name": "A"}'),
        ("a", "2022-06-01", None, EARLY_JOIN[3], "2022-06-01|0001|z", '{"name": "B"}'),
    ]


def test_a_unit_row_that_ends_no_longer_places_the_actor_from_its_last_day_on():
    """Valid-to is exclusive: on the day a unit's row ends, only the others count."""
    ended = (*EARLY_JOIN[:2], "2021-06-01", *EARLY_JOIN[3:])
    assert list(settle([ended, LATE_JOIN])) == [
        ("a", "2020-01-01", "2021-06-01", EARLY_JOIN[3], "", '{"name": "A"}'),
        ("a", "2021-06-01", None, LATE_JOIN[3], "", '{"name": "A"}'),
    ]


def test_days_no_unit_holds_the_actor_have_no_row_and_equal_spans_are_one():
    first = (*EARLY_JOIN[:2], "2020-06-01", *EARLY_JOIN[3:])
    again = ("a", "2021-01-01", "2021-03-01", *EARLY_JOIN[3:])
    after = ("a", "2021-03-01", None, *EARLY_JOIN[3:])  # the same answer: one row on
    other = ("b", "2020-01-01", None, "2020-01-01|0001|x|0001", "", '{"name": "B"}')
    assert list(settle([after, other, first, again])) == [
        ("a", "2020-01-01", "2020-06-01", *EARLY_JOIN[3:]),
        ("a", "2021-01-01", None, *EARLY_JOIN[3:]),
        ("b", "2020-01-01", None, "2020-01-01|0001|x|0001", "", '{"name": "B"}'),
    ]


def test_equal_versions_settle_on_one_entry_whatever_order_the_rows_come_in():
    one = ("a", "2020-01-01", None, "2020-01-01|0001|x", "v", '{"name": "A", "role": "1"}')
    two = ("a", "2020-01-01", None, "2020-02-01|0001|y", "v", '{"name": "A", "role": "2"}')
    assert list(settle([one, two])) == list(settle([two, one]))


def _export_row(key: str, unit: str, sort_key: str, name: str, version: str) -> Row:
    entry = json.dumps({"id": key, "name": name})
    moment = "2025-01-01T00:00:00.000000+00:00"
    return Row(
        "actors",
        key,
        unit,
        sort_key,
        version,
        False,
        entry,
        "2020-01-01",
        None,
        moment,
        None,
        (key,),
    )


def test_the_exports_rows_show_an_actor_once_where_it_first_joined_in_its_latest_version():
    """The export's standing rows hold an actor once per unit naming it; the state they
    reassemble (``stood``) shows it once, placed at its least join rank and showing the
    entry of its greatest version key (neither merely the first nor the last row read)."""
    rows = [
        _export_row("ussm", "u1", "1|0000", "Old", "5"),
        _export_row("fwo", "u2", "2|0000", "FWO", "6"),
        _export_row("ussm", "u3", "4|0000", "Renamed", "7"),
        _export_row("ussm", "u4", "3|0000", "Middle", "4"),
    ]
    state = stood(rows, date(2025, 6, 10), datetime(2026, 1, 1, tzinfo=UTC))
    assert state["actors"] == [{"id": "ussm", "name": "Renamed"}, {"id": "fwo", "name": "FWO"}]
