"""Queries rebuild documents from the read model's rows without validating them again:
what they rebuild equals what validation makes, for every kind and every field."""

from __future__ import annotations

import json

from hypothesis import given, settings

from domain.records import decode_json
from events.files import validate
from projections.trusted import trusted_document
from tests.property.test_round_trip import any_valid_documents
from tests.shipped import shipped_documents


def stored_text(model) -> str:
    """A document's JSON as the read model's row keeps it."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def assert_rebuilt_as_validated(model) -> None:
    text = stored_text(model)
    validated = decode_json(text)  # what queries made of a row before
    rebuilt = trusted_document(text)
    assert type(rebuilt) is type(validated)
    assert rebuilt == validated == model
    assert rebuilt.model_dump(mode="json") == validated.model_dump(mode="json")
    assert rebuilt.model_fields_set == validated.model_fields_set


def test_every_shipped_document_is_rebuilt_from_its_row_as_validation_makes_it():
    for model in shipped_documents():
        assert_rebuilt_as_validated(model)


@settings(max_examples=300, deadline=None)
@given(document=any_valid_documents())
def test_any_valid_document_is_rebuilt_from_its_row_as_validation_makes_it(document):
    assert_rebuilt_as_validated(validate(document, "property"))
