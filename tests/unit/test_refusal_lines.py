"""The exact line a refused file gets: how many more problems it has, how a given value
is described, where in the YAML it broke, the field a value that would read back changed
is in, and the edges of the value budget. Each is a whole line (or its whole tail), since
a substring would pass "1 items" for "1 item"."""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal

import pytest
import yaml

from events.files import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    InputError,
    _first_difference,
    _PlainDataLoader,
    check_round_trip,
    load_bytes,
    parse_bytes,
    read_file,
    read_stream,
    validate,
)
from events.kinds import kinds
from tests.factories import doc, make

MEETING = doc("meeting", "m1", participants=["ussm", "fwo"])
TOO_MANY = (
    f"more than {MAX_VALUES:,} values (mappings, lists, keys and scalars together); "
    "split it into several files"
)


def refusal(raw: dict) -> str:
    with pytest.raises(InputError) as refused:
        validate(raw, "bad.yaml")
    return str(refused.value)


def test_one_more_problem_is_counted_in_the_singular():
    assert refusal({**MEETING, "title": 5, "summary": 6}) == (
        "bad.yaml: event (id 'm1'), field 'title': expected text, got 5 (and 1 more problem)"
    )


def test_more_problems_are_counted_in_the_plural():
    assert refusal({**MEETING, "title": 5, "summary": 6, "participants": "x"}) == (
        "bad.yaml: event (id 'm1'), field 'title': expected text, got 5 (and 2 more problems)"
    )


def test_a_misspelling_and_another_problem_count_the_other_one_only():
    raw = {("occured" if k == "occurred" else k): v for k, v in MEETING.items()}
    assert refusal({**raw, "title": 5}) == (
        "bad.yaml: event (id 'm1'), unknown field 'occured' (did you mean 'occurred'?) "
        "(and 1 more problem)"
    )


def test_a_rule_across_the_whole_event_is_reported_on_the_event():
    raw = {**MEETING, "alternatives": [{"field": "nonesuch", "value": "x", "said_by": ["P"]}]}
    assert refusal(raw).startswith(
        "bad.yaml: event (id 'm1'), field '(event)': alternatives: field 'nonesuch' is not "
    )


@pytest.mark.parametrize(
    ("given", "described"),
    [
        (True, "got true"),
        (False, "got false"),
        (None, "got nothing"),
        ({"a": 1}, "got a mapping"),
        (Decimal("1.5"), "got 1.5"),  # a number as written, not its Python form
        (["x"], "got a list of 1 item"),
        ([], "got a list of 0 items"),
    ],
)
def test_what_was_given_is_described_briefly(given, described):
    assert refusal({**MEETING, "title": given}).endswith(
        f"field 'title': expected text, {described}"
    )


@pytest.mark.parametrize(
    ("given", "described"),
    [
        ("a" * 58, "got '" + "a" * 58 + "'"),  # 60 characters with the quotes: whole
        ("a" * 59, "got '" + "a" * 56 + "..."),  # 61: cut to 57 and marked
    ],
)
def test_given_text_is_cut_past_60_characters(given, described):
    assert refusal({**MEETING, "participants": given}).endswith(
        f"field 'participants': expected a list, {described}"
    )


def test_a_list_of_one_item_is_one_item_not_items():
    assert refusal({**MEETING, "participants": ["ussm"]}).endswith(
        "field 'participants': at least 2 items required, got a list of 1 item"
    )


# -- where a file broke --------------------------------------------------------------------


def yaml_error(text: str) -> yaml.YAMLError:
    with pytest.raises(yaml.YAMLError) as error:
        list(yaml.parse(text, Loader=_PlainDataLoader))
    return error.value


def file_refusal(data: bytes, file: str = "bad.yaml") -> str:
    with pytest.raises(InputError) as refused:
        parse_bytes(data, file)
    return str(refused.value)


def test_malformed_yaml_names_the_problem_and_its_line_and_column_counted_from_one():
    text = "title: x\nsummary: [unclosed\n  - y: z\n"
    error = yaml_error(text)
    line, column = error.problem_mark.line + 1, error.problem_mark.column + 1

    assert file_refusal(text.encode()) == (
        f"bad.yaml: malformed YAML: {error.problem} (line {line}, column {column})"
    )
    assert (line, column) == (3, 6)


