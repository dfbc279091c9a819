"""`uspk export` (the page) is written as its events are read, a page of them at a time:
the same bytes as the page made from the whole record in memory (what the other formats
are made from), with corrections and captures, at any date and as believed at any
moment, on both backends."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from cli.export import bundle_of, render
from service import archiving, reading
from service.bootstrap import Session, checked_store
from tests.archive import site
from tests.archive.conftest import event_file, statement
from tests.export.support import Uspk, append, corrected_in_pages, meeting


def whole_record_page(
    address: str,
    as_of: date | None,
    known_at: datetime | None,
    captures: Path,
    published: Path | None,
    page: Path,
) -> bytes:
    """The page as made from ``reading.export_bundle`` (every entry in a list), its
    sources linked to their captures as the export links them."""
    href = None
    if published is not None:
        href = quote(os.path.relpath(published, page.parent).replace(os.sep, "/") + "/")
    with Session(checked_store(address)) as session:
        exported = reading.export_bundle(session, as_of, known_at)
        cited = (exported.entries, exported.state, exported.changes, exported.corrections.items)
        linked = archiving.link_captures(archiving.export_captures(captures), *cited, href=href)
        assert linked  # the article's capture is on the page
        return b"".join(render("html", bundle_of(exported)))  # the corrections read as written


def test_the_page_written_as_read_is_the_whole_records_page(
    uspk_any: Uspk, tmp_path, monkeypatch, base
):
    article = base + site.ARTICLE_PATH
    captures = tmp_path / "captures"
    uspk_any.ok("append", event_file(tmp_path, statement(article)))
    uspk_any.ok("archive", article, "--captures", str(captures))
    append(  # the latest start, twice: the head names the one that ends last
        uspk_any,
        tmp_path,
        meeting("a-day-in-may-2026", "2026-05-01", "A meeting on the first of May"),
        meeting("a-month-2026-05", "2026-05", "A meeting in May"),
    )
    amended = corrected_in_pages(uspk_any, monkeypatch)
    questions = [
        (None, None, None),
        (date(2025, 9, 8), None, tmp_path / "published"),
        (None, amended - timedelta(microseconds=1), None),  # before the corrections
        (date(2026, 1, 31), amended, None),  # between the amendment and the retraction
        (date(2025, 7, 1), None, tmp_path / "site" / "captures"),
    ]
    for as_of, known_at, published in questions:
        page = tmp_path / "reset.html"
        args = ["--at", as_of.isoformat()] if as_of else []
        args += ["--known-at", known_at.isoformat()] if known_at else []
        args += ["--captures", str(captures)]
        args += ["--with-captures", str(published)] if published else []
        uspk_any.ok("export", "-o", str(page), *args)
        streamed = page.read_bytes()
        whole = whole_record_page(uspk_any.address, as_of, known_at, captures, published, page)
        assert streamed == whole, args
        corrections = b'<section class="corrections"' in streamed
        assert corrections == (known_at is None or known_at >= amended), args
        assert (b'<a class="capture"' in streamed) == (published is not None), args
        assert _listed_in_date_order(streamed.decode("utf-8")), args
        assert _data_follows_the_list(streamed.decode("utf-8")), args
        assert b" to May 2026; state on" in streamed, args  # not "1 May 2026"


def _data_follows_the_list(page: str) -> bool:
    """The embedded events and the chart's marks are the believed events of the list
    (not those no longer believed, hidden there), in its order."""
    listed = re.findall(r'<li class="event [^"]*" id="event-[^"]*" data-event-id="([^"]*)"', page)
    data = json.loads(page.split('id="uspk-data">', 1)[1].split("</script>", 1)[0])
    marks = [mark["id"] for mark in data["chart"]["items"]]
    return len(listed) > 40 and [e["id"] for e in data["events"]] == marks == listed


def _listed_in_date_order(page: str) -> bool:
    """The event list, the events no longer believed (hidden) among them, is by date."""
    items = re.findall(r'<li (hidden )?class="event .*?<time datetime="([^"]+)"', page, re.S)
    assert any(hidden for hidden, _ in items) == ('class="corrections"' in page)
    starts = [(day + "-01-01")[:10] for _, day in items]  # a month or year: its first day
    return starts == sorted(starts)


def test_the_page_names_nothing_believed_as_before(uspk: Uspk, tmp_path):
    uspk.ok("timeline")
    target = tmp_path / "x.html"
    result = uspk("export", "--known-at", "2000-01-01", "-o", str(target))
    assert result.exit_code != 0
    assert "nothing to export: no events are believed at the --known-at moment" in result.output
    assert not target.exists()
