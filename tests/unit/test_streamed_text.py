"""Exports and JSON answers are written a piece at a time (never held whole as text): the
pieces make exactly the text that encoding the whole at once gives."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cli.exporters import Streamed, json_chunks, json_text
from cli.render import (
    as_json,
    batched_text,
    indented_json,
    joined,
    json_list_chunks,
    json_object_chunks,
    said,
    wrap,
    wrapped_lines,
)

# Text with what the exports escape: controls, bidi overrides, line separators, markup.
TEXT = st.text(st.sampled_from('aé\u202e\u2066\u2028\x85\x7f<>&"\\\n\t z'), max_size=8)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
HIDDEN = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HIDDEN_IN_HTML = re.compile("[<>&\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def whole(data, indent, escape_html):
    """The export's JSON as one string: json.dumps, hidden characters as \\u escapes."""
    separators = (",", ": ") if indent is not None else (",", ":")
    text = json.dumps(data, indent=indent, ensure_ascii=False, separators=separators)
    pattern = HIDDEN_IN_HTML if escape_html else HIDDEN
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@settings(max_examples=300, deadline=None)
@given(data=JSON, indent=st.sampled_from([2, None]), escape_html=st.booleans())
def test_json_written_in_pieces_is_the_text_encoded_whole(data, indent, escape_html):
    streamed = "".join(json_chunks(data, indent, escape_html))
    assert streamed == json_text(data, indent, escape_html) == whole(data, indent, escape_html)


@settings(max_examples=200, deadline=None)
@given(items=st.lists(JSON, max_size=5))
def test_a_json_list_written_item_by_item_is_the_list_encoded_whole(items):
    assert "".join(json_list_chunks(iter(items))) == as_json(items)


def test_pieces_are_written_in_batches_of_about_the_size_asked_in_order():
    pieces = [str(i % 10) * 7 for i in range(1000)]
    batches = list(batched_text(pieces, size=100))
    assert "".join(batches) == "".join(pieces)
    assert all(100 <= len(b) < 107 for b in batches[:-1])
    assert list(batched_text([])) == []


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
NUMBERS = st.integers(min_value=-(2**80), max_value=2**80)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=ANY_JSON, indent=st.sampled_from(["", "  ", "    "]))
def test_indented_json_is_the_standard_librarys_text_whatever_the_characters_and_numbers(
    data, indent
):
    """Every character (controls, lone surrogates, non-ASCII) and integers past 64 bits,
    which orjson will not write, give json.dumps's indented text, nested at ``indent``."""
    expected = json.dumps(data, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
    assert indented_json(data, indent) == expected


def test_what_orjson_will_not_write_is_written_by_the_standard_library():
    for data in ({"n": 2**64}, {"s": "\ud800"}, {1: "a key that is not text"}):
        assert as_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.sampled_from([0, 1, 255, 256, 257, 600]), max_size=3),
    item=ANY_JSON,
)
def test_an_object_written_member_by_member_is_the_object_encoded_whole(sizes, item):
    """Long lists are written a run of items at a time: runs join as one list."""
    members = [(f"m{i}", [item, [i, n]] * (n // 2) + [item] * (n % 2)) for i, n in enumerate(sizes)]
    assert "".join(json_object_chunks(iter(members))) == as_json(dict(members))


@settings(max_examples=30, deadline=None)
@given(size=st.sampled_from([0, 255, 256, 257, 600]), item=ANY_JSON, escape_html=st.booleans())
def test_an_exports_long_list_written_a_run_at_a_time_is_the_list_encoded_whole(
    size, item, escape_html
):
    """A long list inside a streamed export (a state section, the corrections) is written
    a run of items at a time, at any depth: the text is the list's, encoded whole."""
    items = [item, [size]] * (size // 2) + [item] * (size % 2)
    data = {"events": Streamed(iter([{"n": 1}, items])), "state": {"list": items}, "long": items}
    plain = {"events": [{"n": 1}, items], "state": {"list": items}, "long": items}
    assert "".join(json_chunks(data, 2, escape_html)) == whole(plain, 2, escape_html)


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.sampled_from([0, 1, 256, 257, 600]), max_size=3), item=ANY_JSON)
def test_members_whose_items_are_made_as_they_are_taken_are_written_as_lists(sizes, item):
    """A section read as it is written (an iterator of its entries) is written as the
    list of those entries would be, whatever its length, an empty one as []."""
    made = [(f"m{i}", [item, [i, n]] * (n // 2) + [item] * (n % 2)) for i, n in enumerate(sizes)]
    members = [(key, iter(items)) for key, items in made]
    assert "".join(json_object_chunks(iter(members))) == as_json(dict(made))


# Words of every length about a line's (78 columns after the indent), and what the text
# normalises: runs of spaces, tabs, line breaks and other whitespace, empty pieces.
WORDS = st.text(st.sampled_from("ab,\u00e9-"), min_size=1, max_size=90)
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2028", ""])


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(WORDS, SPACES, st.tuples(WORDS, SPACES).map("".join)), max_size=60),
    run=st.integers(min_value=1, max_value=8),
    indent=st.sampled_from(["", "  ", "    "]),
)
def test_text_wrapped_a_run_of_words_at_a_time_is_the_text_wrapped_whole(pieces, run, indent):
    """The actors' names are wrapped as they come (``wrapped_lines``), a run of words
    at a time, a word split across pieces joined again: the lines are those of the whole
    text wrapped at once, long words alone on their lines, nothing for no words."""
    assert "\n".join(wrapped_lines(iter(pieces), indent, run)) == wrap("".join(pieces), indent)


@given(texts=st.lists(st.sampled_from(["", "a", "b c", " "]), max_size=4))
def test_texts_joined_a_piece_at_a_time_are_the_texts_joined_or_the_empty_word(texts):
    assert "".join(joined(iter(texts), ", ", "none")) == (", ".join(texts) or "none")


def test_what_was_said_is_listed_latest_first_by_dates_end_equal_dates_in_the_states_order():
    """``said`` holds each claim's place and makes its item when taken: the order is by
    each date's end then start, latest first, equal dates as the state lists them
    (statements, announcements, proposals, each in its own order)."""

    def dated(event_id: str, start: str, end: str, **fields) -> dict:
        date = {"start": start, "end": end, "display": start}
        return {"event_id": event_id, "date": date, "claim": "c", "official": None, **fields}

    day = ("2025-10-06", "2025-10-06")
    state = {
        "statements": [
            dated("s-day", *day, speaker="a", quote="q"),
            dated("s-year", "2025-01-01", "2025-12-31", speaker="a", quote="q"),
            dated("s-day-2", *day, speaker="b", quote="q"),
        ],
        "announcements": [
            dated("a-day", *day, announcer={"name": "n"}, deal="d", realised_by=[]),
        ],
        "proposals": [
            dated("p-month", "2025-10-01", "2025-10-31", proposer="p", proposal="x", status="s"),
            dated("p-day", *day, proposer="p", proposal="y", status="s"),
        ],
    }
    items = said(state)
    assert [item["event_id"] for item in items] == [
        *("s-year", "p-month", "s-day", "s-day-2", "a-day", "p-day")
    ]
    assert [item["event_id"] for item in items[1:3]] == ["p-month", "s-day"]
    assert items[4]["words"] == "c (announced: d, not realised)"