def test_malformed_yaml_without_a_place_gives_the_first_line_of_its_reason():
    text = "title: bell \x07 here\n"
    error = yaml_error(text)
    assert not hasattr(error, "problem_mark")

    assert file_refusal(text.encode()) == (
        f"bad.yaml: malformed YAML: {str(error).splitlines()[0]}"
    )


@pytest.mark.parametrize("file", ["n.json", "n.yaml"])
def test_a_number_of_too_many_digits_is_refused_in_our_words(file):
    data = ('{"amount": ' + "9" * 5000 + "}").encode()
    assert file_refusal(data, file) == (
        f"{file}: malformed {'JSON' if file.endswith('json') else 'YAML'}: "
        "a number has too many digits (at most 4300)"
    )


def test_exactly_as_many_values_as_allowed_are_read_and_one_more_is_refused():
    # the list itself and its numbers: MAX_VALUES values in all
    just = ("[" + "1," * (MAX_VALUES - 2) + "1]").encode()
    over = ("[" + "1," * (MAX_VALUES - 1) + "1]").encode()

    assert file_refusal(just, "n.json") == "n.json: event 1: expected a mapping of fields, got int"
    assert file_refusal(over, "n.json") == f"n.json: {TOO_MANY}"


def test_json_constants_cost_nothing_before_parsing_but_count_in_the_data_built():
    """true, false and null are not counted before the JSON is built (they cost nothing
    to build), but the data's walk counts every value: a list of MAX_VALUES nulls is one
    value too many, one null fewer is read."""
    just = ("[" + "null," * (MAX_VALUES - 2) + "null]").encode()
    over = ("[" + "null," * (MAX_VALUES - 1) + "null]").encode()

    assert file_refusal(just, "n.json") == (
        "n.json: event 1: expected a mapping of fields, got NoneType"
    )
    assert file_refusal(over, "n.json") == f"n.json: {TOO_MANY}"


def test_a_mappings_keys_count_as_values_in_the_data_built():
    """A mapping of n keys to null is 1 + 2n values in the data's walk (the mapping, its
    keys, their values), though only the mapping and its keys are counted before."""

    def mapping(n: int) -> bytes:
        return ("{" + ", ".join(f'"k{i}": null' for i in range(n)) + "}").encode()

    half = MAX_VALUES // 2
    (read,) = parse_bytes(mapping(half - 1), "n.json")
    assert len(read) == half - 1
    assert file_refusal(mapping(half), "n.json") == f"n.json: {TOO_MANY}"


# -- YAML numbers ------------------------------------------------------------------------


def yaml_value(text: str):
    return parse_bytes(f"value: {text}\n".encode(), "n.yaml")[0]["value"]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("123456789012.345678", Decimal("123456789012.345678")),
        ("1_000.5", Decimal("1000.5")),
        ("-2.5e+3", Decimal("-2.5e+3")),
    ],
)
def test_a_yaml_number_with_a_fraction_is_read_exactly(written, read):
    value = yaml_value(written)
    assert value == read and isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("written", "read"),
    [(".inf", math.inf), ("-.Inf", -math.inf), ("+.INF", math.inf), ("1:30.5", 90.5)],
)
def test_yaml_forms_a_decimal_cannot_read_stay_floats(written, read):
    value = yaml_value(written)
    assert value == read and isinstance(value, float)


def test_yaml_not_a_number_stays_a_float():
    value = yaml_value(".NaN")
    assert isinstance(value, float) and math.isnan(value)


# -- the field that would read back changed ----------------------------------------------


def test_a_value_that_would_read_back_changed_is_named_by_its_whole_path():
    """A padded source title (a bug would have to build it: validation strips it) is named
    down to the title, beside an amount whose JSON and Python forms differ."""
    commitment = make(
        "commitment-made", "c1", agreement="a1", description="x", amount="1.5", currency="USD"
    )
    source = commitment.sources[0].model_copy(update={"title": "  Padded  "})
    broken = commitment.model_copy(update={"sources": [source]})

    with pytest.raises(InputError) as refused:
        check_round_trip(broken, "c1.yaml", "event (id 'c1')")

    assert str(refused.value).startswith(
        "c1.yaml: event (id 'c1'), field 'sources.0.title': would read back changed"
    )


