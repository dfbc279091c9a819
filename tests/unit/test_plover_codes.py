"""Every kind carries its PLOVER code beside its model: a kind without one, or with a code
outside the PLOVER codebook, is refused where it is declared (here, in a test module)."""

from __future__ import annotations

from typing import Literal

import pytest

from events import registry
from events.kinds import happening_models
from events.model import ActorRef, Happening
from events.plover import QUADS, Code, Plover


def test_every_declared_kind_has_a_plover_code_from_the_codebook():
    for model in happening_models():
        assert isinstance(model.plover, Plover), model.kind_name()
        assert model.plover.code.event in QUADS


def test_a_kind_declared_without_a_plover_code_is_refused():
    with (
        registry.declaring(),
        pytest.raises(TypeError, match="kind 'drill-held' needs a PLOVER code"),
    ):

        class Drill(Happening):
            kind: Literal["drill-held"]

    assert "drill-held" not in registry.kinds()


def test_a_plover_code_naming_a_field_the_kind_lacks_is_refused():
    with (
        registry.declaring(),
        pytest.raises(TypeError, match="names fields it lacks: host"),
    ):

        class Summit(Happening):
            plover = Plover(Code("CONSULT"), actors=("chair",), recipients=("host",))
            kind: Literal["summit-held"]
            chair: ActorRef


@pytest.mark.parametrize(
    ("event", "mode", "message"),
    [
        ("GREET", None, "'GREET' is not a PLOVER event category"),
        ("CONSULT", "dinner", "'dinner' is not a mode of PLOVER CONSULT"),
        ("AGREE", "visit", "'visit' is not a mode of PLOVER AGREE"),
    ],
)
def test_a_code_outside_the_codebook_is_refused(event, mode, message):
    with pytest.raises(TypeError, match=message):
        Code(event, mode)


def test_a_kinds_code_may_follow_one_fields_value():
    financing = registry.model_for("financing").plover
    assert financing.code_for({"stage": "pledged"}).event == "AGREE"
    assert financing.code_for({"stage": "disbursed"}).event == "AID"
    assert financing.code_for({"stage": "withdrawn"}) == Code(
        "SANCTION", "discontinue", ("economic",)
    )


def test_the_vocabulary_is_the_one_the_schema_written_from_the_codebook_allows():
    """Two readings of the codebook, made apart (the schema for the tests, the vocabulary
    for the declarations), agree."""
    import json
    from pathlib import Path

    from events.plover import CONTEXTS, MODES

    schema = Path(__file__).resolve().parents[1] / "export" / "plover.schema.json"
    properties = json.loads(schema.read_text())["properties"]
    assert set(properties["event"]["items"]["enum"]) == set(QUADS)
    assert set(properties["mode"]["items"]["enum"]) == set().union(*MODES.values())
    assert set(properties["context"]["items"]["enum"]) == CONTEXTS
