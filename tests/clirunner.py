"""`uspk --db ADDRESS ...` through click's test runner, in this process."""

from __future__ import annotations

import json
from typing import Any


class Uspk:
    def __init__(self, address: str) -> None:
        from click.testing import CliRunner  # imported late: tests check what --help loads

        self.address = address
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None):
        from cli.main import main

        return self.runner.invoke(main, ["--db", self.address, *args], input=input)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result.stdout  # without stderr's notes, such as a new store's announcement

    def timeline(self, *args: str) -> list[dict[str, Any]]:
        return json.loads(self.ok("timeline", "--format", "json", *args))
