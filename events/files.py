"""Reading event files: bytes -> UTF-8 text -> YAML or JSON -> validated documents.

Every failure is an ``InputError`` that names the file, the event and the field, and says
what was expected, so the command line can print one line and exit without a traceback.
YAML is read with a safe loader that also refuses aliases (no "billion laughs"), keeps
dates as text (so the precision written is the precision kept) and builds no objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from events.kinds import KINDS
from events.model import Document

MAX_FILE_BYTES = 8 * 1024 * 1024  # the whole shipped history is ~40 kB
MAX_DEPTH = 20  # an event document nests 4 levels deep


class InputError(ValueError):
    """A file that cannot become events; ``str()`` is the one line to show the user."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


class _SafeNoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases and leaves dates as strings."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in event files", event.start_mark
            )
        return super().compose_node(parent, index)


_SafeNoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def _adapter() -> TypeAdapter:
    return TypeAdapter(Document)


@dataclass(frozen=True)
class Loaded:
    file: str
    documents: list  # list[Document], in file order


def parse_bytes(data: bytes, file: str) -> list[dict[str, Any]]:
    """Bytes of one file -> its raw documents (a single mapping or a list of them)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(file, f"file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} allowed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            file, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    text = text.removeprefix("\ufeff")
    if file.endswith(".json") or text.lstrip().startswith(("{", "[")):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                file, f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ) from None
        except RecursionError:
            raise InputError(file, f"data nested deeper than {MAX_DEPTH} levels") from None
    else:
        try:
            raw = yaml.load(text, Loader=_SafeNoAliasLoader)  # noqa: S506 - safe subclass
        except yaml.YAMLError as error:
            raise InputError(file, f"malformed YAML: {_yaml_reason(error)}") from None
        except RecursionError:
            raise InputError(file, f"data nested deeper than {MAX_DEPTH} levels") from None
    if raw is None:
        raise InputError(file, "empty file: expected an event (a mapping) or a list of events")
    documents = raw if isinstance(raw, list) else [raw]
    if not documents:
        raise InputError(file, "empty list: expected at least one event")
    for index, document in enumerate(documents):
        if not isinstance(document, dict):
            where = f"event {index + 1}" if isinstance(raw, list) else "top level"
            raise InputError(
                file, f"{where}: expected a mapping of fields, got {type(document).__name__}"
            )
        if _depth(document) > MAX_DEPTH:
            raise InputError(file, f"data nested deeper than {MAX_DEPTH} levels")
    return documents


def validate(raw: dict[str, Any], file: str, position: int | None = None):
    """One raw mapping -> a typed document, or an InputError naming the field."""
    label = _label(raw, position)
    kind = raw.get("kind")
    if kind not in KINDS:
        expected = ", ".join(KINDS)
        got = "missing" if kind is None else f"unknown kind {kind!r}"
        raise InputError(file, f"{label}, field 'kind': {got}; expected one of: {expected}")
    try:
        return _adapter().validate_python(raw)
    except ValidationError as error:
        raise InputError(file, f"{label}, {_describe(error)}") from None


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
    first = error.errors(include_url=False)[0]
    # The discriminated union puts the kind first in the location; the field follows.
    loc = [str(part) for part in first["loc"][1:]] or ["(event)"]
    field = ".".join(loc)
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field (not part of the format; see `uspk schema`)"
    elif first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    more = len(error.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"field '{field}': {message}{tail}"


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return problem


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level
