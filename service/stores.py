"""Where the event store lives: a SQLite file (default) or a PostgreSQL database.

An address is checked before anything is opened: a user's path never silently becomes a
new store (a missing folder is created only when asked), and a file that is not a uspk
store, a special file or an in-memory database is refused in one line.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projections.locks import (
    CREATE_TABLES_LOCK,
    StoreLocked,
    advisory_lock_holder,
    is_lock_timeout,
    lock_timeout,
)

DB_ENV_VAR = "USPK_DB"
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database
# eventsourcing's PostgreSQL factory, whose pool also gets the URL's other parameters.
_POSTGRES_FACTORY = "service.postgres:PostgresFactory"
_CONNINFO = "POSTGRES_CONNINFO"  # env key: the URL's parameters beyond host, port, ...
_CONNECT_TIMEOUT = "10"  # seconds, unless the URL says otherwise
_PREFLIGHT_TIMEOUT = 5  # seconds at most for the first connection, which tells why


class StoreError(ValueError):
    """A store address that cannot be used."""


@dataclass(frozen=True)
class Store:
    """A resolved store address and the eventsourcing settings that open it."""

    address: str  # what to show the user: a file path or a URL without password
    env: dict[str, str]
    new: bool = False  # a SQLite file that does not exist yet (or is empty)

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
    return _sqlite(_expand_home(db), create=create, must_exist=must_exist)


def _refuse_in_memory(db: str) -> None:
    if db.strip() == ":memory:" or "mode=memory" in db or db.startswith("file::memory:"):
        raise StoreError(
            f"{db!r} is an in-memory database: nothing written there would be kept; "
            "give the path of a SQLite file"
        )
    if db.startswith("file:"):
        raise StoreError(f"{db!r}: SQLite URIs are not supported; give a plain file path")


def _expand_home(db: str) -> Path:
    path = Path(os.path.expanduser(db))  # Path.expanduser raises for an unknown user
    if db.startswith("~") and str(path).startswith("~"):
        user = db[1:].split("/", 1)[0]
        raise StoreError(f"{db}: there is no user {user!r} whose home ~{user} could mean")
    return path


def _sqlite(path: Path, create: bool, must_exist: bool = False) -> Store:
    try:
        new = _check_sqlite_file(path)
        if must_exist and not path.exists():
            raise StoreError(f"{path}: no such file")
        if new:
            _check_folder(path, create)
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise StoreError(f"{path}: the path or a name in it is too long") from None
        raise StoreError(f"{path}: {error.strerror or error}") from None
    return Store(
        address=str(path),
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": _lock_timeout(),
        },
        new=new,
    )


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
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise StoreError(
            f"{path}: the store is read-only; reading a read-only store is not supported yet"
        )
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


def check_connection(store: Store) -> None:
    """Connect once, briefly: a database, role or server that is not there is reported
    at once with the server's reason, not after the pool's long wait."""
    if not store.is_postgres:
        return
    import psycopg

    timeout = min(int(store.env["POSTGRES_CONNECT_TIMEOUT"]) or 1, _PREFLIGHT_TIMEOUT)
    try:
        psycopg.connect(store.postgres_conninfo(), connect_timeout=timeout).close()
    except psycopg.Error as error:
        raise StoreError(f"cannot connect to {store.address}: {_reason(error)}") from None


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
    needs nothing: its writers already take turns on the file lock.
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
