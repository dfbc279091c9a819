"""Hostile event files: each is refused (or, for harmless marks, kept as inert text)
with one clear line, in bounded memory and time, and the store is left unchanged
(its own table counted before and after)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from events.files import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from tests.conftest import stored_event_count
from tests.factories import doc
from tests.store.helpers import no_traceback, uspk

REPO = Path(__file__).resolve().parents[2]


def meeting(event_id: str = "hostile-meeting", **changes) -> dict:
    return {**doc("meeting", event_id, "2025-09-09", participants=["ussm", "fwo"]), **changes}


@pytest.fixture
def store(store_address) -> str:
    """A store in use (shipped history loaded)."""
    result = uspk(store_address, "timeline")
    assert result.exit_code == 0, result.output
    return store_address


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def assert_refused(store: str, file: str, message: str) -> None:
    """`uspk append FILE` exits 1 with exactly one line naming FILE and saying why."""
    before = stored_event_count(store)
    result = uspk(store, "append", file)
    no_traceback(result)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {file}: "), line
    assert message in line, line
    assert stored_event_count(store) == before


def run_measured(*args: str) -> dict:
    """Run uspk in a fresh interpreter; report its result and how much its peak RSS grew
    while the command ran (everything it imports is imported before measuring)."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        from click.testing import CliRunner
        from cli.main import main
        import events.files, events.model, service.application  # noqa: F401
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = CliRunner().invoke(main, sys.argv[1:])
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        print(json.dumps({
            "exit": result.exit_code, "output": result.output, "grew_mb": grew / 1024,
            "crashed": repr(result.exception) if crashed else None,
        }))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,  # a hang guard, not a measurement
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["crashed"] is None, report
    return report


