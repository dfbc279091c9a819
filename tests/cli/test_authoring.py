"""Authoring help: `uspk new KIND` templates generated from the models, `uspk actors`."""

from __future__ import annotations

import itertools
import json
import re

import pytest
import yaml

from events import registry
from events.model import Happening

KNOWN_ACTORS = ("asim-munir", "donald-trump", "pakistan", "united-states")
AGREEMENT = "ussm-fwo-mou"
STEP = "build-anchor-position"
COMMITMENT = "ussm-fwo-sustainability-priority-2025-09-08"  # made, never progressed
# Kinds whose event brings the agreement or step it names into the record: theirs is new.
BRINGS_ITS_OWN = {"agreement-signed", "step-planned"}
PLACEHOLDER = re.compile(r'"(<[^"<>]+>|YYYY-MM-DD)"')


def filled(template: str, kind: str) -> str:
    """``template`` with each placeholder replaced by a value the record accepts: known
    actors (distinct where a list needs several), an agreement and a step that exist
    (new ones for the kinds that bring them), the first of a choice, a date after the
    shipped history's September."""
    actors = itertools.cycle(KNOWN_ACTORS)
    fresh = kind in BRINGS_ITS_OWN

    def value(match: re.Match) -> str:
        text = match.group(1)
        if text == "YYYY-MM-DD":
            chosen = "2025-10-01"
        elif text == "<actor id>":
            chosen = next(actors)
        elif text == "<agreement id>":
            chosen = f"{kind}-agreement" if fresh else AGREEMENT
        elif text == "<step id>":
            chosen = f"{kind}-step" if fresh else STEP
        elif text == "<id>":
            chosen = f"{kind}-from-template"
        elif text == "<commitment id>":
            chosen = COMMITMENT
        elif text.endswith(" id>"):  # the id of a new thing the event names: a measure, a deal
            chosen = f"{kind}-{text.strip('<>').replace(' id', '').replace(' ', '-')}"
        elif text.endswith(": a number>"):
            chosen = "1250000000"
        elif " | " in text:
            chosen = text.strip("<>").split(" | ")[0]
        else:
            chosen = f"Filled in for {text.strip('<>')}."
        return json.dumps(chosen)

    return PLACEHOLDER.sub(value, template)


def test_new_lists_every_declared_kind_with_a_line_each(uspk_sqlite):
    listed = uspk_sqlite.ok("new", "--list").splitlines()
    assert [line.split()[0] for line in listed] == list(registry.happening_kinds())
    assert uspk_sqlite.ok("new").splitlines() == listed


@pytest.mark.parametrize("kind", registry.happening_kinds())
def test_new_template_of_every_kind_once_filled_is_accepted(uspk, tmp_path, kind):
    template = uspk.ok("new", kind)
    assert template.splitlines()[2] == f"kind: {kind}"
    path = tmp_path / f"{kind}.yaml"
    path.write_text(filled(template, kind))
    result = uspk("append", str(path))
    assert result.exit_code == 0, result.output
    assert f"+ {kind}-from-template" in result.output


def test_new_template_says_which_fields_are_required_and_what_they_hold(uspk_sqlite):
    template = uspk_sqlite.ok("new", "step-progressed")
    assert 'status: "<under-way | done | dropped>"' in template
    assert "# One of: under-way, done, dropped; required." in template
    assert 'step: "<step id>"' in template
    assert '# note: "<note>"' in template  # optional fields come commented out
    assert "  - publisher:" in template  # the sources block, to fill
    assert yaml.safe_load(template)["kind"] == "step-progressed"


