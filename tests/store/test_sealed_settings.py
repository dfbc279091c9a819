"""A store knows the compressor and cipher it was written with: a command run with other
settings (or another key) is refused in one line naming the setting, before anything is
read or written, so the store stays byte for byte as it was and readable with its own
settings. Only eventsourcing's compressors and ciphers (or topics the user allows) are
accepted. A store mixed by an older release keeps answering what decodes, and the way
out its error suggests (retracting what does not) works."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import Compressor

from tests.factories import doc
from tests.store.helpers import one_line_error, uspk
from tests.store.test_copy import append, ok

ZLIB = "eventsourcing.compressor:ZlibCompressor"
AES = "eventsourcing.cipher:AESCipher"
KEY, OTHER_KEY = AESCipher.create_key(16), AESCipher.create_key(16)
SETTINGS = ("COMPRESSOR_TOPIC", "CIPHER_TOPIC", "CIPHER_KEY", "USPK_ALLOWED_TOPICS")
PLAIN: dict[str, str] = {}
CIPHERED = {"CIPHER_TOPIC": AES, "CIPHER_KEY": KEY}
COMPRESSED = {"COMPRESSOR_TOPIC": ZLIB}
EVENT = doc(
    "meeting",
    "sealed-settings-meeting",
    "2025-09-20",
    participants=["ussm", "fwo"],
    title="Quillfeather delegation tours Reko Diq",
)
LATER = doc("meeting", "sealed-settings-later", "2025-09-22", participants=["ussm", "fwo"])
RETRACT = ("--reason", "Withdrawn.", "--publisher", "Gazette", "--title", "Correction")
RETRACT += ("--published", "2025-09-21")


def use(monkeypatch: pytest.MonkeyPatch, settings: dict[str, str]) -> None:
    """Run the next commands with exactly these compressor/cipher settings."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def snapshot(address: str) -> dict:
    """Everything the store holds: SQLite, the database file's bytes (and its write-ahead
    log's); PostgreSQL, every row of every table."""
    if not address.startswith("postgresql://"):
        return {
            suffix: Path(address + suffix).read_bytes()
            for suffix in ("", "-wal")
            if os.path.exists(address + suffix)
        }
    import psycopg

    with psycopg.connect(address) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: sorted(map(repr, conn.execute(f'SELECT * FROM "{table}"').fetchall()))
            for table in tables
        }


MISMATCHES = {
    "plain store, cipher set": (PLAIN, CIPHERED, "unset CIPHER_TOPIC and CIPHER_KEY"),
    "ciphered store, nothing set": (CIPHERED, PLAIN, f"set CIPHER_TOPIC={AES}"),
    "ciphered store, another key": (
        CIPHERED,
        {**CIPHERED, "CIPHER_KEY": OTHER_KEY},
        "CIPHER_KEY is not the key this store was written with",
    ),
    "ciphered store, a key alone": (
        CIPHERED,
        {"CIPHER_KEY": OTHER_KEY},  # eventsourcing's default cipher, with another key
        "CIPHER_KEY is not the key this store was written with",
    ),
    "plain store, compressor set": (PLAIN, COMPRESSED, "unset COMPRESSOR_TOPIC"),
    "compressed store, nothing set": (COMPRESSED, PLAIN, f"set COMPRESSOR_TOPIC={ZLIB}"),
    "compressed store, cipher set": (
        COMPRESSED,
        CIPHERED,
        f"set COMPRESSOR_TOPIC={ZLIB} and unset CIPHER_TOPIC",
    ),
}
COMMANDS = [
    ("append", "-"),
    ("retract", "sealed-settings-meeting", *RETRACT),
    ("state", "--at", "2025-09-30"),
    ("timeline",),
    ("show", "sealed-settings-meeting"),
    ("export", "--format", "json"),
    ("verify",),
    ("rebuild",),
]


@pytest.mark.parametrize("case", MISMATCHES)
def test_a_command_with_other_settings_is_refused_and_the_store_stays_byte_identical(
    case, store_address, monkeypatch
):
    written, running, told = MISMATCHES[case]
    use(monkeypatch, written)
    append(store_address, EVENT)
    ok(uspk(store_address, "verify"))
    before = snapshot(store_address)

    use(monkeypatch, running)
    for command in COMMANDS:
        typed = json.dumps(LATER) if command[0] == "append" else None
        one_line_error(uspk(store_address, *command, input=typed), told, "nothing was")
    assert snapshot(store_address) == before

    use(monkeypatch, written)
    assert "Quillfeather delegation tours Reko Diq" in ok(
        uspk(store_address, "show", "sealed-settings-meeting")
    )
    assert ok(uspk(store_address, "verify")).startswith("verified: ")


