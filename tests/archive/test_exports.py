"""Exports name a source's capture beside its URL: sha256 and capture time in JSON, Atom
and SQLite; a link on the page and in the report when the captures are published with
them (``uspk export --with-captures DIR``)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3

import pytest

from tests.archive.conftest import event_file, statement


@pytest.fixture
def captured(uspk, tmp_path, article, captures):
    """The store records an event citing the article, and the article is archived."""
    uspk.ok("append", event_file(tmp_path, statement(article)))
    uspk.ok("archive", article, "--captures", str(captures))
    [name] = [p.name for p in captures.iterdir()]
    return name.removesuffix(".warc.gz")


def _cited(document: dict, url: str) -> list[dict]:
    return [s for e in document["events"] for s in e["sources"] if s.get("url") == url]


def test_json_names_the_capture_beside_the_url(uspk, captured, article, captures):
    document = json.loads(uspk.ok("export", "--format", "json", "--captures", str(captures)))
    [source] = _cited(document, article)
    assert source["capture"]["sha256"] == captured
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", source["capture"]["captured_at"])
    others = [s for e in document["events"] for s in e["sources"] if s.get("url") != article]
    assert others and not any("capture" in s for s in others)  # no capture, nothing said


def test_atom_names_the_capture_of_a_changes_source(uspk, captured, article, captures):
    feed = uspk.ok("export", "--format", "atom", "--captures", str(captures))
    [element] = re.findall(r"<uspk:capture [^>]*>", feed)
    assert f'sha256="{captured}"' in element and 'captured_at="' in element


def test_sqlite_holds_the_captures_beside_the_sources(uspk, captured, article, captures, tmp_path):
    database = tmp_path / "reset.db"
    uspk.ok("export", "--format", "sqlite", "-o", str(database), "--captures", str(captures))
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "select c.sha256 from sources s join captures c on c.url = s.url where s.url = ?",
            (article,),
        ).fetchall()
    assert rows == [(captured,)]


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_a_page_published_with_its_captures_links_each_one(uspk, captured, captures, tmp_path, fmt):
    site = tmp_path / "site"
    site.mkdir()
    page = site / f"reset.{fmt}"
    uspk.ok(
        "export", "--format", fmt, "-o", str(page), "--captures", str(captures),
        "--with-captures", str(site / "captures"),
    )  # fmt: skip
    published = site / "captures" / f"{captured}.warc.gz"
    assert hashlib.sha256(published.read_bytes()).hexdigest() == captured
    assert f"captures/{captured}.warc.gz" in page.read_text(encoding="utf-8")


def test_with_no_captures_the_exports_say_nothing_of_them(uspk_sqlite, tmp_path):
    none = str(tmp_path / "no-captures")
    document = uspk_sqlite.ok("export", "--format", "json", "--captures", none)
    assert '"capture"' not in document
    page = tmp_path / "reset.html"
    uspk_sqlite.ok("export", "-o", str(page), "--captures", none, "--with-captures", none)
    assert "warc.gz" not in page.read_text(encoding="utf-8")
