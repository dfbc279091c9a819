"""Fixtures shared by every test that touches a store.

``store_address`` runs a test once per backend: a real SQLite file, and a real
PostgreSQL database when ``USPK_TEST_POSTGRES`` names a server
(postgresql://user:pass@host:port/dbname of a database we may CREATE DATABASE from).
Each test gets a database of its own. Without a server the PostgreSQL runs skip with
the reason shown; under CI (``CI`` set) a missing server fails instead.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_ENV = "USPK_TEST_POSTGRES"


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {POSTGRES_ENV} is not: the PostgreSQL tests must run in CI")
    pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV}=postgresql://user:pass@host:port/db")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    admin = _postgres_admin_url()
    name = f"uspk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_address(request, tmp_path) -> str:
    """The address of an empty store, once per backend."""
    if request.param == "sqlite":
        return str(tmp_path / "uspk.sqlite")
    return request.getfixturevalue("postgres_url")


def stored_event_count(address: str) -> int:
    """Rows in the event table, counted with plain SQL (not through uspk)."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address) as conn:
            exists = conn.execute("SELECT to_regclass('public.uspk_events')").fetchone()[0]
            if exists is None:
                return 0
            return conn.execute("SELECT count(*) FROM uspk_events").fetchone()[0]
    if not os.path.exists(address):
        return 0
    with sqlite3.connect(address) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "stored_events" not in tables:
            return 0
        return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


@pytest.fixture
def sanction_kind():
    """A kind without rules of its own (sanction-imposed), declared for one test and
    forgotten after it: what a new kind is, one model class."""
    from events import registry
    from tests.factories import declare_noted_kind

    with registry.declaring():
        yield declare_noted_kind("sanction-imposed", "sanction imposed")
    assert "sanction-imposed" not in registry.kinds()
