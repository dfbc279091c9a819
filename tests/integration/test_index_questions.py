"""The index's questions (projections/queries.py) asked at a moment past, with each bound
of their window, and at their edges (nothing recorded yet, an id never recorded): each
answer must be the one that the records believed then give, computed here from the
records alone (domain.records.believed_records), or the state the standing rows give."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from domain.records import believed_records
from domain.world import actor_registry
from events.dates import parse_date
from projections import diff as changes
from projections import kept_reading
from projections.sections import SECTIONS
from service import reading
from service.bootstrap import Session, checked_store
from tests.factories import actor, make, retraction
from tests.integration.test_kept_rows import Clock
from tests.shipped import june_amendment, june_visit_backfill, recorded_until

# The day after the shipped history's last day (2026-04-30 when written), before the
# clock's first moment (2026-07-01): the latest happenings of the record, on one day.
LATE = (date.fromisoformat(recorded_until()) + timedelta(days=1)).isoformat()
BEFORE_LATE = date.fromisoformat(LATE) - timedelta(days=1)
NEWCOMER = "test-late-newcomer"
# On LATE's day a meeting (rank 0) goes before a statement (rank 3): their ids sort the
# other way, so an order by id alone would put the statement first.
SAID, MET = "test-late-a-said", "test-late-b-met"
FOLLOWED = "ussm-fwo-immediate-export-2025-09-08"  # the late meeting follows it up
WINDOWS = [  # (starting_by, ending_from, ending_by, kinds)
    (None, None, None, ()),
    (date(2025, 6, 30), None, None, ()),
    (None, date(2025, 9, 1), None, ()),  # the first event ends on 2025-06-30
    (None, None, date(2025, 6, 30), ()),
    (date(2025, 9, 30), date(2025, 9, 1), date(2025, 9, 30), ("meeting", "visit")),
]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The shipped history; then, recorded later, the two late happenings (the statement
    first), the June meeting's amendment and the June visit learned late (so recorded
    order is not replay order); then the statement retracted."""
    path = tmp_path_factory.mktemp("questions") / "uspk.sqlite"
    with Session(checked_store(str(path), create=True), Clock()) as session:
        session.index.believed()  # the history loaded
        said = make("statement-made", SAID, LATE, speaker=NEWCOMER, quote="Later.")
        met = make(
            "meeting",
            MET,
            LATE,
            participants=["ussm", NEWCOMER],
            introduces=[actor(NEWCOMER)],
            relates=[{"to": FOLLOWED, "relation": "follows-up"}],
        )
        session.append([said, met, june_amendment(), june_visit_backfill()])
        session.append([retraction(SAID)])
        yield session, path


def moments(session: Session) -> dict[str, object]:
    """Each moment a batch was recorded at, the one just before anything was, and now."""
    at = sorted({r.recorded_at for r in session.index.everything()})
    assert len(at) == 3  # the history, the late batch, the retraction
    return {
        "before": at[0] - timedelta(microseconds=1),
        "history": at[0],
        "late": at[1],
        "retracted": at[2],
        "now": None,
    }


def believed_then(session: Session, known_at) -> list:
    return believed_records(session.index.everything(), known_at)


def span(record) -> tuple[date, date]:
    occurred = parse_date(str(record.document.occurred))
    return occurred.start, occurred.end


def ids(records) -> list[str]:
    return [r.id for r in records]


def test_believed_is_what_the_records_believed_then_within_each_bound_of_its_window(story):
    session, _ = story
    for name, known_at in moments(session).items():
        for starting_by, ending_from, ending_by, kinds in WINDOWS:
            expected = [
                r
                for r in believed_then(session, known_at)
                if (starting_by is None or span(r)[0] <= starting_by)
                and (ending_from is None or span(r)[1] >= ending_from)
                and (ending_by is None or span(r)[1] <= ending_by)
                and (not kinds or r.document.kind in kinds)
            ]
            answer = session.index.believed(known_at, starting_by, ending_from, kinds, ending_by)
            assert ids(answer) == ids(expected), (name, starting_by, ending_from, ending_by)
            pages = session.index.believed_pages(known_at, starting_by, ending_from, kinds)
            if ending_by is None:
                assert [r.id for page, _ in pages for r in page] == ids(expected), name


def test_an_exports_heads_are_those_of_the_records_believed_then(story):
    """How many, their kinds, the first in replay order, the latest (by start, then end,
    then replay order: the meeting before the statement of the same day), the last day."""
    session, _ = story
    for name, known_at in moments(session).items():
        believed = believed_then(session, known_at)
        count, kinds, first, last, last_day = session.index.believed_heads(known_at)
        assert count == len(believed), name
        assert kinds == {r.document.kind for r in believed}, name
        if not believed:
            assert (first, last, last_day) == (None, None, None), name
            continue
        latest = max(span(r) for r in believed)
        assert first.id == believed[0].id, name
        assert last.id == next(r.id for r in believed if span(r) == latest), name
        assert last_day == max(span(r)[1] for r in believed), name
    heads = session.index.believed_heads(moments(session)["late"])
    assert heads[3].id == MET and {SAID, MET} <= set(
        ids(believed_then(session, heads[3].recorded_at))
    )


