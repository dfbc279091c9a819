"""The index's transactions on PostgreSQL are ours from end to end: a page of rows folded
in Python between two statements, or a timeline's pages written to a reader who pauses,
is not cut short by the pool's limit on a session idle in a transaction (eventsourcing
sets 5 s; a 10k-event catch-up under load was ended halfway by it)."""

from __future__ import annotations

import time

import pytest

from projections.readmodel import ReadModel
from service.application import Uspk as Application
from service.stores import resolve_store
from tests.clirunner import Uspk


@pytest.mark.postgres
@pytest.mark.parametrize("lock", [False, True], ids=["read", "write"])
def test_an_index_transaction_idle_past_the_pools_limit_goes_on(postgres_url, monkeypatch, lock):
    Uspk(postgres_url).ok("timeline")  # the store and its index made
    monkeypatch.setenv("POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "1")
    app = Application(resolve_store(postgres_url))
    try:
        index = ReadModel(app)
        with index.transaction(lock) as sql:
            first = sql.one("SELECT COUNT(*) FROM uspk_view_events")
            time.sleep(2.5)  # as long as a big page's fold, or a reader paging by hand
            assert sql.one("SELECT COUNT(*) FROM uspk_view_events") == first
    finally:
        app.close()
