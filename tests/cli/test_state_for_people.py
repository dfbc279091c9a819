"""`uspk state` for people: each section's count and its latest five entries (`--all`
for every one), narrowed by `--agreement`, `--actor` and `--kind`; its JSON, the
README's contract, written piece by piece. On the shipped history, both backends."""

from __future__ import annotations

import json

import pytest

from cli.render import LATEST, as_json, json_object_chunks
from tests.conftest import stored_event_count

END = "2025-12-31"


def state_json(uspk, *args: str) -> dict:
    return json.loads(uspk.ok("state", "--at", END, "--format", "json", *args))


def test_a_long_section_shows_its_count_and_latest_five_and_says_how_to_see_the_rest(uspk):
    engagements = state_json(uspk)["engagements"]
    assert len(engagements) > LATEST == 5  # the shipped history has more by the end of 2025
    text = uspk.ok("state", "--at", END)
    head = f"Engagements ({len(engagements)}, the latest {LATEST} shown)"
    assert head in text
    assert f"... {len(engagements) - LATEST} earlier not shown; --all shows everything" in text
    section = text.split(head)[1].split("\n\n")[0]
    shown = [e["title"] for e in engagements if e["title"][:40] in section]
    assert shown == [e["title"] for e in engagements[-LATEST:]]


def test_a_short_section_shows_all_its_entries_and_no_line_about_more(uspk):
    state = state_json(uspk)
    short = {"Agreements": "agreements", "Next steps": "next_steps"}
    assert all(0 < len(state[key]) <= LATEST for key in short.values())  # the shipped history
    text = uspk.ok("state", "--at", END)
    for title, key in short.items():
        head = f"{title} ({len(state[key])})\n"
        assert head in text
        assert "earlier not shown; --all" not in text.split(head)[1].split("\n\n")[0]


def test_all_shows_every_entry_of_every_section(uspk):
    state = state_json(uspk)
    text = uspk.ok("state", "--at", END, "--all")
    assert "earlier not shown; --all" not in text  # (a note may say a date is not shown)
    assert f"Engagements ({len(state['engagements'])})\n" in text
    assert all(e["title"][:40] in text for e in state["engagements"])


def test_the_json_is_the_documented_object_whole_as_before(uspk):
    out = uspk.ok("state", "--at", END, "--format", "json")
    assert out == as_json(json.loads(out)) + "\n"


def test_the_json_writer_gives_the_same_text_as_the_whole_object_one_piece_at_a_time():
    members = [
        ("as_of", "2025-09-08"),
        ("known_at", None),
        ("empty", []),
        ("items", [{"a": [1, {"b": "x\ny \u00e9"}], "c": {}}, "two", []]),
        ("nested", {"k": ["v"]}),
    ]
    pieces = list(json_object_chunks(iter(members)))
    assert "".join(pieces) == as_json(dict(members))
    assert len(pieces) > len(members)  # each member, and each item, on its own
    assert "".join(json_object_chunks(iter([]))) == as_json({})


def test_an_agreement_narrows_to_its_own_entries(uspk):
    state = state_json(uspk, "--agreement", "meg-nlcp-mou")
    assert [a["id"] for a in state["agreements"]] == ["meg-nlcp-mou"]
    assert state["next_steps"] == [] and state["engagements"] == []
    assert {a["id"] for a in state["actors"]} >= {"mota-engil", "nlcp"}
    text = uspk.ok("state", "--at", END, "--agreement", "meg-nlcp-mou")
    assert "meg-nlcp-mou" in text and "ussm-fwo-mou" not in text


def test_an_actor_and_a_kind_narrow_together(uspk):
    state = state_json(uspk, "--actor", "Shehbaz Sharif", "--kind", "meeting")
    assert state["engagements"] and all(e["kind"] == "meeting" for e in state["engagements"])
    assert all("shehbaz-sharif" in e["participants"] for e in state["engagements"])
    assert state["agreements"] == [] and state["next_steps"] == []


def test_the_agreement_filter_is_repeatable(uspk):
    state = state_json(uspk, "--agreement", "meg-nlcp-mou", "--agreement", "ussm-fwo-mou")
    assert {a["id"] for a in state["agreements"]} == {"meg-nlcp-mou", "ussm-fwo-mou"}


@pytest.mark.parametrize(
    ("option", "value", "suggested"),
    [("--agreement", "ussm-fwo-mo", "ussm-fwo-mou"), ("--actor", "Shehbaz Sharef", "Sharif")],
)
def test_an_unknown_id_is_refused_with_close_matches_and_nothing_written(
    uspk, option, value, suggested
):
    uspk.ok("state", "--at", END)  # the store and its shipped history exist
    before = stored_event_count(uspk.address)
    result = uspk("state", "--at", END, option, value)
    assert result.exit_code == 2 and "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert option in line and repr(value) in line and suggested in line
    assert result.stdout.count("State on") == 0
    assert stored_event_count(uspk.address) == before


def test_an_unknown_kind_is_refused_with_the_kinds(uspk):
    result = uspk("state", "--at", END, "--kind", "meting")
    assert result.exit_code == 2 and "meeting" in result.output