# -- aliases ---------------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
id: lol
kind: meeting
summary: *i
"""


def test_a_yaml_alias_bomb_is_refused_at_its_first_alias(store, tmp_path):
    file = write(tmp_path, "laughs.yaml", BILLION_LAUGHS)
    assert_refused(store, file, "aliases (*name) are not allowed in event files (line 2, column 8)")


# -- size ------------------------------------------------------------------------------------


def test_a_file_of_hundreds_of_megabytes_is_refused_by_its_size_without_being_read(store, tmp_path):
    big = tmp_path / "huge.yaml"
    with open(big, "wb") as handle:  # sparse: 300 MB on paper, nothing on disk
        handle.truncate(300 * 1024 * 1024)
    before = stored_event_count(store)

    report = run_measured("--db", store, "append", str(big))

    assert report["exit"] == 1
    assert report["output"] == (
        f"Error: {big}: file is 314,572,800 bytes; at most {MAX_FILE_BYTES:,} allowed "
        "(split it into several files)\n"
    )
    assert report["grew_mb"] < 16, report  # reading it would take 300 MB
    assert stored_event_count(store) == before


def test_an_endless_device_is_read_only_up_to_the_limit(store):
    report = run_measured("--db", store, "append", "/dev/zero")  # reports size 0, never ends

    assert report["exit"] == 1
    assert report["output"] == (
        f"Error: /dev/zero: file is more than {MAX_FILE_BYTES:,} bytes; "
        f"at most {MAX_FILE_BYTES:,} allowed (split it into several files)\n"
    )
    assert report["grew_mb"] < 3 * MAX_FILE_BYTES / 2**20, report


def test_too_much_on_standard_input_is_refused_by_size(store):
    before = stored_event_count(store)
    result = uspk(store, "append", "-", input=b"#" * (MAX_FILE_BYTES + 1))
    no_traceback(result)
    assert result.exit_code == 1
    assert result.output.startswith("Error: <stdin>: file is ")
    assert f"at most {MAX_FILE_BYTES:,} allowed" in result.output
    assert stored_event_count(store) == before


def test_millions_of_tiny_yaml_values_are_refused_before_they_are_built(store, tmp_path):
    # 8 MB of "- a" lines: two million values, which PyYAML would compose into ~1.3 GB.
    file = write(tmp_path, "many.yaml", "- a\n" * (MAX_FILE_BYTES // 4 - 1))
    before = stored_event_count(store)

    report = run_measured("--db", store, "append", file)

    assert report["exit"] == 1
    assert report["output"] == (
        f"Error: {file}: more than {MAX_VALUES:,} values (mappings, lists, keys and "
        "scalars together); split it into several files\n"
    )
    assert report["grew_mb"] < 200, report
    assert stored_event_count(store) == before


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("[" + "{}," * 2_000_000 + "{}]", id="millions of mappings"),
        pytest.param("[" + "1," * 3_000_000 + "1]", id="millions of numbers"),
        pytest.param("[" + '"ab",' * 1_500_000 + '"ab"]', id="millions of strings"),
    ],
)
def test_millions_of_tiny_json_values_are_refused(store, tmp_path, content):
    file = write(tmp_path, "many.json", content)
    assert_refused(store, file, f"more than {MAX_VALUES:,} values")


# -- nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep-objects.json", '{"a":' * 50_000 + "1" + "}" * 50_000),
        ("deep.yaml", "x: " + "[" * 100_000 + "]" * 100_000),
        ("deep-flow-maps.yaml", "x: " + "{a: " * 50_000 + "1" + "}" * 50_000),
        ("deep-blocks.yaml", "".join(" " * i + f"k{i}:\n" for i in range(500)) + " " * 500 + "v"),
        (
            "deep-in-an-event.json",
            json.dumps(
                meeting(sources=[{"publisher": [[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]}])
            ),
        ),
    ],
)
def test_deeply_nested_data_is_refused(store, tmp_path, name, content):
    file = write(tmp_path, name, content)
    before = stored_event_count(store)
    result = uspk(store, "append", file)
    no_traceback(result)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    # Ours either way: the depth check, or (libyaml refuses deep flow nesting while it
    # scans, before our check sees the events) our "malformed YAML" with its reason.
    our_depth = f"Error: {file}: data nested deeper than {MAX_DEPTH} levels"
    assert line.startswith((our_depth, f"Error: {file}: malformed YAML: ")), line
    assert stored_event_count(store) == before


# -- characters in text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"summary": "Turns the terminal red: \x1b[31m"},
            "field 'summary': control character U+001B is not allowed in text "
            "(only line feeds and tabs are)",
        ),
        ({"title": "A NUL\x00 in a title"}, "field 'title': control character U+0000"),
        ({"title": "A carriage\rreturn"}, "field 'title': control character U+000D"),
        ({"title": "A DEL\x7f"}, "field 'title': control character U+007F"),
        ({"title": "A C1 control\x85"}, "field 'title': control character U+0085"),
        (
            {
                "sources": [
                    {"publisher": "P", "title": "T", "published": "2025", "quote": "\u202eevil"}
                ]
            },
            "field 'sources.0.quote': bidirectional embedding/override character U+202E "
            "(right-to-left override) is not allowed: it makes text display in another "
            "order than it is stored; to mark direction, use U+200F (right-to-left mark)",
        ),
        (
            {"participants": ["ussm", "fwo\u2067"]},
            "field 'participants.1': bidirectional isolate character U+2067",
        ),
        ({"summary": "lone \ud800 half"}, "field 'summary': unpaired surrogate U+D800"),
        (
            {"\x1b[2J": "x"},
            "a field name: control character U+001B is not allowed in a field name "
            "(only visible ones are)",
        ),
        ({"par\nticipants": "x"}, "a field name: control character U+000A"),
        ({"sources": [{"\u200fquote": "x"}]}, "a field name in 'sources.0': character U+200F"),
    ],
)
def test_control_and_reordering_characters_in_text_are_refused(store, tmp_path, changes, message):
    file = write(tmp_path, "chars.json", json.dumps(meeting(**changes)))
    assert_refused(store, file, f"event (id 'hostile-meeting'), {message}")


def test_a_raw_control_character_in_yaml_is_refused_by_the_parser(store, tmp_path):
    file = write(tmp_path, "bell.yaml", "id: x\nkind: meeting\ntitle: ding\x07\n")
    assert_refused(store, file, "malformed YAML: ")


def test_direction_marks_tabs_and_line_breaks_are_kept_as_inert_text(store, tmp_path):
    summary = "\u200fپاکستان\u200f met the USSM.\n\tSecond line, \u200eLTR mark."
    file = write(tmp_path, "marks.json", json.dumps(meeting("marks-meeting", summary=summary)))

    result = uspk(store, "append", file)

    assert (result.exit_code, result.output) == (0, "appended 1 event(s)\n  + marks-meeting\n")
    shown = uspk(store, "show", "marks-meeting", "--format", "json")
    assert shown.exit_code == 0
    assert summary in json.loads(shown.output)["event"]["summary"]


# -- YAML tags that would build objects -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ('!!python/object/apply:os.system ["touch {pwned}"]', "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!python/object/new:subprocess.Popen [[touch, '{pwned}']]", "!!python/object/new"),
        ('!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {pwned}"]', "!!python/"),
        ("!!binary dG91Y2g=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!custom thing", "!custom"),
    ],
)
def test_yaml_tags_that_build_objects_are_refused_and_nothing_runs(store, tmp_path, value, tag):
    pwned = tmp_path / "pwned"
    title = value.replace("{pwned}", str(pwned))
    text = f"id: tagged\nkind: meeting\noccurred: '2025-09-09'\ntitle: {title}\n"
    file = write(tmp_path, "tagged.yaml", text)
    assert_refused(store, file, f": the tag {tag}")
    assert (
        "is not allowed: event files hold plain text, numbers, true/false"
        in uspk(store, "append", file).output
    )
    assert not pwned.exists()


def test_plain_tags_are_allowed(store, tmp_path):
    text = json.dumps(meeting("plain-tags-meeting", title="Plain"))
    as_yaml = "\n".join(f"{k}: {json.dumps(v)}" for k, v in json.loads(text).items())
    as_yaml = as_yaml.replace('title: "Plain"', "title: !!str Plain")
    file = write(tmp_path, "plain.yaml", as_yaml)
    result = uspk(store, "append", file)
    assert (result.exit_code, result.output) == (0, "appended 1 event(s)\n  + plain-tags-meeting\n")


# -- numbers and keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(name, content, message, id=name)
        for name, content, message in [
            (
                "long.json",
                '{"id": "x", "amount": ' + "9" * 5000 + "}",
                "a number has too many digits",
            ),
            ("long.yaml", "id: x\namount: " + "9" * 5000 + "\n", "a number has too many digits"),
            ("nan.json", '{"id": "x", "amount": NaN}', "NaN is not a number JSON allows"),
            (
                "inf.json",
                '{"id": "x", "amount": -Infinity}',
                "-Infinity is not a number JSON allows",
            ),
            ("twice.json", '{"id": "x", "kind": "meeting", "id": "y"}', "key 'id' given twice"),
            ("twice.yaml", "id: x\nkind: meeting\nid: y\n", "key 'id' given twice"),
        ]
    ],
)
def test_unreadable_numbers_and_repeated_keys_are_refused(store, tmp_path, name, content, message):
    assert_refused(store, write(tmp_path, name, content), message)


@pytest.mark.parametrize("amount", ["1e308", "'1e30'"])
def test_an_absurd_amount_is_refused_cleanly(store, tmp_path, amount):
    text = (
        json.dumps(
            doc(
                "commitment-made",
                "absurd-commitment",
                "2025-09-09",
                agreement="ussm-fwo-mou",
                description="Too much.",
                currency="USD",
                amount=1,
            )
        )
        .replace('"amount": 1', f'"amount": {amount}')
        .replace("'", '"')
    )
    assert_refused(store, write(tmp_path, "absurd.json", text), "amount")
