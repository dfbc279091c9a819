"""What 'word for word' means for a quote, 'consistent' for a date, and where captures are
kept for each backend (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from events.dates import parse_date
from service.sourcecheck import date_agrees, quote_found

PAGE = (
    "The minister said:\u00a0\u201cWe won\u2019t wait \u2014 the deal is done,\u201d and left.\n"
    "Later, officials added that the   financing\nwould follow in 2026."
)


@pytest.mark.parametrize(
    "quote",
    [
        '"We won\'t wait - the deal is done," and left.',  # plain typography
        "We won\u2019t wait\u2014the deal is done",  # a dash without spaces
        "officials added that the financing would follow",  # whitespace and a line break
        "We won\u2019t wait [...] officials added",
        "We won\u2019t wait [\u2026] the financing would follow in 2026.",
    ],
)
def test_a_quote_is_found_whatever_its_typography(quote):
    assert quote_found(quote, PAGE)


@pytest.mark.parametrize(
    "quote",
    [
        "We will not wait",  # a changed word
        "the minister said",  # the case of a letter
        "officials added [...] We won\u2019t wait",  # parts out of order
        "the deal is done [...] the deal was signed",  # a part that is not there
    ],
)
def test_a_quote_whose_words_differ_is_not_found(quote):
    assert not quote_found(quote, PAGE)


@pytest.mark.parametrize(
    ("published", "page", "agrees"),
    [
        ("2025-11-12", "2025-11-12", True),
        ("2025-11-12", "2025-11-13", False),
        ("2025-11", "2025-11-30", True),
        ("2025-11", "2025-12-12", False),
        ("2025", "2025-06-01", True),
        ("2025-11-12~", "2025-11-13", True),  # approximate: a unit either way
        ("2025-11-12~", "2025-11-15", False),
    ],
)
def test_a_published_date_agrees_with_the_pages_day_at_its_precision(published, page, agrees):
    assert date_agrees(parse_date(published), date.fromisoformat(page)) is agrees


def test_where_captures_are_kept_for_each_backend(tmp_path, monkeypatch):
    from service.captures import CAPTURES_ENV_VAR, captures_folder
    from service.stores import Store

    monkeypatch.delenv(CAPTURES_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    sqlite = Store(address=str(tmp_path / "reset.sqlite"), env={})
    postgres = Store(address="postgresql://uspk@db/uspk", env={"POSTGRES_DBNAME": "uspk"})
    assert captures_folder(sqlite) == tmp_path / "reset.sqlite.captures"  # beside the file
    assert captures_folder(postgres) == tmp_path / "data" / "uspk" / "captures"
    monkeypatch.setenv(CAPTURES_ENV_VAR, str(tmp_path / "team"))
    assert captures_folder(postgres) == captures_folder(sqlite) == tmp_path / "team"
    assert captures_folder(sqlite, str(tmp_path / "chosen")) == tmp_path / "chosen"
