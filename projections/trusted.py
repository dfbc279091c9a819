"""Documents rebuilt from the read model's rows without validating them again.

A row's document was validated at the door and again when the catch-up wrote the row
(``entries._entry_of``); validating it on every query only repeats that, and building
the validator of the whole vocabulary costs more than a query of the shipped history
(measured: ~65 ms of a ~330 ms ``uspk state``). Each model is built with
``model_construct``, its dates, amounts and nested models converted as the validators
would; a property test checks that this equals validation for every kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from events.dates import FuzzyDate, parse_date
from events.kinds import model_for
from events.model import Retraction
from events.registry import RETRACTION


def trusted_document(text: str | bytes) -> Any:
    """The document of a read-model row, as validation would make it, unvalidated."""
    values = json.loads(text, parse_float=Decimal)
    kind = values["kind"]
    return _construct(Retraction if kind == RETRACTION else model_for(kind), values)


def _construct(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    plan = _plan(model)
    for name, convert in plan.items():
        value = values.get(name)
        if value is not None:
            values[name] = convert(value)
    return model.model_construct(**values)


@cache
def _plan(model: type[BaseModel]) -> dict[str, Callable[[Any], Any]]:
    """How each field that is not plain JSON is made from its stored value."""
    plan = {}
    for name, field in model.model_fields.items():
        convert = _converter(_types_in(field.annotation))
        if convert is not None:
            plan[name] = convert
    return plan


def _converter(types: set[Any]) -> Callable[[Any], Any] | None:
    if FuzzyDate in types:
        return parse_date
    if Decimal in types:
        return Decimal
    nested = [t for t in types if isinstance(t, type) and issubclass(t, BaseModel)]
    if nested:
        (inner,) = nested

        def construct(value: Any) -> Any:
            if isinstance(value, list):
                return [_construct(inner, item) for item in value]
            return _construct(inner, value)

        return construct
    return None


def _types_in(annotation: Any) -> set[Any]:
    """The classes an annotation is made of (through Annotated, unions and lists)."""
    if get_origin(annotation) is Annotated:
        return _types_in(get_args(annotation)[0])
    arguments = get_args(annotation)
    if not arguments:
        return {annotation}
    return set().union(*(_types_in(argument) for argument in arguments))
