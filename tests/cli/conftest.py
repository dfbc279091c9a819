"""Running uspk's click commands in-process against a real store."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import main


class Uspk:
    def __init__(self, address: str) -> None:
        self.address = address
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None):
        return self.runner.invoke(main, ["--db", self.address, *args], input=input)


@pytest.fixture
def uspk(store_address) -> Uspk:
    return Uspk(store_address)


@pytest.fixture
def uspk_sqlite(tmp_path) -> Uspk:
    return Uspk(str(tmp_path / "uspk.sqlite"))
