"""Property: whatever bytes reach `uspk append` (valid documents, mutated ones, whole
batches, damaged serializations, noise), the command either records them all or refuses
with one clean line - never a traceback, never part of a batch. What it accepts can be
read back."""

from __future__ import annotations

import json
from itertools import count

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from events.history import history_files
from events.kinds import kinds
from tests.conftest import stored_event_count
from tests.factories import SOURCE
from tests.store.helpers import no_traceback, uspk

ACTORS = ["ussm", "fwo", "shehbaz-sharif", "ishaq-dar", "asim-munir", "donald-trump", "nlcp"]
SHIPPED = [yaml.safe_load(path.read_text()) for path in history_files()]


def common(event_id: str, kind: str) -> dict:
    return {
        "id": event_id,
        "kind": kind,
        "occurred": "2025-09-10",
        "title": f"Fuzzed {kind}",
        "summary": "A fuzzed happening.",
        "sources": [dict(SOURCE)],
    }


def valid_documents(event_id: str) -> list[dict]:
    """One valid, appendable document of each kind, all with fresh ids."""
    return [
        {**common(event_id, "meeting"), "participants": ["ussm", "fwo"]},
        {
            **common(event_id, "visit"),
            "delegation": ["ussm"],
            "origin": "united-states",
            "destination": "pakistan",
            "purpose": "To look.",
        },
        {
            **common(event_id, "agreement-signed"),
            "agreement": f"{event_id}-mou",
            "instrument": "MoU",
            "parties": ["ussm", "fwo"],
            "scope": "Minerals.",
        },
        {
            **common(event_id, "commitment-made"),
            "agreement": "ussm-fwo-mou",
            "description": "More.",
            "amount": 1000,
            "currency": "USD",
        },
        {
            **common(event_id, "statement-made"),
            "speaker": "shehbaz-sharif",
            "quote": "Welcome.",
            "about": "ussm-fwo-mou",
        },
        {
            **common(event_id, "step-planned"),
            "step": f"{event_id}-step",
            "description": "Do it.",
            "owners": ["ussm"],
        },
        {
            "kind": "retraction",
            "id": event_id,
            "retracts": "baker-statement-on-mou-2025-09-08",
            "reason": "Fuzzed.",
            "sources": [dict(SOURCE)],
        },
    ]


ODD_CHARACTERS = ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\u202e", "\u2067", "\u200f"]
ODD_CHARACTERS += ["\ufeff", "\ud800", "\udfff", "\n", "\t", "\u2028", "&", "*", "!", ":", "#"]
characters = st.one_of(st.characters(), st.sampled_from(ODD_CHARACTERS))
text = st.text(alphabet=characters, max_size=40)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),  # with NaN, infinities and 1e308
    text,
    st.sampled_from(
        ["2025-09-09", "2025-13-01", "2025-09", "2025", "2025-09~", "9/9/2025", "2099-01-01"]
        + [
            "",
            " ",
            "USD",
            "usd",
            "1e30",
            "-0",
            "x" * 400,
            "https://example.org/a b",
            *ACTORS,
            *kinds(),
        ]
    ),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=8,
)
FIELDS = sorted({key for doc in valid_documents("x") for key in doc} | {"introduces", "note"})


@st.composite
def mutated(draw, event_id: str) -> dict:
    document = json.loads(json.dumps(draw(st.sampled_from(valid_documents(event_id) + SHIPPED))))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "set", "set", "source", "kind", "unknown"]))
        if action == "drop" and document:
            document.pop(draw(st.sampled_from(sorted(document))))
        elif action == "set":
            document[draw(st.sampled_from(FIELDS))] = draw(values)
        elif action == "source" and isinstance(document.get("sources"), list):
            document["sources"] = [{**dict(SOURCE), draw(text): draw(values)}]
        elif action == "kind":
            document["kind"] = draw(st.sampled_from([*kinds(), "summit", "", None]))
        elif action == "unknown":
            document[draw(text)] = draw(values)
    return document


@st.composite
def batch_bytes(draw) -> tuple[str, bytes]:
    serial = count()
    ids = st.uuids().map(lambda u: f"fuzz-{u.hex[:12]}-{next(serial)}")
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["noise.yaml", "noise.json"])), draw(st.binary(max_size=300))
    documents = [draw(mutated(draw(ids))) for _ in range(draw(st.integers(1, 3)))]
    data = documents[0] if len(documents) == 1 and draw(st.booleans()) else documents
    if draw(st.booleans()):
        name = draw(st.sampled_from(["batch.json", "batch"]))
        body = json.dumps(data, ensure_ascii=draw(st.booleans()))
    else:
        name = draw(st.sampled_from(["batch.yaml", "batch.yml"]))
        body = yaml.safe_dump(data, allow_unicode=draw(st.booleans()))
    raw = bytearray(body.encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(0, 3)) if draw(st.integers(0, 3)) == 0 else 0):
        at = draw(st.integers(0, len(raw)))
        edit = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        if edit == "replace" and at < len(raw):
            raw[at] = draw(st.integers(0, 255))
        elif edit == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del raw[at : at + draw(st.integers(1, 8))]
        else:
            del raw[at:]
    return name, bytes(raw)


@pytest.fixture
def store(store_address) -> str:
    result = uspk(store_address, "timeline")
    assert result.exit_code == 0, result.output
    return store_address


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=batch_bytes())
def test_append_accepts_a_whole_batch_or_refuses_it_in_one_clean_line(store, tmp_path, case):
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    before = stored_event_count(store)

    result = uspk(store, "append", str(path))

    no_traceback(result)
    lines = result.output.splitlines()
    event("accepted" if result.exit_code == 0 else "refused")  # --hypothesis-show-statistics
    if result.exit_code == 0:
        added = [line.removeprefix("  + ") for line in lines[1:]]
        assert lines[0].startswith(f"appended {len(added)} event(s)")
        assert stored_event_count(store) == before + len(added)
        for question in (("timeline", "--format", "json"), ("state", "--at", "2026-01-01")):
            answer = uspk(store, *question)
            no_traceback(answer)
            assert answer.exit_code == 0, answer.output
    else:
        assert result.exit_code == 1
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
        assert stored_event_count(store) == before
