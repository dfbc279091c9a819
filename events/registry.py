"""Every kind of event, declared once: a happening's model registers itself when defined.

The kinds list, what a kind refers to, its replay rank and label, and the validation of
documents (the discriminated union behind ``decode``, file validation and ``uspk schema``)
are all read from here, so a new kind is one model class and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_KIND_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")  # also a CSS class and a file-safe word
RETRACTION = "retraction"

_models: dict[str, type] = {}  # happening kind -> model, in the order they were defined
_generation = 0  # bumped on every change, so that what is built from the models is rebuilt


def register(model: type) -> None:
    """Called by ``Happening`` for every subclass that declares a ``kind``."""
    global _generation
    kind = model.kind_name()
    if not _KIND_PATTERN.match(kind) or kind == RETRACTION:
        raise TypeError(f"{model.__name__}: kind {kind!r} must be lower-case words and hyphens")
    if kind in _models and _models[kind] is not model:
        raise TypeError(
            f"{model.__name__}: kind {kind!r} is already declared by {_models[kind].__name__}"
        )
    _models[kind] = model
    _generation += 1


def unregister(kind: str) -> None:
    global _generation
    _models.pop(kind, None)
    _generation += 1


@contextmanager
def declaring() -> Iterator[None]:
    """Kinds declared inside the block are forgotten when it ends (for tests)."""
    _load()
    before = dict(_models)
    try:
        yield
    finally:
        for kind in set(_models) - set(before):
            unregister(kind)


def _load() -> None:
    import events.model  # noqa: F401 - defining the built-in kinds registers them


def happening_models() -> tuple[type, ...]:
    _load()
    return tuple(_models.values())


def happening_kinds() -> tuple[str, ...]:
    _load()
    return tuple(_models)


def kinds() -> tuple[str, ...]:
    """Every kind a document may have: the happenings', then retraction."""
    return (*happening_kinds(), RETRACTION)


def model_for(kind: Any) -> type | None:
    """The model of a happening's kind (None for a retraction or an unknown kind)."""
    _load()
    return _models.get(kind) if isinstance(kind, str) else None


def label(kind: str) -> str:
    """How a kind is named to readers: its model's label, else its words."""
    model = model_for(kind)
    return model.label if model is not None and model.label else kind.replace("-", " ")


def document_type() -> Any:
    """The type of one document: the happenings' union and retraction, by ``kind``."""
    return _document_type(_generation_now())


def document_adapter() -> Any:
    """A pydantic TypeAdapter of ``document_type()``, built once per set of kinds."""
    return _document_adapter(_generation_now())


def _generation_now() -> int:
    _load()
    return _generation


@cache
def _document_type(generation: int) -> Any:
    from typing import Annotated, Union

    from pydantic import Field

    from events.model import Retraction

    members = (*_models.values(), Retraction)
    return Annotated[Union[members], Field(discriminator="kind")]  # noqa: UP007


@cache
def _document_adapter(generation: int) -> Any:
    from pydantic import TypeAdapter

    return _Documents(TypeAdapter(_document_type(generation)))


class _Documents:
    """The documents' TypeAdapter, which also reads an amendment that gives only what it
    changes (``events.model.PartialAmendment``); whole documents go straight through."""

    def __init__(self, adapter: Any) -> None:
        self._adapter = adapter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)

    def validate_python(self, raw: Any, **options: Any) -> Any:
        from pydantic import ValidationError

        try:
            return self._adapter.validate_python(raw, **options)
        except ValidationError as error:
            return _partial_or_raise(raw, error)

    def validate_json(self, data: Any, **options: Any) -> Any:
        from pydantic import ValidationError

        try:
            return self._adapter.validate_json(data, **options)
        except ValidationError as error:
            import json

            try:
                raw = json.loads(data)
            except ValueError:
                raise error from None
            return _partial_or_raise(raw, error)

    def dump_json(self, document: Any, **options: Any) -> bytes:
        if _is_partial(document):
            import json

            flat = document.as_written()
            return json.dumps(flat, ensure_ascii=False, separators=(",", ":")).encode()
        return self._adapter.dump_json(document, **options)

    def dump_python(self, document: Any, **options: Any) -> Any:
        if _is_partial(document):
            return document.as_written()
        return self._adapter.dump_python(document, **options)


def _is_partial(document: Any) -> bool:
    from events.model import PartialAmendment

    return isinstance(document, PartialAmendment)


def _partial_or_raise(raw: Any, error: Any) -> Any:
    from events.model import partial_amendment

    partial = partial_amendment(raw, error)
    if partial is None:
        raise _without_missing(raw, error) from None
    return partial


def _without_missing(raw: Any, error: Any) -> Any:
    """For an amendment (it names what it supersedes), the errors other than missing
    fields: what it leaves out is taken from the event it amends, so a missing field is
    not what is wrong with it."""
    from pydantic import ValidationError

    if not (isinstance(raw, dict) and isinstance(raw.get("supersedes"), str)):
        return error
    problems = [e for e in error.errors() if e["type"] != "missing"]
    if not problems or len(problems) == error.error_count():
        return error
    try:
        return ValidationError.from_exception_data(error.title, problems)
    except (TypeError, ValueError, KeyError):  # an error pydantic cannot rebuild: all of it
        return error
