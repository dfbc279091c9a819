"""Fixtures for the export tests: a store per test, and exports of the hostile history."""

from __future__ import annotations

import pytest

from tests.archive import site
from tests.export.support import Uspk, hostile_store

FORMATS = ("html", "timelinejs", "markdown", "csv", "json", "atom", "plover")


@pytest.fixture
def uspk(tmp_path) -> Uspk:
    """A fresh SQLite store (loaded with the shipped history on first use)."""
    return Uspk(str(tmp_path / "uspk.sqlite"))


@pytest.fixture
def uspk_any(store_address) -> Uspk:
    """A fresh store, once on SQLite and once on PostgreSQL."""
    return Uspk(store_address)


@pytest.fixture(scope="module")
def base():
    """The local news site's address: an article to cite and capture."""
    with site.news_site() as url:
        yield url


@pytest.fixture(scope="module")
def hostile_exports(tmp_path_factory) -> dict[str, bytes]:
    """Every format, exported from the shipped history plus the hostile events."""
    folder = tmp_path_factory.mktemp("hostile")
    uspk = hostile_store(folder)
    return {fmt: uspk.export(folder, fmt) for fmt in FORMATS}
