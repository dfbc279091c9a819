"""A unit's fold as rows (projections/unit_rows.py), made from records alone, no
database: read back on any day they give the fold's state; what each entry is about
stands exactly while the entry does; the rows hold entries as compact JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.records import Record
from domain.rules import replay_key
from domain.world import actor_registry
from events.files import validate
from projections import kept_reading, settled
from projections import state as states
from projections.sections import ABOUT, CHANGES, SECTIONS
from projections.unit_rows import NAMES, change_days, unit_rows
from tests.factories import (
    actor,
    commitment,
    declare_noted_kind,
    doc,
    financing,
    government_action,
    introductions,
    make,
    progress,
    signing,
    step,
)

AT = datetime(2026, 7, 1, tzinfo=UTC)


def action(event_id: str, measure: str, occurred: str, effective: str):
    return government_action(event_id, occurred, effective, measure, subject="pakistan")


def records(*documents) -> list[Record]:
    ordered = sorted(documents, key=replay_key)
    return [Record(d, AT, n) for n, d in enumerate(ordered, 1)]


def rows_of(members: list[Record], everyone: list[Record] | None = None) -> list[tuple]:
    """The unit's rows, its actors as the introductions among ``everyone`` (the whole
    record; by default the unit) introduce them."""

    def introducing(actors):
        return {
            a: [r for r in everyone or members if a in {x.id for x in r.document.introduces}]
            for a in actors
        }

    return list(unit_rows(members, introducing))


def standing_on(rows: list[tuple], day: date) -> list[tuple]:
    """The rows standing on ``day``: (section, key, valid from, valid to, ...)."""
    on = day.isoformat()
    return [r for r in rows if r[2] <= on and (r[3] is None or on < r[3])]


def read(rows: list[tuple], day: date) -> dict:
    shown = [(r[0], r[1], *r[4:]) for r in standing_on(rows, day) if r[0] in SECTIONS]
    return dict(kept_reading.read_state(shown, day, None, lambda text: text))


def around(members: list[Record]) -> list[date]:
    """Each day the unit may change, the day before and the day after."""
    one = timedelta(days=1)
    days = change_days(members)
    return sorted(
        {d + k * one for d in days for k in (-1, 0, 1) if date.min < d < date.max} | {*days}
    )


INTRO = introductions("ussm", "fwo", "pakistan")
# Known only to September: undetermined through it, and the commitment dated inside it
# depends on it; two measures, the first action of one known only to August (the
# measure's place is then its first action applied: the duty's comes first in August).
UNDETERMINED = (
    INTRO,
    signing("a1", occurred="2025-09"),
    commitment("a1", "c1", "2025-09-10"),
    action("t1", "tariff", "2025-08", "2025-08-20"),
    action("t2", "tariff", "2025-08-05", "2025-08-06"),
    action("d1", "duty", "2025-08-03", "2025-08-04"),
    # Two actions on a levy in force from some day of August, their ids in the other
    # order than the days: undetermined through August, after the tariff's action known
    # only to August though they come before it, and in their own order.
    action("zz-levy-first", "levy", "2025-07-30", "2025-08"),
    action("aa-levy-second", "levy", "2025-07-31", "2025-08"),
    # A step to be done in November: overdue from 1 December on (no other date ends then).
    step("s9", occurred="2025-08-15", target="2025-11"),
    # One to be done by the last year there is: never overdue, and no day after it.
    step("s10", occurred="2025-08-16", target="9999"),
)


# Two financings: the loan pledged first and approved last, the grant pledged between.
# A financing's place is its first happening's, though it shows its latest.
FINANCINGS = (
    introductions("ussm", "fwo", "pakistan"),
    financing("fa1", "pledged", "2025-09-01", borrower="fwo"),
    financing("fa2", "approved", "2025-10-15", borrower="fwo"),
    make(
        "financing",
        "fb1",
        "2025-10-01",
        financing="grant",
        stage="pledged",
        lender="ussm",
        borrower="fwo",
        project="B mine",
    ),
)


@pytest.mark.parametrize("history", [UNDETERMINED, FINANCINGS], ids=["undetermined", "financings"])
def test_a_units_rows_read_on_any_day_give_the_folds_state(history):
    members = records(*history)
    rows = rows_of(members)
    registry = actor_registry(r.document for r in members)
    for day in around(members):
        assert read(rows, day) == states.state_at(members, day, None, registry), day


# A step planned on the agreement, then under way: its entry changes, what it is about
# (the step, the agreement, its owner) does not. An actor's name as written, not ASCII.
PROGRESSING = (
    make(
        "meeting",
        "intro",
        "2025-06",
        participants=["ussm", "fwo"],
        introduces=[actor("ussm"), actor("fwo", name="Frontière Works"), actor("pakistan")],
    ),
    signing("a1", occurred="2025-09-08"),
    step("s1", occurred="2025-09-20", agreement="a1"),
    progress("s1", "under-way", "s1-begun", "2025-10-15"),
)


def about_rows(rows: list[tuple]) -> list[tuple]:
    """Each about row as (key, the place it points at, valid from, valid to, entry)."""
    return [
        (r[1], r[4] or r[1].removeprefix(NAMES), r[2], r[3], r[7]) for r in rows if r[0] == ABOUT
    ]


def place(row: tuple) -> str:
    return f"{row[0]} {row[1]} {row[4]}"


@pytest.mark.parametrize(
    "history", [UNDETERMINED, PROGRESSING], ids=["undetermined", "progressing"]
)
def test_what_an_entry_is_about_stands_exactly_while_the_entry_does(history):
    """A narrowed state finds an entry by its about rows: on each day they point at the
    entries standing, each of a section that has them (an actor is found by its own id;
    what a happening changed is no entry of the state), none left behind by an entry
    that went or changed."""
    members = records(*history)
    rows = rows_of(members)
    for day in around(members):
        entries = {
            place(r) for r in standing_on(rows, day) if r[0] not in ("actors", CHANGES, ABOUT)
        }
        pointed_at = {a[1] for a in about_rows(standing_on(rows, day))}
        assert pointed_at == entries, day


def test_an_entry_that_changes_keeps_what_it_is_about_as_the_same_rows():
    """The step under way is a new entry row, its about rows go on: none ends on the day
    an equal one begins."""
    members = records(*PROGRESSING)
    rows = rows_of(members)
    steps = [r for r in rows if r[0] == "next_steps"]
    assert [r[2:4] for r in steps] == [("2025-09-20", "2025-10-15"), ("2025-10-15", None)]
    abouts = about_rows(rows)
    assert {a[1] for a in abouts} >= {place(steps[0])}
    split = [(a, b) for a in abouts for b in abouts if a[:2] == b[:2] and a[3] == b[2]]
    assert split == []


def test_a_row_holds_its_entry_as_compact_json_its_text_as_written():
    """The index holds each entry as JSON without spaces, text as written: as small as
    the text, and a name found in it as it reads (a reader of the database, `sqlite3`
    or Datasette, searches it so)."""
    rows = rows_of(records(*PROGRESSING))
    texts = [r[7] for r in rows]
    assert all(
        t == json.dumps(json.loads(t), ensure_ascii=False, separators=(",", ":")) for t in texts
    )
    assert any("Frontière Works" in t for t in texts)


def test_an_actor_in_two_units_shows_the_name_its_latest_introduction_gave():
    """Two meetings, nothing else tying them, each introducing X: in June as "Zeta", in
    September as "Alpha". Each unit has X's row; settled across them, the state lists
    X once, by the name of its latest introduction, as the fold of the whole does (not
    the name that sorts last)."""

    def meeting(event_id: str, on: str, name: str, other: str):
        introduces = [actor("x", name=name), actor(other)]
        return make("meeting", event_id, on, participants=["x", other], introduces=introduces)

    everyone = records(
        meeting("m1", "2025-06-01", "Zeta", "y"), meeting("m2", "2025-09-01", "Alpha", "z")
    )
    rows = [row for unit in everyone for row in rows_of([unit], everyone)]
    actors = settled.settle((r[1], r[2], r[3], r[4], r[6], r[7]) for r in rows if r[0] == "actors")
    rows = [r for r in rows if r[0] != "actors"]
    rows += [
        ("actors", a, since, until, join, 0, version, entry)
        for a, since, until, join, version, entry in actors
    ]
    registry = actor_registry(r.document for r in everyone)
    for day in around(everyone):
        assert read(rows, day) == states.state_at(everyone, day, None, registry), day
    assert [a["name"] for a in read(rows, date(2025, 10, 1))["actors"] if a["id"] == "x"] == [
        "Alpha"
    ]


def test_a_happenings_change_row_names_each_actor_it_introduced_also_after_one_it_updated():
    """A meeting introduces USSM under a new name, then Newco: what it changed says USSM
    updated, then Newco introduced, and the row names Newco as an actor it brought (what
    `uspk diff` says instead when Newco joined the state first in another unit)."""
    renaming = make(
        "meeting",
        "m9",
        "2025-11-01",
        participants=["ussm", "fwo"],
        introduces=[actor("ussm", name="USSM Renamed"), actor("newco")],
    )
    rows = rows_of(records(introductions("ussm", "fwo"), renaming))
    (entry,) = [json.loads(r[7]) for r in rows if r[0] == CHANGES and r[1] == "m9"]
    assert [text for _, text in entry["changes"][:2]] == [
        "actor updated: USSM Renamed (ussm)",
        "actor introduced: Newco (newco)",
    ]
    assert entry["joins"] == [[1, "newco", None]]


def test_a_happening_of_another_kind_naming_a_measure_does_not_place_it():
    """A kind without rules (declared as a new kind is) whose happening names the
    tariff before any action on it: the measures are still placed by their first
    actions, the duty's before the tariff's, as the fold places them."""
    from events import registry

    with registry.declaring():
        declare_noted_kind("embargo-lifted", "embargo lifted")
        lifted = validate(
            doc("embargo-lifted", "lifted", "2025-07-01", authority="ussm", measure="tariff"),
            "test",
        )
        members = records(
            INTRO,
            lifted,
            action("d1", "duty", "2025-08-03", "2025-08-04"),
            action("t2", "tariff", "2025-08-05", "2025-08-06"),
        )
        rows = rows_of(members)
        registry_of = actor_registry(r.document for r in members)
        for day in around(members):
            assert read(rows, day) == states.state_at(members, day, None, registry_of), day
        measures = read(rows, date(2025, 9, 1))["measures"]
        assert [m["measure"] for m in measures] == ["duty", "tariff"]
