"""What an address resolves to, before anything is opened: the settings a PostgreSQL URL
gives eventsourcing (and the parameters kept for every connection), the read-only URI a
SQLite store is opened with, and the one line a refused address or write gets. Real
files, no server: each test reads ``resolve_store``'s answer itself."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sqlite3
import stat
import sys
import tempfile
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from psycopg import ProgrammingError
from psycopg.conninfo import conninfo_to_dict

from service.stores import (
    ReadOnlyStore,
    Store,
    StoreError,
    _reason,
    check_connection,
    in_wal_mode,
    refuse_writing,
    resolve_store,
)
from tests.store.helpers import read_only


def test_a_postgresql_url_gives_eventsourcing_its_parts_and_keeps_the_others_for_every_connection():
    store = resolve_store(
        "postgresql://alice:s3cret@db.example:6543/records?sslmode=require&application_name=desk"
    )

    assert store.address == "postgresql://alice@db.example:6543/records"
    assert store.is_postgres and not store.read_only and not store.new
    env = store.env
    assert env["PERSISTENCE_MODULE"] == "service.postgres:PostgresFactory"
    assert (env["POSTGRES_DBNAME"], env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == (
        "records",
        "db.example",
        "6543",
    )
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("alice", "s3cret")
    assert env["POSTGRES_CONNECT_TIMEOUT"] == "10"
    assert env["POSTGRES_LOCK_TIMEOUT"] == "30"
    assert env["POSTGRES_ENABLE_DB_FUNCTIONS"] == "y"
    assert conninfo_to_dict(env["POSTGRES_CONNINFO"]) == {
        "sslmode": "require",
        "application_name": "desk",
        "connect_timeout": "10",
    }
    assert conninfo_to_dict(store.postgres_conninfo()) == {
        "dbname": "records",
        "host": "db.example",
        "port": "6543",
        "user": "alice",
        "password": "s3cret",
        "sslmode": "require",
        "application_name": "desk",
        "connect_timeout": "10",
    }


def test_a_postgresql_url_without_host_port_user_or_password_takes_the_defaults(monkeypatch):
    monkeypatch.setenv("USER", "carol")
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "7")

    store = resolve_store("postgres:///records?connect_timeout=3")

    assert store.address == "postgresql://carol@127.0.0.1:5432/records"
    assert store.env["POSTGRES_USER"] == "carol"
    assert store.env["POSTGRES_PASSWORD"] == ""
    assert store.env["POSTGRES_CONNECT_TIMEOUT"] == "3"
    assert store.env["POSTGRES_LOCK_TIMEOUT"] == "7"
    # no password at all, rather than an empty one, reaches libpq
    assert "password" not in conninfo_to_dict(store.postgres_conninfo())

    monkeypatch.delenv("USER")
    assert resolve_store("postgresql:///records").env["POSTGRES_USER"] == "postgres"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://me@[::1]:5433/records", "postgresql://me@[::1]:5433/records"),
        ("postgresql://me@h1:5432,h2:5433/records", "postgresql://me@h1,h2:5432,5433/records"),
        ("postgresql://me:pw@localhost/records", "postgresql://me@localhost:5432/records"),
    ],
)
def test_a_postgresql_address_is_shown_without_password_and_an_ipv6_host_in_brackets(url, shown):
    assert resolve_store(url).address == shown


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://me:pw@db/", "postgresql://me@db/ names no database: "),
        (
            "postgresql://me@db:0/records",
            "postgresql://me@db:0/records: the port must be a number from 1 to 65535, not '0'",
        ),
        ("postgresql://me@db:65536/records", "the port must be a number from 1 to 65535"),
        (
            "postgresql://me@h1:65535,h2:x/records",
            "the port must be a number from 1 to 65535, not 'x'",
        ),
        (
            "postgresql://me:pw@db/r?connect_timeout=-1",
            "connect_timeout must be a number of seconds",
        ),
    ],
)
def test_a_postgresql_url_that_cannot_be_used_is_refused_naming_what(url, said):
    with pytest.raises(StoreError) as refused:
        resolve_store(url)
    assert said in str(refused.value)
    assert "pw" not in str(refused.value)


def test_the_highest_and_lowest_ports_are_taken():
    store = resolve_store("postgresql://me@h1:1,h2:65535/records")
    assert store.env["POSTGRES_PORT"] == "1,65535"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            'connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?",
            "Connection refused",
        ),
        (
            'connection failed: FATAL:  database "records" does not exist',
            'database "records" does not exist',
        ),
        (
            "ERROR:  permission denied for table uspk_events\n\n",
            "permission denied for table uspk_events",
        ),
        ("Is the server running on that host?", "Is the server running on that host?"),
        ("", "Exception"),
    ],
)
def test_a_servers_refusal_is_reduced_to_its_one_line_of_reason(message, reason):
    """The line names host and port already: the reason alone follows it."""
    assert _reason(Exception(message)) == reason


def test_a_write_to_a_read_only_store_is_refused_naming_the_missing_right():
    store = Store(address="/shelf/uspk.sqlite", env={}, read_only="write permission on it")

    with pytest.raises(ReadOnlyStore) as refused:
        refuse_writing(store, "recording")

    assert str(refused.value) == (
        "/shelf/uspk.sqlite: this store is read-only for you: recording needs "
        "write permission on it; nothing was written"
    )
    refuse_writing(Store(address="/desk/uspk.sqlite", env={}), "recording")  # writable


# -- SQLite: the read-only URI ----------------------------------------------------------


def sqlite_store(path: Path, wal: bool) -> Path:
    with sqlite3.connect(path) as db:
        if wal:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
    db.close()
    return path


def test_a_mode_ro_address_of_a_wal_store_is_opened_with_sqlites_locks(tmp_path):
    path = sqlite_store(tmp_path / "my store.sqlite", wal=True)

    store = resolve_store(f"file:{quote(str(path))}?mode=ro")

    assert store.address == str(path)
    assert store.env["SQLITE_DBNAME"] == f"file:{quote(str(path))}?mode=ro"
    assert store.env["CREATE_TABLE"] == "no"
    assert store.read_only == "an address without mode=ro"
    assert not store.new


def test_a_mode_ro_address_of_a_rollback_journal_store_is_read_as_immutable(tmp_path):
    path = sqlite_store(tmp_path / "old.sqlite", wal=False)

    store = resolve_store(f"file:{path}?mode=ro")

    assert store.env["SQLITE_DBNAME"] == f"file:{quote(str(path))}?mode=ro&immutable=1"


def test_a_log_that_only_a_shm_file_could_read_is_refused_not_read_stale(tmp_path):
    path = sqlite_store(tmp_path / "old.sqlite", wal=False)
    Path(f"{path}-wal").write_bytes(b"x")  # one byte is a change not yet in the file

    with pytest.raises(StoreError) as refused:
        resolve_store(f"file:{path}?mode=ro")

    assert str(refused.value) == (
        f"{path}: its write-ahead log (old.sqlite-wal) holds changes not yet in the file, "
        "which SQLite reads only through a -shm file it cannot make here: a curator runs "
        "any uspk command on this store to fold them in"
    )


def test_an_empty_log_beside_a_rollback_journal_store_is_no_reason_to_refuse(tmp_path):
    path = sqlite_store(tmp_path / "old.sqlite", wal=False)
    Path(f"{path}-wal").touch()

    store = resolve_store(f"file:{path}?mode=ro")

    assert store.env["SQLITE_DBNAME"].endswith("?mode=ro&immutable=1")


def test_a_writable_store_is_opened_by_its_path_and_may_create_tables(tmp_path):
    path = sqlite_store(tmp_path / "desk.sqlite", wal=True)

    store = resolve_store(str(path))

    assert store.env["SQLITE_DBNAME"] == str(path)
    assert "CREATE_TABLE" not in store.env
    assert store.read_only == "" and not store.new


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("file:x.sqlite?mode=ro#part", "expected file:/path/to/store.sqlite?mode=ro"),
        (
            "file:x.sqlite?mode=rw",
            "'file:x.sqlite?mode=rw': the one SQLite URI uspk takes is file:PATH?mode=ro "
            "(read-only); give a plain file path otherwise",
        ),
        ("file:x.sqlite?mode=ro&cache=shared", "the one SQLite URI uspk takes"),
        ("file:x.sqlite?mode=ro&cache=", "the one SQLite URI uspk takes"),
        ("file:x.sqlite", "the one SQLite URI uspk takes"),
        ("file:?mode=ro", "the URI names no file"),
        ("file:absent.sqlite?mode=ro", "absent.sqlite: no such file"),
        ("file:empty.sqlite?mode=ro", "empty.sqlite: an empty file, not a store yet"),
    ],
)
def test_a_sqlite_uri_that_cannot_be_read_is_refused_naming_why(
    address, said, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.sqlite").touch()

    with pytest.raises(StoreError) as refused:
        resolve_store(address)

    assert said in str(refused.value)


def test_a_block_device_is_refused_naming_it(tmp_path):
    device = tmp_path / "disk"
    try:
        os.mknod(device, 0o600 | stat.S_IFBLK, os.makedev(7, 0))
    except PermissionError:
        pytest.skip("making a device file needs root")

    with pytest.raises(StoreError) as refused:
        resolve_store(str(device))

    assert (
        str(refused.value) == f"{device} is a special file (a block device), not a SQLite database"
    )


def test_the_default_store_is_uspk_sqlite_in_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("USPK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    store = resolve_store()

    assert store.address == str(tmp_path / "data" / "uspk" / "uspk.sqlite")
    assert store.new and (tmp_path / "data" / "uspk").is_dir()


def test_a_file_too_short_for_the_sqlite_header_is_refused_as_damaged(tmp_path):
    stub = tmp_path / "stub.sqlite"
    stub.write_bytes(b"SQLite format 3\x00" + bytes(44))

    with pytest.raises(StoreError) as refused:
        resolve_store(str(stub))

    assert str(refused.value) == f"{stub} is damaged: the file is shorter than its header says"


# -- stores this user may not write ------------------------------------------------------


def test_a_store_on_a_read_only_mount_is_read_as_immutable_naming_the_mount(tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    path = sqlite_store(folder / "uspk.sqlite", wal=True)

    with read_only(folder):
        store = resolve_store(str(path))

    assert store.read_only == f"a writable file system ({folder} is mounted read-only)"
    assert store.env["SQLITE_DBNAME"] == f"file:{quote(str(path))}?mode=ro&immutable=1"
    assert store.env["CREATE_TABLE"] == "no"


def test_a_wal_store_whose_shm_file_is_there_is_read_with_locks_even_on_a_read_only_mount(
    tmp_path,
):
    """A -shm file beside it means a writer may have it open: locks, not immutable."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    path = sqlite_store(folder / "uspk.sqlite", wal=True)
    Path(f"{path}-shm").touch()

    with read_only(folder):
        store = resolve_store(str(path))

    assert store.env["SQLITE_DBNAME"] == f"file:{quote(str(path))}?mode=ro"