@pytest.mark.parametrize(
    ("before", "after", "path"),
    [
        ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}}, "a.c"),
        ({"a": 1}, {"a": 1, "z": 2}, "z"),
        ({"a": 1, "z": 2}, {"a": 1}, "z"),
        ({"s": [{"t": "x"}, {"t": "y"}]}, {"s": [{"t": "x"}, {"t": "Y"}]}, "s.1.t"),
        ({"s": [1, 2]}, {"s": [1, 2, 3]}, "s"),
        ({"s": [1, 2]}, {"s": "1, 2"}, "s"),
        ({"s": {"a": 1}}, {"s": [1]}, "s"),
        ({"a": 1}, {"a": 1}, "(event)"),
        ([1], [2], "0"),
        (1, 2, "(event)"),
    ],
)
def test_the_first_difference_is_the_dotted_path_of_the_deepest_changed_value(before, after, path):
    assert _first_difference(before, after) == path


def test_a_changed_value_after_an_amount_is_named_not_the_amount():
    """The amount's Python value (a Decimal) and its JSON (text) differ: the field is
    found by comparing the JSON of both sides, so the amount is not taken for it."""
    commitment = make(
        "commitment-made",
        "c1",
        agreement="a1",
        description="x",
        amount="1.5",
        currency="USD",
        phase="first",
    )
    broken = commitment.model_copy(update={"phase": "  first  "})

    with pytest.raises(InputError) as refused:
        check_round_trip(broken, "c1.yaml", "event (id 'c1')")

    assert str(refused.value).startswith(
        "c1.yaml: event (id 'c1'), field 'phase': would read back changed"
    )


def test_a_control_character_after_a_line_feed_or_tab_is_still_refused():
    data = json.dumps({**MEETING, "summary": "first line\n\tsecond \x1b[31m"}).encode()
    assert file_refusal(data, "bad.json") == (
        "bad.json: event (id 'm1'), field 'summary': control character U+001B is not "
        "allowed in text (only line feeds and tabs are)"
    )


BAD = json.dumps({**MEETING, "summary": "\x1b"})
CONTROL = (
    "field 'summary': control character U+001B is not allowed in text "
    "(only line feeds and tabs are)"
)


@pytest.mark.parametrize(
    ("file", "data", "refused"),
    [
        ("bad.yaml", b"id: caf\xe9\n", "bad.yaml: not UTF-8 text (byte 0xe9 at offset 7)"),
        (
            "bad.yaml",
            b"",
            "bad.yaml: empty file: expected an event (a mapping) or a list of events",
        ),
        ("bad.json", b"[]", "bad.json: empty list: expected at least one event"),
        ("bad.json", b"5", "bad.json: top level: expected a mapping of fields, got int"),
        (
            "bad.json",
            b'[{"id": "m1"}, 5]',
            "bad.json: event 2: expected a mapping of fields, got int",
        ),
        ("bad.json", BAD.encode(), f"bad.json: event (id 'm1'), {CONTROL}"),
        ("bad.json", f"[{BAD}]".encode(), f"bad.json: event (id 'm1'), {CONTROL}"),
        (
            "bad.json",
            f"[{json.dumps(MEETING)}, {BAD}]".encode(),
            f"bad.json: event 2 (id 'm1'), {CONTROL}",
        ),
    ],
)
def test_what_parsing_refuses_is_named_in_one_whole_line(file, data, refused):
    """Bytes that are not UTF-8 (the first bad byte and where), no event, something
    other than a mapping (which of a list, or the top level), a character that is not
    inert text (the event numbered only in a file of several)."""
    assert file_refusal(data, file) == refused


def test_a_byte_order_mark_is_not_part_of_the_text():
    (read,) = parse_bytes(("\ufeff" + json.dumps(MEETING)).encode(), "bom.json")
    assert read == MEETING


def test_in_a_file_of_two_events_the_refused_one_is_numbered():
    second = {**MEETING, "id": "m2", "title": 5}
    with pytest.raises(InputError) as refused:
        load_bytes(json.dumps([MEETING, second]).encode(), "two.json")
    assert str(refused.value) == "two.json: event 2 (id 'm2'), field 'title': expected text, got 5"


def test_a_refusal_keeps_its_file_and_message_apart_for_callers_that_relabel_it():
    """The recording service words a retraction's refusal from ``message`` alone."""
    error = InputError("f.yaml", "event (id 'x'), field 'title': must not be empty")
    assert (error.file, error.message, str(error)) == (
        "f.yaml",
        "event (id 'x'), field 'title': must not be empty",
        "f.yaml: event (id 'x'), field 'title': must not be empty",
    )