def test_new_template_of_a_kind_declared_later_comes_from_its_model_and_is_accepted(
    uspk_sqlite, tmp_path
):
    from typing import Literal

    from pydantic import Field

    from events.model import ActorRef, Amount, Date, Strict
    from events.plover import Code, Plover

    class Bound(Strict):
        """An amount and how it bounds the real one."""

        value: Amount
        bound: Literal["exact", "about", "up-to", "at-least"] = "exact"
        currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")

    with registry.declaring():

        class LoanPledged(Happening):
            plover = Plover(Code("AGREE"), actors=("lender",))
            kind: Literal["loan-pledged"]
            lender: ActorRef
            amount: Bound
            rate: float | str = Field(description="The interest rate, in percent.")
            effective: Date
            tranches: list[Bound] = []

        template = uspk_sqlite.ok("new", "loan-pledged")
        listed = uspk_sqlite.ok("new", "--list")
        path = tmp_path / "loan.yaml"
        path.write_text(filled(template.replace('"<currency>"', '"USD"'), "loan-pledged"))
        appended = uspk_sqlite("append", str(path))
    assert appended.exit_code == 0, appended.output + template
    assert 'lender: "<actor id>"' in template
    assert "amount:\n  value: " in template  # a nested model is a block to fill
    assert "# tranches:\n#   - value: " in template  # a list of them, optional
    assert "# The interest rate, in percent; a number; required." in template
    assert 'effective: "YYYY-MM-DD"' in template
    assert "loan-pledged" in listed


def test_new_refuses_an_unknown_kind_in_one_line(uspk_sqlite):
    result = uspk_sqlite("new", "tarif")
    assert result.exit_code == 2
    assert "'tarif' is not a kind of event; expected one of: meeting" in result.output


def test_actors_lists_ids_names_roles_and_the_introducing_event(uspk):
    listed = json.loads(uspk.ok("actors", "--format", "json"))
    munir = next(a for a in listed if a["id"] == "asim-munir")
    assert munir["name"] == "Syed Asim Munir"
    assert munir["type"] == "person" and munir["country"] == "Pakistan"
    assert "Field Marshal Asim Munir" in munir["aliases"]
    assert munir["introduced_by"] == "trump-munir-meeting-2025-06"
    assert [a["id"] for a in listed] == sorted(a["id"] for a in listed)
    text = uspk.ok("actors")
    assert "asim-munir  Syed Asim Munir (person, Pakistan)" in text
    assert "    introduced by: trump-munir-meeting-2025-06" in text


def test_actors_known_at_before_an_introduction_leaves_its_actors_out(uspk, tmp_path):
    before = json.loads(uspk.ok("show", "trump-munir-meeting-2025-06", "--format", "json"))
    path = tmp_path / "intro.yaml"
    introduced = yaml.safe_load(filled(uspk.ok("new", "meeting"), "meeting")) | {
        "introduces": [{"id": "sam-newcomer", "name": "Sam Newcomer", "type": "person"}],
        "participants": ["sam-newcomer", "donald-trump"],
    }
    path.write_text(yaml.safe_dump(introduced))
    assert uspk("append", str(path)).exit_code == 0
    now = [a["id"] for a in json.loads(uspk.ok("actors", "--format", "json"))]
    recorded = before["event"]["recorded"]
    then = json.loads(uspk.ok("actors", "--format", "json", "--known-at", recorded))
    assert "sam-newcomer" in now
    assert "sam-newcomer" not in [a["id"] for a in then] and then


def test_actors_refuses_a_bad_known_at_in_one_line(uspk_sqlite):
    result = uspk_sqlite("actors", "--known-at", "yesterday")
    assert result.exit_code == 2
    assert "'yesterday' is neither a date (YYYY-MM-DD) nor an ISO timestamp" in result.output


def test_new_list_is_aligned_columns_kind_fields_and_one_sentence(uspk_sqlite):
    listed = uspk_sqlite.ok("new", "--list").splitlines()
    starts = set()
    for line in listed:
        kind, rest = line.split(" ", 1)
        starts.add(len(line) - len(rest.lstrip()))  # where the fields column starts
        assert line.rstrip().endswith("."), line  # every row ends with its sentence
    assert len(starts) == 1
