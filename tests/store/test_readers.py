"""Readers who cannot write: a SELECT-only PostgreSQL role and a SQLite file opened
read-only answer every query from the index as it stands, write nothing, say how far the
index is behind the log, and have every write refused in one line naming the right they
lack. Queries run through the installed console script, in processes of their own."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from cli.export import FORMATS
from events.files import validate
from tests.conftest import POSTGRES_ENV, stored_event_count
from tests.factories import doc
from tests.store.helpers import read_only, uspk

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "README.template.md"
SHIPPED_ID = "trump-munir-meeting-2025-06"
CURATED = doc("meeting", "readers-test-meeting", "2025-09-09", participants=["ussm", "fwo"])
LATE = doc("meeting", "readers-test-late-meeting", "2025-09-10", participants=["ussm", "fwo"])
QUERIES = (
    ("timeline", "--format", "json"),
    ("state", "--at", "2025-09-08", "--format", "json"),
    ("replay", "--until", "2025-09"),
    ("diff", "2025-08", "2025-09"),
    ("show", "readers-test-meeting"),
    ("history", SHIPPED_ID),
    ("actors",),
    *(("export", "--format", fmt, "-o", f"OUT/reset.{fmt}") for fmt in FORMATS),
    ("verify",),
)
# What a root process loses to be bound by file modes, as any other user is.
NOT_ROOT_OVER_FILES = ["--bounding-set=-dac_override,-dac_read_search,-fowner"]


def console(address: str, *args: str, prefix: list[str] = (), stdin: bytes | None = None):
    """The installed `uspk` in a process of its own (``prefix``: a command it runs under)."""
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("USPK_DB", None)
    return subprocess.run(
        [*prefix, exe, "--db", address, *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


def answers_every_query(address: str, prefix: list[str] = ()) -> dict[tuple, str]:
    return answers_to(address, QUERIES, prefix)


def answers_to(address: str, queries, prefix: list[str] = ()) -> dict[tuple, str]:  # noqa: ANN001
    """Each query's answer (its standard output, or the file an export wrote: into a
    writable folder of its own, OUT); each must succeed with nothing on stderr."""
    answers = {}
    with tempfile.TemporaryDirectory() as out:
        for query in queries:
            args = [arg.replace("OUT/", f"{out}/") for arg in query]
            result = console(address, *args, prefix=prefix)
            assert result.returncode == 0, (query, result.stderr.decode())
            assert result.stderr == b"", (query, result.stderr.decode())
            written = Path(args[-1]) if "-o" in args else None
            answer = written.read_bytes() if written else result.stdout
            assert answer.strip(), query
            answers[query] = answer.decode(errors="replace")
    return answers


def refused(result: subprocess.CompletedProcess) -> str:
    """A write refused in one line on stderr, exit 1, no traceback; that line."""
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1, result.stderr.decode()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr.decode()
    return lines[0]


def curated_store(path: Path) -> dict[tuple, str]:
    """A SQLite store made by its curator, with one event of theirs; their answers to
    timeline and state, which a reader must see the same."""
    address = str(path)
    assert uspk(address, "--create", "timeline").exit_code == 0
    assert uspk(address, "append", "-", input=json.dumps(CURATED)).exit_code == 0
    return {query: console(address, *query).stdout.decode() for query in QUERIES[:2]}


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with its content's hash."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path))}?mode=ro"


# -- SQLite --------------------------------------------------------------------------------


def test_a_sqlite_file_without_write_permission_answers_every_query_and_refuses_writes(
    tmp_path,
):
    """chmod 0444 in a 0555 folder; a root process gives up the capabilities that let
    it ignore file modes, so the modes bind it as they bind anyone."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    store = folder / "uspk.sqlite"
    curators = curated_store(store)
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root, and no setpriv to give up the capabilities that ignore modes")
        prefix = ["setpriv", *NOT_ROOT_OVER_FILES]
    before = fingerprint(folder)
    store.chmod(0o444)
    folder.chmod(0o555)
    try:
        probe = subprocess.run([*prefix, "touch", str(folder / "probe")], capture_output=True)
        assert probe.returncode != 0, "the folder's mode does not stop this process"

        answers = answers_every_query(str(store), prefix)
        append = console(str(store), "append", "-", prefix=prefix, stdin=json.dumps(LATE).encode())
    finally:
        folder.chmod(0o755)
        store.chmod(0o644)

    for query, answer in curators.items():
        assert json.loads(answers[query]) == json.loads(answer), query
    assert refused(append) == (
        f"Error: {store}: this store is read-only for you: recording needs write permission "
        f"on {store} and its folder; nothing was written"
    )
    assert fingerprint(folder) == before


