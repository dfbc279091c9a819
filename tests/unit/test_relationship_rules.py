"""Issue 11's rules, by folding happenings and recording batches in memory: financing
stages and commitment statuses move forward, a shipment follows what it serves, a
relation names a recorded event, sources and alternatives say who says so, and an
amendment keeps what it does not change."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.chronicle import Chronicle, current
from domain.world import RuleBroken, describe_amount, fold
from events.files import InputError
from tests.factories import (
    SOURCE,
    commitment,
    financing,
    introductions,
    make,
    retraction,
    signing,
    step,
)
from tests.oracle import record

ACTORS = introductions("ussm", "fwo")
NOW = datetime(2025, 12, 31, 12, tzinfo=UTC)


def progressed(event_id: str, status: str, occurred: str = "2025-10-01", of: str = "c1"):
    return make("commitment-progressed", event_id, occurred, commitment=of, status=status)


def shipment(event_id: str = "ship", occurred: str = "2025-10-01", **fields):
    return make("shipment", event_id, occurred, goods=["copper"], **fields)


def test_financing_stages_only_move_forward():
    with pytest.raises(
        RuleBroken, match="'loan' is already approved; it cannot go back to pledged"
    ):
        fold([ACTORS, financing("f1", "approved"), financing("f2", "pledged", "2025-10-02")])


def test_stages_the_dates_cannot_order_both_stand_at_the_later_stage():
    """An approval known only to the month, a pledge to a day within it: replayed from the
    month's start the approval comes first, but the sources do not say it did."""
    world = fold(
        [ACTORS, financing("f1", "approved", "2025-11"), financing("f2", "pledged", "2025-11-23")]
    )
    assert world.financing["loan"].stage == "approved"
    assert [h[0] for h in world.financing["loan"].history] == ["approved", "pledged"]
    with pytest.raises(RuleBroken, match="cannot go back to pledged"):
        fold(
            [
                ACTORS,
                financing("f1", "approved", "2025-11"),
                financing("f2", "pledged", "2025-12-01"),
            ]
        )


def test_nothing_follows_a_withdrawn_financing():
    with pytest.raises(RuleBroken, match="'loan' was withdrawn; nothing follows"):
        fold([ACTORS, financing("f1", "withdrawn"), financing("f2", "disbursed", "2025-10-02")])


def test_a_financing_may_begin_at_any_stage_and_skip_stages():
    world = fold([ACTORS, financing("f1", "approved"), financing("f2", "disbursed", "2025-11")])
    assert world.financing["loan"].stage == "disbursed"
    assert [h[0] for h in world.financing["loan"].history] == ["approved", "disbursed"]


def test_commitment_statuses_only_move_forward():
    made = [ACTORS, signing("a1"), commitment("a1", "c1")]
    world = fold([*made, progressed("p1", "under-way"), progressed("p2", "fulfilled", "2025-11")])
    assert world.commitments["c1"].status == "fulfilled"
    with pytest.raises(RuleBroken, match="'c1' is already fulfilled; it cannot move on"):
        fold([*made, progressed("p1", "fulfilled"), progressed("p2", "lapsed", "2025-11")])
    with pytest.raises(RuleBroken, match="already under-way; it cannot go back to under-way"):
        fold([*made, progressed("p1", "under-way"), progressed("p2", "under-way", "2025-11")])


def test_a_commitment_progresses_only_once_made():
    with pytest.raises(RuleBroken, match="commitment 'c1' has not been made by 2025-09-01"):
        fold([ACTORS, signing("a1"), progressed("p1", "fulfilled", "2025-09-01"), commitment()])


def test_a_shipments_agreement_must_be_signed_by_then():
    with pytest.raises(RuleBroken, match="agreement 'a1' is not signed by 2025-09-01"):
        fold([ACTORS, shipment(occurred="2025-09-01", agreement="a1"), signing("a1")])


def test_a_shipments_step_must_be_planned_by_then():
    with pytest.raises(RuleBroken, match="step 's1' has not been planned by 2025-09-01"):
        fold([ACTORS, shipment(occurred="2025-09-01", step="s1"), step("s1")])
    assert fold([ACTORS, step("s1"), shipment(step="s1")]).shipments[0].step == "s1"


def test_a_measure_cannot_take_effect_before_it_is_issued():
    action = make(
        "government-action",
        "order",
        "2025-07-31",
        authority="ussm",
        instrument="order",
        measure="tariff",
        description="A tariff.",
        effective="2025-07-01",
    )
    with pytest.raises(RuleBroken, match="cannot take effect before it is issued"):
        fold([ACTORS, action])


