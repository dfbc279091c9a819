"""The kinds of event, with the built-in ones loaded: importing this defines them
(``events.model``), and what the registry answers then includes them.

Read the kinds from here rather than from ``events.registry``, which only holds what has
been defined so far (it cannot import the models: they import it).
"""

from functools import lru_cache
from typing import Any

from events import registry
from events.model import PartialAmendment, partial_amendment  # defines the built-in kinds
from events.registry import (  # noqa: F401 - the kinds' public face
    declaring,
    document_type,
    happening_kinds,
    happening_models,
    kinds,
    label,
    model_for,
)


def document_adapter() -> Any:
    """The documents' validator: the union of every declared kind, which also reads an
    amendment that gives only what it changes."""
    return _documents(registry.document_adapter())


@lru_cache(maxsize=8)
def _documents(adapter: Any) -> Any:
    return _Documents(adapter)


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
    return isinstance(document, PartialAmendment)


def _partial_or_raise(raw: Any, error: Any) -> Any:
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
