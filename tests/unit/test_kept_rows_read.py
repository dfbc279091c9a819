"""The kept rows read back as uspk wrote them, and refused in one line otherwise
(projections/kept_reading.py): a change row's shape, field by field; an about row's place; the
state's head and size. No database: the rows are given as the index returns them. Found
by the mutation run of the `kept` group (issue 18)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from projections import kept_reading
from projections.kept_reading import RowUnreadable
from projections.sections import SECTIONS
from projections.views import timestamp_view

CHANGE = {
    "event_id": "signed",
    "kind": "agreement-signed",
    "occurred": {"edtf": "2025-09-08"},
    "source": {"publisher": "Dawn"},
    "changes": [["agreement", "a1"], ["step", "s1"]],
    "joins": [[1, "fwo", None], [0, "ussm", "A lender"]],
}


def clear(text):
    return text


def changes_read(*entries: dict, ranks: list[str] | None = None) -> list:
    ranks = ranks or [f"r{n}" for n in range(len(entries))]
    # each row's key is the id of the event it was written for, whatever an edit did to its entry
    keys = [e["event_id"] if isinstance(e["event_id"], str) else "signed" for e in entries]
    rows = [(r, k, json.dumps(e)) for r, k, e in zip(ranks, keys, entries, strict=True)]
    return kept_reading.read_changes(rows, clear)


def test_a_change_row_as_uspk_writes_it_is_read_back_in_replay_order():
    later = {**CHANGE, "event_id": "later"}
    read = changes_read(later, CHANGE, ranks=["2025-09-09|0002", "2025-09-08|0001"])
    assert [(c.rank, c.entry["event_id"]) for c in read] == [
        ("2025-09-08|0001", "signed"),
        ("2025-09-09|0002", "later"),
    ]
    assert read[0].entry == CHANGE


@pytest.mark.parametrize(
    "edited",
    [
        {"event_id": 7},
        {"kind": None},
        {"occurred": "2025-09-08"},
        {"source": ["Dawn"]},
        {"changes": {"agreement": "a1"}},
        {"joins": "fwo"},
        # one change, which the one join names: only the change is not as written
        {"changes": [["agreement", "a1", "extra"]], "joins": [[0, "fwo", None]]},
        {"changes": ["agreement"], "joins": [[0, "fwo", None]]},
        {"changes": ["ab"], "joins": [[0, "fwo", None]]},  # two characters long, but text
        {"changes": [["agreement", 1]], "joins": [[0, "fwo", None]]},
        {"changes": [[1, "a1"]], "joins": [[0, "fwo", None]]},
        # a join must name one of the row's changes, by its place: 0 or 1 here, not 2
        {"joins": [[2, "fwo", None]]},
        {"joins": [[-1, "fwo", None]]},
        {"joins": [[0, "fwo"]]},
        {"joins": [[0, 5, None]]},
        {"joins": [[0, "fwo", 3]]},
    ],
    ids=lambda edited: json.dumps(edited),
)
def test_a_change_row_not_as_uspk_writes_it_is_refused_by_its_key(edited):
    """Each field of the wrong JSON type alone, the rest as written, is refused: a
    diff reads hundreds of rows and checks each field."""
    with pytest.raises(RowUnreadable, match="the standing row of changes 'signed' cannot be read"):
        changes_read({**CHANGE, **edited})


def test_a_change_row_whose_rank_is_not_text_is_refused():
    rows = [(3, "signed", json.dumps(CHANGE))]
    with pytest.raises(RowUnreadable, match="'signed' cannot be read"):
        kept_reading.read_changes(rows, clear)


@pytest.mark.parametrize(
    "place",
    [
        "agreements\tussm-fwo-mou\t1|x",  # parts apart by tabs, not spaces
        "agreements ussm-fwo-mou",  # no sort key
        "nowhere ussm-fwo-mou 1|x",
        "actors fwo 1|x",  # an actor is found by the names row, never by a place
        5,
        None,
    ],
    ids=repr,
)
def test_an_about_row_s_place_not_as_uspk_writes_it_is_refused(place):
    with pytest.raises(RowUnreadable, match="the standing row of about .* cannot be read"):
        kept_reading._place_of(place)


def test_an_about_row_s_place_is_its_section_key_and_sort_key_which_may_hold_spaces():
    assert kept_reading._place_of("agreements ussm-fwo-mou 1|2025-09-08 x y") == (
        "agreements",
        "ussm-fwo-mou",
        "1|2025-09-08 x y",
    )


def test_the_state_read_from_rows_says_its_day_and_moment_and_has_a_key_per_section():
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    state = kept_reading.KeptState(lambda section: [], date(2025, 9, 8), at, clear)
    assert state["as_of"] == "2025-09-08"
    assert state["known_at"] == timestamp_view(at) is not None
    assert len(state) == len(list(state)) == len(SECTIONS) + 2
    read = dict(kept_reading.read_state([], date(2025, 9, 8), at, clear))
    assert read["known_at"] == state["known_at"] and read["as_of"] == "2025-09-08"


def test_a_dated_reason_is_completed_with_the_day_asked_however_the_state_is_read():
    """An undetermined entry's row holds its reason without the day it was asked about
    (``dated``): read whole, or entry by entry as shown, the reason names the day."""
    reason = "its date (September 2025) contains "
    row = ("undetermined", "m", "0|x", 1, "", json.dumps({"event_id": "m", "reason": reason}))
    for as_read in (False, True):
        state = kept_reading.KeptState(
            lambda section: [row] if section == "undetermined" else [],
            date(2025, 9, 9),
            None,
            clear,
            as_read,
        )
        assert [e["reason"] for e in state["undetermined"]] == [reason + "2025-09-09"], as_read


def test_rows_of_one_place_are_in_the_order_of_their_keys_and_a_section_not_kept_is_no_key():
    """A narrowed state's actors share one place (their sort key is empty): they come in
    the order of their ids, whatever order the index gave their rows in."""
    rows = [("actors", key, "", 0, "", json.dumps({"id": key})) for key in ("ussm", "fwo", "munir")]
    state = kept_reading.KeptState(
        lambda section: list(rows) if section == "actors" else [], date(2025, 9, 9), None, clear
    )
    assert [a["id"] for a in state["actors"]] == ["fwo", "munir", "ussm"]
    with pytest.raises(KeyError, match="nowhere"):
        state["nowhere"]


@pytest.mark.parametrize(
    "row",
    [
        ("engagements", "v1", b"\x00", 0, "", "{}"),  # a sort key made a BLOB by an edit
        ("engagements", 7, "1|x", 0, "", "{}"),  # a key made a number
    ],
)
def test_a_row_whose_place_is_not_text_is_refused_by_its_section_and_key(row):
    state = kept_reading.KeptState(
        lambda section: [row] if section == "engagements" else [], date(2025, 9, 9), None, clear
    )
    with pytest.raises(RowUnreadable) as refused:
        state["engagements"]
    assert str(refused.value) == f"the standing row of engagements {row[1]!r} cannot be read"