def test_a_relation_must_name_a_recorded_event_or_one_in_the_batch():
    chronicle = Chronicle()
    record(chronicle, [ACTORS, signing("a1")], NOW)
    fulfils = [{"to": "ghost", "relation": "fulfils"}]
    with pytest.raises(RuleBroken, match="relates to 'ghost' \\(fulfils\\), but no event"):
        record(chronicle, [step("s1", relates=fulfils)], NOW)
    to_itself = [{"to": "s1-planned", "relation": "follows-up"}]
    with pytest.raises(RuleBroken, match="relates to itself"):
        record(chronicle, [step("s1", event_id="s1-planned", relates=to_itself)], NOW)
    record(chronicle, [signing("a2")], NOW)
    record(chronicle, [retraction("a2-signed")], NOW)
    to_retraction = [{"to": "retract-a2-signed", "relation": "follows-up"}]
    with pytest.raises(RuleBroken, match="relates to 'retract-a2-signed'"):
        record(chronicle, [step("s1", relates=to_retraction)], NOW)
    recorded = [{"to": "a1-signed", "relation": "follows-up"}]
    in_batch = [{"to": "s2-planned", "relation": "follows-up"}]
    record(
        chronicle,
        [
            step("s1", relates=recorded),
            step("s2", event_id="s2-planned"),
            step("s3", relates=in_batch),
        ],
        NOW,
    )


def test_a_source_without_a_title_needs_a_url():
    untitled = {key: value for key, value in SOURCE.items() if key != "title"}
    with pytest.raises(InputError, match="a source without a title needs a url"):
        make("step-planned", "p", step="s", description="D.", sources=[untitled])
    with_url = {**untitled, "url": "https://example.org/report"}
    planned = make("step-planned", "p", step="s", description="D.", sources=[with_url])
    assert planned.sources[0].title is None


def test_alternatives_need_who_says_so():
    alternative = {"field": "occurred", "value": "2025-09-09"}
    with pytest.raises(InputError, match="said_by"):
        step("s1", alternatives=[alternative])
    with pytest.raises(InputError, match="said_by"):
        step("s1", alternatives=[{**alternative, "said_by": []}])


OTHER = {
    "publisher": "Other Daily",
    "published": "2025-09-10",
    "url": "https://example.org/other-daily/teams",
    "quote": "Teams were formed on 9 September.",
}


def test_an_alternative_said_by_a_publisher_no_source_names_is_refused_and_nothing_kept():
    chronicle = Chronicle()
    record(chronicle, [ACTORS], NOW)
    unknown = {"field": "occurred", "value": "2025-09-09", "said_by": ["Treasure"]}
    with pytest.raises(RuleBroken) as refused:
        record(chronicle, [step("s1", alternatives=[unknown]), signing("a1")], NOW)
    assert str(refused.value) == (
        "event 's1-planned': alternative of field 'occurred': said_by 'Treasure' is not the "
        "publisher of any of its sources; expected one of: Test Gazette (or give the "
        "alternative its own sources)"
    )
    with pytest.raises(RuleBroken, match="expected one of: Test Gazette, Other Daily "):
        record(chronicle, [step("s1", alternatives=[{**unknown, "sources": [OTHER]}])], NOW)
    assert [r.id for r in chronicle.records] == ["intro"]  # the batch, all or nothing


def test_an_alternative_is_said_by_the_events_sources_or_its_own():
    chronicle = Chronicle()
    by_the_event = {"field": "occurred", "value": "2025-09-09", "said_by": ["Test Gazette"]}
    cited = {"field": "occurred", "value": "2025-09-09", "sources": [OTHER]}
    both = {**cited, "said_by": ["Test Gazette", "Other Daily"]}
    planned = step("s1", alternatives=[by_the_event, cited, both])
    record(chronicle, [ACTORS, planned], NOW)
    alternatives = current(chronicle.records)[-1].alternatives
    assert [a.said_by for a in alternatives] == [
        ["Test Gazette"],
        ["Other Daily"],  # derived from its own sources when not given
        ["Test Gazette", "Other Daily"],
    ]
    assert alternatives[1].sources[0].url == OTHER["url"]


def test_a_version_superseded_in_the_same_batch_is_kept_as_written():
    """The shipped history's case: a file recorded before the rule, and the amendment that
    cites its alternatives, loaded together into a new store."""
    chronicle = Chronicle()
    unknown = {"field": "occurred", "value": "2025-09-09", "said_by": ["Treasure"]}
    cited = {"field": "occurred", "value": "2025-09-09", "sources": [OTHER]}
    amendment = step("s1", "s1-cited", alternatives=[cited], supersedes="s1-planned")
    record(chronicle, [ACTORS, step("s1", alternatives=[unknown]), amendment], NOW)
    assert [r.id for r in current(chronicle.records)] == ["intro", "s1-cited"]
    with pytest.raises(RuleBroken, match="said_by 'Treasure'"):  # but never believed
        record(Chronicle(), [ACTORS, step("s1", alternatives=[unknown])], NOW)


