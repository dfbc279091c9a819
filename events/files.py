"""Reading event files: bytes -> UTF-8 text -> YAML or JSON -> validated documents.

Every failure is an ``InputError`` that names the file, the event and the field, and says
what was expected, so the command line can print one line and exit without a traceback.

Event files may come from anyone, so reading them is bounded and builds nothing but
plain data:

- size: a file is refused by its size before it is read (``read_file`` reads at most
  ``MAX_FILE_BYTES`` + 1 bytes, also from pipes and devices that report no size);
- values: at most ``MAX_VALUES`` mappings, lists, keys and scalars, counted before the
  data is built (a few MB of YAML can otherwise take gigabytes and minutes to compose),
  nested at most ``MAX_DEPTH`` deep;
- YAML: no aliases (no "billion laughs"), no tags but the plain ones (``!!python/...``,
  ``!!binary``, ``!!set``, custom ``!tags`` are refused, so no object is ever
  constructed), dates kept as text (so the precision written is the precision kept);
- both formats: a key given twice in one mapping is refused (a reviewer could read one
  value while the store keeps the other), as are numbers too long to convert; numbers
  with a fraction or an exponent are read as exact decimals, never rounded to floats;
- text: control characters other than line feed and tab, bidirectional overrides,
  embeddings and isolates (U+202A-U+202E, U+2066-U+2069, the "Trojan Source" characters
  that make text display in another order than it is stored) and unpaired surrogates are
  refused in every key and value. Right-to-left and left-to-right *marks* (U+200F,
  U+200E, U+061C), which Urdu and Arabic quotes legitimately need and which cannot
  reorder the text around them, are kept as they are, as inert text.
"""

from __future__ import annotations

import difflib
import json
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import yaml
from pydantic import ValidationError

from events.kinds import document_adapter, kinds
from events.model import SLUG_PATTERN, URL_PATTERN

MAX_FILE_BYTES = 8 * 1024 * 1024  # the whole shipped history is ~40 kB
MAX_DEPTH = 20  # an event document nests 4 levels deep
MAX_VALUES = 300_000  # an event averages ~70 (keys count); 8 MiB of real events ~230k

# Which characters text may not hold, and what to call them in the message.
_ALLOWED_CONTROLS = {"\n", "\t"}
_BIDI_CONTROLS = {
    **{chr(c): "bidirectional embedding/override" for c in range(0x202A, 0x202F)},
    **{chr(c): "bidirectional isolate" for c in range(0x2066, 0x206A)},
}


class InputError(ValueError):
    """A file that cannot become events; ``str()`` is the one line to show the user."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
} | {"!"}  # "!" is YAML's "not a plain scalar" marker: a string


class _PlainDataLoader(_BaseLoader):
    """Safe loader for already-screened text: dates stay strings, repeated keys refused."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201 - PyYAML's
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key_node.value!r} given twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Plain scalars that look like dates stay text; "=" and "<<" are text too (PyYAML would
# read them as its 'value' and 'merge' markers and then fail on a plain "title: =").
_TEXT_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("timestamp", "value", "merge")}


def _construct_exact_float(loader: _PlainDataLoader, node: yaml.ScalarNode) -> Any:
    """YAML floats as exact decimals too (see ``exact_number``); YAML's own forms that
    a Decimal does not read (.inf, .nan, sexagesimal 1:30.5) stay floats, as before."""
    text = loader.construct_scalar(node).replace("_", "")
    if ":" in text or text.lstrip("+-").lower() in (".inf", ".nan"):
        return loader.construct_yaml_float(node)
    return exact_number(text)


_PlainDataLoader.add_constructor("tag:yaml.org,2002:float", _construct_exact_float)
_PlainDataLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _TEXT_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Loaded:
    file: str
    documents: list  # list[Document], in file order


