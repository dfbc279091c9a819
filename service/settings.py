"""A store knows its own settings: the compressor and cipher its events are written with.

eventsourcing reads ``COMPRESSOR_TOPIC``, ``CIPHER_TOPIC`` and ``CIPHER_KEY`` from the
environment on every run and trusts them: a run with other settings would write events
that no later run can read with one setting. So a store records, when it is made, which
compressor and cipher it was written with (never the key; for a cipher, a small value
encrypted with the key, which only that key decrypts), and every command compares the
environment with that record before it reads or writes, refusing a difference in one
line that says which setting to set. A store made by a release before the record has its
settings inferred from its first stored event (the settings that decode it), and
recorded.

Only the library's compressors and ciphers are accepted as topics, or classes the user
names in ``USPK_ALLOWED_TOPICS`` (comma-separated ``module:Class`` topics): a topic is
imported and called, so an arbitrary one would run arbitrary code.
"""

from __future__ import annotations

import os
import zlib
from base64 import b64decode, b64encode
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import PersistenceError

from service.stores import Store, StoreError

ALLOWED_TOPICS_ENV = "USPK_ALLOWED_TOPICS"
COMPRESSORS = frozenset({"eventsourcing.compressor:ZlibCompressor"})
CIPHERS = frozenset({"eventsourcing.cipher:AESCipher", "eventsourcing.cryptography:AESCipher"})
DEFAULT_CIPHER = "eventsourcing.cipher:AESCipher"  # eventsourcing's, when only a key is set
SETTINGS_TABLE = "uspk_settings"
_ROW = "store"  # the one row's name
_CHECK = b"uspk: the key this store was written with"  # what the check value decrypts to
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {SETTINGS_TABLE} (name TEXT PRIMARY KEY, "
    "compressor TEXT NOT NULL, cipher TEXT NOT NULL, cipher_check TEXT)"
)


class SettingsError(StoreError):
    """The environment's compressor or cipher settings cannot be used with this store
    (or at all); nothing was read or written."""


@dataclass(frozen=True)
class Settings:
    """Which compressor and cipher (their topics; "" for none) events are written with."""

    compressor: str = ""
    cipher: str = ""

    def describe(self) -> str:
        parts = [f"COMPRESSOR_TOPIC={self.compressor}"] if self.compressor else []
        parts += [f"CIPHER_TOPIC={self.cipher}"] if self.cipher else []
        return " and ".join(parts) if parts else "no compressor and no cipher"


def wanted_settings(env: Any) -> Settings:
    """The settings the environment asks for (eventsourcing's ``Environment``, which also
    reads ``USPK_``-prefixed names), each topic checked against the allow-list and, for
    a cipher, its key present: one line for anything wrong, before anything is opened."""
    compressor = (env.get("COMPRESSOR_TOPIC") or "").strip()
    cipher = (env.get("CIPHER_TOPIC") or "").strip()
    key = env.get("CIPHER_KEY") or ""
    if key and not cipher:
        cipher = DEFAULT_CIPHER  # as eventsourcing does
    if compressor:
        _check_topic("COMPRESSOR_TOPIC", compressor, COMPRESSORS, "Compressor")
    if cipher:
        _check_topic("CIPHER_TOPIC", cipher, CIPHERS, "Cipher")
        if not key:
            raise SettingsError(
                f"CIPHER_TOPIC is set ({cipher}) but CIPHER_KEY is not: set CIPHER_KEY to "
                "the base64 key the store is encrypted with"
            )
        _check_cipher(cipher, env)
    return Settings(compressor, cipher)


def _check_cipher(topic: str, env: Any) -> None:
    """Make the cipher once, as eventsourcing will: a key that is not a base64 key of a
    size it takes, or the cipher's package missing, is one line before any file is made."""
    from eventsourcing.utils import TopicError, resolve_topic

    try:
        resolve_topic(topic)(env)
    except TopicError as error:  # eventsourcing's, around the import that failed
        raise _cipher_failure(error.__cause__ or error) from None
    except (ImportError, ValueError) as error:
        raise _cipher_failure(error) from None


def _allowed_by_user() -> set[str]:
    listed = os.environ.get(ALLOWED_TOPICS_ENV, "")
    return {topic.strip() for topic in listed.split(",") if topic.strip()}


def _check_topic(name: str, topic: str, library: frozenset[str], base: str) -> None:
    if topic in library:
        return
    if topic not in _allowed_by_user():
        known = ", ".join(sorted(library))
        raise SettingsError(
            f"{name}={topic} is not one of eventsourcing's {base.lower()}s ({known}); "
            f"to use a class of your own, name its topic in {ALLOWED_TOPICS_ENV}"
        )
    from eventsourcing import persistence
    from eventsourcing.utils import resolve_topic

    try:
        found = resolve_topic(topic)
    except Exception as error:  # noqa: BLE001 - an import of the user's code: say why, in one line
        raise SettingsError(f"{name}={topic} cannot be imported: {error}") from None
    if not (isinstance(found, type) and issubclass(found, getattr(persistence, base))):
        raise SettingsError(f"{name}={topic} is not a class of eventsourcing's {base} kind")


def _cipher_failure(error: BaseException) -> SettingsError:
    """The one line for a cipher eventsourcing could not make (a key of the wrong size or
    not base64, or the cipher's package missing)."""
    if isinstance(error, ImportError):
        return SettingsError(
            f"the cipher needs a package that is not installed ({error.name or error}): "
            "pip install 'uspk[crypto]'"
        )
    return SettingsError(
        "CIPHER_KEY cannot be used as a key: a base64 key of 16, 24 or 32 bytes is "
        f"expected ({error})"
    )


