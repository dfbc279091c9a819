"""The kept standing rows (projections/kept.py) on scenarios the random histories reach
rarely: each answer must be the pure fold's of the records believed then."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.world import actor_registry
from projections import kept_reading
from projections import state as states
from projections.sections import SECTIONS
from service import reading
from service.bootstrap import Session, checked_store
from tests.factories import actor, commitment, make, progress, retraction, signing, step


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 7, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def fold(session: Session, as_of: date) -> dict:
    believed = session.index.believed()
    registry = actor_registry(r.document for r in believed)
    return states.state_at(believed, as_of, None, registry)


def test_an_actor_introduced_again_under_another_name_is_renamed_in_every_entry(tmp_path):
    """A statement by USSM (a shipped actor) in 2020 lives in a unit of its own; a 2019
    meeting then introduces USSM under another name. The statement's speaker must show
    that name wherever the fold does, though nothing else ties the two events."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = make("statement-made", "ussm-said-2020", "2020-05-01", speaker="ussm", quote="Yes.")
        session.append([said])
        renamed = actor("ussm", name="US Strategic Metals (renamed)")
        session.append(
            [
                make(
                    "meeting",
                    "ussm-renamed-2019",
                    "2019-01-01",
                    participants=["ussm", "fwo"],
                    introduces=[renamed],
                )
            ]
        )
        for as_of in (date(2019, 6, 1), date(2020, 6, 1), date(2025, 10, 1)):
            assert dict(session.index.kept_state(as_of)) == fold(session, as_of), as_of
        speaker = [
            s["speaker"]
            for s in dict(session.index.kept_state(date(2020, 6, 1)))["statements"]
            if s["event_id"] == "ussm-said-2020"
        ]
        assert speaker == ["US Strategic Metals (renamed)"]


def speakers(session: Session, event_id: str, as_of: date = date(2020, 6, 1)) -> list[str]:
    state = dict(session.index.kept_state(as_of))
    assert state == fold(session, as_of), as_of
    return [s["speaker"] for s in state["statements"] if s["event_id"] == event_id]


def renaming(event_id: str = "ussm-renamed-2019"):
    renamed = actor("ussm", name="US Strategic Metals (renamed)")
    return make(
        "meeting", event_id, "2019-01-01", participants=["ussm", "fwo"], introduces=[renamed]
    )


def test_retracting_the_introduction_that_renamed_an_actor_shows_its_former_name_again(tmp_path):
    """The renaming meeting retracted: the statement in a unit of its own shows USSM's
    shipped name again (what the retracted meeting introduced is refolded everywhere)."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = make("statement-made", "ussm-said-2020", "2020-05-01", speaker="ussm", quote="Yes.")
        session.append([said])
        shipped = speakers(session, said.id)
        session.append([renaming()])
        assert speakers(session, said.id) == ["US Strategic Metals (renamed)"] != shipped

        session.append([retraction("ussm-renamed-2019")])

        assert speakers(session, said.id) == shipped


def test_an_actor_renamed_in_a_batch_with_other_events_is_renamed_in_every_entry(tmp_path):
    """The renaming meeting appended with other events (before and after it): the
    statement naming USSM in another unit still shows the new name."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = make("statement-made", "ussm-said-2020", "2020-05-01", speaker="ussm", quote="Yes.")
        session.append([said])
        others = [
            make("statement-made", f"{n}-fwo-said-2021", "2021-05-01", speaker="fwo", quote="No.")
            for n in ("a", "z")
        ]
        session.append([others[0], renaming("m-ussm-renamed-2019"), others[1]])

        assert speakers(session, said.id) == ["US Strategic Metals (renamed)"]


