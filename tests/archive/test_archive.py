"""``uspk archive``: a cited page kept as a WARC capture, fetched from a news site on
loopback or taken from a saved page or another tool's WARC; every way a fetch fails
keeps nothing and says so in one line."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime

import pytest

from tests.archive import site


def kept_files(folder) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_fetched_page_is_kept_as_a_warc_named_by_its_sha256_with_its_text_and_date(
    uspk, article, captures
):
    from service.captures import read_captures

    out = uspk.ok("archive", article, "--captures", str(captures))
    [name] = kept_files(captures)
    assert name.endswith(".warc.gz")
    digest = hashlib.sha256((captures / name).read_bytes()).hexdigest()
    assert name == digest + ".warc.gz" and digest in out
    [capture] = read_captures(captures)
    assert capture.url == article
    assert capture.page_published == site.PUBLISHED
    assert site.SECOND in capture.text
    assert "Privacy policy" not in capture.text  # the footer is not the article
    assert not os.access(captures / name, os.W_OK) or os.geteuid() == 0
    assert (os.stat(captures / name).st_mode & 0o222) == 0  # kept read-only


def test_a_new_capture_of_the_same_url_is_kept_beside_the_old_one(uspk, article, captures):
    from service.captures import read_captures

    uspk.ok("archive", article, "--captures", str(captures))
    first = kept_files(captures)
    uspk.ok("archive", article, "--captures", str(captures))
    second = kept_files(captures)
    assert set(first) < set(second) and len(second) == 2
    times = [c.captured_at for c in read_captures(captures)]
    assert times[0] < times[1]


def test_a_sqlite_stores_captures_are_kept_beside_its_file(tmp_path, article):
    from tests.clirunner import Uspk

    store = tmp_path / "reset.sqlite"
    Uspk(str(store)).ok("archive", article)
    assert len(kept_files(tmp_path / "reset.sqlite.captures")) == 1


@pytest.mark.parametrize(
    ("path", "options", "expected"),
    [
        ("/moved", (), "redirected (301) to http://127.0.0.1:"),
        ("/gone", (), "answered 404"),
        ("/slow", ("--timeout", "1"), "no answer within 1 seconds"),
        ("/huge", ("--max-bytes", "1000000"), "larger than 1000000 bytes"),
        ("/huge-unannounced", ("--max-bytes", "1000000"), "larger than 1000000 bytes"),
        ("/report.pdf", (), "not an HTML page"),
    ],
)
def test_a_fetch_that_fails_gives_one_line_and_keeps_nothing(
    uspk_sqlite, base, captures, path, options, expected
):
    result = uspk_sqlite("archive", base + path, *options, "--captures", str(captures))
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {base}{path}: ") and expected in line
    assert "nothing kept" in line
    assert kept_files(captures) == []


def test_a_batch_of_urls_is_kept_whole_or_not_at_all(uspk_sqlite, base, article, captures):
    result = uspk_sqlite("archive", article, base + "/gone", "--captures", str(captures))
    assert result.exit_code == 1 and "404" in result.output
    assert kept_files(captures) == []


def test_a_saved_html_file_is_kept_as_a_capture_of_the_url_it_was_saved_from(
    uspk, tmp_path, captures
):
    from service.captures import read_captures

    saved = tmp_path / "saved page.html"
    saved.write_text(site.ARTICLE, encoding="utf-8")
    url = "https://herald.example/world/dar-rubio-minerals"
    uspk.ok("archive", "--html", str(saved), "--url", url, "--captures", str(captures))
    [capture] = read_captures(captures)
    assert capture.url == url and capture.page_published == site.PUBLISHED
    assert site.SECOND in capture.text


def _warc_from_elsewhere(path, url: str) -> None:
    """A WARC as a crawler writes it with warcio: a redirect, the page, a stylesheet."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for status, headers, body, target in (
            ("301 Moved Permanently", [("Location", url)], b"", url + "-old"),
            ("200 OK", [("Content-Type", "text/html; charset=utf-8")], site.ARTICLE.encode(), url),
            ("200 OK", [("Content-Type", "text/css")], b"body{}", url + ".css"),
        ):
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                target,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2025-11-13T08:00:00Z"},
            )
            writer.write_record(record)


def test_a_warc_written_elsewhere_is_kept_page_by_page_with_its_own_time(uspk, tmp_path, captures):
    from service.captures import read_captures

    url = "https://herald.example/world/dar-rubio-minerals"
    crawl = tmp_path / "crawl.warc.gz"
    _warc_from_elsewhere(crawl, url)
    uspk.ok("archive", "--warc", str(crawl), "--captures", str(captures))
    [capture] = read_captures(captures)  # the redirect and the stylesheet are not pages
    assert capture.url == url
    assert capture.captured_at == datetime(2025, 11, 13, 8, tzinfo=UTC)
    assert capture.page_published == site.PUBLISHED and site.SECOND in capture.text


def test_a_file_that_is_not_a_warc_is_refused_in_one_line(uspk_sqlite, tmp_path, captures):
    bogus = tmp_path / "notes.warc"
    bogus.write_text("these are my notes\n")
    result = uspk_sqlite("archive", "--warc", str(bogus), "--captures", str(captures))
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert str(bogus) in result.output and kept_files(captures) == []


def test_missing_lists_the_cited_urls_without_a_capture(uspk, tmp_path, captures):
    out = uspk.ok("archive", "--missing", "--captures", str(captures))
    lines = out.strip().splitlines()
    assert lines[-1].startswith(f"{len(lines) - 1} cited source(s) without a capture")
    assert len(lines) > 30  # every shipped source with a URL: the history ships no captures
    assert any("https://www.app.com.pk/" in line for line in lines)


def test_an_empty_saved_page_is_refused_and_nothing_kept(uspk_sqlite, tmp_path, captures):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"  \n")
    result = uspk_sqlite(
        "archive", "--html", str(empty), "--url", "https://herald.example/a",
        "--captures", str(captures),
    )  # fmt: skip
    assert result.exit_code == 1 and "empty page" in result.output
    assert kept_files(captures) == []