def test_exactly_as_many_yaml_values_as_allowed_are_read_and_one_more_is_refused():
    # the sequence itself and its numbers, counted from the parser's events
    just = ("[" + "1," * (MAX_VALUES - 2) + "1]").encode()
    over = ("[" + "1," * (MAX_VALUES - 1) + "1]").encode()

    assert file_refusal(just, "n.yaml") == "n.yaml: event 1: expected a mapping of fields, got int"
    assert file_refusal(over, "n.yaml") == f"n.yaml: {TOO_MANY}"


def test_a_file_of_exactly_the_largest_size_is_read_and_one_byte_more_is_refused(tmp_path):
    just, over = tmp_path / "just.yaml", tmp_path / "over.yaml"
    just.write_bytes(b"#" * MAX_FILE_BYTES)
    over.write_bytes(b"#" * (MAX_FILE_BYTES + 1))

    assert len(read_file(str(just))) == MAX_FILE_BYTES
    with pytest.raises(InputError) as refused:
        read_file(str(over))
    assert str(refused.value).startswith(f"{over}: file is {MAX_FILE_BYTES + 1:,} bytes; ")


def test_bytes_of_exactly_the_largest_size_are_parsed_and_one_byte_more_is_refused():
    """Bytes given to the parser directly (not read by ``read_file``) are held to the
    same limit, the line naming the file and the size."""
    assert file_refusal(b"#" * MAX_FILE_BYTES, "n.yaml") == (
        "n.yaml: empty file: expected an event (a mapping) or a list of events"
    )
    assert file_refusal(b"#" * (MAX_FILE_BYTES + 1), "n.yaml") == (
        f"n.yaml: file is {MAX_FILE_BYTES + 1:,} bytes; at most {MAX_FILE_BYTES:,} allowed "
        "(split it into several files)"
    )


def test_a_stream_of_exactly_the_largest_size_is_read_and_one_byte_more_is_refused():
    assert len(read_stream(io.BytesIO(b"#" * MAX_FILE_BYTES))) == MAX_FILE_BYTES
    with pytest.raises(InputError) as refused:
        read_stream(io.BytesIO(b"#" * (MAX_FILE_BYTES + 1)))
    assert str(refused.value).startswith(f"<stdin>: file is more than {MAX_FILE_BYTES:,} bytes; ")


def test_yaml_nested_exactly_as_deep_as_allowed_is_read_and_one_deeper_is_refused_where():
    """The event's mapping is the first level; the line and column are those of the
    collection that goes one level too deep, found before any data is built."""
    just = "x: " + "[" * 19 + "]" * 19 + "\n"
    over = "x: " + "[" * 20 + "]" * 20 + "\n"

    read = parse_bytes(just.encode(), "n.yaml")[0]["x"]
    for _ in range(18):
        (read,) = read  # nineteen lists, one inside the other
    assert read == []
    assert file_refusal(over.encode(), "n.yaml") == (
        "n.yaml: data nested deeper than 20 levels (line 1, column 23)"
    )


def test_json_nested_exactly_as_deep_as_allowed_is_read_and_one_deeper_is_refused():
    """JSON's depth is checked on the data it builds (``_screen``): the event's mapping
    is the first level, as in YAML."""
    just = '{"x": ' + "[" * 19 + "]" * 19 + "}"
    over = '{"x": ' + "[" * 20 + "]" * 20 + "}"

    read = parse_bytes(just.encode(), "n.json")[0]["x"]
    for _ in range(18):
        (read,) = read
    assert read == []
    assert file_refusal(over.encode(), "n.json") == "n.json: data nested deeper than 20 levels"


@pytest.mark.parametrize(
    ("ident", "position", "label"),
    [
        (None, None, "event (no id)"),
        (5, None, "event (no id)"),
        (None, 2, "event 2 (no id)"),
        ("m1", 2, "event 2 (id 'm1')"),
    ],
)
def test_an_event_is_labelled_by_its_place_and_its_id_or_as_having_none(ident, position, label):
    """An id that is missing or not text is "no id" (the id field's own problem is
    counted after): the line still says which event."""
    raw = {k: v for k, v in {**MEETING, "id": ident, "title": 5}.items() if v is not None}
    with pytest.raises(InputError) as refused:
        validate(raw, "bad.yaml", position)
    assert str(refused.value).startswith(f"bad.yaml: {label}, field ")