def test_an_actor_renamed_in_a_batch_that_retracts_an_event_is_renamed_in_every_entry(tmp_path):
    """The renaming meeting appended with the retraction of another event, the
    retraction first: the statement naming USSM in another unit shows the new name."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = make("statement-made", "ussm-said-2020", "2020-05-01", speaker="ussm", quote="Yes.")
        other = make("statement-made", "fwo-said-2021", "2021-05-01", speaker="fwo", quote="No.")
        session.append([said, other])

        session.append([retraction(other.id, "a-retraction"), renaming("z-ussm-renamed-2019")])

        assert speakers(session, said.id) == ["US Strategic Metals (renamed)"]


def test_an_actor_introduced_again_as_it_was_leaves_the_rows_as_verify_makes_them(tmp_path):
    """A meeting of 2000 introduces Pakistan and the United States as the shipped history
    does (the same name, type, country and role; aliases are not shown). Such an
    introduction ties nothing together: the rows kept on append are the rows `uspk
    verify` makes afresh from every record (it reported a damaged index here, joining
    every introduction of an actor into one unit afresh but not on append), and the
    state still says what the fold says."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        states_again = [
            actor("united-states", "state", name="United States"),
            actor("pakistan", "state", name="Pakistan"),
        ]
        session.append(
            [
                make(
                    "meeting",
                    "early-meeting-2000",
                    "2000-01",
                    participants=["ussm", "fwo"],
                    introduces=states_again,
                )
            ]
        )
        held, made = session.index.kept_now()
        assert held == made
        for as_of in (date(2000, 1, 31), date(2025, 6, 30), date(2025, 10, 1)):
            assert dict(session.index.kept_state(as_of)) == fold(session, as_of), as_of


# -- reading rows: what ``kept_reading.read_state`` makes of the rows a query gives ------------


def _row(section: str, key: str, sort_key: str, entry: dict, dated: int = 0, version: str = ""):
    """A standing row as the reader takes it: (section, entry key, sort key, dated,
    version key, entry JSON)."""
    return (section, key, sort_key, dated, version, json.dumps(entry))


def read(rows: list[tuple], day: date = date(2025, 6, 10)) -> dict:
    return dict(kept_reading.read_state(rows, day, None, lambda text: text))


def test_entries_of_other_sections_are_each_read_in_their_sort_order():
    """Only actors are merged by key: two rows of one key in another section are two
    entries (the views of one measure), each section in its sort key's order."""
    rows = [
        _row("measures", "m", "2", {"measure": "m", "view": 2}),
        _row("measures", "m", "1", {"measure": "m", "view": 1}),
        _row("agreements", "a", "1", {"id": "a"}),
    ]
    state = read(rows)
    assert state["measures"] == [{"measure": "m", "view": 1}, {"measure": "m", "view": 2}]
    assert state["agreements"] == [{"id": "a"}]
    assert list(state) == ["as_of", "known_at", *SECTIONS]
    assert state["as_of"] == "2025-06-10" and state["known_at"] is None


def test_a_dated_reason_is_completed_with_the_day_asked_and_an_undated_one_is_not():
    """An undetermined entry whose reason names the asked date is kept once, its date
    cut off (``dated``): read on a day, the reason ends with that day."""
    rows = [
        _row("undetermined", "e", "0|1", {"event_id": "e", "reason": "its date contains "}, 1),
        _row("undetermined", "f", "0|2", {"event_id": "f", "reason": "depends on g"}, 0),
    ]
    reasons = [u["reason"] for u in read(rows, date(2025, 7, 1))["undetermined"]]
    assert reasons == ["its date contains 2025-07-01", "depends on g"]


@pytest.mark.parametrize("entry", ["{not json", '["a list"]', "null", None])
def test_a_row_that_uspk_could_not_have_written_is_named_by_its_section_and_key(entry):
    row = ("agreements", "meg-nlcp-mou", "1", 0, "", entry)
    with pytest.raises(kept_reading.RowUnreadable) as raised:
        read([row])
    assert str(raised.value) == "the standing row of agreements 'meg-nlcp-mou' cannot be read"


