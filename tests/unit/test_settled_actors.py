"""An actor's rows across units settled into one row per span of days
(projections/settled.py): placed where it first joined any unit standing then, showing
the version of its latest introduction in any; no database needed."""

from __future__ import annotations

from projections.settled import settle

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