BAD_TOPICS = {
    "a cipher without its key": ({"CIPHER_TOPIC": AES}, "CIPHER_TOPIC is set", "CIPHER_KEY"),
    "a topic that is nothing": ({"CIPHER_TOPIC": "nope:Nope"}, "CIPHER_TOPIC=nope:Nope"),
    "a callable not a compressor": ({"COMPRESSOR_TOPIC": "os:system"}, "COMPRESSOR_TOPIC=os"),
    "a key that is not base64": (CIPHERED | {"CIPHER_KEY": "abc"}, "CIPHER_KEY cannot be used"),
    "a key of the wrong size": (
        CIPHERED | {"CIPHER_KEY": "c2hvcnQ="},
        "CIPHER_KEY cannot be used",
    ),
    "an allowed topic that is not a compressor": (
        {"COMPRESSOR_TOPIC": "os:system", "USPK_ALLOWED_TOPICS": "os:system"},
        "COMPRESSOR_TOPIC=os:system is not a class",
    ),
}


@pytest.mark.parametrize("case", BAD_TOPICS)
def test_a_compressor_or_cipher_setting_that_cannot_be_used_is_one_line_on_every_command(
    case, tmp_path, monkeypatch
):
    store = str(tmp_path / "uspk.sqlite")
    append(store, EVENT)
    before = snapshot(store)
    settings, *told = BAD_TOPICS[case]
    use(monkeypatch, settings)
    for command in [
        *COMMANDS,
        ("history", "sealed-settings-meeting"),
        ("diff", "2025-09-01", "2025-09-30"),
    ]:
        one_line_error(uspk(store, *command, input=json.dumps(LATER)), *told)
    target = str(tmp_path / "copy.sqlite")
    one_line_error(uspk(store, "copy", store, target), *told)
    new = str(tmp_path / "new.sqlite")
    one_line_error(uspk(new, "timeline"), *told)
    assert snapshot(store) == before and not os.path.exists(target)
    assert not os.path.exists(new)  # no store made with settings that cannot be used


class Reversing(Compressor):
    """A compressor of the user's own (it reverses the bytes), named in the allow-list."""

    def compress(self, data: bytes) -> bytes:
        return data[::-1]

    def decompress(self, data: bytes) -> bytes:
        return data[::-1]


def test_a_compressor_the_user_allows_by_name_is_used_and_recorded(tmp_path, monkeypatch):
    topic = f"{__name__}:Reversing"
    store = str(tmp_path / "uspk.sqlite")
    use(monkeypatch, {"COMPRESSOR_TOPIC": topic})
    one_line_error(uspk(store, "timeline"), f"{topic} is not one of eventsourcing's")
    assert not os.path.exists(store)

    monkeypatch.setenv("USPK_ALLOWED_TOPICS", f"some.other:Thing, {topic}")
    append(store, EVENT)
    assert "Quillfeather" in ok(uspk(store, "show", "sealed-settings-meeting"))
    with sqlite3.connect(store) as conn:
        (state,) = conn.execute("SELECT state FROM stored_events LIMIT 1").fetchone()
    assert state.endswith(b"{")  # reversed JSON: written with the user's compressor
    use(monkeypatch, PLAIN)
    one_line_error(uspk(store, "timeline"), f"set COMPRESSOR_TOPIC={topic}")


# -- stores made before the record, and stores an older release mixed --------------------