def read_file(path: str) -> bytes:
    """The bytes of the file at ``path``, refused by its size before reading it all.

    The size is checked with ``fstat`` first; then at most ``MAX_FILE_BYTES`` + 1 bytes
    are read, so a file that grows, a pipe or a device (which report no size) cannot
    make us hold more than that. ``OSError`` (missing, unreadable) is left to the caller.
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise InputError(path, _too_big(f"{size:,} bytes"))
        return read_stream(handle, path)


def read_stream(stream: IO[bytes], file: str = "<stdin>") -> bytes:
    """At most ``MAX_FILE_BYTES`` bytes of a stream (standard input); more is refused."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(file, _too_big(f"more than {MAX_FILE_BYTES:,} bytes"))
    return data


def _too_big(size: str) -> str:
    return f"file is {size}; at most {MAX_FILE_BYTES:,} allowed (split it into several files)"


def parse_bytes(data: bytes, file: str) -> list[dict[str, Any]]:
    """Bytes of one file -> its raw documents (a single mapping or a list of them)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(file, _too_big(f"{len(data):,} bytes"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            file, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    text = text.removeprefix("\ufeff")
    raw = _parse_json(text, file) if _is_json(file, text) else _parse_yaml(text, file)
    if raw is None:
        raise InputError(file, "empty file: expected an event (a mapping) or a list of events")
    documents = raw if isinstance(raw, list) else [raw]
    if not documents:
        raise InputError(file, "empty list: expected at least one event")
    _screen(raw, file)
    for index, document in enumerate(documents):
        if not isinstance(document, dict):
            where = f"event {index + 1}" if isinstance(raw, list) else "top level"
            raise InputError(
                file, f"{where}: expected a mapping of fields, got {type(document).__name__}"
            )
        _check_text(document, file, _label(document, index + 1 if len(documents) > 1 else None))
    return documents


def _is_json(file: str, text: str) -> bool:
    """The parser goes by the file's extension (YAML reads JSON too, so a .yaml file
    that starts with '{' is still YAML); standard input and other names are sniffed."""
    extension = os.path.splitext(file)[1].lower()
    if extension in (".yaml", ".yml"):
        return False
    return extension == ".json" or text.lstrip().startswith(("{", "["))


def _parse_json(text: str, file: str) -> Any:
    # What json.loads would build is bounded by the containers and strings (counted here
    # first) and the numbers (counted as they are parsed); true/false/null cost nothing.
    budget = MAX_VALUES - (text.count("{") + text.count("[") + text.count('"') // 2)
    if budget < 0:
        raise InputError(file, _too_many())
    numbers = _NumberBudget(budget)
    try:
        return json.loads(
            text,
            object_pairs_hook=_json_mapping,
            parse_int=numbers.int,
            parse_float=numbers.float,
            parse_constant=_json_constant,
        )
    except _OverBudget:
        raise InputError(file, _too_many()) from None
    except json.JSONDecodeError as error:
        raise InputError(
            file, f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except _RepeatedKey as error:
        raise InputError(file, f"malformed JSON: key {error.args[0]!r} given twice") from None
    except RecursionError:
        raise InputError(file, _too_deep()) from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InputError(file, f"malformed JSON: {_number_reason(error)}") from None


class _RepeatedKey(ValueError):
    pass


class _OverBudget(ValueError):
    pass


class _NumberBudget:
    def __init__(self, budget: int) -> None:
        self.left = budget

    def _spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OverBudget

    def int(self, text: str) -> int:
        self._spend()
        return int(text)

    def float(self, text: str) -> Decimal | str:
        self._spend()
        return exact_number(text)


def exact_number(text: str) -> Decimal | str:
    """A number written with a fraction or an exponent, kept exactly: as a float,
    123456789012.345678 would silently become 123456789012.34567. An exponent beyond
    what a Decimal holds stays text, for the field to refuse as written."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _json_mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return mapping


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_yaml(text: str, file: str) -> Any:
    _screen_yaml_events(text, file)
    try:
        return yaml.load(text, Loader=_PlainDataLoader)  # noqa: S506 - screened, plain tags
    except yaml.YAMLError as error:
        raise InputError(file, f"malformed YAML: {_yaml_reason(error)}") from None
    except RecursionError:
        raise InputError(file, _too_deep()) from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InputError(file, f"malformed YAML: {_number_reason(error)}") from None


