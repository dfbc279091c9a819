"""Where the event store lives: a SQLite file (default) or a PostgreSQL database.

An address is checked before anything is opened: a user's path never silently becomes a
new store (a missing folder is created only when asked), and a file that is not a uspk
store, a special file or an in-memory database is refused in one line.

A store the user may read but not write is opened read-only, never refused: a SQLite file
without write permission (on it or its folder, or on a read-only mount), one addressed
as ``file:PATH?mode=ro``, or a PostgreSQL database whose role may not INSERT into the
event table. Its ``read_only`` names the missing right, for the one line that refuses a
write; nothing is created or written when it is opened.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from projections.locks import (
    CREATE_TABLES_LOCK,
    StoreLocked,
    advisory_lock_holder,
    is_lock_timeout,
    lock_timeout,
)

DB_ENV_VAR = "USPK_DB"
EVENT_TABLE = "uspk_events"  # eventsourcing's event table on PostgreSQL ("<app name>_events")
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database
# eventsourcing's PostgreSQL factory, whose pool also gets the URL's other parameters.
_POSTGRES_FACTORY = "service.postgres:PostgresFactory"
_CONNINFO = "POSTGRES_CONNINFO"  # env key: the URL's parameters beyond host, port, ...
_CONNECT_TIMEOUT = "10"  # seconds, unless the URL says otherwise
_PREFLIGHT_TIMEOUT = 5  # seconds at most for the first connection, which tells why


class StoreError(ValueError):
    """A store address that cannot be used."""


class ReadOnlyStore(StoreError):
    """A write asked of a store that is read-only for this user; nothing was written."""

    def __init__(self, store: Store, doing: str) -> None:
        super().__init__(
            f"{store.address}: this store is read-only for you: {doing} needs "
            f"{store.read_only}; nothing was written"
        )


def refuse_writing(store: Store, doing: str) -> None:
    """Raise ReadOnlyStore when ``store`` is read-only for us; ``doing`` says what wanted
    to write ("recording", "rebuilding the index", "copying into it")."""
    if store.read_only:
        raise ReadOnlyStore(store, doing)


@dataclass(frozen=True)
class Store:
    """A resolved store address and the eventsourcing settings that open it."""

    address: str  # what to show the user: a file path or a URL without password
    env: dict[str, str]
    new: bool = False  # a SQLite file that does not exist yet (or is empty)
    read_only: str = ""  # the right this user lacks to write it ("" when writable)

    @property
    def is_postgres(self) -> bool:
        return "POSTGRES_DBNAME" in self.env

    def postgres_conninfo(self) -> str:
        """How to connect: the libpq connection string of every parameter of the URL."""
        from psycopg.conninfo import make_conninfo

        env = self.env
        return make_conninfo(
            env.get(_CONNINFO, ""),
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
        )


def default_sqlite_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("uspk", appauthor=False) / "uspk.sqlite"


def resolve_store(db: str | None = None, create: bool = False, must_exist: bool = False) -> Store:
    """``--db`` if given, else ``$USPK_DB``, else the SQLite file in the user's data dir.

    A SQLite file whose folder is missing is refused unless ``create`` (the default
    location's folder is always created); a missing one at all when ``must_exist``.
    """
    db = db or os.environ.get(DB_ENV_VAR) or None
    if db and db.startswith(("postgresql://", "postgres://")):
        return _postgres(db)
    if db and "://" in db:
        raise StoreError(f"unsupported store address {db!r}: give a file path or postgresql://...")
    if db is None:
        return _sqlite(default_sqlite_path(), create=True)
    _refuse_in_memory(db)
    if db.startswith("file:"):
        return _sqlite(_read_only_uri_path(db), create=False, asked_read_only=True)
    return _sqlite(_expand_home(db), create=create, must_exist=must_exist)


def _refuse_in_memory(db: str) -> None:
    if db.strip() == ":memory:" or "mode=memory" in db or db.startswith("file::memory:"):
        raise StoreError(
            f"{db!r} is an in-memory database: nothing written there would be kept; "
            "give the path of a SQLite file"
        )


def _read_only_uri_path(db: str) -> Path:
    """The path of ``file:PATH?mode=ro`` (SQLite's URI form, percent-encoded), the one
    SQLite URI uspk takes: the way to ask for a store opened read-only."""
    parts = urlsplit(db)
    if parts.netloc not in ("", "localhost") or parts.fragment:
        raise StoreError(f"{db!r}: expected file:/path/to/store.sqlite?mode=ro")
    if dict(parse_qsl(parts.query, keep_blank_values=True)) != {"mode": "ro"}:
        raise StoreError(
            f"{db!r}: the one SQLite URI uspk takes is file:PATH?mode=ro (read-only); "
            "give a plain file path otherwise"
        )
    if not parts.path:
        raise StoreError(f"{db!r}: the URI names no file")
    return _expand_home(unquote(parts.path))


def _expand_home(db: str) -> Path:
    path = Path(os.path.expanduser(db))  # Path.expanduser raises for an unknown user
    if db.startswith("~") and str(path).startswith("~"):
        user = db[1:].split("/", 1)[0]
        raise StoreError(f"{db}: there is no user {user!r} whose home ~{user} could mean")
    return path


def _sqlite(
    path: Path, create: bool, must_exist: bool = False, asked_read_only: bool = False
) -> Store:
    try:
        new = _check_sqlite_file(path)
        if (must_exist or asked_read_only) and not path.exists():
            raise StoreError(f"{path}: no such file")
        if asked_read_only and new:  # an empty file: a store not made yet
            raise StoreError(f"{path}: an empty file, not a store yet; nothing to read")
        if new:
            _check_folder(path, create)
        read_only = "" if new else _missing_write_right(path, asked_read_only)
        name = _read_only_uri(path) if read_only else str(path)
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise StoreError(f"{path}: the path or a name in it is too long") from None
        raise StoreError(f"{path}: {error.strerror or error}") from None
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": name,
        "SQLITE_LOCK_TIMEOUT": _lock_timeout(),
    }
    if read_only:
        env["CREATE_TABLE"] = "no"  # eventsourcing's setting: no CREATE TABLE on opening
    return Store(address=str(path), env=env, new=new, read_only=read_only)


def _missing_write_right(path: Path, asked: bool) -> str:
    """Why this existing store cannot be written by us ("" if it can): SQLite writes the
    file and makes its -wal/-shm/-journal files beside it, so both need write permission."""
    if _on_read_only_mount(path):
        return f"a writable file system ({path.parent} is mounted read-only)"
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return f"write permission on {path} and its folder"
    if asked:
        return "an address without mode=ro"
    return ""


def _on_read_only_mount(path: Path) -> bool:
    return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)


def _read_only_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` without writing it.

    ``mode=ro`` keeps SQLite's locking, so a curator may write while we read; but reading
    a WAL store needs its -shm file, made beside it on opening when none exists. Where
    none can be made (a read-only folder or mount) and none is there, no process has the
    store open for writing: ``immutable=1`` reads the file without locks or -shm (a
    curator who starts writing while a reader reads could then give that read torn
    pages; the README says to read such a store when no one writes it). A file in
    rollback-journal mode is read as immutable too: eventsourcing switches each file it
    opens to WAL, which a ``mode=ro`` connection cannot."""
    uri = f"file:{quote(str(path.resolve()))}"
    folder_writable = os.access(path.parent, os.W_OK) and not _on_read_only_mount(path)
    shm_possible = folder_writable or os.path.exists(f"{path}-shm")
    if shm_possible and _in_wal_mode(path):
        return f"{uri}?mode=ro"
    if os.path.exists(f"{path}-wal") and os.path.getsize(f"{path}-wal") > 0:
        # immutable=1 would not read the log's last changes, silently
        raise StoreError(
            f"{path}: its write-ahead log ({path.name}-wal) holds changes not yet in the "
            "file, which SQLite reads only through a -shm file it cannot make here: a "
            "curator runs any uspk command on this store to fold them in"
        )
    return f"{uri}?mode=ro&immutable=1"


def _in_wal_mode(path: Path) -> bool:
    """The SQLite header's write and read format versions: 2 in WAL mode, 1 otherwise."""
    with open(path, "rb") as file:
        return file.read(20)[18:20] == b"\x02\x02"


def _check_sqlite_file(path: Path) -> bool:
    """Refuse what cannot be a uspk store; True when the store is still to be made."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # the folder is checked next
        return True
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a directory; give the path of a SQLite file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            f"{path} is a special file ({_file_kind(info.st_mode)}), not a SQLite database"
        )
    if info.st_size == 0:
        return True  # an empty file is a new SQLite database
    with open(path, "rb") as file:
        header = file.read(100)
    if _being_written(path):
        pass  # SQLite checks it, under its locks; its errors are one line too
    elif not header.startswith(SQLITE_HEADER):
        raise StoreError(f"{path} is not a SQLite database (it does not start with its header)")
    elif _truncated(header, info.st_size):
        raise StoreError(f"{path} is damaged: the file is shorter than its header says")
    return False


def _being_written(path: Path) -> bool:
    """A -wal or -journal file beside the store: another process may be half way through
    growing it (a checkpoint writes page 1 before the pages after it), so its length
    proves nothing; SQLite itself then reports a damaged file."""
    return any(os.path.exists(f"{path}{suffix}") for suffix in ("-wal", "-journal"))


def _truncated(header: bytes, size: int) -> bool:
    """The SQLite header's page size times page count (when that count is valid) is the
    file's length: a shorter file lost its end."""
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    count_is_valid = header[24:28] == header[92:96]  # change counter == version-valid-for
    return size % page_size != 0 or (count_is_valid and size < page_size * pages)


def _check_folder(path: Path, create: bool) -> None:
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{path}: {folder} is not a folder")
    if not folder.is_dir():
        if not create:
            raise StoreError(
                f"{path}: the folder {folder} does not exist; check the path, or pass "
                "--create to create the store and its folders"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            reason = error.strerror
            raise StoreError(f"{path}: cannot create the folder {folder}: {reason}") from None
    longest = os.pathconf(folder, "PC_NAME_MAX")
    if len(os.fsencode(path.name)) > longest:
        raise StoreError(f"{path}: the path or a name in it is too long")
    if not os.access(folder, os.W_OK):
        raise StoreError(f"{path}: cannot create a store there: the folder {folder} is read-only")


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _lock_timeout() -> str:
    try:
        return str(lock_timeout())
    except ValueError as error:
        raise StoreError(str(error)) from None


def _postgres(url: str) -> Store:
    """Settings from a postgresql:// URL. Host, port, database, user and password go to
    eventsourcing's own settings; every other parameter libpq knows (sslmode,
    application_name, options, ...) is kept, for every connection to the store."""
    try:
        from psycopg import ProgrammingError
        from psycopg.conninfo import conninfo_to_dict, make_conninfo
    except ImportError:
        raise StoreError(
            "PostgreSQL support is not installed: pip install 'uspk[postgres]'"
        ) from None
    shown_url = _without_password(url)
    try:
        params = {key: str(value) for key, value in conninfo_to_dict(url).items()}
    except ProgrammingError as error:
        reason = str(error).strip().splitlines()[0].replace(url, shown_url)
        raise StoreError(f"{shown_url} is not a valid PostgreSQL URL: {reason}") from None
    dbname = params.pop("dbname", "")
    if not dbname:
        raise StoreError(f"{shown_url} names no database: postgresql://user:pass@host:port/dbname")
    host = params.pop("host", "127.0.0.1")
    port = params.pop("port", "5432")
    _check_ports(shown_url, port)
    params.setdefault("connect_timeout", _CONNECT_TIMEOUT)
    if not params["connect_timeout"].isdigit():
        raise StoreError(f"{shown_url}: connect_timeout must be a number of seconds")
    env = {
        "PERSISTENCE_MODULE": _POSTGRES_FACTORY,
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": port,
        "POSTGRES_USER": params.pop("user", None) or os.environ.get("USER", "postgres"),
        "POSTGRES_PASSWORD": params.pop("password", ""),
        "POSTGRES_CONNECT_TIMEOUT": params["connect_timeout"],
        "POSTGRES_LOCK_TIMEOUT": _lock_timeout(),
        # Insert a batch through one database function call: the default pipelines one
        # INSERT per event, and a batch of ~10,000 hangs there (measured, benchmarks/).
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        _CONNINFO: make_conninfo(**params),
    }
    shown = f"postgresql://{env['POSTGRES_USER']}@{_url_host(host)}:{port}/{dbname}"
    return Store(address=shown, env=env)


def _without_password(url: str) -> str:
    return re.sub(r"^(\w+://[^:/@]*):[^@/]*@", r"\1@", url)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and "," not in host else host


def _check_ports(url: str, ports: str) -> None:
    for port in ports.split(","):
        if not (port.isdigit() and 0 < int(port) < 65536):
            raise StoreError(f"{url}: the port must be a number from 1 to 65535, not {port!r}")


def check_connection(store: Store) -> Store:
    """Connect once, briefly: a database, role or server that is not there is reported
    at once with the server's reason, not after the pool's long wait. The store is
    returned read-only when the role may not write it (asked on that connection)."""
    if not store.is_postgres:
        return store
    import psycopg

    timeout = min(int(store.env["POSTGRES_CONNECT_TIMEOUT"]) or 1, _PREFLIGHT_TIMEOUT)
    try:
        with psycopg.connect(store.postgres_conninfo(), connect_timeout=timeout) as connection:
            missing = _missing_postgres_right(store, connection)
    except psycopg.Error as error:
        raise StoreError(f"cannot connect to {store.address}: {_reason(error)}") from None
    if not missing:
        return store
    # eventsourcing's setting: no CREATE TABLE / CREATE FUNCTION when opening the store
    return replace(store, env={**store.env, "CREATE_TABLE": "no"}, read_only=missing)


def _missing_postgres_right(store: Store, connection: Any) -> str:
    """The right the connected role lacks to record in this store ("" if none): INSERT
    on the event table, or (before the store's first use) CREATE in its schema."""
    schema = store.env.get("POSTGRES_SCHEMA") or os.environ.get("POSTGRES_SCHEMA") or "public"
    table = f"{schema}.{EVENT_TABLE}"
    made, may_insert, may_create, role = connection.execute(
        "SELECT to_regclass(%(t)s) IS NOT NULL, to_regclass(%(t)s) IS NOT NULL"
        " AND has_table_privilege(to_regclass(%(t)s), 'INSERT'),"
        " has_schema_privilege(%(s)s, 'CREATE'), current_user",
        {"t": f'"{schema}"."{EVENT_TABLE}"', "s": schema},
    ).fetchone()
    if not made and not may_create:
        raise StoreError(
            f"{store.address} holds no uspk store yet, and role {role} may not make one "
            f"(it needs CREATE on schema {schema}): a curator's first command makes it"
        )
    if made and not may_insert:
        return f"INSERT on table {table}, which role {role} lacks"
    return ""


def _reason(error: Exception) -> str:
    """libpq's message in one line: its last line that says something."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = lines[-1] if lines else type(error).__name__
    if reason.startswith("Is the server running") and len(lines) > 1:  # libpq's hint
        reason = lines[-2]
    reason = re.sub(r"^.*failed:\s*", "", reason)  # our line names host and port already
    return re.sub(r"^(FATAL|ERROR):\s+", "", reason)


@contextmanager
def tables_created_one_at_a_time(store: Store, factory: Any) -> Iterator[None]:
    """Hold a lock while eventsourcing creates (or re-declares) the store's tables.

    On PostgreSQL, eventsourcing runs CREATE TYPE / CREATE TABLE IF NOT EXISTS / CREATE
    OR REPLACE FUNCTION each time a store is opened; two processes doing so at the same
    moment fail ("tuple concurrently updated", duplicate key in pg_type). A transaction-
    scoped advisory lock, taken on a connection of the store's own pool, makes them take
    turns; it is released when that transaction ends, or when the process dies, and
    waited for at most the lock timeout (a stopped process keeps holding it). SQLite
    needs nothing here: its writers take turns on the file lock (once in WAL mode: see
    ``in_wal_mode``).
    """
    if not store.is_postgres:
        yield
        return
    seconds = int(store.env["POSTGRES_LOCK_TIMEOUT"])
    locked = False  # a lock timeout after this point is eventsourcing's, not ours
    try:
        with factory.datastore.transaction(commit=True) as cursor:
            # SET LOCAL: bounds this transaction's waits only, not the pooled connection's.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (f"{seconds}s",))
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CREATE_TABLES_LOCK,))
            locked = True
            yield
    except Exception as error:
        if locked or not is_lock_timeout(error):
            raise
        raise StoreLocked(seconds, _holder(factory)) from None


def _holder(factory: Any) -> int | None:
    """The backend pid holding the table-creation lock, asked in a transaction of its own
    (the one that timed out is over). The pool's rows are dictionaries."""
    with factory.datastore.transaction(commit=False) as cursor:

        def first_row(sql: str, params: tuple) -> tuple | None:
            row = cursor.execute(sql, params).fetchone()
            return tuple(row.values()) if row else None

        return advisory_lock_holder(first_row, CREATE_TABLES_LOCK)


def in_wal_mode(store: Store) -> None:
    """Put a writable SQLite store into WAL mode before eventsourcing opens it.

    eventsourcing sets WAL on every connection it makes; on a new file that change needs
    the database to itself, and SQLite answers "database is locked" at once (without
    waiting out the busy timeout) when another process opening the same new store holds
    it. Done here first, with retries: once a file is in WAL mode (which lasts), setting
    it again takes no such lock."""
    if store.read_only or store.env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite":
        return
    import random
    import sqlite3
    import time
    from contextlib import closing

    wait = float(store.env["SQLITE_LOCK_TIMEOUT"])
    deadline = time.monotonic() + wait
    while True:
        try:
            with closing(sqlite3.connect(store.env["SQLITE_DBNAME"], timeout=wait)) as db:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # its primary code
            busy = code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                return  # eventsourcing's own opening says what is wrong
            time.sleep(0.02 + random.random() * 0.05)  # noqa: S311 - jitter, not secrets