def forget_the_record(address: str) -> None:
    """The store as a release before the settings record left it."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            conn.execute("DROP TABLE IF EXISTS uspk_settings")
        return
    with sqlite3.connect(address) as conn:
        conn.execute("DROP TABLE IF EXISTS uspk_settings")


@pytest.mark.parametrize("written", ["plain", "ciphered", "compressed"])
def test_a_store_made_before_the_record_has_its_settings_inferred_and_recorded(
    written, store_address, monkeypatch
):
    settings = {"plain": PLAIN, "ciphered": CIPHERED, "compressed": COMPRESSED}[written]
    use(monkeypatch, settings)
    append(store_address, EVENT)
    forget_the_record(store_address)
    before = snapshot(store_address)

    use(monkeypatch, CIPHERED if written != "ciphered" else {**CIPHERED, "CIPHER_KEY": OTHER_KEY})
    one_line_error(uspk(store_address, "timeline"), "nothing was read or written")
    assert snapshot(store_address) == before  # refused: nothing recorded either

    use(monkeypatch, settings)
    assert "Quillfeather" in ok(uspk(store_address, "show", "sealed-settings-meeting"))
    use(monkeypatch, PLAIN if written != "plain" else COMPRESSED)
    one_line_error(uspk(store_address, "timeline"), "was written with")  # now from the record


def write_behind_uspk(address: str, settings: dict[str, str], event_id: str, head: str) -> int:
    """Append one event through eventsourcing directly, with ``settings``, as a release
    that did not check them could (linked to the chain's ``head``, as it would be);
    returns its chronicle version."""
    from eventsourcing.application import Application

    from domain.chronicle import CHRONICLE_ID, Signed, chronicle_events
    from service.application import utc_now
    from service.stores import resolve_store
    from tests.factories import make

    class Behind(Application):
        name = "uspk"  # the same tables

    unset = {name: "" for name in SETTINGS}  # not the test's environment: these settings
    app = Behind(env={**resolve_store(address).env, **unset, **settings})
    try:
        last = app.recorder.select_events(CHRONICLE_ID, desc=True, limit=1)[0]
        document = make("meeting", event_id, "2025-09-25", participants=["ussm", "fwo"])
        signed = Signed("mallory", "written with other settings", head)
        app.save(*chronicle_events([document], utc_now(), last.originator_version, signed=signed))
        return last.originator_version + 1
    finally:
        app.close()


def notification_of(address: str, version: int) -> int:
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            sql = "SELECT notification_id FROM uspk_events WHERE originator_version = %s"
            return conn.execute(sql, (version,)).fetchone()[0]
    with sqlite3.connect(address) as conn:
        sql = "SELECT rowid FROM stored_events WHERE originator_version = ?"
        return conn.execute(sql, (version,)).fetchone()[0]


@pytest.mark.parametrize(
    ("written", "mixed_in"),
    [(PLAIN, COMPRESSED), (CIPHERED, PLAIN), (CIPHERED, {**CIPHERED, "CIPHER_KEY": OTHER_KEY})],
    ids=["plain store, a compressed event", "ciphered store, a plain event", "another key"],
)
def test_a_store_an_older_release_mixed_answers_what_decodes_and_its_way_out_works(
    written, mixed_in, store_address, monkeypatch
):
    use(monkeypatch, written)
    append(store_address, EVENT)
    head = re.search(r"head sha256:([0-9a-f]{64})", ok(uspk(store_address, "verify"))).group(1)
    version = write_behind_uspk(store_address, mixed_in, "mixed-in-meeting", head)
    notification = notification_of(store_address, version)
    name = f"unreadable-notification-{notification}"

    for command in (("timeline",), ("state", "--at", "2025-09-30"), ("verify",)):
        result = uspk(store_address, *command)
        assert result.exit_code == 1 and f"uspk retract {name}" in result.output, result.output
        assert "Traceback" not in result.output
    told = uspk(store_address, "timeline").output
    assert "do not decode with the store's settings" in told

    ok(uspk(store_address, "retract", name, *RETRACT))  # the way out the line names
    append(
        store_address,
        doc("meeting", "after-the-mix", "2025-09-26", participants=["ussm", "fwo"]),
    )
    timeline = ok(uspk(store_address, "timeline"))
    assert "Quillfeather" in timeline and "after-the-mix" in timeline
    verified = uspk(store_address, "verify")
    if "CIPHER_KEY" in mixed_in and mixed_in != written:
        # Encrypted with another key: its link cannot be checked, and verify says so.
        assert verified.exit_code == 1 and f"notification {notification}" in verified.output
        assert "cannot be decoded" in verified.output
    else:  # recognisably plain or compressed: its link is checked, and holds
        assert ok(verified).startswith("verified: "), verified.output
    assert "rebuilt the index from" in ok(uspk(store_address, "rebuild"))
    assert ok(uspk(store_address, "timeline")) == timeline


def test_a_cipher_without_its_package_says_which_extra_to_install(tmp_path):
    """Without pycryptodome (blocked in a fresh interpreter), the cipher is one line
    naming the extra, and no store is made."""
    import subprocess
    import sys

    store = str(tmp_path / "uspk.sqlite")
    without = "import sys; sys.modules['Crypto'] = None; from cli.main import main; main()"
    run = subprocess.run(
        [sys.executable, "-c", without, "--db", store, "timeline"],
        capture_output=True,
        text=True,
        env={**os.environ, **CIPHERED},
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("Error: the cipher needs a package that is not installed (Crypto")
    assert line.endswith("pip install 'uspk[crypto]'")
    assert not os.path.exists(store)