def test_a_row_that_still_holds_when_its_unit_is_folded_again_is_kept_as_it_was(tmp_path):
    """A 2020 statement by USSM, then one by FWO following it up: the second joins the
    first's unit, whose rows are made again. The first statement's entry changes (it is
    followed up from June), but USSM's entry does not: its row stays the one recorded
    with the first statement, never hidden and opened again (the export's standing rows
    copy every row: a row closed and reopened would say USSM's entry changed)."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = make("statement-made", "a-said-2020", "2020-05-01", speaker="ussm", quote="Yes.")
        session.append([said])
        (first,) = [r for r in session.index.kept_rows() if r[:3] == ("actors", "ussm", said.id)]
        followed = [{"to": said.id, "relation": "follows-up"}]
        session.append(
            [
                make(
                    "statement-made",
                    "b-said-2020",
                    "2020-06-01",
                    speaker="fwo",
                    quote="No.",
                    relates=followed,
                )
            ]
        )
        rows = session.index.kept_rows()
        assert [r for r in rows if r[:3] == ("actors", "ussm", said.id)] == [first]
        assert first[6] is None  # never hidden
        statements = [r[3:7] for r in rows if r[:3] == ("statements", said.id, said.id)]
        assert len(statements) == 3  # the entry as it was (hidden), and as it is now


def test_an_actor_settled_row_that_still_holds_is_kept_as_it_was(tmp_path):
    """FWO, in the shipped history since 2025, makes a statement in March 2026: a unit of
    its own with a row for FWO, so FWO is settled again across its units
    (projections/settled.py). It joined the state long before and shows the same
    version, so its settled rows stay those recorded with the history: none hidden and
    opened again, none added."""
    path = tmp_path / "s.sqlite"
    query = "SELECT * FROM uspk_view_actors WHERE entry_key = 'fwo' ORDER BY valid_from"
    with Session(checked_store(str(path), create=True), Clock()) as session:
        session.index.believed()  # the history loaded
        with sqlite3.connect(path) as db:
            first = db.execute(query).fetchall()
        said = make("statement-made", "fwo-said-2026", "2026-03-01", speaker="fwo", quote="Yes.")
        session.append([said])
        assert ("actors", "fwo", said.id) in {r[:3] for r in session.index.kept_rows()}
        with sqlite3.connect(path) as db:
            assert db.execute(query).fetchall() == first
    assert first


def test_a_commitment_appended_later_joins_the_unit_of_its_agreement(tmp_path):
    """A 2020 agreement, then (at another moment) a commitment on it: the commitment is
    folded with the signing it depends on (they share the agreement), so the state
    shows it under the agreement as the fold does, not as undetermined."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        session.append([signing("a2020", occurred="2020-03-01")])
        session.append([commitment("a2020", "c2020", "2020-04-01")])

        state = dict(session.index.kept_state(date(2020, 6, 1)))
        assert state == fold(session, date(2020, 6, 1))
        (agreement,) = [a for a in state["agreements"] if a["id"] == "a2020"]
        assert [c["event_id"] for c in agreement["commitments"]] == ["c2020"]


def test_an_actor_renamed_by_amending_its_only_introduction_is_renamed_in_every_entry(tmp_path):
    """Newco, introduced once (so nothing ties its introduction to the records naming
    it), renamed by an amendment of that introduction: one version before, another one
    after. The 2020 statement by Newco, in a unit of its own, shows the new name."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:

        def met(event_id: str, name: str, **fields):
            newco = actor("newco", name=name)
            return make(
                "meeting",
                event_id,
                "2019-01-01",
                participants=["newco", "ussm"],
                introduces=[newco],
                **fields,
            )

        said = make("statement-made", "newco-said-2020", "2020-05-01", speaker="newco", quote="Hi.")
        session.append([met("newco-met-2019", "Newco"), said])
        assert speakers(session, said.id) == ["Newco"]

        session.append([met("newco-met-2019-amended", "Newco Ltd", supersedes="newco-met-2019")])

        assert speakers(session, said.id) == ["Newco Ltd"]


def test_a_section_as_read_is_counted_by_its_rows_and_its_entries_made_when_taken():
    """What shows a section entry by entry (the page) holds one entry: the section is
    counted by its rows, each entry made when taken (anew on another pass), and a
    function mapped over them applies as each is made."""
    made: list[tuple] = []

    def make(row: tuple) -> dict:
        made.append(row)
        return {"k": row[0]}

    entries = kept_reading.Entries([("a",), ("b",)], make)
    assert len(entries) == 2 and made == []
    assert list(entries) == [{"k": "a"}, {"k": "b"}] == list(entries)
    assert len(made) == 4
    assert list(entries.mapped(lambda entry: entry["k"])) == ["a", "b"]
    assert entries[1] == {"k": "b"} and entries[:1] == [{"k": "a"}]


# "about" names a section of the kept rows too: an entry is told by its section, not its key
@pytest.mark.parametrize("agreement", ["a2020", "about"])
def test_a_grown_unit_keeps_what_its_entries_are_about_as_verify_makes_it(tmp_path, agreement):
    """A 2020 agreement, then at another moment a commitment on it dated a month later:
    the unit only grew, so its rows before that day are kept and it is folded from that
    day on. What each entry is about (the rows a narrowed state reads) is kept with the
    entry it points at: held as made afresh, and a narrowed state before and after the
    commitment answers as the fold does."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        session.append([signing(agreement, occurred="2020-03-01")])
        session.append([commitment(agreement, "c2020", "2020-04-01")])

        held, made = session.index.kept_now()
        assert held == made
        asked = states.Narrowing(agreements=frozenset({agreement}))
        believed = session.index.believed()
        for as_of in (date(2020, 3, 15), date(2020, 6, 1)):
            narrowed = reading.state_at(session, as_of, None, asked)
            assert narrowed == asked.about(fold(session, as_of), believed)
            assert [a["id"] for a in narrowed["agreements"]] == [agreement]


