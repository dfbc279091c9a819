"""Fixtures of the archive tests: the loopback news site, a store on each backend, a
folder of captures, and event files that cite the site's article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.archive import site
from tests.clirunner import Uspk


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with site.news_site() as url:
        yield url


@pytest.fixture
def article(base) -> str:
    return base + site.ARTICLE_PATH


@pytest.fixture
def uspk(store_address) -> Uspk:
    return Uspk(store_address)


@pytest.fixture
def captures(tmp_path) -> Path:
    return tmp_path / "captures"


def statement(url: str, quote: str = site.QUOTE, published: str = site.PUBLISHED) -> dict:
    """A statement event citing the site's article, as a person would record it."""
    return {
        "id": "rubio-minerals-statement-2025-11-11",
        "kind": "statement-made",
        "occurred": "2025-11-11",
        "title": "Rubio: the US and Pakistan will work together on critical minerals",
        "summary": "After meeting Ishaq Dar, Marco Rubio said the two countries would work "
        "together on critical minerals and hydrocarbons.",
        "speaker": "marco-rubio",
        "quote": quote,
        "actors": ["marco-rubio", "ishaq-dar"],
        "sources": [
            {
                "publisher": site.PUBLISHER,
                "title": site.HEADLINE,
                "published": published,
                "url": url,
                "quote": quote,
            }
        ],
    }


def event_file(tmp_path: Path, event: dict, name: str = "event.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(event, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def uspk_sqlite(tmp_path) -> Uspk:
    """For what does not depend on the backend (fetching, reading files)."""
    return Uspk(str(tmp_path / "uspk.sqlite"))
