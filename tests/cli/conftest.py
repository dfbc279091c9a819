"""Running uspk's click commands in-process against a real store."""

from __future__ import annotations

import pytest

from tests.clirunner import Uspk


@pytest.fixture
def uspk(store_address) -> Uspk:
    return Uspk(store_address)


@pytest.fixture
def uspk_sqlite(tmp_path) -> Uspk:
    return Uspk(str(tmp_path / "uspk.sqlite"))