@contextmanager
def real_user(uid: int):
    """Permission checks (``os.access``) made for another, unprivileged user: the real
    user id changes, the effective one (root, to change it back) stays."""
    if os.geteuid() != 0:
        pytest.skip("changing the real user id needs root")
    os.setreuid(uid, -1)
    try:
        yield
    finally:
        os.setreuid(0, -1)


def test_a_store_whose_folder_this_user_may_not_write_is_read_only_naming_the_right():
    """SQLite makes its -wal/-shm files beside the store: a writable file in a folder
    this user may not write is read-only too."""
    folder = Path(tempfile.mkdtemp())  # outside pytest's root-only folder
    try:
        folder.chmod(0o755)
        path = sqlite_store(folder / "uspk.sqlite", wal=True)
        path.chmod(0o666)

        with real_user(65534):
            store = resolve_store(str(path))

        assert store.read_only == f"write permission on {path} and its folder"
        assert store.env["SQLITE_DBNAME"] == f"file:{quote(str(path))}?mode=ro&immutable=1"
    finally:
        shutil.rmtree(folder)


def test_several_ipv6_hosts_are_shown_as_given_without_brackets():
    store = resolve_store("postgresql://me@[::1]:5432,[::2]:5433/records")
    assert store.address == "postgresql://me@::1,::2:5432,5433/records"


