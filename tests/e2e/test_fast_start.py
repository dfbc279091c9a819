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


def test_state_builds_no_pydantic_model_and_imports_nothing_of_the_write_path(tmp_path):
    # The answer comes from stored rows: no validator or serializer is built (pydantic's
    # deferred building), and the YAML reader and the append path are never imported.
    db = str(tmp_path / "uspk.sqlite")
    # A new store is loaded with the shipped history (the write path) by its first command.
    created = subprocess.run(
        [sys.executable, "-m", "cli", "--db", db, "--create", "actors"], capture_output=True
    )
    assert created.returncode == 0, created.stderr[-500:]
    args = ["--db", db, "state", "--at", "2025-09-08"]
    result = subprocess.run(
        [sys.executable, "-c", READ_PROBE, *args], capture_output=True, text=True, timeout=120
    )
    assert "Agreements" in result.stdout, result.stderr[-500:]
    assert result.stdout.strip().endswith("BUILT: [] WRITE PATH: []"), result.stdout[-300:]
