"""Property: a document that validation accepts is stored, read back, folded and exported
unchanged, for every kind of the vocabulary (taken from the models): dates of any year
0001-9999 at every precision and qualifier, amounts up to their bounds, any Unicode text
that validation lets through. Through the real command line, on a real store of each
backend; and, without a store, validate -> dump -> validate is the identity."""

from __future__ import annotations

import json
from typing import Any, get_args, get_origin

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from events.files import validate
from events.kinds import kinds
from events.model import Alternative, Source, mentioned_ids
from projections.views import LINK_FIELDS, json_fields, links_view, source_view
from tests.property.documents import MODELS, appendable_batches, interval, model_documents
from tests.store.helpers import no_traceback, open_store, uspk

COMMON = {"id", "kind", "occurred", "title", "summary", "actors", "sources", "note"}
STORE_EXAMPLES = 30  # per backend: each appends, reads back and exports through the CLI


def test_the_vocabulary_the_properties_cover_is_every_kind():
    assert sorted(MODELS) == sorted(kinds())


def with_defaults(model: type[BaseModel], raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with every field the model has, defaults filled in, nested models too."""
    full = {}
    for name, field in model.model_fields.items():
        value = raw.get(name, field.get_default(call_default_factory=True))
        (item,) = get_args(field.annotation) if get_origin(field.annotation) is list else (None,)
        if isinstance(item, type) and issubclass(item, BaseModel):
            value = [with_defaults(item, v) for v in value]
        one = [a for a in get_args(field.annotation) if isinstance(a, type)]
        one = [a for a in one if issubclass(a, BaseModel)]  # a nested model or None
        if one and isinstance(value, dict):
            value = with_defaults(one[0], value)
        full[name] = value
    if model is Alternative and not full["said_by"]:  # who says so: its own sources' publishers
        full["said_by"] = list(dict.fromkeys(s["publisher"] for s in full["sources"]))
    return full


def without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


def date_is_shown_as(view: dict[str, Any], edtf: str) -> None:
    """A date view says the EDTF text given and the interval the calendar gives it."""
    start, end, precision = interval(edtf)
    assert view["edtf"] == edtf
    assert (view["start"], view["end"]) == (start.isoformat(), end.isoformat())
    assert view["precision"] == precision
    assert view["approximate"] == edtf.endswith(("~", "%"))
    assert view["uncertain"] == edtf.endswith(("?", "%"))


def source_from_view(view: dict[str, Any]) -> dict[str, Any]:
    """A source as written, from its view (an event's or an alternative's): its date, and
    the date of the report it relays, as written."""
    source = {**view, "published": view["published"]["edtf"]}
    if source.get("relays") and source["relays"]["published"]:
        relayed = source["relays"]
        source["relays"] = {**relayed, "published": relayed["published"]["edtf"]}
    return source


def document_from_view(view: dict[str, Any]) -> dict[str, Any]:
    """The fields of a happening as `show --format json` gives them back."""
    sources = [source_from_view(s) for s in view["sources"]]
    common = {"id": view["id"], "kind": view["kind"], "occurred": view["occurred"]["edtf"]}
    common |= {"title": view["title"], "summary": view["summary"], "note": view["note"]}
    alternatives = [
        {**a, "sources": [source_from_view(s) for s in a["sources"]]} for a in view["alternatives"]
    ]
    links = {"relates": view["relates"], "alternatives": alternatives}
    return without_none({**common, "sources": sources, **links, **view["details"]})


@st.composite
def kinds_and_batches(draw) -> tuple[list[dict], dict]:
    return draw(appendable_batches(draw(st.sampled_from(sorted(MODELS)))))


@pytest.fixture
def store(store_address) -> str:
    no_traceback(result := uspk(store_address, "timeline"))
    assert result.exit_code == 0, result.output
    return store_address


@settings(
    max_examples=STORE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=kinds_and_batches(), as_yaml=st.booleans())
def test_an_accepted_document_is_stored_read_back_folded_and_exported_unchanged(
    store, tmp_path, case, as_yaml
):
    batch, document = case
    expected = with_defaults(MODELS[document["kind"]], document)
    path = tmp_path / f"{document['id']}.{'yaml' if as_yaml else 'json'}"
    copy = json.loads(json.dumps(batch))  # no shared values: YAML would make them aliases
    data = yaml.safe_dump(copy, allow_unicode=True) if as_yaml else json.dumps(batch)
    path.write_text(data, encoding="utf-8")

    appended = uspk(store, "append", str(path))

    no_traceback(appended)
    assert appended.exit_code == 0, appended.output
    assert f"+ {document['id']}" in appended.output
    stored_and_read_back_unchanged(store, document["id"], expected)
    shown_unchanged(store, document, expected)
    exported_unchanged(store, document)
    for question in (("timeline", "--format", "json"), ("state", "--at", "2025-09-08")):
        answer = uspk(store, *question)
        no_traceback(answer)
        assert answer.exit_code == 0, answer.output


def stored_and_read_back_unchanged(store: str, event_id: str, expected: dict) -> None:
    """Through the chronicle (the event log) and through the read model's stored text."""
    from service.bootstrap import Session
    from service.stores import resolve_store

    app = open_store(store)
    try:
        from_log = app.record_of(event_id).document.model_dump(mode="json")
    finally:
        app.close()
    with Session(resolve_store(store)) as session:
        from_view = session.index.record_of(event_id).document.model_dump(mode="json")
    assert from_log == expected
    assert from_view == expected


def shown_unchanged(store: str, document: dict, expected: dict) -> None:
    shown = json.loads(uspk(store, "show", document["id"], "--format", "json").output)
    if document["kind"] == "retraction":
        assert shown == {"retraction": expected}
        return
    view = shown["event"]
    assert document_from_view(view) == without_none(
        {k: v for k, v in expected.items() if k != "actors"}
    )
    assert view["actors"] == mentioned_ids(expected)
    date_is_shown_as(view["occurred"], document["occurred"])
    for source, given_source in zip(view["sources"], document["sources"], strict=True):
        date_is_shown_as(source["published"], given_source["published"])


def exported_unchanged(store: str, document: dict) -> None:
    exported = uspk(store, "export", "--format", "json")
    no_traceback(exported)
    assert exported.exit_code == 0, exported.output
    events = {e["id"]: e for e in json.loads(exported.output)["events"]}
    if document["kind"] == "retraction":
        assert document["retracts"] not in events
        return
    shown = json.loads(uspk(store, "show", document["id"], "--format", "json").output)
    assert events[document["id"]] == shown["event"]
    if document.get("supersedes"):
        assert document["supersedes"] not in events


@st.composite
def any_valid_documents(draw) -> dict:
    """Documents of every kind with every field drawn, references unchecked (no store)."""
    kind = draw(st.sampled_from(sorted(MODELS)))
    return draw(model_documents(MODELS[kind], {"kind": kind}))


@settings(max_examples=300, deadline=None)
@given(document=any_valid_documents())
def test_validate_dump_validate_is_the_identity(document):
    model = validate(document, "property")
    dumped = model.model_dump(mode="json")
    again = validate(dumped, "property")
    assert again == model
    assert again.model_dump(mode="json") == dumped == with_defaults(type(model), document)


@settings(max_examples=100, deadline=None)
@given(document=any_valid_documents().filter(lambda d: d["kind"] != "retraction"))
def test_an_events_links_read_from_attributes_equal_their_pydantic_dump(document):
    """The views read relations and alternatives field by field (``json_fields``, so that
    a read builds no serializer): exactly what pydantic's JSON dump of them gives."""
    model = validate(document, "property")
    dumped = {name: model.model_dump(mode="json")[name] for name in LINK_FIELDS}
    for alternative in dumped["alternatives"]:
        alternative["sources"] = [
            source_view(Source.model_validate(s)) for s in alternative["sources"]
        ]
    assert links_view(model) == dumped


@settings(max_examples=300, deadline=None)
@given(document=any_valid_documents(), exclude_none=st.booleans(), common=st.booleans())
def test_a_documents_fields_read_from_attributes_equal_their_pydantic_dump(
    document, exclude_none, common
):
    """Every view reads a document's fields from its attributes (``json_fields``): for
    every kind, retractions included, exactly what pydantic's JSON dump gives."""
    model = validate(document, "property")
    exclude = COMMON if common else set()
    dumped = model.model_dump(mode="json", exclude=exclude, exclude_none=exclude_none)
    assert json_fields(model, exclude, exclude_none) == dumped
