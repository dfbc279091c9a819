"""The domain's rules, checked by folding happenings; no store involved."""

import pytest

from domain.world import RuleBroken, World, describe_amount, fold, replay_key
from tests.factories import commitment, introductions, make, progress, signing, step

ACTORS = introductions("ussm", "fwo", "mota-engil", "nlcp")


def test_signing_records_an_agreement_with_its_parties():
    world = fold([ACTORS, signing("a1")])
    assert world.agreements["a1"].parties == ["ussm", "fwo"]
    assert str(world.agreements["a1"].signed) == "2025-09-08"


def test_an_agreement_is_signed_only_once():
    with pytest.raises(RuleBroken, match="already signed on 2025-09-08"):
        fold([ACTORS, signing("a1"), signing("a1", event_id="again", occurred="2025-09-09")])


def test_an_agreement_needs_two_distinct_parties():
    with pytest.raises(RuleBroken, match="two distinct parties"):
        fold([ACTORS, signing("a1", parties=("ussm", "ussm"))])


def test_unknown_actor_is_refused_with_close_matches():
    with pytest.raises(RuleBroken, match=r"unknown actor 'usm'.*did you mean ussm"):
        fold([ACTORS, signing("a1", parties=("usm", "fwo"))])


def test_a_backfilled_event_may_name_an_actor_a_later_event_introduces():
    later = make(
        "meeting",
        "later",
        "2025-09",
        participants=["a", "b"],
        introduces=[
            {"id": "a", "name": "A", "type": "person"},
            {"id": "b", "name": "B", "type": "person"},
        ],
    )
    earlier = make("meeting", "earlier", "2025-06", participants=["a", "b"])
    world = fold([later, earlier])
    assert [e.event_id for e in world.engagements] == ["earlier", "later"]


def test_an_actor_introduced_by_the_same_event_is_known():
    world = fold(
        [
            make(
                "meeting",
                "m",
                participants=["a", "b"],
                introduces=[
                    {"id": "a", "name": "A", "type": "person"},
                    {"id": "b", "name": "B", "type": "person"},
                ],
            )
        ]
    )
    assert set(world.actors) == {"a", "b"}


def test_commitment_to_an_agreement_not_yet_signed_is_refused():
    with pytest.raises(RuleBroken, match="agreement 'a1' is not signed by 2025-09-07"):
        fold([ACTORS, signing("a1"), commitment("a1", occurred="2025-09-07")])


def test_commitment_on_the_signing_day_attaches_whatever_the_order_given():
    world = fold([commitment("a1"), signing("a1"), ACTORS])
    assert [c.event_id for c in world.agreements["a1"].commitments] == ["c1"]


def test_a_step_moves_forward_only():
    events = [
        ACTORS,
        step("s1"),
        progress("s1", "under-way", "p1", "2025-10"),
        progress("s1", "done", "p2", "2025-11"),
    ]
    assert fold(events).steps["s1"].status == "done"
    with pytest.raises(RuleBroken, match="already done; it cannot move on"):
        fold([*events, progress("s1", "dropped", "p3", "2025-12")])
    with pytest.raises(RuleBroken, match="already under-way; it cannot go back"):
        world = fold(events[:3])
        world.apply(progress("s1", "under-way", "p4", "2025-11"))


def test_a_step_cannot_progress_before_it_is_planned():
    with pytest.raises(RuleBroken, match="has not been planned by 2025-08"):
        fold([ACTORS, step("s1"), progress("s1", "under-way", "p1", "2025-08")])


def test_a_refused_happening_leaves_the_world_unchanged():
    world = World()
    world.apply(ACTORS)
    bad = signing(
        "a1",
        parties=("ussm", "ghost"),
        introduces=[{"id": "newcomer", "name": "N", "type": "person"}],
    )
    with pytest.raises(RuleBroken):
        world.apply(bad)
    assert "newcomer" not in world.actors and not world.agreements


def test_replay_order_puts_causes_first_within_a_day_and_months_before_their_days():
    order = sorted([commitment("a1"), signing("a1"), ACTORS], key=replay_key)
    assert [h.id for h in order] == ["intro", "a1-signed", "c1"]


def test_amounts_are_described_at_the_precision_given():
    world = fold([ACTORS, signing("a1"), commitment("a1")])
    assert describe_amount(world.agreements["a1"].commitments[0]) == "about USD 500 million"


def test_diff_leaves_out_what_depends_on_a_coarser_event_not_yet_ended():
    from datetime import date

    from domain.records import Record
    from projections.diff import diff

    happenings = [ACTORS, signing("a1", occurred="2016"), commitment("a1", "c1", "2016-07")]
    records = [Record(h, None, n) for n, h in enumerate(happenings, start=1)]
    inside = diff(records, date(2016, 9, 1), date(2016, 10, 31))
    assert inside == []  # the signing ends on 31 Dec 2016; the commitment waits for it
    after = diff(records, date(2016, 9, 1), date(2016, 12, 31))
    assert list(dict.fromkeys(c["event_id"] for c in after)) == ["a1-signed", "c1"]
