"""A store written with a compressor set in the environment (which eventsourcing
applications honour) is read, queried, verified and copied like any other: the read
model decodes stored events through the application's mapper, never by hand."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.store.helpers import no_traceback, one_line_error, uspk
from tests.store.test_copy import answers, assert_same_history, build_history, copy, ok

ZLIB = "eventsourcing.compressor:ZlibCompressor"
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def stored_states(address: str) -> list[bytes]:
    """The stored events' state bytes, read with plain SQL."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            rows = conn.execute("SELECT state FROM uspk_events").fetchall()
        return [bytes(row[0]) for row in rows]
    with sqlite3.connect(address) as conn:
        return [row[0] for row in conn.execute("SELECT state FROM stored_events")]


_FALLBACK = re.compile(r'"recorded_by": "(pg|os):[^"]*"')


def without_moments(answer: str) -> str:
    """An answer with its recorded times blanked: two stores record at other moments
    (and, SQLite and PostgreSQL, as another system user: os:USER, pg:ROLE)."""
    return _FALLBACK.sub('"recorded_by": "<system>"', _MOMENT.sub("<moment>", answer))


@pytest.fixture
def compressed(monkeypatch):
    monkeypatch.setenv("COMPRESSOR_TOPIC", ZLIB)


def test_a_compressed_store_answers_as_a_plain_one_and_verifies(
    tmp_path, store_address, monkeypatch
):
    plain = str(tmp_path / "plain.sqlite")
    plain_between = build_history(plain)
    monkeypatch.setenv("COMPRESSOR_TOPIC", ZLIB)
    between = build_history(store_address)

    states = stored_states(store_address)
    assert states and not any(state.startswith(b"{") for state in states)  # really compressed
    mine = answers(store_address, between)
    assert "copy-follow-up-meeting" in mine[4] and "copy-follow-up-meeting" not in mine[0]
    monkeypatch.delenv("COMPRESSOR_TOPIC")  # the plain store is read with its own settings
    assert [without_moments(a) for a in mine] == [
        without_moments(a) for a in answers(plain, plain_between)
    ]
    monkeypatch.setenv("COMPRESSOR_TOPIC", ZLIB)
    assert ok(uspk(store_address, "verify")).startswith("verified: ")
    assert "rebuilt the index from " in ok(uspk(store_address, "rebuild"))
    assert answers(store_address, between) == mine


def test_a_compressed_store_is_copied_to_another_and_answers_the_same(
    tmp_path, store_address, compressed
):
    between = build_history(store_address)
    target = str(tmp_path / "copied.sqlite")

    assert copy(store_address, target).exit_code == 0
    assert_same_history(store_address, target, between)
    assert ok(uspk(target, "verify")).startswith("verified: ")


def test_a_compressed_copy_read_without_the_compressor_is_refused_not_called_unreadable(
    tmp_path, monkeypatch
):
    """copy moves stored bytes unchanged: the copy of a compressed store is compressed,
    and reading it without the setting is refused, nothing written."""
    source, target = str(tmp_path / "source.sqlite"), str(tmp_path / "target.sqlite")
    monkeypatch.setenv("COMPRESSOR_TOPIC", ZLIB)
    build_history(source)
    assert copy(source, target).exit_code == 0
    monkeypatch.delenv("COMPRESSOR_TOPIC")
    before = stored_states(target)

    for command in (("timeline",), ("verify",)):
        one_line_error(
            uspk(target, *command),
            f"was written with COMPRESSOR_TOPIC={ZLIB}, this uspk runs with no compressor",
            f"set COMPRESSOR_TOPIC={ZLIB}",
        )
    assert stored_states(target) == before


def test_a_plain_store_read_with_a_compressor_set_is_refused_in_one_line(tmp_path, monkeypatch):
    plain = str(tmp_path / "plain.sqlite")
    build_history(plain)
    monkeypatch.setenv("COMPRESSOR_TOPIC", ZLIB)
    before = stored_states(plain)

    told = "written with no compressor and no cipher, this uspk runs with COMPRESSOR_TOPIC"
    one_line_error(uspk(plain, "verify"), told)  # verify reads the whole log again
    rebuilt = uspk(plain, "rebuild")
    no_traceback(rebuilt)
    assert rebuilt.exit_code == 1 and told in rebuilt.output.splitlines()[-1], rebuilt.output
    assert stored_states(plain) == before
