"""`uspk export --format json` is written as its events are read, a page at a time: the
same bytes as the export made from the whole record in memory (what the other formats
are made from), with corrections, at any date and as believed at any moment, on both
backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cli.export import bundle_of, render
from service import reading
from service.bootstrap import Session, checked_store
from tests.export.support import Uspk, corrected_in_pages


def whole_record_json(address: str, as_of: date | None, known_at: datetime | None) -> bytes:
    with Session(checked_store(address)) as session:
        exported = reading.export_bundle(session, as_of, known_at)
    return b"".join(render("json", bundle_of(exported)))


def test_the_json_export_written_as_read_is_the_whole_records_json(
    uspk_any: Uspk, tmp_path, monkeypatch
):
    amended = corrected_in_pages(uspk_any, monkeypatch)
    questions = [
        (None, None),
        (date(2025, 9, 8), None),
        (None, amended - timedelta(microseconds=1)),  # before the corrections
        (date(2026, 1, 31), amended),
    ]
    for as_of, known_at in questions:
        args = ["--at", as_of.isoformat()] if as_of else []
        args += ["--known-at", known_at.isoformat()] if known_at else []
        streamed = uspk_any.export(tmp_path, "json", *args)
        assert streamed == whole_record_json(uspk_any.address, as_of, known_at), args
        assert (b'"corrections": []' in streamed) == (known_at is not None and known_at < amended)


def test_the_json_export_names_nothing_believed_as_before(uspk: Uspk, tmp_path):
    uspk.ok("timeline")
    target = str(tmp_path / "x")
    result = uspk("export", "--format", "json", "--known-at", "2000-01-01", "-o", target)
    assert result.exit_code != 0
    assert "nothing to export: no events are believed at the --known-at moment" in result.output
    assert not (tmp_path / "x").exists()
