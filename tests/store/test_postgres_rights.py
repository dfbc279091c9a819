"""The first connection to a PostgreSQL store asks what the connecting role may do
(service.stores.check_connection), in this process: a role that may not make a store
that is not there yet is refused naming the right it needs, one that may read a store
but not record in it gets it read-only naming the right it lacks, and one that may do
both gets the store as it was. In the schema eventsourcing is told to use, else
public. The README's roles, end to end through the console script, are
tests/store/test_readers.py's."""

from __future__ import annotations

import uuid
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import pytest

from service.stores import StoreError, check_connection, resolve_store
from tests.clirunner import Uspk

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(postgres_url):
    """Make login roles on the test's server (roles are the server's, not the
    database's: each is dropped after the test, with what it was granted)."""
    import psycopg

    made: list[str] = []

    def make(*grants: str) -> tuple[str, str]:
        role = f"uspk_rights_{uuid.uuid4().hex[:8]}"
        statements = [f'CREATE ROLE "{role}" LOGIN', *(g.format(role=role) for g in grants)]
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
        made.append(role)
        parts = urlsplit(postgres_url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return role, urlunsplit(parts._replace(netloc=f"{role}@{host}"))

    yield make
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        for role in made:
            connection.execute(f'DROP OWNED BY "{role}"')
            connection.execute(f'DROP ROLE "{role}"')


def as_owner(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def made_store(url: str) -> None:
    Uspk(url).ok("timeline")  # the first command makes the store (and its index)


def test_a_role_that_may_not_make_a_store_not_yet_made_is_refused_naming_the_right(roles):
    role, url = roles()  # PostgreSQL 15: no CREATE on public for other roles
    store = resolve_store(url)
    with pytest.raises(StoreError) as refused:
        check_connection(store)
    assert str(refused.value) == (
        f"{store.address} holds no uspk store yet, and role {role} may not make one "
        "(it needs CREATE on schema public): a curator's first command makes it"
    )


def test_a_role_that_may_make_the_store_gets_it_as_it_was(roles):
    _, url = roles('GRANT CREATE ON SCHEMA public TO "{role}"')
    store = resolve_store(url)
    assert check_connection(store) is store


def test_a_role_that_may_read_the_store_but_not_record_gets_it_read_only(postgres_url, roles):
    made_store(postgres_url)
    role, url = roles('GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    store = resolve_store(url)
    checked = check_connection(store)
    assert checked.read_only == f"INSERT on table public.uspk_events, which role {role} lacks"
    assert checked.env == {**store.env, "CREATE_TABLE": "no"}
    assert (checked.address, checked.new) == (store.address, store.new)


def test_a_role_that_may_record_in_the_store_gets_it_as_it_was(postgres_url, roles):
    made_store(postgres_url)
    _, url = roles('GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO "{role}"')
    store = resolve_store(url)
    assert check_connection(store) is store


@pytest.mark.parametrize("told", ["store", "environment"])
def test_the_rights_asked_are_those_in_the_schema_eventsourcing_is_told_to_use(
    postgres_url, roles, monkeypatch, told
):
    as_owner(postgres_url, "CREATE SCHEMA records")
    role, url = roles(
        'GRANT USAGE ON SCHEMA records TO "{role}"', 'GRANT CREATE ON SCHEMA public TO "{role}"'
    )
    store = resolve_store(url)
    if told == "store":
        store = replace(store, env={**store.env, "POSTGRES_SCHEMA": "records"})
    else:
        monkeypatch.setenv("POSTGRES_SCHEMA", "records")
    with pytest.raises(
        StoreError, match=f"role {role} may not make one .it needs CREATE on schema records.: "
    ):
        check_connection(store)

    as_owner(postgres_url, "CREATE TABLE records.uspk_events (id integer)")
    as_owner(postgres_url, f'GRANT SELECT ON records.uspk_events TO "{role}"')
    assert check_connection(store).read_only == (
        f"INSERT on table records.uspk_events, which role {role} lacks"
    )
