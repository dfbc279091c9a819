"""Bad input: one clear line naming file and field, non-zero exit, no traceback,
nothing written (counted in the store's own table before and after)."""

import json

import pytest
import yaml

from tests.conftest import stored_event_count
from tests.factories import doc

GOOD = doc(
    "meeting", "test-extra-meeting", "2025-09-09", participants=["shehbaz-sharif", "ishaq-dar"]
)


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def as_yaml(*documents):
    data = list(documents) if len(documents) > 1 else documents[0]
    return yaml.safe_dump(json.loads(json.dumps(data)))  # a copy: no shared nodes, no aliases


# Said by a publisher that neither the event nor the alternative's own source names.
TREASURE = {
    "said_by": ["Treasure"],
    "sources": [
        {"publisher": "Other Daily", "published": "2025-09-10", "url": "https://example.org/o"}
    ],
}


def with_fields(**changes):
    return {**GOOD, **changes}


CASES = {
    "malformed YAML": ("bad.yaml", "id: x\nkind: [meeting\n", "malformed YAML"),
    "malformed JSON": ("bad.json", '{"id": "x", "kind": ', "malformed JSON at line 1"),
    "non-UTF-8 bytes": ("bad.yaml", b"id: caf\xe9\n", "not UTF-8 text (byte 0xe9"),
    "unknown kind": (
        "bad.yaml",
        as_yaml(with_fields(kind="summit")),
        "field 'kind': unknown kind 'summit'; expected one of",
    ),
    "unknown field": (
        "bad.yaml",
        as_yaml(with_fields(venue="Islamabad")),
        "field 'venue': unknown field",
    ),
    "misspelt required field": (
        "bad.yaml",
        as_yaml({("occured" if k == "occurred" else k): v for k, v in GOOD.items()}),
        "event (id 'test-extra-meeting'), unknown field 'occured' (did you mean 'occurred'?)",
    ),
    "no source": (
        "bad.yaml",
        as_yaml(with_fields(sources=[])),
        "field 'sources': at least one source is required",
    ),
    "bad date": (
        "bad.yaml",
        as_yaml(with_fields(occurred="9/9/2025")),
        "field 'occurred': '9/9/2025' is not a date: expected YYYY-MM-DD",
    ),
    "impossible date": (
        "bad.yaml",
        as_yaml(with_fields(occurred="2025-02-30")),
        "field 'occurred': '2025-02-30' is not a real date",
    ),
    "future occurred": (
        "bad.yaml",
        as_yaml(with_fields(occurred="2099-01-01")),
        "occurred 2099-01-01 is after it is recorded",
    ),
    "unknown actor": (
        "bad.yaml",
        as_yaml(with_fields(participants=["shehbaz-sharif", "ishak-dar"])),
        "unknown actor 'ishak-dar' (introduced by no event in the record); did you mean ishaq-dar",
    ),
    "broken invariant": (
        "bad.yaml",
        as_yaml(
            doc(
                "commitment-made",
                "test-early-commitment",
                "2025-09-07",
                agreement="ussm-fwo-mou",
                description="Too early.",
            )
        ),
        "agreement 'ussm-fwo-mou' is not signed by 2025-09-07",
    ),
    "duplicate id, other content": (
        "bad.yaml",
        as_yaml({**GOOD, "id": "trump-munir-meeting-2025-06"}),
        "with different content",
    ),
    "an alias that names another actor": (
        "bad.yaml",
        as_yaml(
            with_fields(
                participants=["shehbaz-sharif", "impostor"],
                introduces=[
                    {
                        "id": "impostor",
                        "name": "I. M. Postor",
                        "type": "person",
                        "aliases": ["donald TRUMP"],
                    }
                ],
            )
        ),
        "actor 'impostor': 'donald TRUMP' already names actor donald-trump",
    ),
    "two amendments of one event": (
        "bad.yaml",
        as_yaml(
            {**GOOD, "supersedes": "delegation-meets-pm-2025-09-08"},
            {**GOOD, "id": "test-second", "supersedes": "delegation-meets-pm-2025-09-08"},
        ),
        "'delegation-meets-pm-2025-09-08' is amended by 'test-extra-meeting' and amended by "
        "'test-second' in one batch",
    ),
    "an amendment and a retraction of one event": (
        "bad.yaml",
        as_yaml(
            {**GOOD, "supersedes": "delegation-meets-pm-2025-09-08"},
            {
                "kind": "retraction",
                "id": "test-retraction",
                "retracts": "delegation-meets-pm-2025-09-08",
                "reason": "Wrong.",
                "sources": GOOD["sources"],
            },
        ),
        "'delegation-meets-pm-2025-09-08' is amended by 'test-extra-meeting' and retracted by "
        "'test-retraction' in one batch",
    ),
    "only the last of a batch bad": (
        "bad.yaml",
        as_yaml(
            GOOD, {**GOOD, "id": "test-second"}, {**GOOD, "id": "test-third", "occurred": "2025-13"}
        ),
        "event 3 (id 'test-third'), field 'occurred'",
    ),
    "an alternative said by a publisher none of the sources names": (
        "bad.yaml",
        as_yaml(
            with_fields(alternatives=[{"field": "occurred", "value": "2025-09-10", **TREASURE}])
        ),
        "event 'test-extra-meeting': alternative of field 'occurred': said_by 'Treasure' is not "
        "the publisher of any of its sources; expected one of: Test Gazette, Other Daily (or "
        "give the alternative its own sources); nothing was written",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_with_one_clear_line_and_nothing_written(uspk, tmp_path, case):
    name, content, expected = CASES[case]
    assert uspk("timeline").exit_code == 0  # the store exists, with the shipped history
    before = stored_event_count(uspk.address)
    path = write(tmp_path, name, content)
    result = uspk("append", path)
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert result.output.startswith(f"Error: {path}")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert stored_event_count(uspk.address) == before


def test_a_broken_rule_in_the_second_file_of_a_batch_writes_nothing(uspk, tmp_path):
    assert uspk("timeline").exit_code == 0
    before = stored_event_count(uspk.address)
    first = write(tmp_path, "one.json", json.dumps(GOOD))
    second = write(tmp_path, "two.yaml", as_yaml(with_fields(id="test-2", participants=["x", "y"])))
    result = uspk("append", first, second)
    assert result.exit_code == 1 and f"{second}: event 'test-2'" in result.output
    assert stored_event_count(uspk.address) == before


def test_a_valid_file_is_appended_and_again_is_a_no_op(uspk, tmp_path):
    path = write(tmp_path, "good.yaml", as_yaml(GOOD))
    assert "appended 1 event(s)" in uspk("append", path).output
    count = stored_event_count(uspk.address)
    again = uspk("append", path)
    assert again.exit_code == 0 and "appended 0 event(s); 1 already recorded" in again.output
    assert stored_event_count(uspk.address) == count


def test_dry_run_checks_everything_and_writes_nothing(uspk, tmp_path):
    assert uspk("timeline").exit_code == 0
    before = stored_event_count(uspk.address)
    result = uspk("append", "--dry-run", write(tmp_path, "good.yaml", as_yaml(GOOD)))
    assert result.exit_code == 0 and "would append 1 event(s)" in result.output
    assert stored_event_count(uspk.address) == before


def test_append_reads_standard_input(uspk):
    result = uspk("append", "-", input=json.dumps(GOOD))
    assert result.exit_code == 0 and "+ test-extra-meeting" in result.output


def test_a_missing_file_is_a_clean_error(uspk, tmp_path):
    result = uspk("append", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "cannot read: No such file" in result.output


def test_a_yaml_file_that_starts_with_a_brace_is_read_as_yaml(uspk, tmp_path):
    flow = "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in GOOD.items()) + "}"
    path = write(tmp_path, "flow.yaml", flow.replace('"id": ', "id: "))
    assert not flow.startswith('{"')  # YAML flow style: not JSON
    result = uspk("append", path)
    assert result.exit_code == 0, result.output
    assert "+ test-extra-meeting" in result.output
