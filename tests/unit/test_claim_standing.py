"""A claim's standing on a date (projections.claims), folded from records alone: what
bears on it is the events relating to it that stand on the date, whatever their order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import permutations

import pytest

from domain.records import Record
from projections.state import state_at
from tests.factories import actor, make

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PEOPLE = make(
    "meeting",
    "intro",
    "2025-06",
    participants=["munir", "official"],
    introduces=[actor("munir", "person"), actor("official", "person")],
)
PITCH = make(
    "statement-made",
    "pitch",
    "2025-10-03",
    unnamed_speaker="advisers to the army chief",
    quote="A US-run port at Pasni.",
)


def said(event_id: str, day: str, relation: str, speaker: str = "official"):
    return make(
        "statement-made",
        event_id,
        day,
        speaker=speaker,
        quote="Words.",
        relates=[{"to": "pitch", "relation": relation}],
    )


def standing_of(*documents, at: str = "2025-10-10") -> dict:
    records = [Record(d, NOW, n) for n, d in enumerate([PEOPLE, PITCH, *documents])]
    state = state_at(records, date.fromisoformat(at))
    [pitch] = [s for s in state["statements"] if s["event_id"] == "pitch"]
    return pitch["standing"]


def test_a_claim_nothing_bears_on_is_reported_and_its_unnamed_speaker_is_its_voice():
    assert standing_of() == {"status": "reported", "by": []}
    state = state_at([Record(PEOPLE, NOW, 0), Record(PITCH, NOW, 1)], date(2025, 10, 10))
    assert state["statements"][0]["speaker"] == "advisers to the army chief"


def test_a_denial_names_who_denied_it_and_when():
    standing = standing_of(said("denial", "2025-10-05", "denies"))
    assert standing["status"] == "denied"
    [by] = standing["by"]
    assert (by["event_id"], by["relation"], by["who"], by["date"]["edtf"]) == (
        "denial",
        "denies",
        "Official",
        "2025-10-05",
    )


def test_a_denial_after_the_date_asked_about_does_not_bear_on_it_yet():
    assert standing_of(said("denial", "2025-10-05", "denies"), at="2025-10-04")["status"] == (
        "reported"
    )


@pytest.mark.parametrize(
    ("relations", "status"),
    [
        (["confirms"], "confirmed"),
        (["denies"], "denied"),
        (["contradicts"], "disputed"),
        (["disputes"], "disputed"),
        (["confirms", "denies"], "disputed"),
        (["denies", "withdraws"], "withdrawn"),
        (["confirms", "takes-up"], "confirmed"),
        (["follows-up", "fulfils"], "reported"),
    ],
)
def test_the_standing_follows_from_what_bears_on_it_in_any_order(relations, status):
    documents = [said(f"e{n}", f"2025-10-0{4 + n}", r) for n, r in enumerate(relations)]
    for order in permutations(documents):
        assert standing_of(*order)["status"] == status, order


def test_a_source_of_the_claim_that_denies_it_bears_on_it_as_a_denial():
    denying = {"publisher": "Other Daily", "title": "Not so", "published": "2025-10-04"}
    pitch = make(
        "statement-made",
        "pitch",
        "2025-10-03",
        unnamed_speaker="advisers",
        quote="A port.",
        sources=[
            {"publisher": "Test", "title": "Pitch", "published": "2025-10-03"},
            {**denying, "stance": "denies"},
        ],
    )
    records = [Record(d, NOW, n) for n, d in enumerate([PEOPLE, pitch])]
    [statement] = state_at(records, date(2025, 10, 10))["statements"]
    assert statement["standing"]["status"] == "denied"
    [by] = statement["standing"]["by"]
    assert (by["who"], by["relation"], by["source"]) == ("Other Daily", None, True)