def grown(tmp_path, query: str, edit: str = "") -> tuple[list[tuple], list[tuple]]:
    """An agreement signed in March 2020, then at another moment a commitment in April
    that grows its unit: ``query`` (its one parameter, the unit) read before and after,
    and ``edit`` made by hand between."""
    address = str(tmp_path / "s.sqlite")
    with Session(checked_store(address, create=True), Clock()) as session:
        session.append([signing("a2020", occurred="2020-03-01")])
        with sqlite3.connect(address) as db:
            (unit,) = db.execute(
                "SELECT unit FROM uspk_view_standing WHERE section = 'agreements'"
                " AND entry_key = 'a2020'"
            ).fetchone()
            before = db.execute(query, (unit,)).fetchall()
            if edit:
                db.execute(edit)
        session.append([commitment("a2020", "c2020", "2020-04-01")])
        with sqlite3.connect(address) as db:
            return before, db.execute(query, (unit,)).fetchall()


def test_a_grown_unit_closes_what_an_entry_deleted_by_hand_was_about_on_its_new_day(tmp_path):
    """An agreement's standing row deleted by hand, its about rows left: when a commitment
    grows the unit, those about rows, of no entry standing (not as uspk keeps them), end
    on the day the unit is folded from, instead of standing on (the deleted row itself is
    for `uspk verify` to name and `uspk rebuild` to make again)."""
    before, after = grown(
        tmp_path,
        "SELECT entry_key, sort_key, valid_from, valid_to, entry FROM uspk_view_standing"
        " WHERE section = 'about' AND hidden_at IS NULL AND unit = ?",
        "DELETE FROM uspk_view_standing WHERE section = 'agreements' AND entry_key = 'a2020'",
    )
    assert before and all(row[3] is None for row in before)  # they stood on
    assert {(*row[:3], "2020-04-01", row[4]) for row in before} <= set(after)
    assert not set(before) & set(after)  # none left standing on


def test_a_grown_unit_keeps_the_rows_that_still_hold_as_they_were(tmp_path):
    """A commitment in April grows the unit of an agreement signed in March: the rows
    standing before April that its fold still gives from April on (the signing's
    happening, the actors) go on as the same rows, none hidden and opened again."""
    before, after = grown(
        tmp_path,
        "SELECT section, entry_key, valid_from, valid_to, recorded_from, hidden_at, entry"
        " FROM uspk_view_standing WHERE unit = ? AND section != 'about' ORDER BY 1, 2, 3",
    )
    went_on = [r for r in before if r[0] != "agreements"]  # the agreement gains its commitment
    assert went_on and all(r in after for r in went_on)
    assert not [r for r in after if r[5] is not None and r[0] != "agreements"]


def test_a_unit_that_only_grew_is_folded_from_its_new_day_leaving_the_rows_ended_before(
    tmp_path,
):
    """A 2020 agreement, a commitment in April, then one in June, each at its own moment:
    the June commitment only grows the unit, so it is folded from June on and the rows
    that ended before (the agreement as it stood in March) are left as they are, not
    made again. An edit to such a row (by hand, here) is therefore still there after
    the append, for `uspk verify` to name, and `uspk rebuild` to make again."""
    address = str(tmp_path / "s.sqlite")
    with Session(checked_store(address, create=True), Clock()) as session:
        session.append([signing("a2020", occurred="2020-03-01")])
        session.append([commitment("a2020", "c-april", "2020-04-01")])
        march = ("agreements", "a2020", "a2020-signed", "2020-03-01", "2020-04-01")
        assert [r for r in session.index.kept_rows() if r[:5] == march]
        with sqlite3.connect(address) as db:
            db.execute(
                'UPDATE uspk_view_standing SET entry = \'{"id": "a2020", "edited": 1}\''
                " WHERE section = 'agreements' AND entry_key = 'a2020' AND valid_to = '2020-04-01'"
            )
        session.append([commitment("a2020", "c-june", "2020-06-01")])
        (kept_march,) = [r for r in session.index.kept_rows() if r[:5] == march]
        assert json.loads(kept_march[-1]) == {"id": "a2020", "edited": 1}
        held, made = session.index.kept_now()
        assert held != made