def _screen_yaml_events(text: str, file: str) -> None:
    """Walk the parser's events (streamed: nothing is built) and refuse, before any data
    is composed, aliases, tags that are not plain data, nesting and size over the limits."""
    values = depth = 0
    try:
        for event in yaml.parse(text, Loader=_PlainDataLoader):
            if isinstance(event, yaml.AliasEvent):
                raise _yaml_refusal(file, "aliases (*name) are not allowed in event files", event)
            if isinstance(event, yaml.NodeEvent):
                values += 1
                if values > MAX_VALUES:
                    raise InputError(file, _too_many())
                tag = getattr(event, "tag", None)
                if tag is not None and tag not in _PLAIN_TAGS:
                    raise _yaml_refusal(
                        file,
                        f"the tag {_short_tag(tag)} is not allowed: event files hold plain "
                        "text, numbers, true/false, lists and mappings",
                        event,
                    )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _yaml_refusal(file, _too_deep(), event)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        raise InputError(file, f"malformed YAML: {_yaml_reason(error)}") from None


def _yaml_refusal(file: str, message: str, event: yaml.Event) -> InputError:
    mark = event.start_mark
    return InputError(file, f"{message} (line {mark.line + 1}, column {mark.column + 1})")


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def _too_deep() -> str:
    return f"data nested deeper than {MAX_DEPTH} levels"


def _too_many() -> str:
    return (
        f"more than {MAX_VALUES:,} values (mappings, lists, keys and scalars together); "
        "split it into several files"
    )


def _number_reason(error: ValueError) -> str:
    if "digits" in str(error):
        return "a number has too many digits (at most 4300)"
    return str(error).splitlines()[0]


def _screen(raw: Any, file: str) -> None:
    """Depth and size of parsed data, walked without recursion."""
    stack = [(raw, 1)]
    values = 0
    while stack:
        value, level = stack.pop()
        values += 1
        if level > MAX_DEPTH:
            raise InputError(file, _too_deep())
        if values > MAX_VALUES:
            raise InputError(file, _too_many())
        if isinstance(value, dict):
            values += len(value)  # the keys
            stack.extend((v, level + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, level + 1) for v in value)


