"""Where every kind of event is registered: a happening's model registers itself here
when it is defined (``events.model``), and so does the retraction's.

This module knows no model, so that ``events.model`` can import it without a cycle; read
the kinds through ``events.kinds``, which loads the built-in ones first. The kinds list,
what a kind refers to, its replay rank and label, and the validation of documents (the
discriminated union behind ``decode``, file validation and ``uspk schema``) are all read
from here, so a new kind is one model class and nothing else.
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
_retraction: list[type] = []  # the retraction's model, once defined
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


def register_retraction(model: type) -> None:
    """Called once by ``events.model`` for the retraction, which is not a happening."""
    _retraction[:] = [model]


def unregister(kind: str) -> None:
    global _generation
    _models.pop(kind, None)
    _generation += 1


@contextmanager
def declaring() -> Iterator[None]:
    """Kinds declared inside the block are forgotten when it ends (for tests)."""
    before = dict(_models)
    try:
        yield
    finally:
        for kind in set(_models) - set(before):
            unregister(kind)


def happening_models() -> tuple[type, ...]:
    return tuple(_models.values())


def happening_kinds() -> tuple[str, ...]:
    return tuple(_models)


def kinds() -> tuple[str, ...]:
    """Every kind a document may have: the happenings', then retraction."""
    return (*happening_kinds(), RETRACTION)


def model_for(kind: Any) -> type | None:
    """The model of a happening's kind (None for a retraction or an unknown kind)."""
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
    return _generation


@cache
def _document_type(generation: int) -> Any:
    from typing import Annotated, Union

    from pydantic import Field

    members = (*_models.values(), *_retraction)
    return Annotated[Union[members], Field(discriminator="kind")]  # noqa: UP007


@cache
def _document_adapter(generation: int) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(_document_type(generation))
