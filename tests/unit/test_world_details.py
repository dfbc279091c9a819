"""What the world keeps of each happening, field for field, what ``World.apply`` says it
changed, and the line a broken rule gives, word for word (issue 18: the mutation run
found these unchecked)."""

from decimal import Decimal

import pytest

from domain.world import (
    Agreement,
    Change,
    RuleBroken,
    World,
    describe_amount,
    fold,
    refuse_shared_names,
)
from tests.factories import commitment, introductions, make, signing

ACTORS = introductions("ussm", "fwo")


def refused(*happenings) -> RuleBroken:
    with pytest.raises(RuleBroken) as error:
        fold(list(happenings))
    return error.value


def test_a_signed_agreement_keeps_every_field_of_its_signing():
    signed = signing(
        "a1",
        venue="Prime Minister's House",
        witnesses=["fwo"],
        minerals=["copper"],
        sectors=["mining"],
    )
    agreement = fold([ACTORS, signed]).agreements["a1"]
    assert agreement == Agreement(
        id="a1",
        instrument="MoU",
        parties=["ussm", "fwo"],
        signed=signed.occurred,
        signed_by_event="a1-signed",
        venue="Prime Minister's House",
        witnesses=["fwo"],
        scope="Critical minerals.",
        minerals=["copper"],
        sectors=["mining"],
    )


def test_a_commitment_keeps_every_field_and_its_first_status():
    made = commitment("a1", "c1", phase="First")
    [kept] = fold([ACTORS, signing("a1"), made]).agreements["a1"].commitments
    assert (kept.event_id, kept.occurred, kept.description) == ("c1", made.occurred, "First phase.")
    assert (kept.amount, kept.currency, kept.approximate, kept.bound) == (
        Decimal(500_000_000),
        "USD",
        True,
        "about",
    )
    assert (kept.phase, kept.agreement, kept.status) == ("First", "a1", "made")
    assert kept.history == [("made", made.occurred, "c1")]


def test_a_commitments_progress_is_kept_with_its_date_and_event():
    progressed = make("commitment-progressed", "p1", "2025-10", commitment="c1", status="fulfilled")
    world = fold([ACTORS, signing("a1"), commitment("a1", "c1"), progressed])
    [kept] = world.agreements["a1"].commitments
    assert kept.status == "fulfilled"
    assert kept.history[-1] == ("fulfilled", progressed.occurred, "p1")


def test_an_agreement_of_one_party_twice_is_refused_naming_the_signing():
    error = refused(ACTORS, signing("a1", parties=("ussm", "ussm")))
    assert str(error) == "event 'a1-signed': an agreement needs at least two distinct parties"


# -- financing -----------------------------------------------------------------------------


def financing(event_id: str, stage: str, occurred: str, **fields):
    return make(
        "financing", event_id, occurred, financing="loan", stage=stage, lender="ussm",
        project="A mine", **fields,
    )  # fmt: skip


def test_a_later_stage_restates_the_amount_and_parties_and_keeps_what_it_leaves_out():
    pledged = financing(
        "f1", "pledged", "2025-09-01", amount=2_000_000_000, currency="USD", bound="up-to",
        borrower="fwo", instrument="loan",
    )  # fmt: skip
    approved = financing("f2", "approved", "2025-10-01")
    loan = fold([ACTORS, pledged, approved]).financing["loan"]
    assert (loan.stage, loan.amount, loan.currency, loan.bound) == (
        "approved", Decimal(2_000_000_000), "USD", "up-to",
    )  # fmt: skip
    assert (loan.borrower, loan.instrument) == ("fwo", "loan")
    signed = financing(
        "f3", "signed", "2025-11-01", amount=1_250_000_000, currency="USD", borrower="ussm",
        instrument="guarantee",
    )  # fmt: skip
    loan = fold([ACTORS, pledged, approved, signed]).financing["loan"]
    assert (loan.amount, loan.bound, loan.borrower, loan.instrument) == (
        Decimal(1_250_000_000), "exact", "ussm", "guarantee",
    )  # fmt: skip
    assert [h[0] for h in loan.history] == ["pledged", "approved", "signed"]


def test_the_same_stage_twice_is_refused_naming_the_second():
    error = refused(
        ACTORS, financing("f1", "approved", "2025-09-01"), financing("f2", "approved", "2025-10-01")
    )
    assert (
        str(error)
        == "event 'f2': financing 'loan' is already approved; it cannot go back to approved"
    )


def test_after_a_withdrawal_the_refusal_names_what_followed():
    error = refused(
        ACTORS, financing("f1", "withdrawn", "2025-09-01"), financing("f2", "signed", "2025-10-01")
    )
    assert str(error) == "event 'f2': financing 'loan' was withdrawn; nothing follows"


# -- amounts -------------------------------------------------------------------------------


def test_an_amount_as_written_approximate_reads_about():
    """``describe_amount`` takes a commitment as written too, where ``approximate: true``
    is the old spelling of ``bound: about``."""
    assert describe_amount(commitment("a1")) == "about USD 500 million"


def test_no_amount_reads_as_nothing():
    assert (
        describe_amount(make("commitment-made", "c1", agreement="a1", description="Talks.")) == ""
    )


# -- the agreement a happening needs ---------------------------------------------------------