def test_two_actors_renamed_in_one_batch_by_amending_their_only_introductions_are_both_renamed(
    tmp_path,
):
    """Newco and Oldco, each introduced once, each speaking in a unit of its own, renamed
    together by one batch amending both introductions: each statement shows its speaker's
    new name, whichever amendment is looked at last."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:

        def met(actor_id: str, name: str, suffix: str = "", **fields):
            return make(
                "meeting",
                f"{actor_id}-met-2019{suffix}",
                "2019-01-01",
                participants=[actor_id, "ussm"],
                introduces=[actor(actor_id, name=name)],
                **fields,
            )

        said = {
            a: make("statement-made", f"{a}-said-2020", "2020-05-01", speaker=a, quote="Hi.")
            for a in ("newco", "oldco")
        }
        session.append([met("newco", "Newco"), met("oldco", "Oldco"), *said.values()])
        session.append(
            [
                met(a, f"{a.title()} Ltd", "-amended", supersedes=f"{a}-met-2019")
                for a in ("newco", "oldco")
            ]
        )

        assert speakers(session, said["newco"].id) == ["Newco Ltd"]
        assert speakers(session, said["oldco"].id) == ["Oldco Ltd"]


@pytest.mark.parametrize("grows", ["commitment", "progress"])
def test_a_unit_grown_on_a_day_its_rows_already_change_is_folded_again_from_that_day(
    tmp_path, grows
):
    """An agreement signed in March, a commitment on it and a step planned on it in
    April; then, at another moment, a second commitment, or the step under way, on the
    same April day: the rows that begin that day are folded again, those that ended on
    it or before are kept, and every row is as verify makes it (none begins and ends on
    one day, none is lost)."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        session.append([signing("a2020", occurred="2020-03-01")])
        session.append(
            [
                commitment("a2020", "c-april", "2020-04-01"),
                step("s1", occurred="2020-04-01", agreement="a2020"),
            ]
        )
        if grows == "commitment":
            session.append([commitment("a2020", "c-april-2", "2020-04-01")])
        else:
            session.append([progress("s1", "under-way", "s1-begun", "2020-04-01")])

        held, made = session.index.kept_now()
        assert held == made
        for as_of in (date(2020, 3, 15), date(2020, 4, 1), date(2020, 6, 1)):
            assert dict(session.index.kept_state(as_of)) == fold(session, as_of), as_of


def newco_met(event_id: str, on: str, name: str, *others, **fields):
    """A meeting with USSM introducing Newco as ``name`` (and ``others``)."""
    return make(
        "meeting",
        event_id,
        on,
        participants=["newco", "ussm"],
        introduces=[*others, actor("newco", name=name)],
        **fields,
    )


NEWCO_SAID = make("statement-made", "newco-said-2020", "2020-05-01", speaker="newco", quote="Hi.")