# -- the store's record --------------------------------------------------------------------


def check_store_settings(app: Any, wanted: Settings) -> None:
    """Compare ``wanted`` with what ``app``'s store records (or, for a store made before
    the record, with what its first event was written with, then recorded), refusing a
    difference in one line; a new store records ``wanted``. Nothing else is written."""
    from projections.readmodel import index_recorder_class

    store: Store = app.store
    index = app.factory.tracking_recorder(index_recorder_class(app.factory))
    recorded = _read(index)
    if recorded is None:
        may_record = not store.read_only and store.env.get("CREATE_TABLE") != "no"
        recorded = _record(app, index, wanted) if may_record else _inferred(app, wanted)
    _compare(store, wanted, recorded, app.mapper.cipher)


def _read(index: Any) -> tuple[Settings, str | None] | None:
    with index.transaction() as sql:
        if not index.existing(sql, [SETTINGS_TABLE]):
            return None
        row = sql.one(
            f"SELECT compressor, cipher, cipher_check FROM {SETTINGS_TABLE} WHERE name = ?",
            (_ROW,),
        )
    return (Settings(row[0], row[1]), row[2]) if row else None


def _record(app: Any, index: Any, wanted: Settings) -> tuple[Settings, str | None]:
    """Under the index's lock (writers take turns): the settings the store's first event
    was written with, or ``wanted`` for a store with none yet, recorded once."""
    with index.transaction(lock=True) as sql:
        sql.execute(_SCHEMA)
        row = sql.one(
            f"SELECT compressor, cipher, cipher_check FROM {SETTINGS_TABLE} WHERE name = ?",
            (_ROW,),
        )
        if row is not None:  # another process recorded them first
            return Settings(row[0], row[1]), row[2]
        settings, check = _inferred(app, wanted)
        sql.execute(
            f"INSERT INTO {SETTINGS_TABLE} (name, compressor, cipher, cipher_check)"
            " VALUES (?, ?, ?, ?)",
            (_ROW, settings.compressor, settings.cipher, check),
        )
        return settings, check


def _inferred(app: Any, wanted: Settings) -> tuple[Settings, str | None]:
    """The settings a store without a record was written with: ``wanted`` when its first
    stored event decodes with them (or it has none yet); otherwise a refusal that says
    what the first event looks like."""
    try:
        first = app.recorder.select_notifications(start=1, limit=1)
    except PersistenceError as error:
        if app.store.env.get("CREATE_TABLE") != "no" or not _no_table(error):
            raise
        first = []  # a store never used, opened without making its tables: nothing yet
    if first:
        try:
            app.mapper.to_domain_event(first[0])
        except Exception:  # noqa: BLE001 - any failure to decode: the settings differ
            line = _written_otherwise(app.store, bytes(first[0].state), wanted)
            raise SettingsError(line) from None
    cipher = app.mapper.cipher
    check = b64encode(cipher.encrypt(_CHECK)).decode("ascii") if cipher else None
    return wanted, check


def _no_table(error: Exception) -> bool:
    text = str(error)
    return "no such table" in text or "does not exist" in text


def _written_otherwise(store: Store, state: bytes, wanted: Settings) -> str:
    """Why the first stored event does not decode with ``wanted``, as one line."""
    if state[:1] == b"{":
        written = Settings()
    else:
        try:
            plain = zlib.decompress(state)[:1] == b"{"
        except zlib.error:
            plain = False
        written = Settings(compressor=sorted(COMPRESSORS)[0]) if plain else None
    if written is None:  # neither plain nor zlib: encrypted
        if wanted.cipher:
            return (
                f"{store.address}: the store's events do not decrypt with this CIPHER_KEY "
                f"({wanted.cipher}): set CIPHER_KEY to the key the store was written with; "
                "nothing was read or written"
            )
        return (
            f"{store.address}: the store is encrypted: set CIPHER_TOPIC and CIPHER_KEY to "
            "the cipher and key it was written with; nothing was read or written"
        )
    return _mismatch(store, written, wanted)


def _compare(store: Store, wanted: Settings, recorded: tuple, cipher: Any) -> None:
    settings, check = recorded
    if settings != wanted:
        raise SettingsError(_mismatch(store, settings, wanted))
    if cipher is not None and not _decrypts(cipher, check):
        raise SettingsError(
            f"{store.address}: CIPHER_KEY is not the key this store was written with "
            f"({settings.cipher}): set CIPHER_KEY to that key; nothing was read or written"
        )


def _decrypts(cipher: Any, check: str | None) -> bool:
    try:
        return cipher.decrypt(b64decode(check or "")) == _CHECK
    except ValueError:  # eventsourcing's ciphers: a tag that does not verify
        return False


def _mismatch(store: Store, written: Settings, wanted: Settings) -> str:
    """One line: which setting to set (or unset) to read and write this store."""
    todo = []
    if written.compressor != wanted.compressor:
        todo.append(
            f"set COMPRESSOR_TOPIC={written.compressor}"
            if written.compressor
            else "unset COMPRESSOR_TOPIC"
        )
    if written.cipher != wanted.cipher:
        todo.append(
            f"set CIPHER_TOPIC={written.cipher} and its CIPHER_KEY"
            if written.cipher
            else "unset CIPHER_TOPIC and CIPHER_KEY"
        )
    return (
        f"{store.address} was written with {written.describe()}, this uspk runs with "
        f"{wanted.describe()}: {' and '.join(todo)}; nothing was read or written"
    )