def test_what_a_correction_changed_is_what_was_believed_at_one_moment_and_not_the_other(story):
    session, _ = story
    at = moments(session)
    for then in at.values():
        assert session.index.believed_ids(then) == ids(believed_then(session, then))
        for other in at.values():
            gone = set(ids(believed_then(session, other)))
            expected = [r.id for r in believed_then(session, then) if r.id not in gone]
            assert ids(session.index.changed_belief(then, other)) == expected
            assert session.index.changed_belief(then, other, ids=True) == expected
    # recorded later: the late batch, in replay order (not the order it was recorded in)
    later = ids(session.index.changed_belief(at["late"], at["history"]))
    assert later == ["munir-us-visit-2025-06", "trump-munir-lunch-2025-06-18", MET, SAID]
    assert ids(session.index.changed_belief(at["late"], None)) == [SAID]


def test_the_record_ends_on_the_last_day_of_what_was_believed_then(story):
    session, _ = story
    at = moments(session)
    assert session.index.recorded_until(at["before"]) is None  # nothing recorded yet
    assert session.index.recorded_until(at["history"]) == date.fromisoformat(recorded_until())
    assert session.index.recorded_until(at["late"]) == date.fromisoformat(LATE)
    assert session.index.record_of("never-recorded") is None
    assert session.index.record_of(SAID).id == SAID  # retracted: still a record


def test_the_lookups_by_key_answer_for_the_moment_and_day_asked(story):
    """The newcomer is introduced by the late meeting and spoken of by the late statement:
    not yet known when the history was recorded, nor before the late day."""
    session, _ = story
    at = moments(session)
    key = f"introduces:{NEWCOMER}"
    index = session.index
    assert ids(index.with_keys({key}, at["late"])) == [MET]
    assert ids(index.with_keys({key}, at["history"])) == []
    day = date.fromisoformat(LATE)
    assert set(index.first_joins({NEWCOMER}, day, at["late"])) == {NEWCOMER}
    assert index.first_joins({NEWCOMER}, day, at["history"]) == {}


def test_the_state_read_a_section_at_a_time_is_the_state_read_whole(story):
    session, _ = story
    at = moments(session)
    for as_of in (date(2025, 6, 18), date(2025, 10, 1), date.fromisoformat(LATE)):
        for known_at in (at["history"], at["late"], None):
            whole = dict(session.index.kept_state(as_of, known_at))
            by_section = session.index.kept_sections(as_of, known_at)
            assert {k: by_section[k] for k in whole} == whole, (as_of, known_at)
    late = session.index.kept_sections(date.fromisoformat(LATE), at["late"])
    assert NEWCOMER in {a["id"] for a in late["actors"]}


def test_an_export_pages_state_holds_no_entry_each_made_again_when_taken_again(story):
    """The page export's state is read a section at a time, each entry made from its row
    whenever it is taken and not kept (what writes a section holds one entry): gone
    through twice, a section gives equal entries, not the same ones, and the entries of
    the state read whole."""
    session, _ = story
    page = reading.exported_page(session)
    whole = session.index.kept_sections(date.fromisoformat(page.state["as_of"]), None)
    taken = [s for s in SECTIONS if len(page.state[s]) > 1]
    assert taken
    for section in taken:
        entries = page.state[section]
        once, again = list(entries), list(entries)
        assert once == again == whole[section], section
        assert all(a is not b for a, b in zip(once, again, strict=True)), section


def test_an_exports_state_gives_each_section_as_entries_made_as_they_are_taken(story):
    """The JSON export writes the state as it reads it: each section an iterator of its
    entries, made as they are taken (not a list of them all), that gives the entries of
    the state read whole."""
    session, _ = story
    exported = reading.exported_events(session)
    whole = dict(session.index.kept_state(exported.as_of, None))
    sections = 0
    for name, value in exported.state:
        if name in SECTIONS:
            sections += 1
            assert iter(value) is value and list(value) == whole[name], name
    assert sections == len(SECTIONS)


def test_the_exports_standing_rows_are_the_index_rows_each_whole(story):
    """``kept_rows`` (the SQLite export's standing table) gives every standing row with
    all its columns, its entry last and in clear, as the table holds them."""
    session, path = story
    with sqlite3.connect(path) as db:
        table = db.execute(kept_reading.ALL_ROWS).fetchall()
    assert session.index.kept_rows() == table
    assert any(row[-1].startswith("{") for row in table)