def test_a_commitment_to_an_unsigned_agreement_names_up_to_three_like_it():
    signings = [signing(a, occurred="2025-09-01") for a in ("ab-1", "ab-2", "ab-3", "ab-4")]
    error = refused(ACTORS, *signings, commitment("ab-0", "c1"))
    assert error.event_id == "c1"
    assert error.message == (
        "agreement 'ab-0' is not signed by 2025-09-08 (a commitment made must follow the "
        "signing); known agreements like it: ab-4, ab-3, ab-2"
    )
    error = refused(ACTORS, commitment("zzzz", "c1"))
    assert error.message == (
        "agreement 'zzzz' is not signed by 2025-09-08 (a commitment made must follow the signing)"
    )


def test_an_unknown_actor_is_refused_naming_the_event():
    error = refused(ACTORS, make("meeting", "m1", participants=["ussm", "ghost-actor"]))
    assert error.event_id == "m1"


def test_a_refusals_likeness_hint_names_what_was_known_when_it_was_refused():
    """The typing aid is made only when the message is read (a fold that notes the
    happening as undetermined never reads it), but from the agreements and actors the
    world knew at the refusal, not from what it applied afterwards."""
    world = World()
    world.apply(ACTORS)
    world.apply(signing("ab-1", occurred="2025-09-01"))
    with pytest.raises(RuleBroken) as unsigned:
        world.apply(commitment("ab-0", "c1"))
    with pytest.raises(RuleBroken) as unknown:
        world.apply(make("meeting", "m1", participants=["ussm", "ussn"]))
    world.apply(signing("ab-2", occurred="2025-09-01"))
    world.apply(
        make(
            "meeting",
            "m2",
            participants=["ussm", "fwo"],
            introduces=[{"id": "ussn", "name": "Ussn", "type": "organisation"}],
        )
    )
    assert unsigned.value.message.endswith("; known agreements like it: ab-1")
    assert unknown.value.message.endswith("; did you mean ussm?")
    assert str(unknown.value) == f"event 'm1': {unknown.value.message}"


def test_a_hint_given_as_a_function_is_made_once_and_only_when_the_message_is_read():
    made = []

    def hint() -> str:
        made.append(1)
        return "; like x"

    error = RuleBroken("e1", "unknown", hint)
    assert (error.event_id, error.reason, made) == ("e1", "unknown", [])
    assert str(error) == "event 'e1': unknown; like x"
    assert error.message == "unknown; like x" and made == [1]


# -- what apply says changed -----------------------------------------------------------------


def test_apply_says_which_actors_were_introduced_or_updated():
    world = World()
    changes = world.apply(ACTORS)
    assert changes[:2] == [  # each naming the actor it brings into the world first
        Change("actor", "actor introduced: Ussm (ussm)", "ussm"),
        Change("actor", "actor introduced: Fwo (fwo)", "fwo"),
    ]
    renamed = make(
        "meeting", "m2", "2025-07", participants=["ussm", "fwo"],
        introduces=[{"id": "fwo", "name": "Fwo", "type": "organisation"},
                    {"id": "ussm", "name": "US Strategic Metals", "type": "organisation"}],
    )  # fmt: skip
    changes = world.apply(renamed)
    actor_changes = [c for c in changes if c.category == "actor"]
    assert actor_changes == [Change("actor", "actor updated: US Strategic Metals (ussm)")]
    assert world.actors["ussm"].name == "US Strategic Metals"


def test_an_amount_without_a_currency_reads_without_one():
    amount = make(
        "commitment-made", "c1", agreement="a1", description="x", amount=5_000_000, bound="about"
    )
    assert describe_amount(amount) == "about 5 million"


def test_a_name_two_actors_already_share_is_refused_naming_both():
    """Only a record made before names had to be unique can hold such a pair."""
    shared = [{"id": i, "name": "Board", "type": "organisation"} for i in ("b1", "b2")]
    registry = {
        a.id: a
        for a in make("meeting", "old", introduces=shared, participants=["b1", "b2"]).introduces
    }
    newcomer = make(
        "meeting", "new", participants=["b1", "b3"],
        introduces=[{"id": "b3", "name": "board", "type": "organisation"}],
    )  # fmt: skip
    with pytest.raises(RuleBroken) as refused_:
        refuse_shared_names([newcomer], registry)
    assert refused_.value.event_id == "new"
    assert refused_.value.message == (
        "actor 'b3': 'board' already names actor b1, b2; give this actor a name and aliases "
        "of its own"
    )


def test_a_step_or_commitment_moving_back_or_on_from_its_end_is_refused_naming_the_event():
    from tests.factories import progress, step

    done = [ACTORS, step("s1"), progress("s1", "done", "p1", "2025-10")]
    assert refused(*done, progress("s1", "dropped", "p2", "2025-11")).event_id == "p2"
    under_way = [ACTORS, step("s1"), progress("s1", "under-way", "p1", "2025-10")]
    back = refused(*under_way, progress("s1", "under-way", "p2", "2025-11"))
    assert back.event_id == "p2"
    assert back.message == "step 's1' is already under-way; it cannot go back to under-way"


def test_a_refused_happening_takes_back_the_actors_it_introduced_or_renamed():
    world = World()
    world.apply(ACTORS)
    bad = commitment(
        "never-signed",
        "c9",
        introduces=[
            {"id": "ussm", "name": "US Strategic Metals", "type": "organisation"},
            {"id": "newcomer", "name": "Newcomer", "type": "person"},
        ],
    )
    with pytest.raises(RuleBroken, match="not signed"):
        world.apply(bad)
    assert set(world.actors) == {"ussm", "fwo"}
    assert world.actors["ussm"].name == "Ussm"
