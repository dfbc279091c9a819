"""`uspk --help` and every `uspk COMMAND --help` start without the heavy libraries."""

import subprocess
import sys

import pytest

from cli.main import main

PROBE = """
import sys
from cli.main import main
try:
    main(sys.argv[1:], prog_name="uspk")
except SystemExit:
    pass
heavy = sorted(m for m in ("pydantic", "eventsourcing", "yaml", "psycopg") if m in sys.modules)
print("HEAVY:", ",".join(heavy))
"""


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help_imports_neither_eventsourcing_nor_pydantic(command):
    args = ["--help"] if command is None else [command, "--help"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    first_line = (main.commands[command].help if command else main.help).split("\n")[0]
    assert " ".join(first_line.split()) in " ".join(result.stdout.split())  # wrapped
    assert result.stdout.strip().endswith("HEAVY:"), result.stdout[-200:]


READ_PROBE = """
import sys
from cli.main import main
try:
    main(sys.argv[1:], prog_name="uspk")
except SystemExit as exit:
    assert not exit.code, exit.code
from pydantic import BaseModel
def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)
built = sorted({m.__name__ for m in models(BaseModel) if m.__pydantic_complete__})
write_path = sorted(m for m in ("yaml", "events.files", "service.recording") if m in sys.modules)
print("BUILT:", built, "WRITE PATH:", write_path)
"""


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory) -> str:
    """A store already loaded with the shipped history (its first command's write path)."""
    db = str(tmp_path_factory.mktemp("store") / "uspk.sqlite")
    created = subprocess.run(
        [sys.executable, "-m", "cli", "--db", db, "--create", "actors"], capture_output=True
    )
    assert created.returncode == 0, created.stderr[-500:]
    return db


@pytest.mark.parametrize(
    "command, shown",
    [
        (["state", "--at", "2025-09-08"], "Agreements"),
        (["timeline"], "Trump"),
        (["timeline", "--format", "json"], '"related_by"'),
        (["show", "trump-munir-meeting-2025-06"], "Trump"),
    ],
)
def test_reading_builds_no_pydantic_model_and_imports_nothing_of_the_write_path(
    shipped_store, command, shown
):
    # The answer comes from stored rows: no validator or serializer is built (pydantic's
    # deferred building; views read fields from attributes), and neither the YAML reader
    # nor the append path is imported.
    result = subprocess.run(
        [sys.executable, "-c", READ_PROBE, "--db", shipped_store, *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown in result.stdout, result.stderr[-500:]
    assert result.stdout.strip().endswith("BUILT: [] WRITE PATH: []"), result.stdout[-300:]


RULES_PROBE = """
import sys
from cli.main import main
try:
    main(sys.argv[1:], prog_name="uspk")
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = ("pydantic", "events.model", "domain.world")
heavy += ("projections.writer", "eventsourcing.projection")
loaded = sorted(m for m in heavy if m in sys.modules)
print("LOADED:", ",".join(loaded))
"""


@pytest.mark.parametrize(
    "command, shown",
    [
        (["state", "--at", "2025-09-08"], "Agreements"),
        (["state", "--at", "2025-09-08", "--format", "json", "--known-at", "2026"], '"as_of"'),
        (["state", "--at", "2025-10", "--all"], "Agreements"),
        # what changed, read from the kept change rows: no fold either
        (["diff", "2025-09-07", "2025-09-08"], "meg-nlcp-mou-signed-2025-09-08"),
        (["diff", "2025-06", "2026-04", "--format", "json"], '"actor introduced: '),
    ],
)
def test_the_whole_state_is_read_from_kept_rows_without_the_models_the_rules_or_the_writer(
    shipped_store, command, shown
):
    # The state kept as rows needs no fold: the models (pydantic) and the rules
    # (domain.world) are not even imported, which is most of a cold start's cost. An index
    # with nothing to catch up is seen so in one read: its writer is not loaded either.
    result = subprocess.run(
        [sys.executable, "-c", RULES_PROBE, "--db", shipped_store, *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown in result.stdout, result.stderr[-500:]
    assert result.stdout.strip().endswith("LOADED:"), result.stdout[-300:]


@pytest.fixture(scope="module")
def long_state_store(tmp_path_factory) -> str:
    """The shipped history and 400 statements: a state whose text (--all) is far longer
    than a pipe holds (the shipped state's alone is not)."""
    import json

    from tests.factories import doc

    db = str(tmp_path_factory.mktemp("store") / "uspk.sqlite")
    said = [
        doc("statement-made", f"test-said-{n}", "2025-10-06", speaker="ussm", quote="Said. " * 20)
        for n in range(400)
    ]
    appended = subprocess.run(
        [sys.executable, "-m", "cli", "--db", db, "--create", "append", "-"],
        input=json.dumps(said),
        capture_output=True,
        text=True,
    )
    assert appended.returncode == 0, appended.stderr[-500:]
    return db


@pytest.mark.parametrize(
    "command",
    [
        ["timeline", "--format", "json"],
        ["timeline"],
        ["export", "--format", "json"],
        ["state", "--at", "2026-05-01", "--format", "json"],
        ["state", "--at", "2026-05-01", "--all"],
    ],
)
def test_what_is_written_as_read_into_a_pipe_closed_early_ends_without_a_traceback(
    long_state_store, command
):
    # The records (and the state's rows) are read a page (a section) at a time while they
    # are written: when the reader goes away (`uspk timeline | head`), the read transaction
    # ends with the session and nothing is left to fail after it (it printed "Exception
    # ignored ... Pool is closed" and a traceback).
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", long_state_store, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.read(100)
    process.stdout.close()  # the reader goes away; the output is far longer than a pipe holds
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-800:]