TWICE = '{"a": 1, "a": 2}'


@pytest.mark.parametrize(
    ("file", "text", "refused"),
    [
        # by the extension, whatever its case
        ("e.json", TWICE, "e.json: malformed JSON: key 'a' given twice"),
        ("E.JSON", "a: 1", "E.JSON: malformed JSON at line 1, column 1: Expecting value"),
        ("e.yaml", TWICE, "e.yaml: malformed YAML: key 'a' given twice (line 1, column 10)"),
        ("e.yml", TWICE, "e.yml: malformed YAML: key 'a' given twice (line 1, column 10)"),
        ("E.YML", TWICE, "E.YML: malformed YAML: key 'a' given twice (line 1, column 10)"),
        # standard input (or another name) sniffed: a mapping or a list, spaces before
        ("<stdin>", TWICE, "<stdin>: malformed JSON: key 'a' given twice"),
        ("<stdin>", f"  [{TWICE}]", "<stdin>: malformed JSON: key 'a' given twice"),
        (
            "notes.txt",
            "a: 1\na: 2\n",
            "notes.txt: malformed YAML: key 'a' given twice (line 2, column 1)",
        ),
    ],
)
def test_the_parser_is_chosen_by_the_extension_and_otherwise_by_the_first_character(
    file, text, refused
):
    """A .json file is JSON and a .yaml or .yml file YAML (YAML reads JSON too, so the
    refusal's wording tells which parser read it); other names are JSON when the text
    starts with '{' or '[' after spaces."""
    assert file_refusal(text.encode(), file) == refused


def test_yaml_depth_falls_back_as_each_collection_closes():
    # [] closes at the second level: the next list opens at the second level again
    text = "x: [[], " + "[" * 19 + "]" * 19 + "]\n"
    assert file_refusal(text.encode(), "n.yaml") == (
        "n.yaml: data nested deeper than 20 levels (line 1, column 27)"
    )


def test_a_missing_or_unknown_kind_is_refused_listing_the_kinds():
    expected = ", ".join(kinds())
    no_kind = {k: v for k, v in MEETING.items() if k != "kind"}

    assert refusal(no_kind) == (
        f"bad.yaml: event (id 'm1'), field 'kind': missing; expected one of: {expected}"
    )
    assert refusal({**MEETING, "kind": "party"}) == (
        f"bad.yaml: event (id 'm1'), field 'kind': unknown kind 'party'; "
        f"expected one of: {expected}"
    )


def test_a_json_key_given_twice_is_named_even_when_it_is_not_the_first():
    text = b'{"a": 1, "b": 2, "c": 3, "b": 4}'
    assert file_refusal(text, "e.json") == "e.json: malformed JSON: key 'b' given twice"


def test_a_json_number_with_a_fraction_is_read_exactly_not_as_a_float():
    """123456789012.345678 as a float would be 123456789012.34567: JSON's numbers are
    read as YAML's are, exactly (amounts are money)."""
    (raw,) = parse_bytes(b'{"amount": 123456789012.345678, "n": 5}', "e.json")
    assert raw["amount"] == Decimal("123456789012.345678")
    assert type(raw["amount"]) is Decimal and type(raw["n"]) is int


class EndlessInput(io.RawIOBase):
    """Standard input that never ends (`yes | uspk append -`): zeros, as many as asked,
    but no more than twice the limit in all, or the test would wait for ever."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.given > 2 * MAX_FILE_BYTES:
            raise AssertionError("read past the limit: an endless input would never be refused")
        buffer[:] = bytes(len(buffer))
        self.given += len(buffer)
        return len(buffer)


def test_an_endless_input_is_refused_once_one_byte_past_the_limit_is_read():
    endless = EndlessInput()
    with pytest.raises(InputError) as refused:
        read_stream(io.BufferedReader(endless))
    assert str(refused.value).startswith("<stdin>: file is more than ")
    assert endless.given <= MAX_FILE_BYTES + io.DEFAULT_BUFFER_SIZE + 1


def test_a_device_that_says_it_is_empty_is_refused_by_its_path_once_past_the_limit():
    """/dev/zero reports no size: it is read up to the limit and refused, named."""
    with pytest.raises(InputError) as refused:
        read_file("/dev/zero")
    assert str(refused.value).startswith("/dev/zero: file is more than ")
