"""What stood when, as the export's rows (projections.standing: the index's kept standing
rows, copied), against ``uspk state`` (the service's use case).

The story, on a real store (both backends): day 1 the shipped history; day 2 the June
meeting amended to its day, the June visit backfilled and a step with a target planned;
day 3 a commitment retracted; day 4 the backfilled visit retracted.
For every day of 2025 and every one of these beliefs, the rows standing at (day, moment)
are exactly the entries of ``uspk state`` (the service's use case), in their order.
"""

import sqlite3
from datetime import date, datetime, timedelta

import pytest

from projections.entries import moment
from projections.standing import SECTIONS, stood
from service import reading
from service.bootstrap import Session
from service.stores import resolve_store
from tests.database_export import standing_and_actors, write_export
from tests.factories import retraction, step
from tests.shipped import after_history, june_amendment, june_visit_backfill

# recorded after the shipped history's last day (nothing is recorded before it occurs)
DAY1 = after_history()
DAY2 = after_history(10)
DAY3 = after_history(26)
DAY4 = after_history(30)
RETRACTED = "ussm-fwo-sustainability-priority-2025-09-08"  # a commitment nothing depends on
LUNCH = "trump-munir-lunch-2025-06-18"
VISIT = "munir-us-visit-2025-06"
# A step meant for October 2025: overdue from 1 November, the day after its target.
TARGETED = step("test-targeted-step", target="2025-10", agreement="ussm-fwo-mou")
KNOWN_AT = [DAY1, DAY1 + timedelta(hours=5), DAY2, DAY3 - timedelta(microseconds=1), DAY3, DAY4]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """The story on a SQLite file (module-wide: it is read many times, never written)."""
    session = _story(str(tmp_path_factory.mktemp("standing") / "uspk.sqlite"))
    yield session, standing_and_actors(session)[0]
    session.close()


def _story(address: str) -> Session:
    clock = Clock(DAY1)
    session = Session(resolve_store(address, create=True), clock=clock)
    clock.now = DAY2
    session.append([june_amendment(), june_visit_backfill(), TARGETED])
    clock.now = DAY3
    session.append([retraction(RETRACTED, reason="A statement of intent, not a commitment.")])
    clock.now = DAY4
    session.append([retraction(VISIT, reason="Not confirmed by a second source.")])
    return session


def entries(state: dict) -> dict[str, list[dict]]:
    return {section: state[section] for section in SECTIONS}


def every_day_of_2025():
    day = date(2025, 1, 1)
    while day.year == 2025:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("known_at", KNOWN_AT, ids=lambda t: t.isoformat())
def test_the_rows_standing_on_every_day_of_2025_are_the_state_on_that_day(corrected, known_at):
    session, rows = corrected
    for day in every_day_of_2025():
        assert stood(rows, day, known_at) == entries(reading.state_at(session, day, known_at)), day


def test_the_corrections_are_in_the_rows_each_belief_as_it_was(corrected):
    _, rows = corrected
    june_10, june_20, sept_8 = date(2025, 6, 10), date(2025, 6, 20), date(2025, 9, 8)
    undetermined = [u["event_id"] for u in stood(rows, june_10, DAY1)["undetermined"]]
    assert undetermined == ["trump-munir-meeting-2025-06"]
    assert [u["event_id"] for u in stood(rows, june_10, DAY2)["undetermined"]] == [VISIT]
    assert stood(rows, june_10, DAY4)["undetermined"] == []
    assert [e["event_id"] for e in stood(rows, june_20, DAY2)["engagements"]] == [LUNCH]
    commitments = [
        c["event_id"] for a in stood(rows, sept_8, DAY2)["agreements"] for c in a["commitments"]
    ]
    assert RETRACTED in commitments
    assert RETRACTED not in str(stood(rows, sept_8, DAY3)["agreements"])


