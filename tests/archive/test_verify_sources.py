"""``uspk verify --sources``: the record's quotes and dates against the captures of the
pages it cites; one line per disagreement naming the event and the source, exit 1."""

from __future__ import annotations

from tests.archive import site
from tests.archive.conftest import event_file, statement

EVENT = "rubio-minerals-statement-2025-11-11"


def _archive_and_verify(uspk, tmp_path, article, captures, event):
    uspk.ok("append", event_file(tmp_path, event))
    uspk.ok("archive", article, "--captures", str(captures))
    return uspk("verify", "--sources", "--captures", str(captures))


def test_a_record_that_quotes_its_archived_source_verifies(uspk, tmp_path, article, captures):
    result = _archive_and_verify(uspk, tmp_path, article, captures, statement(article))
    assert result.exit_code == 0, result.output
    [summary] = result.stdout.strip().splitlines()
    assert summary.startswith("1 source(s) agree with 1 capture(s)")
    assert "without a capture" in summary  # the shipped sources have none


def test_an_edited_quote_fails_naming_the_event_and_the_source(uspk, tmp_path, article, captures):
    edited = site.QUOTE.replace("critical minerals", "rare earths")
    result = _archive_and_verify(uspk, tmp_path, article, captures, statement(article, edited))
    assert result.exit_code == 1
    [line] = [ln for ln in result.stdout.splitlines() if ln.startswith(EVENT)]
    assert article in line and site.PUBLISHER in line and "quote is not in the capture" in line


def test_a_source_dated_a_month_after_the_page_fails(uspk, tmp_path, article, captures):
    event = statement(article, published="2025-12-12")
    result = _archive_and_verify(uspk, tmp_path, article, captures, event)
    assert result.exit_code == 1
    [line] = [ln for ln in result.stdout.splitlines() if ln.startswith(EVENT)]
    assert "published 2025-12-12" in line and f"dates itself {site.PUBLISHED}" in line


def test_a_date_at_a_months_precision_agrees_with_a_day_in_that_month(
    uspk, tmp_path, article, captures
):
    event = statement(article, published="2025-11")
    assert _archive_and_verify(uspk, tmp_path, article, captures, event).exit_code == 0


def test_a_quote_with_omissions_and_plain_typography_is_found(uspk, tmp_path, article, captures):
    # straight quotes for curly ones, a line break, words left out as [...]
    quote = (
        '"We will work together on critical minerals [...] for Pakistanis and\n'
        'Americans alike," Mr Rubio said'
    )
    result = _archive_and_verify(uspk, tmp_path, article, captures, statement(article, quote))
    assert result.exit_code == 0, result.output


def test_parts_of_a_quote_out_of_order_are_not_found(uspk, tmp_path, article, captures):
    quote = "for Pakistanis and Americans alike [...] We will work together"
    result = _archive_and_verify(uspk, tmp_path, article, captures, statement(article, quote))
    assert result.exit_code == 1 and EVENT in result.stdout


def test_with_no_captures_at_all_verify_sources_says_so_plainly(uspk_sqlite, tmp_path):
    result = uspk_sqlite("verify", "--sources", "--captures", str(tmp_path / "none"))
    assert result.exit_code == 0
    assert result.stdout.startswith("no captures at all: nothing was checked")


def test_a_capture_whose_bytes_are_not_its_name_is_named(uspk_sqlite, tmp_path, article, captures):
    uspk_sqlite.ok("archive", article, "--captures", str(captures))
    [kept] = list(captures.iterdir())
    forged = captures / ("0" * 64 + ".warc.gz")
    kept.rename(forged)
    result = uspk_sqlite("verify", "--sources", "--captures", str(captures))
    assert result.exit_code == 1
    assert f"{forged}: its bytes are not the sha256" in result.stdout


def test_a_damaged_capture_is_named_and_the_others_are_still_checked(
    uspk_sqlite, tmp_path, article, captures
):
    uspk_sqlite.ok("append", event_file(tmp_path, statement(article)))
    uspk_sqlite.ok("archive", article, "--captures", str(captures))
    damaged = captures / ("1" * 64 + ".warc.gz")
    damaged.write_bytes(b"\x1f\x8b not a whole gzip stream")
    result = uspk_sqlite("verify", "--sources", "--captures", str(captures))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert [ln for ln in lines if ln.startswith(f"{damaged}: not a capture")]
    assert lines[-1].startswith("1 disagreement(s) in 1 source(s) checked against 1 capture(s)")