def test_an_invalid_postgresql_url_is_refused_with_libpqs_reason_without_the_password():
    url = "postgresql://me:s3cret@db/records?no_such_setting=1"
    with pytest.raises(ProgrammingError) as libpq:
        conninfo_to_dict(url)
    reason = str(libpq.value).strip().splitlines()[0].replace(url, "postgresql://me@db/records")

    with pytest.raises(StoreError) as refused:
        resolve_store(url)

    assert str(refused.value) == (
        f"postgresql://me@db/records?no_such_setting=1 is not a valid PostgreSQL URL: {reason}"
    )
    assert reason and "s3cret" not in reason


def test_a_postgresql_url_without_postgresql_support_installed_says_how_to_install_it(
    monkeypatch,
):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed

    with pytest.raises(StoreError) as refused:
        resolve_store("postgresql://me@db/records")

    assert str(refused.value) == (
        "PostgreSQL support is not installed: pip install 'uspk[postgres]'"
    )


def test_a_store_in_the_home_folder_is_found_by_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_store("~/desk.sqlite").address == str(tmp_path / "desk.sqlite")


def test_a_file_beside_its_write_ahead_log_is_left_for_sqlite_to_judge(tmp_path):
    """Another process may be growing it: neither its header nor its length is judged."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database yet\n")
    Path(f"{notes}-wal").touch()

    assert resolve_store(str(notes)).address == str(notes)


def header(page_size_field: int, pages: int) -> bytes:
    """A SQLite header whose page count is valid (change counter == version-valid-for)."""
    head = bytearray(100)
    head[:16] = b"SQLite format 3\x00"
    head[16:18] = page_size_field.to_bytes(2, "big")
    head[24:28] = head[92:96] = (7).to_bytes(4, "big")
    head[28:32] = pages.to_bytes(4, "big")
    return bytes(head)


def test_a_store_of_64_kib_pages_is_measured_in_them(tmp_path):
    """The page size field holds 1 for 65536, which two bytes cannot hold."""
    whole, cut = tmp_path / "whole.sqlite", tmp_path / "cut.sqlite"
    whole.write_bytes(header(1, 2).ljust(2 * 65536, b"\0"))
    cut.write_bytes(header(1, 2).ljust(65536, b"\0"))

    assert resolve_store(str(whole)).address == str(whole)
    with pytest.raises(StoreError) as refused:
        resolve_store(str(cut))
    assert str(refused.value) == f"{cut} is damaged: the file is shorter than its header says"


def test_a_page_count_past_three_bytes_is_read_whole(tmp_path):
    claims = tmp_path / "claims.sqlite"
    claims.write_bytes(header(4096, 2**24).ljust(4096, b"\0"))

    with pytest.raises(StoreError) as refused:
        resolve_store(str(claims))

    assert str(refused.value) == f"{claims} is damaged: the file is shorter than its header says"


# -- WAL mode, set before eventsourcing opens a store --------------------------------------


def journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA journal_mode").fetchone()[0]


def test_a_new_store_is_put_in_wal_mode_before_it_is_opened(tmp_path):
    path = tmp_path / "new.sqlite"
    in_wal_mode(resolve_store(str(path)))
    assert journal_mode(path) == "wal"


def test_wal_mode_waits_while_another_connection_holds_the_new_file(tmp_path, monkeypatch):
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "20")
    path = tmp_path / "new.sqlite"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    store = resolve_store(str(path))
    release = threading.Timer(0.5, holder.close)
    release.start()
    try:
        in_wal_mode(store)
    finally:
        release.join()

    assert journal_mode(path) == "wal"


def test_wal_mode_gives_up_after_the_lock_timeout_and_leaves_the_file_as_it_was(
    tmp_path, monkeypatch
):
    """eventsourcing's own opening then says what is wrong, in its one line."""
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "1")
    path = tmp_path / "new.sqlite"
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        store = resolve_store(str(path))
        started = time.monotonic()
        in_wal_mode(store)
        waited = time.monotonic() - started
    assert 1.0 <= waited < 4.5, waited  # its own timeout, not SQLite's default 5 s
    assert journal_mode(path) != "wal"