def test_a_planned_step_turns_overdue_the_day_after_its_target(corrected):
    _, rows = corrected

    def overdue(day: date) -> bool:
        steps = stood(rows, day, DAY2)["next_steps"]
        return next(s for s in steps if s["id"] == "test-targeted-step")["overdue"]

    assert not overdue(date(2025, 10, 31)) and overdue(date(2025, 11, 1))


def test_before_anything_was_recorded_nothing_stands(corrected):
    _, rows = corrected
    assert all(
        not entries for entries in stood(rows, date(2025, 9, 8), DAY1 - timedelta(1)).values()
    )


def test_a_row_names_the_actors_of_the_events_it_shows(corrected):
    _, rows = corrected
    lunch = next(r for r in rows if r.section == "engagements" and r.key == LUNCH)
    assert {"donald-trump", "asim-munir"} <= set(lunch.actors)


def test_a_row_names_exactly_the_actors_of_the_events_it_shows_and_its_unit(corrected):
    """Those of every event the entry shows (its own, its commitments' and their
    progress's), not of an event it only relates to; an actor's row names the actor alone
    (its entry shows no event). Each row carries its unit, its least event id."""
    session, rows = corrected
    actors_of = {k: set(v) for k, v in standing_and_actors(session)[1].items()}

    def of(section: str, key: str) -> list:
        found = [r for r in rows if r.section == section and r.key == key]
        assert found, (section, key)
        return found

    assert {(r.actors, r.unit) for r in of("engagements", LUNCH)} == {
        (tuple(sorted(actors_of[LUNCH])), LUNCH)
    }
    assert {(r.actors, r.unit) for r in of("actors", "asim-munir")} >= {
        (("asim-munir",), LUNCH),
        (("asim-munir",), VISIT),
    }
    assert {r.actors for r in of("actors", "asim-munir")} == {("asim-munir",)}
    related = actors_of["first-minerals-shipment-to-ussm-2025-10-02"]
    for mou in of("agreements", "ussm-fwo-mou"):
        shown = [mou.data["event_id"], *(c["event_id"] for c in mou.data["commitments"])]
        expected = set().union(*(actors_of[event] for event in shown))
        assert set(mou.actors) == expected and related - expected, mou
        assert mou.unit == "baker-statement-on-mou-2025-09-08"
    # A step shows no event of its own: those of its history, nested in a list.
    for planned in of("next_steps", "identify-minerals-for-immediate-export"):
        shown = [event["event_id"] for event in planned.data["history"]]
        assert set(planned.actors) == set().union(*(actors_of[event] for event in shown)) != set()


def test_a_row_a_later_belief_replaced_was_recorded_until_that_moment(corrected):
    """The MoU with the commitment retracted on day 3 was believed until day 3; the MoU
    without it from day 3, still believed."""
    _, rows = corrected
    mou = [r for r in rows if r.section == "agreements" and r.key == "ussm-fwo-mou"]
    before = {(r.recorded_from, r.recorded_until) for r in mou if RETRACTED in r.entry}
    after = {(r.recorded_from, r.recorded_until) for r in mou if RETRACTED not in r.entry}
    assert before == {(moment(DAY1), moment(DAY3))}
    assert after == {(moment(DAY3), None)}


def test_the_exported_standing_table_is_the_indexs_kept_rows_in_order(corrected, tmp_path):
    """Every kept row, hidden ones too, copied as it is into the file, numbered in
    ``kept_reading.ALL_ROWS``'s order."""
    session, _ = corrected
    write_export(session, tmp_path / "reset.db")
    db = sqlite3.connect(tmp_path / "reset.db")
    try:
        copied = db.execute(
            "SELECT section, entry_key, unit, valid_from, valid_until, recorded_from,"
            " recorded_until, sort_key, dated, version_key, entry FROM standing ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    kept = session.index.kept_rows()
    assert copied == kept and any(row[6] is not None for row in kept)


@pytest.mark.postgres
def test_a_postgresql_store_gives_the_same_rows(postgres_url, corrected):
    _, rows = corrected
    session = _story(postgres_url)
    try:
        assert standing_and_actors(session)[0] == rows
    finally:
        session.close()