def test_the_chain_head_and_the_actors_are_those_recorded_by_the_moment_asked(story):
    """An export at a moment past carries the chain's head as it stood then (the last
    change recorded by then), and the actors introduced by what was believed then."""
    session, _ = story
    records = session.index.everything()
    for name, known_at in moments(session).items():
        then = [r for r in records if known_at is None or r.recorded_at <= known_at]
        head = (then[-1].position, then[-1].chain) if then else (0, None)
        assert session.index.chain_head(known_at) == head, name
    at = moments(session)
    assert NEWCOMER not in session.index.registry(at["history"])
    assert session.index.registry(at["late"])[NEWCOMER].name == actor(NEWCOMER)["name"]


def test_each_actor_is_introduced_by_the_first_record_believed_then_that_introduces_it(story):
    """`uspk actors` at a moment past: the actors believed then, each with the first record
    (in replay order) believed then that introduces it; the June meeting before the late
    batch amended it and brought the June visit learned late, the visit since."""
    session, _ = story
    for name, known_at in moments(session).items():
        believed = believed_then(session, known_at)
        first: dict[str, str] = {}
        for record in believed:
            for introduced in record.document.introduces:
                first.setdefault(introduced.id, record.id)
        listed = reading.actors(session, known_at)
        assert [a["id"] for a in listed] == sorted(actor_registry(r.document for r in believed))
        assert {a["id"]: a["introduced_by"] for a in listed} == first, name
    at = moments(session)
    said = {a["id"]: a["introduced_by"] for a in reading.actors(session, at["history"])}
    now = {a["id"]: a["introduced_by"] for a in reading.actors(session, None)}
    assert {k for k in said if said[k] != now.get(k)}  # the late batch changed some


# Windows of the changes: the June the late batch corrected, the late day, the whole record,
# and one that begins after a happening of November 2025 entered the state and before its
# change row was made again (on 2025-11-30: its unit folded again, the row split in two).
CHANGE_WINDOWS = [
    (date(2025, 5, 31), date(2025, 6, 30)),
    (BEFORE_LATE, date.fromisoformat(LATE)),
    (date(2024, 12, 31), date.fromisoformat(LATE)),
    (date(2025, 11, 25), date(2025, 12, 31)),
]


def test_what_changed_between_two_days_is_the_diff_of_the_records_believed_then(story):
    """`uspk diff` at a moment past reads the kept change rows standing then, and where
    each actor first joined the state then: what the whole fold of the records believed
    then says, for every window and moment; a happening that entered the state before
    the window is not said again in it because its change row was made again."""
    session, _ = story
    for name, known_at in moments(session).items():
        believed = believed_then(session, known_at)
        registry = actor_registry(r.document for r in believed)
        for since, until in CHANGE_WINDOWS:
            expected = changes.diff(believed, since, until, registry)
            said = reading.diff(session, since, until, known_at)
            assert said == expected, (name, since, until)
    split = reading.diff(session, date(2025, 11, 25), date(2025, 12, 31))
    assert "exim-chair-pledges-reko-diq-loan-2025-11-23" not in {c["event_id"] for c in split}


def test_the_introductions_are_every_believed_record_that_introduces_an_actor(story):
    """A batch's check asks for the introductions of the actors it names (a lookup of
    ``domain.recording.RecordLookup``); asked for none in particular, the index gives
    every happening believed now that introduces an actor, retracted ones left out."""
    session, _ = story
    believed = [r for r in believed_then(session, None) if r.document.introduces]
    every = session.index.introductions()
    assert len(every) == len(believed) > 1 and set(ids(every)) == set(ids(believed))
    assert ids(session.index.introductions({NEWCOMER})) == [MET]


def test_the_records_related_to_a_batch_are_every_believed_one_naming_its_things_or_actors(
    story,
):
    session, _ = story
    believed = believed_then(session, None)
    for actors in ({"ussm"}, {NEWCOMER}, {"ussm", "fwo"}):
        related = session.index.related(set(), actors)
        expected = {r.id for r in believed if actors & set(r.document.mentions())}
        assert len(related) == len(expected) > 0 and set(ids(related)) == expected, actors
    assert ids(session.index.related({f"introduces:{NEWCOMER}"}, set())) == [MET]