@pytest.mark.parametrize("change", ["retract the renaming", "introduce it again between"])
def test_newcos_names_between_its_introductions_are_what_the_fold_shows(tmp_path, change):
    """Newco introduced in 2019 and renamed by a meeting of 2021, its statement of 2020
    in a unit of its own. Then the 2021 renaming retracted (one version left, the first
    unchanged), or a meeting of 2020 introducing it again under its 2021 name (still two
    versions, the first unchanged): the statement and the actor read as the fold reads
    them on every day around."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        session.append([newco_met("newco-met-2019", "2019-01-01", "Newco"), NEWCO_SAID])
        session.append([newco_met("newco-renamed-2021", "2021-01-01", "Newco Ltd")])
        if change == "retract the renaming":
            session.append([retraction("newco-renamed-2021")])
        else:
            session.append([newco_met("newco-again-2020", "2020-01-01", "Newco Ltd")])
        for as_of in (date(2020, 3, 1), date(2020, 6, 1), date(2021, 6, 1)):
            assert dict(session.index.kept_state(as_of)) == fold(session, as_of), as_of
        held, made = session.index.kept_now()
        assert held == made


def test_an_actor_introduced_as_it_was_beside_one_renamed_leaves_neither_behind(tmp_path):
    """Oldco and Newco introduced in 2019, Newco's statement of 2020 in a unit of its
    own; a meeting of 2021 introduces Oldco as it was, then Newco under a new name. The
    unchanged actor asks for nothing, and the renamed one after it is still followed to
    the statement naming it, which shows the new name from 2021."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        session.append(
            [newco_met("newco-met-2019", "2019-01-01", "Newco", actor("oldco")), NEWCO_SAID]
        )
        session.append([newco_met("newco-renamed-2021", "2021-01-01", "Newco Ltd", actor("oldco"))])
        assert speakers(session, NEWCO_SAID.id, date(2021, 6, 1)) == ["Newco Ltd"]
        assert speakers(session, NEWCO_SAID.id, date(2020, 6, 1)) == ["Newco"]


def test_an_actor_named_by_more_records_than_one_query_takes_is_renamed_in_every_one(tmp_path):
    """Newco introduced once and named by 501 statements, each in a unit of its own (more
    than the 500 marks one query is given): renamed by amending its introduction, every
    statement shows the new name (the units asked for in slices, none lost)."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        said = [
            make(
                "statement-made", f"newco-said-{n:03d}", "2020-05-01", speaker="newco", quote="Hi."
            )
            for n in range(501)
        ]
        session.append([newco_met("newco-met-2019", "2019-01-01", "Newco"), *said])
        session.append(
            [
                newco_met(
                    "newco-met-2019-amended", "2019-01-01", "Newco Ltd", supersedes="newco-met-2019"
                )
            ]
        )
        state = dict(session.index.kept_state(date(2020, 6, 1)))
        named = [s["speaker"] for s in state["statements"] if s["event_id"].startswith("newco-")]
        assert named == ["Newco Ltd"] * 501


def test_more_units_than_one_query_takes_renamed_by_amendments_leave_no_old_unit_open(tmp_path):
    """501 agreements, each signed (``a-…``) and given a commitment (``b-…``): 501 units,
    each named by its signing. One batch amends every signing (``c-…``), so each unit is
    now named by its commitment: the old units, asked for in slices of 500, must all be
    closed, or their rows stand beside the new ones."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        numbers = [f"{n:03d}" for n in range(501)]
        session.append(
            [signing(f"ag-{n}", f"a-{n}", "2020-03-01") for n in numbers]
            + [commitment(f"ag-{n}", f"b-{n}", "2020-04-01") for n in numbers]
        )
        session.append(
            [signing(f"ag-{n}", f"c-{n}", "2020-03-02", supersedes=f"a-{n}") for n in numbers]
        )
        state = dict(session.index.kept_state(date(2020, 6, 1)))
        assert state == fold(session, date(2020, 6, 1))
        assert sorted(a["id"] for a in state["agreements"]) == [f"ag-{n}" for n in numbers]


@pytest.mark.parametrize("after", [[], ["ussm-said-2020"]], ids=["alone", "before another"])
def test_a_statement_by_an_actor_already_of_two_names_shows_each_name_from_its_day(tmp_path, after):
    """Newco introduced as "Newco" in 2019 and as "Newco Ltd" in 2021, then its 2020
    statement appended on its own (or before another record of its batch): the
    statement's unit takes both introductions (their ``introduces:`` keys), so its
    speaker reads "Newco" in 2020 and "Newco Ltd" from 2021, as the fold does."""
    store = checked_store(str(tmp_path / "s.sqlite"), create=True)
    with Session(store, Clock()) as session:
        session.append([newco_met("newco-met-2019", "2019-01-01", "Newco")])
        session.append([newco_met("newco-renamed-2021", "2021-01-01", "Newco Ltd")])
        others = [
            make("statement-made", i, "2020-05-01", speaker="ussm", quote="Yes.") for i in after
        ]
        session.append([NEWCO_SAID, *others])
        assert speakers(session, NEWCO_SAID.id, date(2020, 6, 1)) == ["Newco"]
        assert speakers(session, NEWCO_SAID.id, date(2021, 6, 1)) == ["Newco Ltd"]
        held, made = session.index.kept_now()
        assert held == made
