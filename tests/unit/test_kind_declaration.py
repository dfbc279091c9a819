"""What a kind's model declares is all the rest of uspk reads: its references, its rank,
its label, and (if it has any) its own rules, registered from its own module."""

from __future__ import annotations

from typing import Literal

import pytest

from domain.recording import thing_keys
from domain.world import Change, RuleBroken, World, fold, kind_rank, replay_key
from events import registry
from events.model import ActorRef, AgreementRef, Happening, Line, StepRef
from events.plover import Code, Plover
from tests.factories import doc, introductions, make, signing

ACTORS = introductions("ussm", "fwo")


@pytest.fixture
def license_kind():
    """A kind that refers to an agreement and a step and brings a rule of its own."""
    with registry.declaring():

        class LicenceIssued(Happening):
            rank = 2
            plover = Plover(Code("COOPERATE"), actors=("issuer",))
            kind: Literal["licence-issued"]
            issuer: ActorRef
            agreement: AgreementRef | None = None
            under: list[StepRef] = []
            licence: Line

        @World.handle.register(LicenceIssued)
        def _(world: World, happening: LicenceIssued) -> list[Change]:
            if happening.agreement not in world.agreements:
                raise RuleBroken(happening.id, "a licence needs its agreement signed first")
            return [Change("licence", f"licence issued: {happening.licence}")]

        yield LicenceIssued


def licence(event_id: str = "l1", occurred: str = "2025-09-08", **fields):
    fields = {"issuer": "ussm", "agreement": "a1", "licence": "Export", **fields}
    return make("licence-issued", event_id, occurred, **fields)


def test_what_a_kind_refers_to_is_read_from_its_typed_fields(license_kind):
    happening = licence(under=["s1", "s2"])
    assert happening.mentions() == ["ussm"]
    assert thing_keys(happening) == {"agreement:a1", "step:s1", "step:s2"}


def test_the_built_in_kinds_refer_to_what_they_did_before():
    statement = make(
        "statement-made", "st", speaker="ussm", on_behalf_of="fwo", quote="Q", about="a1"
    )
    assert statement.mentions() == ["ussm", "fwo"]
    assert thing_keys(statement) == {"agreement:a1"}
    plan = make("step-planned", "p", step="s1", description="D", owners=["fwo"], agreement="a1")
    assert thing_keys(plan) == {"agreement:a1", "step:s1"}


def test_a_kind_with_rules_of_its_own_folds_through_them(license_kind):
    world = fold([ACTORS, signing("a1"), licence()])
    assert world.noted == []  # its own handler, not the generic one
    with pytest.raises(RuleBroken, match="a licence needs its agreement signed first"):
        fold([ACTORS, licence(agreement="a2")])


def test_a_kinds_rank_orders_it_among_same_day_happenings(license_kind):
    assert kind_rank("licence-issued") == 2
    assert kind_rank("step-progressed", "under-way") < kind_rank("step-progressed", "done")
    same_day = sorted([licence(), signing("a1")], key=replay_key)
    assert [h.kind for h in same_day] == ["agreement-signed", "licence-issued"]


def test_a_kinds_label_defaults_to_its_words(license_kind):
    assert registry.label("licence-issued") == "licence issued"


def test_a_second_model_for_a_declared_kind_is_refused():
    with pytest.raises(TypeError, match="kind 'meeting' is already declared by Meeting"):

        class AnotherMeeting(Happening):
            plover = Plover(Code("CONSULT"))
            kind: Literal["meeting"]


def test_a_kind_declared_in_a_registry_context_is_refused_at_the_door_after_it():
    from events.files import InputError, validate

    with registry.declaring():

        class Drill(Happening):
            plover = Plover(Code("MOBILIZE"))
            kind: Literal["drill-held"]

        assert validate(doc("drill-held", "d1"), "f.yaml").kind == "drill-held"
    assert "drill-held" not in registry.kinds()
    with pytest.raises(InputError, match="unknown kind 'drill-held'; expected one of: meeting"):
        validate(doc("drill-held", "d1"), "f.yaml")


def test_shell_completion_of_kind_offers_the_declared_kinds(license_kind):
    from cli.kinds import KIND

    assert [c.value for c in KIND.shell_complete(None, None, "step")] == [
        "step-planned",
        "step-progressed",
    ]
    assert [c.value for c in KIND.shell_complete(None, None, "lic")] == ["licence-issued"]