def test_approximate_and_another_bound_together_are_refused():
    with pytest.raises(InputError, match="approximate: true contradicts bound: up-to"):
        commitment(bound="up-to")
    assert commitment(bound="about").bound == "about"


@pytest.mark.parametrize(
    ("bound", "shown"),
    [
        ("exact", "USD 2 billion"),
        ("about", "about USD 2 billion"),
        ("up-to", "up to USD 2 billion"),
        ("at-least", "at least USD 2 billion"),
    ],
)
def test_an_amount_is_shown_with_its_bound(bound, shown):
    loan = financing("f1", "pledged", amount=2_000_000_000, currency="USD", bound=bound)
    assert describe_amount(loan) == shown


def test_an_amendment_takes_what_it_does_not_give_from_the_event_it_amends():
    june = make(
        "meeting",
        "june",
        "2025-06",
        participants=["munir", "trump"],
        outcomes=["Agreed to cooperate."],
        introduces=[
            {"id": "munir", "name": "Asim Munir", "type": "person"},
            {"id": "trump", "name": "Donald Trump", "type": "person"},
        ],
    )
    chronicle = Chronicle()
    record(chronicle, [june], NOW)
    day = make(
        "meeting", "june-18", "2025-06-18", participants=["munir", "trump"], supersedes="june"
    )
    record(chronicle, [day], NOW + timedelta(days=1))
    [amended] = current(chronicle.records)
    assert amended.id == "june-18" and str(amended.occurred) == "2025-06-18"
    assert [a.id for a in amended.introduces] == ["munir", "trump"]
    assert amended.outcomes == ["Agreed to cooperate."]
    assert amended.sources == day.sources


def test_an_amendment_that_empties_a_list_on_purpose_keeps_it_empty():
    june = make("meeting", "june", "2025-06", participants=["ussm", "fwo"], outcomes=["One."])
    chronicle = Chronicle()
    record(chronicle, [ACTORS, june], NOW)
    day = make(
        "meeting",
        "june-18",
        "2025-06-18",
        participants=["ussm", "fwo"],
        outcomes=[],
        supersedes="june",
    )
    record(chronicle, [day], NOW + timedelta(days=1))
    assert current(chronicle.records)[-1].outcomes == []


def test_the_schema_tells_editors_a_source_needs_a_title_or_a_url():
    from events.schema import event_file_schema

    source = event_file_schema()["$defs"]["Source"]
    assert source["required"] == ["publisher", "published"]
    assert [option["required"] for option in source["anyOf"]] == [["title"], ["url"]]


def partial(event_id: str, supersedes: str, kind: str = "meeting", **changes):
    """An amendment that gives only what it changes, its id and its sources."""
    from events.files import validate

    raw = {"id": event_id, "kind": kind, "supersedes": supersedes, "sources": [SOURCE]}
    return validate({**raw, **changes}, "test")


def test_an_amendment_giving_only_what_changes_is_stored_whole():
    june = make("meeting", "june", "2025-06", participants=["ussm", "fwo"], place="Washington")
    chronicle = Chronicle()
    record(chronicle, [ACTORS, june], NOW)
    record(chronicle, [partial("june-18", "june", occurred="2025-06-18")], NOW)
    [_, amended] = current(chronicle.records)
    assert (amended.id, str(amended.occurred), amended.place) == (
        "june-18",
        "2025-06-18",
        "Washington",
    )
    assert amended.participants == ["ussm", "fwo"] and amended.supersedes == "june"


def test_an_amendment_giving_only_what_changes_needs_its_event_and_a_whole_that_fits():
    chronicle = Chronicle()
    record(
        chronicle, [ACTORS, make("meeting", "june", "2025-06", participants=["ussm", "fwo"])], NOW
    )
    with pytest.raises(RuleBroken, match="cannot amend 'ghost': no such event recorded"):
        record(chronicle, [partial("a", "ghost", occurred="2025-06-18")], NOW)
    with pytest.raises(RuleBroken, match="an amendment must be of the same kind as 'june'"):
        record(chronicle, [partial("b", "june", kind="visit")], NOW)
    record(chronicle, [signing("a1"), commitment("a1", "c1")], NOW)  # approximate: true
    with pytest.raises(RuleBroken, match="amending 'c1', field '.event.': approximate: true con"):
        record(chronicle, [partial("c", "c1", kind="commitment-made", bound="up-to")], NOW)


def test_an_amendment_is_refused_for_what_is_wrong_in_it_not_for_what_it_leaves_out():
    with pytest.raises(InputError, match="field 'participants': at least 2 items required"):
        partial("a", "june", participants=["ussm"])