def _check_text(document: dict[str, Any], file: str, label: str) -> None:
    """Refuse characters that are not inert text, naming the field that holds them."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            problem = _bad_character(value)
            if problem:
                raise InputError(file, f"{label}, field '{path or '(event)'}': {problem}")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                problem = _bad_field_name(name)
                if problem:
                    where = f"a field name in '{path}'" if path else "a field name"
                    raise InputError(file, f"{label}, {where}: {problem}")
                stack.append((item, f"{path}.{name}" if path else name))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}") for i, item in enumerate(value))


def _bad_field_name(name: str) -> str | None:
    """Field names are shown in messages: no line breaks, tabs or invisible characters."""
    if name.isprintable():
        return None
    char = next(c for c in name if not c.isprintable())
    what = "control character" if unicodedata.category(char) == "Cc" else "character"
    return f"{what} U+{ord(char):04X} is not allowed in a field name (only visible ones are)"


def _bad_character(text: str) -> str | None:
    if text.isprintable():  # fast path: most text; \n, \t and every culprit are not
        return None
    for char in text:
        code = f"U+{ord(char):04X}"
        if char in _ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return f"control character {code} is not allowed in text (only line feeds and tabs are)"
        if char in _BIDI_CONTROLS:
            name = unicodedata.name(char, "").lower()
            return (
                f"{_BIDI_CONTROLS[char]} character {code} ({name}) is not allowed: it makes "
                "text display in another order than it is stored; to mark direction, "
                "use U+200F (right-to-left mark)"
            )
        if category == "Cs":
            return f"unpaired surrogate {code} is not Unicode text"
    return None


def validate(raw: dict[str, Any], file: str, position: int | None = None):
    """One raw mapping -> a typed document, or an InputError naming the field."""
    label = _label(raw, position)
    kind = raw.get("kind")
    if kind not in kinds():
        expected = ", ".join(kinds())
        got = "missing" if kind is None else f"unknown kind {kind!r}"
        raise InputError(file, f"{label}, field 'kind': {got}; expected one of: {expected}")
    try:
        document = document_adapter().validate_python(raw)
    except ValidationError as error:
        raise InputError(file, f"{label}, {_describe(error)}") from None
    check_round_trip(document, file, label)
    return document


def check_round_trip(document: Any, file: str, label: str) -> None:
    """Refuse, before anything is written, a document that the store would not give
    back unchanged. The store keeps the JSON of ``model_dump(mode="json")`` and reads it
    back through the same models, so the document must come back equal and write out to
    the same JSON again. A value written in a form its own parser refuses (glibc wrote
    year 999 as "999") would otherwise be committed and then break every later command.

    Only the JSON reader is tried: the stored values are plain JSON (text, numbers,
    true/false, lists, mappings), which pydantic reads alike from JSON text or from
    parsed data; measured, the check costs about twice the validation itself (~20 us).
    """
    adapter = document_adapter()
    stored = adapter.dump_json(document)
    try:
        again = adapter.validate_json(stored)
    except ValidationError as error:
        raise InputError(file, f"{label}, {_describe(error)}{_NOT_STORABLE}") from None
    if again != document or adapter.dump_json(again) != stored:
        field = _changed_field(document, again)
        raise InputError(file, f"{label}, field '{field}': would read back changed{_NOT_STORABLE}")


_NOT_STORABLE = (
    ", as the store would keep it; refused before writing (a bug in uspk: please report it)"
)


def _changed_field(document: Any, again: Any) -> str:
    """The field whose JSON (or, when the JSON is alike, whose value) came back changed."""
    adapter = document_adapter()
    path = _first_difference(
        adapter.dump_python(document, mode="json"), adapter.dump_python(again, mode="json")
    )
    if path != "(event)":
        return path
    fields = type(document).model_fields
    return next((f for f in fields if getattr(document, f) != getattr(again, f)), path)


def _first_difference(before: Any, after: Any, path: str = "") -> str:
    """The dotted path of the first value that differs between two plain-data trees."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            if before.get(key) != after.get(key):
                return _first_difference(before.get(key), after.get(key), f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (one, other) in enumerate(zip(before, after, strict=True)):
            if one != other:
                return _first_difference(one, other, f"{path}.{index}")
    return path.lstrip(".") or "(event)"


def load_bytes(data: bytes, file: str) -> Loaded:
    raws = parse_bytes(data, file)
    numbered = len(raws) > 1
    documents = [validate(raw, file, i + 1 if numbered else None) for i, raw in enumerate(raws)]
    return Loaded(file, documents)


def load_files(named_bytes: Iterable[tuple[str, bytes]]) -> list:
    """Several files -> one batch of documents, in order; fails on the first bad file."""
    batch: list = []
    for file, data in named_bytes:
        batch.extend(load_bytes(data, file).documents)
    return batch


def _label(raw: dict[str, Any], position: int | None) -> str:
    ident = raw.get("id")
    ident = f"id {ident!r}" if isinstance(ident, str) else "no id"
    return f"event {position} ({ident})" if position else f"event ({ident})"


def _describe(error: ValidationError) -> str:
    """The one line for a validation error: the field, and what was expected in our words
    (pydantic's own wording is the fallback for what nobody has written yet)."""
    errors = error.errors(include_url=False)
    typo = _typo(errors)
    if typo is not None:
        extra, meant, missing = typo
        message = f"unknown field '{_field(extra)}' (did you mean '{meant}'?)"
        rest = [e for e in errors if e is not extra and e is not missing]
    else:
        message = f"field '{_field(errors[0])}': {_plain_message(errors[0])}"
        rest = errors[1:]
    tail = f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''})" if rest else ""
    return message + tail


