"""The values of a JSON file are counted before its data is built (``_parse_json``): its
mappings, lists and strings by their opening characters, before parsing; its numbers
one by one, as the parser meets them. A file over the limit is refused there, before
``json.loads`` has built anything more, not only by the walk of the built data that
follows (``_screen``), which the file-level tests reach too: these read the parser alone.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from events.files import MAX_VALUES, InputError, _parse_json
from tests.unit.test_refusal_lines import TOO_MANY


def refused(text: str) -> str:
    with pytest.raises(InputError) as refusal:
        _parse_json(text, "n.json")
    return str(refusal.value)


def numbers_in(n: int, number: str) -> str:
    """A mapping with a key holding an escaped quote, a list of ``n`` numbers and an
    empty mapping: 2 mappings, 1 list and 5 quote characters (2 strings, the odd one
    escaped), so 5 values counted before parsing, each number one more."""
    return '{"a\\"b": [' + ",".join([number] * n) + '], "c": {}}'


@pytest.mark.parametrize(("number", "read"), [("7", 7), ("7.5", Decimal("7.5"))])
def test_numbers_are_counted_after_the_mappings_lists_and_strings(number, read):
    budget = MAX_VALUES - 5  # what numbers_in's containers and strings leave

    parsed = _parse_json(numbers_in(budget, number), "n.json")

    assert len(parsed['a"b']) == budget and parsed['a"b'][0] == read and parsed["c"] == {}
    assert refused(numbers_in(budget + 1, number)) == f"n.json: {TOO_MANY}"


def test_strings_alone_up_to_the_limit_are_read_and_one_more_is_refused_before_parsing():
    # the list and MAX_VALUES - 1 empty strings: exactly MAX_VALUES, nothing left over
    just = "[" + ",".join(['""'] * (MAX_VALUES - 1)) + "]"
    over = "[" + ",".join(['""'] * MAX_VALUES) + "]"

    assert len(_parse_json(just, "n.json")) == MAX_VALUES - 1
    assert refused(over) == f"n.json: {TOO_MANY}"