def test_a_sqlite_file_on_a_read_only_mount_answers_and_refuses_writes(tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    store = folder / "uspk.sqlite"
    curators = curated_store(store)
    before = fingerprint(folder)

    with read_only(folder):  # a read-only bind mount for root, mode 0555 otherwise
        answers = answers_to(str(store), QUERIES[:2])  # every query: the test above
        writes = [
            console(str(store), "append", "-", stdin=json.dumps(LATE).encode()),
            console(str(store), "rebuild"),
            console(str(store), "retract", "readers-test-meeting", *retraction_source()),
        ]

    for query, answer in curators.items():
        assert json.loads(answers[query]) == json.loads(answer), query
    for result in writes:
        assert "this store is read-only for you: " in refused(result)
        assert refused(result).endswith("; nothing was written")
    assert fingerprint(folder) == before


def test_a_mode_ro_address_answers_every_query_and_writes_nothing(tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    store = folder / "uspk.sqlite"
    curators = curated_store(store)
    other = tmp_path / "other.sqlite"
    assert uspk(str(other), "timeline").exit_code == 0
    before = fingerprint(folder)
    address = read_only_uri(store)

    answers = answers_every_query(address)
    writes = {
        "recording": console(address, "append", "-", stdin=json.dumps(LATE).encode()),
        "rebuilding the index": console(address, "rebuild"),
        "copying into it": console(str(other), "copy", str(other), address),
    }
    dry_run = console(address, "append", "--dry-run", "-", stdin=json.dumps(LATE).encode())

    for query, answer in curators.items():
        assert json.loads(answers[query]) == json.loads(answer), query
    for doing, result in writes.items():
        assert refused(result) == (
            f"Error: {store}: this store is read-only for you: {doing} needs an address "
            "without mode=ro; nothing was written"
        )
    assert dry_run.returncode == 0 and b"would append 1 event(s)" in dry_run.stdout
    assert without_sqlite_side_files(fingerprint(folder), store) == before


def without_sqlite_side_files(files: dict[str, str], store: Path) -> dict[str, str]:
    """``files`` less what SQLite makes beside a store opened ``mode=ro`` in a folder it
    may write: its shared-memory index, and a write-ahead log that must be empty."""
    files = dict(files)
    files.pop(f"{store.name}-shm", None)
    empty = hashlib.sha256(b"").hexdigest()
    assert files.pop(f"{store.name}-wal", empty) == empty, "the reader wrote to the log"
    return files


def test_a_write_ahead_log_a_read_only_folder_cannot_read_is_one_line_not_a_stale_answer(
    tmp_path,
):
    """A -wal holding changes beside no -shm (files copied from a store that was open):
    SQLite reads that log only through a -shm it cannot make in a read-only folder, and
    reading the file without it would silently miss the log's changes."""
    store = tmp_path / "uspk.sqlite"
    curated_store(store)
    open_writer = sqlite3.connect(store)
    open_writer.execute("PRAGMA wal_autocheckpoint = 0")  # the change stays in the -wal
    open_writer.execute("CREATE TABLE scratch (x)")
    open_writer.commit()
    folder = tmp_path / "copied"
    folder.mkdir()
    for name in ("uspk.sqlite", "uspk.sqlite-wal"):
        shutil.copy(tmp_path / name, folder / name)
    open_writer.close()
    assert (folder / "uspk.sqlite-wal").stat().st_size > 0

    with read_only(folder):
        line = refused(console(str(folder / "uspk.sqlite"), "timeline"))

    assert line == (
        f"Error: {folder / 'uspk.sqlite'}: its write-ahead log (uspk.sqlite-wal) holds "
        "changes not yet in the file, which SQLite reads only through a -shm file it "
        "cannot make here: a curator runs any uspk command on this store to fold them in"
    )


def test_a_mode_ro_address_is_percent_encoded_and_may_be_relative(tmp_path, monkeypatch):
    folder = tmp_path / "team store"
    folder.mkdir()
    store = folder / "reset #1.sqlite"
    curated_store(store)
    monkeypatch.chdir(tmp_path)

    absolute = uspk(read_only_uri(store), "state", "--at", "2025-09-08")
    relative = uspk("file:team%20store/reset%20%231.sqlite?mode=ro", "state", "--at", "2025-09")

    assert absolute.exit_code == 0 and absolute.stdout.startswith("State on 2025-09-08")
    assert relative.exit_code == 0 and relative.stdout.startswith("State on 2025-09-30")


def test_a_sqlite_uri_other_than_mode_ro_is_refused_in_one_line(tmp_path):
    store = tmp_path / "uspk.sqlite"
    curated_store(store)

    line = refused(console(f"file:{store}?mode=rw", "timeline"))

    assert "the one SQLite URI uspk takes is file:PATH?mode=ro" in line


def test_a_store_without_an_index_is_one_line_naming_the_curators_command(tmp_path):
    source, copied = tmp_path / "source.sqlite", tmp_path / "copied.sqlite"
    curated_store(source)
    assert uspk(str(source), "copy", str(source), str(copied)).exit_code == 0  # the log only
    before = fingerprint(tmp_path)

    line = refused(console(read_only_uri(copied), "timeline"))

    assert line == (
        f"Error: {copied} has no index to read yet, and you may not write one: a curator "
        "makes it by running `uspk rebuild` on this store"
    )
    assert without_sqlite_side_files(fingerprint(tmp_path), copied) == before


# -- both backends: an index behind its log --------------------------------------------


def behind_line(count: int) -> str:
    return (
        f"uspk: the index is {count} recorded change(s) behind the event log, and you may "
        "not catch it up: this answer leaves them out until a curator runs any uspk "
        "command on this store (e.g. `uspk timeline`)"
    )


def test_an_index_behind_its_log_is_reported_with_the_count_and_read_as_it_stands(
    store_address, tmp_path
):
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk

    assert uspk(store_address, "--create", "timeline").exit_code == 0
    if store_address.startswith("postgresql://"):
        reader = reader_role(store_address, grant_existing=True)
    else:
        reader = read_only_uri(Path(store_address))
    # Recorded through the application alone: the log grows, the index does not.
    app = ReplayedUspk(resolve_store(store_address))
    try:
        app.append([validate(CURATED, "curated"), validate(LATE, "late")])
    finally:
        app.close()

    behind = console(reader, "timeline", "--format", "json")
    third = doc("meeting", "readers-test-third", "2025-09-11", participants=["ussm", "fwo"])
    append = console(reader, "append", "-", stdin=json.dumps(third).encode())
    assert uspk(store_address, "timeline").exit_code == 0  # a curator's command catches up
    caught_up = console(reader, "timeline", "--format", "json")

    assert behind.returncode == 0
    assert behind.stderr.decode().splitlines() == [behind_line(2)]
    ids = {entry["id"] for entry in json.loads(behind.stdout)}
    assert SHIPPED_ID in ids and not ids & {CURATED["id"], LATE["id"]}
    assert "this store is read-only for you: recording needs" in refused(append)
    assert caught_up.returncode == 0 and caught_up.stderr == b""
    assert {CURATED["id"], LATE["id"]} <= {entry["id"] for entry in json.loads(caught_up.stdout)}


# -- PostgreSQL: the README's roles --------------------------------------------------------


def readme_role_statements() -> str:
    """The SQL block the README's section on readers shows, as it shows it."""
    text = TEMPLATE.read_text(encoding="utf-8")
    section = text[text.index("### Readers who cannot write") :]
    return re.search(r"```sql\n(.*?)```", section, re.S).group(1)


def with_password(url: str, role: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{host}"))


def run_as_owner(url: str, statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statements)


_ROLES_MADE: list[str] = []  # roles this test made, dropped after it


@pytest.fixture(autouse=True)
def _drop_roles_made():
    """Roles belong to the whole server: dropped after the test, once its database (and
    so everything the roles owned there) is dropped: autouse, this fixture is set up
    before the database's and torn down after it."""
    yield
    if not _ROLES_MADE:  # a SQLite test, or one run without a server
        return
    import psycopg

    with psycopg.connect(os.environ[POSTGRES_ENV], autocommit=True) as connection:
        while _ROLES_MADE:
            connection.execute(f'DROP ROLE IF EXISTS "{_ROLES_MADE.pop()}"')


def reader_role(url: str, grant_existing: bool = False) -> str:
    """A reader role made by the README's statements (their reader part), with SELECT on
    the tables already there when ``grant_existing``; its URL."""
    suffix = uuid.uuid4().hex[:8]
    reader = f"uspk_reader_{suffix}"
    database = urlsplit(url).path.lstrip("/")
    lines = [
        line
        for line in readme_role_statements().split(";")
        if "uspk_reader" in line and "uspk_curator" not in line
    ]
    statements = ";".join(lines).replace("uspk_reader", reader) + ";"
    statements = statements.replace("DATABASE uspk ", f'DATABASE "{database}" ')
    if grant_existing:
        statements += f" GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader};"
    run_as_owner(url, statements)
    _ROLES_MADE.append(reader)
    return with_password(url, reader, "reader-secret")


def retraction_source() -> list[str]:
    return ["--reason", "test", "--publisher", "Test", "--title", "Test", "--published", "2025"]


@pytest.mark.postgres
def test_the_readmes_roles_a_curator_records_and_a_select_only_reader_reads_every_query(
    postgres_url, tmp_path
):
    suffix = uuid.uuid4().hex[:8]
    curator, reader = f"uspk_curator_{suffix}", f"uspk_reader_{suffix}"
    database = urlsplit(postgres_url).path.lstrip("/")
    statements = (
        readme_role_statements()
        .replace("uspk_curator", curator)
        .replace("uspk_reader", reader)
        .replace("DATABASE uspk ", f'DATABASE "{database}" ')
    )
    assert statements.count(curator) >= 3 and statements.count(reader) >= 3
    run_as_owner(postgres_url, statements)
    _ROLES_MADE.extend([reader, curator])
    as_curator = with_password(postgres_url, curator, "curator-secret")
    as_reader = with_password(postgres_url, reader, "reader-secret")
    shown_reader = f"postgresql://{reader}@{urlsplit(postgres_url).netloc.rsplit('@')[-1]}"
    shown_reader += f"/{database}"

    too_early = refused(console(as_reader, "timeline"))
    assert console(as_curator, "append", "-", stdin=json.dumps(CURATED).encode()).returncode == 0
    curators = {query: console(as_curator, *query).stdout.decode() for query in QUERIES[:2]}
    stored = stored_event_count(postgres_url)

    answers = answers_every_query(as_reader)
    writes = {
        "recording": [
            console(as_reader, "append", "-", stdin=json.dumps(LATE).encode()),
            console(as_reader, "retract", "readers-test-meeting", *retraction_source()),
        ],
        "rebuilding the index": [console(as_reader, "rebuild")],
        "copying into it": [console(as_curator, "copy", as_curator, as_reader)],
    }

    assert too_early == (
        f"Error: {shown_reader} holds no uspk store yet, and role {reader} may not make one "
        "(it needs CREATE on schema public): a curator's first command makes it"
    )
    for query, answer in curators.items():
        assert json.loads(answers[query]) == json.loads(answer), query
    for doing, results in writes.items():
        for result in results:
            assert refused(result) == (
                f"Error: {shown_reader}: this store is read-only for you: {doing} needs "
                f"INSERT on table public.uspk_events, which role {reader} lacks; "
                "nothing was written"
            )
    assert stored_event_count(postgres_url) == stored
    assert console(as_curator, "verify").returncode == 0