def _field(error: dict[str, Any]) -> str:
    # The discriminated union puts the kind first in the location; the field follows.
    return ".".join(str(part) for part in error["loc"][1:]) or "(event)"


def _typo(errors: list[dict[str, Any]]) -> tuple[dict, str, dict] | None:
    """An unknown field that is a misspelling of a missing required one beside it: the
    misspelling is the problem to report, not the field it left missing."""
    missing = [e for e in errors if e["type"] == "missing"]
    for extra in (e for e in errors if e["type"] == "extra_forbidden"):
        siblings = {str(m["loc"][-1]): m for m in missing if m["loc"][:-1] == extra["loc"][:-1]}
        close = difflib.get_close_matches(str(extra["loc"][-1]), list(siblings), n=1)
        if close:
            return extra, close[0], siblings[close[0]]
    return None


_PATTERNS = {
    SLUG_PATTERN: "expected an id: lower-case letters, digits and hyphens",
    URL_PATTERN: "expected a web address that starts with http:// or https://, without spaces",
    r"^[A-Z]{3}$": "expected a three-letter currency code in capitals (such as USD)",
}


_NO_SOURCE = (
    "at least one source is required: the report that tells it (publisher, title, published)"
)
# What each kind of pydantic error means here, from its context and what was given.
_MEANINGS: dict[str, Any] = {
    "missing": lambda ctx, given: "required field is missing",
    "extra_forbidden": lambda ctx, given: (
        "unknown field (not part of the format; see `uspk schema`)"
    ),
    "too_short": lambda ctx, given: (
        f"at least {_items(ctx['min_length'])} required, got " + _what(given)
    ),
    "too_long": lambda ctx, given: (
        f"at most {_items(ctx['max_length'])} allowed, got " + _what(given)
    ),
    "string_too_short": lambda ctx, given: "must not be empty",
    "string_too_long": lambda ctx, given: (
        f"too long: at most {ctx['max_length']:,} characters, got {len(given):,}"
    ),
    "string_pattern_mismatch": lambda ctx, given: (
        _PATTERNS.get(ctx["pattern"], f"expected text matching {ctx['pattern']}")
        + f", got {_what(given)}"
    ),
    "literal_error": lambda ctx, given: f"expected {ctx['expected']}, got {_what(given)}",
    "greater_than_equal": lambda ctx, given: f"must be at least {ctx['ge']}, got {given}",
    "less_than_equal": lambda ctx, given: f"must be at most {ctx['le']}, got {given}",
    **{
        kind: lambda ctx, given, expected=expected: f"{expected}, got {_what(given)}"
        for kinds, expected in (
            (("string_type",), "expected text"),
            (("list_type",), "expected a list"),
            (("model_type", "dict_type"), "expected a mapping of fields"),
            (("bool_type", "bool_parsing"), "expected true or false"),
            (("decimal_type", "decimal_parsing"), "expected a number"),
        )
        for kind in kinds
    },
}


def _plain_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "value_error":  # our own validators' words
        return error["msg"].removeprefix("Value error, ")
    if kind == "too_short" and error["loc"][-1] == "sources":
        return _NO_SOURCE
    meaning = _MEANINGS.get(kind)
    return meaning(error.get("ctx") or {}, error.get("input")) if meaning else error["msg"]


def _items(count: int) -> str:
    return f"{count} item{'s' if count != 1 else ''}"


def _what(value: Any) -> str:
    """A short description of what was given, for 'expected X, got Y'."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return f"a list of {_items(len(value))}"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return problem
