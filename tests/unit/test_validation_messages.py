"""What a user reads when a field is wrong: our words, one line, never pydantic's."""

import pytest

from events.files import InputError, validate
from tests.factories import doc

MEETING = doc("meeting", "m1", participants=["ussm", "fwo"])
COMMITMENT = doc("commitment-made", "c1", agreement="a1", description="First phase.")
# Phrases of pydantic's own messages, which must not reach the user.
PYDANTIC_WORDING = ("Input should", "should have", "should match", "Field required", "Extra inputs")

BAD = {
    "no source": ({**MEETING, "sources": []}, "field 'sources': at least one source is required"),
    "a number for text": ({**MEETING, "title": 5}, "field 'title': expected text, got 5"),
    "blank text": ({**MEETING, "title": "  "}, "field 'title': must not be empty"),
    "text too long": (
        {**MEETING, "title": "x" * 400},
        "field 'title': too long: at most 300 characters, got 400",
    ),
    "too few items": (
        {**MEETING, "participants": ["ussm"]},
        "field 'participants': at least 2 items required, got a list of 1 item",
    ),
    "text for a list": (
        {**MEETING, "participants": "ussm"},
        "field 'participants': expected a list, got 'ussm'",
    ),
    "a name for an id": (
        {**MEETING, "participants": ["USSM Inc", "fwo"]},
        "field 'participants.0': expected an id: lower-case letters, digits and hyphens",
    ),
    "not a web address": (
        {**MEETING, "sources": [{"publisher": "P", "title": "T", "published": "2025", "url": "x"}]},
        "field 'sources.0.url': expected a web address that starts with http:// or https://",
    ),
    "text for a source": (
        {**MEETING, "sources": ["The Times"]},
        "field 'sources.0': expected a mapping of fields, got 'The Times'",
    ),
    "misspelt source field": (
        {**MEETING, "sources": [{"publisher": "P", "title": "T", "publishd": "2025"}]},
        "unknown field 'sources.0.publishd' (did you mean 'published'?)",
    ),
    "unknown actor type": (
        {**MEETING, "introduces": [{"id": "x", "name": "X", "type": "thing"}]},
        "field 'introduces.0.type': expected 'person', 'organisation' or 'state', got 'thing'",
    ),
    "text for aliases": (
        {**MEETING, "introduces": [{"id": "x", "name": "X", "type": "state", "aliases": "Y"}]},
        "field 'introduces.0.aliases': expected a list, got 'Y'",
    ),
    "an empty alias": (
        {**MEETING, "introduces": [{"id": "x", "name": "X", "type": "state", "aliases": [""]}]},
        "field 'introduces.0.aliases.0': must not be empty",
    ),
    "not true or false": (
        {**COMMITMENT, "approximate": "perhaps"},
        "field 'approximate': expected true or false, got 'perhaps'",
    ),
    "lower-case currency": (
        {**COMMITMENT, "currency": "usd"},
        "field 'currency': expected a three-letter currency code in capitals",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_wrong_field_is_explained_in_our_words(case):
    raw, expected = BAD[case]
    with pytest.raises(InputError) as refused:
        validate(raw, "bad.yaml")
    line = str(refused.value)
    assert line.startswith(f"bad.yaml: event (id '{raw['id']}'), ")
    assert expected in line
    assert "\n" not in line and not any(phrase in line for phrase in PYDANTIC_WORDING)


def test_a_misspelt_required_field_is_reported_as_the_misspelling():
    raw = {("occured" if key == "occurred" else key): v for key, v in MEETING.items()}
    with pytest.raises(InputError) as refused:
        validate(raw, "bad.yaml")
    assert str(refused.value) == (
        "bad.yaml: event (id 'm1'), unknown field 'occured' (did you mean 'occurred'?)"
    )


def test_an_unknown_field_like_no_missing_one_keeps_the_schema_hint():
    with pytest.raises(InputError) as refused:
        validate({**MEETING, "venue": "Islamabad"}, "bad.yaml")
    assert str(refused.value).endswith(
        "field 'venue': unknown field (not part of the format; see `uspk schema`)"
    )
