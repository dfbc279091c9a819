"""`uspk export --format sqlite` is written as the record is read, a page at a time: the
same rows, in every table (the standing rows and their actors, the search tables, the
captures), and the same metadata as the database made from the whole record in memory,
as it was made before (kept here as the oracle), with corrections, on both backends; and
a failed export leaves the file it would replace as it was."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cli.export import _version
from cli.exporters import sqlite as exporter
from projections.chain import head_view
from projections.corrections import correction_items
from projections.standing import export_rows
from projections.views import event_view
from service import archiving, reading
from service.bootstrap import Session, checked_store
from tests.archive import site
from tests.archive.conftest import event_file, statement
from tests.export.support import Uspk, corrected_in_pages


def whole_record_database(address: str, captures: Path, path: Path) -> list[str]:
    """The database as ``uspk export --format sqlite`` made it from the whole record in
    memory (``reading.dataset`` and ``database_bytes`` until it was written as read),
    into ``path``; the publishers its metadata names."""
    with Session(checked_store(address)) as session:
        index = session.index
        records, now = index.everything(), index.believed()
        believed = {r.id for r in now}
        events = [
            {**event_view(r), "believed": r.id in believed}
            for r in records
            if r.document.kind != "retraction"
        ]
        actors = reading._actor_rows(index.registry(), records, now)
        mentions = {e["id"]: e["actors"] for e in events}
        standing = list(export_rows(index.kept_rows(), lambda e: mentions.get(e, ())))
        chain = head_view(*index.chain_head(None))
    found = archiving.export_captures(captures)
    kept = {url: found[url] for url in sorted(archiving.link_captures(found, events))}
    titles = {e["id"]: e["title"] for e in events}
    db = sqlite3.connect(path)
    with db:
        exporter._create(db)
        exporter._index(db)
        exporter._insert_events(db, events)
        exporter._insert(
            db,
            "actors",
            [
                (
                    a["id"],
                    a["name"],
                    a.get("type"),
                    a.get("country"),
                    a.get("role"),
                    a["introduced_by"],
                )
                for a in actors
            ],
        )
        captured = [
            (url, c["sha256"], c["captured_at"], c["file"]) for url in kept for c in kept[url]
        ]
        exporter._insert(db, "captures", captured)
        exporter._insert(
            db,
            "corrections",
            [
                (
                    c["id"],
                    c["type"],
                    c["target"]["id"],
                    (c["replacement"] or {}).get("id"),
                    exporter._moment(c["recorded"]),
                    c["reason"],
                )
                for c in correction_items(records)
            ],
        )
        moments = sorted({r.recorded_at for r in records})
        exporter._insert(db, "moments", [(exporter._moment(m),) for m in moments])
        exporter._insert(db, "chain", [(chain["count"], chain["head"], chain["mark"])])
        exporter._insert(db, "sections", [(name, n) for n, name in enumerate(reading.SECTIONS)])
        numbered = list(enumerate(standing, start=1))
        exporter._insert(
            db, "standing", [exporter._standing(n, row, titles.get) for n, row in numbered]
        )
        exporter._insert(db, "standing_actors", [(n, a) for n, row in numbered for a in row.actors])
        for table, columns in exporter.SEARCHED.items():
            db.execute(
                f"INSERT INTO {table}_fts (rowid, {', '.join(columns)}) "
                f"SELECT rowid, {', '.join(columns)} FROM {table}"
            )
    db.close()
    return sorted({s["publisher"] for e in events for s in e["sources"]})


def rows_of_every_table(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows (the search index's own tables too), ordered by every column."""
    db = sqlite3.connect(path)
    try:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {}
        for table in sorted(tables):
            width = len(db.execute(f"PRAGMA table_info({table})").fetchall())
            order = ", ".join(str(n) for n in range(1, width + 1))
            found[table] = db.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        found["sqlite_master"] = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
        return found
    finally:
        db.close()


def test_the_database_written_as_read_holds_the_whole_records_rows(
    uspk_any: Uspk, tmp_path, monkeypatch, base
):
    article = base + site.ARTICLE_PATH
    captures = tmp_path / "captures"
    uspk_any.ok("append", event_file(tmp_path, statement(article)))
    uspk_any.ok("archive", article, "--captures", str(captures))
    corrected_in_pages(uspk_any, monkeypatch)  # the index read 4 rows at a time
    monkeypatch.setattr(exporter, "_BATCH", 3)  # the standing rows written 3 at a time
    (tmp_path / "streamed").mkdir()
    (tmp_path / "whole").mkdir()
    streamed = tmp_path / "streamed" / "reset.db"
    uspk_any.ok("export", "--format", "sqlite", "--captures", str(captures), "-o", str(streamed))

    whole = tmp_path / "whole" / "reset.db"
    publishers = whole_record_database(uspk_any.address, captures, whole)

    written, expected = rows_of_every_table(streamed), rows_of_every_table(whole)
    assert list(written) == list(expected)
    for table in expected:
        assert written[table] == expected[table], table
    assert len(expected["standing"]) > 100 and expected["standing_actors"]
    assert len(expected["corrections"]) == 2 and len(expected["captures"]) == 1
    assert {believed for *_, believed in _believed(expected)} == {0, 1}
    metadata = json.loads((tmp_path / "streamed" / "reset.metadata.json").read_text("utf-8"))
    assert metadata == exporter.metadata(publishers, _chain(whole), "reset", _version())


def _believed(tables: dict[str, list[tuple]]) -> list[tuple]:
    return [(row[0], row[10]) for row in tables["events"]]


def _chain(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        count, head, mark = db.execute("SELECT count, head, mark FROM chain").fetchone()
    finally:
        db.close()
    return {"count": count, "head": head, "mark": mark}
