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