def test_the_corrections_story_reads_every_correction_and_what_each_corrects(story):
    """Every retraction and amendment, with every record one corrects, in recorded order:
    the late batch's amendment of the June meeting, the statement's retraction, and those
    of the shipped history."""
    session, _ = story
    records = session.index.everything()
    corrected = {r.document.retracts for r in records if r.document.kind == "retraction"}
    corrected |= {getattr(r.document, "supersedes", None) for r in records} - {None}
    expected = [
        r.id
        for r in records
        if r.document.kind == "retraction"
        or getattr(r.document, "supersedes", None)
        or r.id in corrected
    ]
    assert {SAID, f"retract-{SAID}", "trump-munir-meeting-2025-06"} <= set(expected)
    assert ids(session.index.corrections_and_targets()) == expected


def test_every_record_read_from_the_index_is_the_chronicles_whole(story, monkeypatch):
    """Each record as the chronicle replays it from the log: its document, when, its
    position, who recorded it and why, and its link in the hash chain; read in one page
    and in pages of 3 rows (every page boundary crossed)."""
    from projections import queries
    from tests.oracle import chronicle_of

    session, _ = story
    records = chronicle_of(session.app).records
    assert all(r.chain for r in records) and any(r.recorder for r in records)
    assert session.index.everything() == records
    monkeypatch.setattr(queries, "_ROWS", 3)
    assert session.index.everything() == records


def test_a_lookup_of_more_keys_than_one_query_takes_finds_the_records_of_each(story):
    """Maintaining the standing rows asks for keys, ids and actors in chunks of 500 (the
    marks one query takes): what the first chunk found is kept when later ones find
    nothing."""
    from projections.queries import KeptLookup
    from projections.tables import END_OF_TIME

    session, _ = story
    unknown = [f"zz-unknown-{n:04d}" for n in range(600)]  # sorted after every real one
    with session.index.transaction() as sql:
        lookup = KeptLookup(session.index, sql, END_OF_TIME)
        assert ids(lookup.with_keys([f"introduces:{NEWCOMER}", *unknown])) == [MET]
        assert ids(lookup.by_ids([MET, *unknown])) == [MET]
        assert ids(lookup.mentioning([NEWCOMER, *unknown])) == [MET]
        assert ids(lookup.mentioning([NEWCOMER, *unknown], before=True)) == [MET]
        assert ids(lookup.introductions_before([NEWCOMER, *unknown])) == [MET]
        assert ids(lookup.introductions([NEWCOMER, *unknown])[NEWCOMER]) == [MET]


def test_a_lookup_at_a_moment_asks_for_what_was_recorded_by_it_or_only_before_it(story):
    """At the late batch's moment the newcomer is named by both late happenings, recorded
    at that moment: asked for records recorded before it, by neither; a microsecond
    later, it was introduced before."""
    from projections.entries import moment
    from projections.queries import KeptLookup

    session, _ = story
    at = moment(moments(session)["late"])
    with session.index.transaction() as sql:
        lookup = KeptLookup(session.index, sql, at)
        assert sorted(ids(lookup.mentioning([NEWCOMER]))) == [SAID, MET]
        assert lookup.mentioning([NEWCOMER], before=True) == []
        assert lookup.introductions_before([NEWCOMER]) == []
    just_after = moment(moments(session)["late"] + timedelta(microseconds=1))
    with session.index.transaction() as sql:  # recorded just before: by a microsecond
        assert ids(KeptLookup(session.index, sql, just_after).introductions_before([NEWCOMER])) == [
            MET
        ]


def test_a_narrowed_state_at_a_moment_past_reads_the_rows_believed_then(story):
    """Narrowed to the newcomer, the state on the late day shows its statement as it was
    believed once recorded, and not once retracted: the narrowing's rows are read at the
    moment asked, as the whole state's are."""
    from projections.state import Narrowing

    session, _ = story
    at = moments(session)
    wanted = Narrowing(actors=frozenset({NEWCOMER})).wanted()
    day = date.fromisoformat(LATE)

    def said(known_at) -> list[str]:
        state = dict(session.index.kept_state(day, known_at, wanted=wanted))
        return [e["event_id"] for e in state["statements"]]

    assert said(at["late"]) == [SAID]
    assert said(at["retracted"]) == said(None) == []


def test_a_page_of_the_record_at_a_moment_past_carries_the_relations_believed_then(story):
    """Each page of what was believed at a moment past comes with the records believed
    then that relate to one of its own, computed here from the records alone: the
    relations of the moment asked, not of now (the late meeting follows up a shipped
    happening only from the moment it was recorded)."""
    session, _ = story
    pages = session.index.believed_pages(moments(session)["history"])
    assert MET not in {r.id for _, related in pages for r in related}
    for name, known_at in moments(session).items():
        believed = believed_then(session, known_at)
        for page, related in session.index.believed_pages(known_at):
            on_page = {r.id for r in page}
            expected = {
                r.id
                for r in believed
                if any(x.to in on_page for x in getattr(r.document, "relates", ()) or ())
            }
            assert {r.id for r in related} == expected, name
