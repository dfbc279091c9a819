"""The index never holds more than the log reveals: under a cipher, no title, summary,
quote, source, reason, recorder or message is anywhere in the store in clear (SQLite:
the database file and its -wal/-shm, byte for byte; PostgreSQL: every row of every
table), after appending, retracting, rebuilding and verifying; and every command still
answers with the key. The same run on a plain store finds every one of them, so the
search can fail."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.factories import doc
from tests.store.helpers import uspk
from tests.store.test_copy import ok
from tests.store.test_sealed_settings import CIPHERED, PLAIN, use

SECRETS = {
    "title": "Quillfeather delegation tours Reko Diq",
    "summary": "Zarvonic envoys inspected the copper belt at dawn.",
    "quote": "we shall mine the Xylophant seam together",
    "source title": "Osprellian Gazette dispatch",
    "reason": "The Ventrakis report was withdrawn.",
    "recorder": "curator-qwyzzle",
    "message": "Noted from the Brimwater briefing",
    "shipped title": "Field Marshal Asim Munir meets President Trump",
    "shipped outcome": "Critical minerals were identified as a priority area.",
}
EVENT = doc(
    "meeting",
    "sealed-index-meeting",
    "2025-09-20",
    participants=["ussm", "fwo"],
    title=SECRETS["title"],
    summary=SECRETS["summary"],
    sources=[
        {
            "publisher": "Test Gazette",
            "title": SECRETS["source title"],
            "published": "2025-09-21",
            "quote": SECRETS["quote"],
        }
    ],
)


def everything_stored(address: str) -> bytes:
    """Every byte the store holds: SQLite, its files; PostgreSQL, every value of every
    table (bytea as its bytes, the rest as text)."""
    if not address.startswith("postgresql://"):
        return b"".join(
            Path(address + suffix).read_bytes()
            for suffix in ("", "-wal", "-shm", "-journal")
            if os.path.exists(address + suffix)
        )
    import psycopg

    found = []
    with psycopg.connect(address) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert len(tables) >= 6, tables
        for schema, table in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                for value in row:
                    is_bytes = isinstance(value, bytes | memoryview)
                    found.append(bytes(value) if is_bytes else str(value).encode("utf-8"))
    return b"\n".join(found)


def use_the_store(address: str) -> None:
    """Append, retract, rebuild, verify and ask: every path that writes the index."""
    other = doc("meeting", "sealed-index-other", "2025-09-22", participants=["ussm", "fwo"])
    signing = ("--as", SECRETS["recorder"], "-m", SECRETS["message"])
    ok(uspk(address, "append", "-", *signing, input=json.dumps(EVENT)))
    ok(uspk(address, "append", "-", *signing, input=json.dumps(other)))
    retract = ("retract", "sealed-index-other", "--reason", SECRETS["reason"])
    source = ("--publisher", "Test Gazette", "--title", "Correction", "--published", "2025-09-23")
    ok(uspk(address, *retract, *source, *signing))
    assert "rebuilt the index from" in ok(uspk(address, "rebuild"))
    assert ok(uspk(address, "verify")).startswith("verified: ")
    ok(uspk(address, "state", "--at", "2025-09-30"))


@pytest.mark.parametrize("settings", ["ciphered", "plain"])
def test_a_ciphered_store_holds_no_document_text_in_clear_anywhere(
    settings, store_address, monkeypatch, tmp_path
):
    use(monkeypatch, CIPHERED if settings == "ciphered" else PLAIN)
    use_the_store(store_address)

    stored = everything_stored(store_address)
    seen = {what for what, text in SECRETS.items() if text.encode("utf-8") in stored}
    if settings == "plain":
        assert seen == set(SECRETS)  # the search finds them where they are kept in clear
    else:
        assert seen == set(), f"in clear in a ciphered store: {sorted(seen)}"

    shown = ok(uspk(store_address, "show", "sealed-index-meeting", "--format", "json"))
    for what in ("title", "summary", "quote", "source title"):
        assert SECRETS[what] in shown
    history = ok(uspk(store_address, "history", "sealed-index-other", "--format", "json"))
    assert SECRETS["reason"] in history and SECRETS["recorder"] in history
    exported = ok(uspk(store_address, "export", "--format", "json"))
    assert SECRETS["title"] in exported and SECRETS["shipped title"] in exported
    # The export for Datasette (its full-text index included) is written in clear.
    database = str(tmp_path / "export.db")
    ok(uspk(store_address, "export", "--format", "sqlite", "-o", database))
    with closing(sqlite3.connect(database)) as conn:
        (hits,) = conn.execute(
            "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'Quillfeather'"
        ).fetchone()
    assert hits == 1


def test_an_index_an_older_release_kept_in_clear_is_rebuilt_sealed_and_erased(
    tmp_path, monkeypatch
):
    """An older release kept a ciphered store's documents in clear in its index: this
    release rebuilds that index (another schema version), sealed, and the rows it drops
    leave no text behind in the file."""
    store = str(tmp_path / "uspk.sqlite")
    use(monkeypatch, CIPHERED)
    use_the_store(store)
    clear = " ".join(SECRETS.values()) * 50  # pages the rebuilt index does not reuse
    with closing(sqlite3.connect(store)) as conn, conn:  # an older release's index
        conn.execute("UPDATE uspk_view_events SET document = ? || position", (clear,))
        conn.execute("UPDATE uspk_view_meta SET schema_version = 7")
    assert SECRETS["title"].encode() in everything_stored(store)

    assert SECRETS["title"] in ok(uspk(store, "show", "sealed-index-meeting"))
    stored = everything_stored(store)
    assert [what for what, text in SECRETS.items() if text.encode() in stored] == []
    assert ok(uspk(store, "verify")).startswith("verified: ")