def writing_holder(path: Path) -> sqlite3.Connection:
    """A connection in the middle of a write to ``path`` (a rollback-journal file, as a
    new store is before WAL is set): SQLite answers "database is locked" at once, not
    after its busy timeout, to another connection that would change the journal mode."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    return holder


def test_wal_mode_is_tried_again_while_another_connection_writes_and_set_once_it_is_done(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "20")
    path = tmp_path / "new.sqlite"
    holder = writing_holder(path)
    store = resolve_store(str(path))
    release = threading.Timer(0.5, holder.close)
    release.start()
    try:
        started = time.monotonic()
        in_wal_mode(store)
        waited = time.monotonic() - started
    finally:
        release.join()

    assert journal_mode(path) == "wal"
    # Tried until the writer let go (not given up at once), and soon after: every few
    # hundredths of a second, not a second apart.
    assert 0.4 <= waited < 1.0, waited


def test_wal_mode_tried_again_gives_up_after_the_lock_timeout_while_the_writer_holds_on(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "1")
    path = tmp_path / "new.sqlite"
    with closing(writing_holder(path)):
        store = resolve_store(str(path))
        started = time.monotonic()
        in_wal_mode(store)
        waited = time.monotonic() - started
    assert 1.0 <= waited < 4.5, waited  # the lock timeout, then eventsourcing says why
    assert journal_mode(path) != "wal"


def test_a_read_only_or_postgresql_store_is_not_touched(tmp_path):
    path = sqlite_store(tmp_path / "old.sqlite", wal=False)
    before = path.read_bytes()

    in_wal_mode(resolve_store(f"file:{path}?mode=ro"))
    in_wal_mode(resolve_store("postgresql://me@db/records"))

    assert path.read_bytes() == before and journal_mode(path) == "delete"


# -- paths: the one line for each refusal -------------------------------------------------


def refused_line(*args, **kwargs) -> str:
    with pytest.raises(StoreError) as refused:
        resolve_store(*args, **kwargs)
    return str(refused.value)


def test_a_missing_folder_is_refused_unless_create_is_asked(tmp_path):
    path = tmp_path / "no" / "uspk.sqlite"
    assert refused_line(str(path)).startswith(f"{path}: the folder {path.parent} does not exist")
    assert resolve_store(str(path), create=True).new and path.parent.is_dir()


def test_a_missing_file_is_refused_when_it_must_exist(tmp_path):
    path = tmp_path / "uspk.sqlite"
    assert refused_line(str(path), must_exist=True) == f"{path}: no such file"


def test_the_address_in_uspk_db_is_used_when_none_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("USPK_DB", str(tmp_path / "from-env.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # were it taken instead
    assert resolve_store().address == str(tmp_path / "from-env.sqlite")


def test_an_address_of_another_scheme_is_refused_in_one_line():
    assert refused_line("mysql://me@db/records") == (
        "unsupported store address 'mysql://me@db/records': give a file path or postgresql://..."
    )


def test_an_unknown_user_in_a_tilde_path_is_named_alone():
    assert refused_line("~uspk-no-such-user/a/b.sqlite") == (
        "~uspk-no-such-user/a/b.sqlite: there is no user 'uspk-no-such-user' whose home "
        "~uspk-no-such-user could mean"
    )


def test_a_lock_timeout_that_is_not_a_number_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("USPK_LOCK_TIMEOUT", "soon")
    assert refused_line(str(tmp_path / "uspk.sqlite")) == (
        "USPK_LOCK_TIMEOUT='soon': expected a whole number of seconds (1 or more)"
    )


def test_a_name_of_exactly_the_longest_length_is_taken(tmp_path):
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    path = tmp_path / ("n" * (longest - len(".sqlite")) + ".sqlite")
    assert resolve_store(str(path)).new


def test_a_folder_that_cannot_be_made_is_refused_with_the_systems_reason(tmp_path):
    path = Path("/proc/uspk/no/such.sqlite")
    with pytest.raises(OSError) as mkdir:
        path.parent.mkdir(parents=True)
    assert refused_line(str(path), create=True) == (
        f"{path}: cannot create the folder {path.parent}: {mkdir.value.strerror}"
    )


def test_a_path_the_system_cannot_follow_is_refused_with_its_reason(tmp_path):
    loop = tmp_path / "loop.sqlite"
    loop.symlink_to(tmp_path / "loop.sqlite")
    assert refused_line(str(loop)) == f"{loop}: {os.strerror(errno.ELOOP)}"


@pytest.mark.parametrize(("asked", "waited_at_least"), [(3, 3.0), (8, 5.0)])
def test_a_server_that_accepts_but_never_answers_is_given_up_after_connect_timeout(
    asked, waited_at_least
):
    """A listening socket nobody serves: the first connection waits the URL's
    connect_timeout, or 5 s when it asks for more, then one line says so."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        url = f"postgresql://me@127.0.0.1:{port}/records?connect_timeout={asked}"
        started = time.monotonic()
        with pytest.raises(StoreError) as refused:
            check_connection(resolve_store(url))
        waited = time.monotonic() - started

    assert waited_at_least <= waited < waited_at_least + 2.5, waited
    shown = f"cannot connect to postgresql://me@127.0.0.1:{port}/records: "
    reason = str(refused.value).removeprefix(shown)
    assert reason != str(refused.value) and reason not in ("", "None")
