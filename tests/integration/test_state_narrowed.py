"""`state --agreement/--actor/--kind` on a real store (both backends): the narrowed
answer is read from the kept rows (what each entry is about is kept with them), and
equals the whole state's entries about the same things. The store holds the shipped
history, which reaches December 2025 (relations such as "realises" across events,
measures, financing, shipments, announcements)."""

from __future__ import annotations

from datetime import date

import pytest

from projections.state import Narrowing
from projections.timeline import UnknownActor
from service import reading
from service.bootstrap import Session, checked_store
from tests.factories import actor, make

DATES = [date(2025, 6, 30), date(2025, 9, 8), date(2025, 10, 15), date(2025, 12, 31)]
UNRELATED = make("meeting", "unrelated-meeting", "2025-09-09", participants=["mota-engil", "nlcp"])


@pytest.fixture
def session(store_address):
    with Session(checked_store(store_address, create=True)) as opened:
        kinds = {r.document.kind for r in opened.index.believed()}
        assert {"government-action", "financing", "shipment", "announcement"} <= kinds
        opened.append([UNRELATED])
        # FWO introduced again, in another version, by a meeting it takes no part in:
        # from then on its role is this one, in every entry that names it.
        fwo = opened.index.registry()["fwo"].model_dump(mode="json") | {"role": "Later role (test)"}
        participants = ["mota-engil", "nlcp"]
        opened.append(
            [
                make(
                    "meeting",
                    "fwo-again",
                    "2025-10-01",
                    participants=participants,
                    introduces=[fwo],
                )
            ]
        )
        yield opened


def narrowings(session: Session) -> list[Narrowing]:
    agreements = [k.removeprefix("agreement:") for k in session.index.keys_like("agreement:")]
    actors = sorted({a for r in session.index.believed() for a in r.document.mentions()})
    kinds = sorted({r.document.kind for r in session.index.believed()})
    return [
        *(Narrowing(agreements=frozenset([a])) for a in agreements),
        *(Narrowing(actors=frozenset([a])) for a in actors),
        *(Narrowing(kinds=frozenset([k])) for k in kinds),
        Narrowing(frozenset(agreements[:1]), frozenset(actors[:2]), frozenset(kinds)),
    ]


def test_each_narrowed_state_is_the_whole_states_entries_about_the_same_thing(session):
    believed = session.index.believed()
    asked = narrowings(session)
    assert len(asked) > 20
    for as_of in DATES:
        whole = reading.state_at(session, as_of)
        for narrowing in asked:
            assert reading.state_at(session, as_of, None, narrowing) == narrowing.about(
                whole, believed
            ), f"{narrowing} on {as_of}"


def test_an_agreement_keeps_its_own_entries_and_not_the_others(session):
    state = reading.state_at(
        session, date(2025, 12, 31), None, reading.narrowing(session, ["ussm-fwo-mou"])
    )
    assert [a["id"] for a in state["agreements"]] == ["ussm-fwo-mou"]
    assert {s["agreement"] for s in state["next_steps"]} == {"ussm-fwo-mou"}
    assert {s["agreement"] for s in state["shipments"]} <= {"ussm-fwo-mou"}
    actors = {a["id"]: a for a in state["actors"]}
    assert {"ussm", "fwo"} <= set(actors) and actors["fwo"]["role"] == "Later role (test)"
    assert "mota-engil" not in {a["id"] for a in state["actors"]}


def test_a_narrowed_state_is_read_from_the_kept_rows_without_decoding_a_record(
    session, monkeypatch
):
    """What each entry is about is kept with the rows (``kept_reading.narrowed_rows``): a
    narrowed state reads no record, at any day and moment asked."""
    believed = session.index.believed()
    wholes = {as_of: reading.state_at(session, as_of) for as_of in DATES}
    narrowing = reading.narrowing(session, ["ussm-fwo-mou"], ["fwo"])

    def no_record(*args, **kwargs):
        raise AssertionError("a narrowed state decoded records")

    monkeypatch.setattr(session.index, "_records", no_record)
    for as_of, whole in wholes.items():
        narrowed = reading.state_at(session, as_of, None, narrowing)
        assert narrowed == narrowing.about(whole, believed)
    assert narrowed["agreements"] and narrowed["actors"]


def test_an_actor_is_asked_for_by_id_or_name(session):
    by_id = reading.narrowing(session, actors=["shehbaz-sharif"])
    assert reading.narrowing(session, actors=["Shehbaz Sharif"]) == by_id
    assert by_id.actors == {"shehbaz-sharif"}


def test_unknown_ids_are_refused_with_the_close_matches(session):
    with pytest.raises(reading.UnknownAgreement, match="ussm-fwo-mou"):
        reading.narrowing(session, ["ussm-fwo-mo"])
    with pytest.raises(UnknownActor, match="ussm"):
        reading.narrowing(session, actors=["usm"])


def test_a_narrowed_state_shows_every_actor_its_entries_name_past_one_query_s_marks(
    store_address,
):
    """The actors a narrowed state shows are read 500 ids a query (the marks one query
    takes): those of every query are shown, not the last one's alone."""
    crowd = [actor(f"envoy-{n:03d}", "person") for n in range(600)]
    meeting = make(
        "meeting",
        "crowded-meeting",
        "2025-09-09",
        participants=["envoy-000", "envoy-599"],
        introduces=crowd,
    )
    with Session(checked_store(store_address, create=True)) as opened:
        opened.append([meeting])
        asked = Narrowing(actors=frozenset({"envoy-599"}))
        state = reading.state_at(opened, date(2025, 9, 10), None, asked)
    assert [e["event_id"] for e in state["engagements"]] == ["crowded-meeting"]
    assert [a["id"] for a in state["actors"]] == [a["id"] for a in crowd]
