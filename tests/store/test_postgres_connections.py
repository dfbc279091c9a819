"""PostgreSQL addresses: every connection parameter of the URL is honoured by every
connection uspk makes, and a store that cannot be reached is reported at once, in one
line that says why."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from service.bootstrap import Session
from service.stores import StoreError, check_connection, resolve_store
from tests.store.helpers import one_line_error, uspk

FAST = 5.0  # seconds: the pool's own wait alone is 10


def with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path, query=""))


def shown(url: str) -> str:
    return resolve_store(url).address


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("postgresql://me@127.0.0.1:99999/uspk", "the port must be a number from 1 to 65535"),
        ("postgresql://me@127.0.0.1:abc/uspk", "the port must be a number from 1 to 65535"),
        ("postgresql://me:secret@[::1/uspk", "is not a valid PostgreSQL URL"),
        ("postgresql://me:secret@127.0.0.1/uspk?no_such_setting=1", "not a valid PostgreSQL URL"),
        ("postgresql://me@127.0.0.1/uspk?connect_timeout=soon", "connect_timeout must be"),
    ],
)
def test_a_malformed_postgresql_url_is_one_line_without_the_password(address, said):
    line = one_line_error(uspk(address, "timeline"))
    assert said in line
    assert "secret" not in line


def test_nothing_listening_is_reported_at_once():
    address = "postgresql://me@127.0.0.1:1/uspk"
    started = time.monotonic()

    line = one_line_error(uspk(address, "timeline"))

    assert time.monotonic() - started < FAST
    assert line.startswith("Error: cannot connect to postgresql://me@127.0.0.1:1/uspk: ")


def test_a_server_that_never_answers_is_given_up_on_after_the_first_connections_limit():
    # A listening socket nobody reads: the connection is accepted and never answered.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        address = f"postgresql://me@127.0.0.1:{silent.getsockname()[1]}/uspk"
        store = resolve_store(address)  # the URL's own limit: 10 s, the pool's
        started = time.monotonic()
        with pytest.raises(StoreError, match="^cannot connect to postgresql://me@127"):
            check_connection(store)
        waited = time.monotonic() - started
    assert 4.5 <= waited < 8  # the first connection's limit, 5 s, not the URL's


@pytest.mark.postgres
def test_a_missing_database_or_role_is_reported_at_once_naming_it(postgres_url):
    no_database = with_path(postgres_url, "/uspk_no_such_database")
    parts = urlsplit(postgres_url)
    no_role = urlunsplit(
        parts._replace(netloc=f"uspk_no_such_role@{parts.hostname}:{parts.port or 5432}")
    )

    for address, name in ((no_database, "uspk_no_such_database"), (no_role, "uspk_no_such_role")):
        started = time.monotonic()
        line = one_line_error(uspk(address, "timeline"))
        assert time.monotonic() - started < FAST
        assert line.startswith(f"Error: cannot connect to {shown(address)}: ")
        assert name in line.removeprefix(f"Error: cannot connect to {shown(address)}: ")


@pytest.mark.postgres
def test_sslmode_require_is_honoured_and_refused_by_a_server_without_tls(postgres_url):
    required = f"{postgres_url}?sslmode=require"

    refused = one_line_error(uspk(required, "timeline"))
    plain = uspk(postgres_url, "timeline")

    assert refused.startswith(f"Error: cannot connect to {shown(postgres_url)}: ")
    assert plain.exit_code == 0, plain.output  # the same server, without the TLS demand


@pytest.mark.postgres
def test_application_name_reaches_the_server_on_every_connection(postgres_url):
    store = resolve_store(f"{postgres_url}?application_name=uspk-test")

    with Session(store) as session:
        with session.app.factory.datastore.transaction(commit=False) as cursor:
            cursor.execute("SHOW application_name")
            pooled = cursor.fetchone()
        with session.views.index.transaction() as statements:
            read_model = statements.one("SHOW application_name")[0]

    assert list(pooled.values()) == ["uspk-test"]  # eventsourcing's pool (dict rows)
    assert read_model == "uspk-test"  # the read model's recorder, on that same pool


@pytest.mark.postgres
def test_the_readme_walkthrough_copies_a_sqlite_history_into_a_new_database(postgres_url, tmp_path):
    """README, "A shared store on PostgreSQL", in its order: a history kept in a SQLite
    file is copied into the new database before any other command uses it; then the
    database answers as the file did, and the old order is refused saying why."""
    sqlite = str(tmp_path / "uspk.sqlite")
    question = ("state", "--at", "2025-09-08", "--format", "json")
    mine = uspk(sqlite, *question)
    assert mine.exit_code == 0, mine.output

    copied = uspk(postgres_url, "copy", sqlite, postgres_url)
    theirs = uspk(postgres_url, *question)

    assert copied.exit_code == 0, copied.output
    assert copied.output.startswith("copied ")
    assert theirs.exit_code == 0, theirs.output
    assert theirs.stdout == mine.stdout


@pytest.mark.postgres
def test_copying_into_a_database_a_command_already_used_says_to_copy_first(postgres_url, tmp_path):
    sqlite = str(tmp_path / "uspk.sqlite")
    assert uspk(sqlite, "timeline").exit_code == 0
    assert uspk(postgres_url, "state", "--at", "2025-09-08").exit_code == 0

    line = one_line_error(uspk(postgres_url, "copy", sqlite, postgres_url))

    assert line.endswith(
        "Copy into a new, empty store, before any other uspk command uses it "
        "(the first use of a store loads the shipped history)"
    )
