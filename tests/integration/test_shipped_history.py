"""The developments of July–December 2025 written for the new kinds but not shipped yet
(events/history-pending/): they stay valid, appended together to a store holding the
shipped history, and what they say shows in `state`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirunner import Uspk

PENDING = sorted((Path(__file__).parents[2] / "events" / "history-pending").glob("*.yaml"))


@pytest.mark.skipif(not PENDING, reason="no pending history files")
def test_the_pending_history_appends_whole_and_shows_in_state(store_address):
    uspk = Uspk(store_address)
    appended = uspk("append", *map(str, PENDING))
    assert appended.exit_code == 0, appended.output
    assert f"appended {len(PENDING)} event(s)" in appended.stdout
    state = json.loads(uspk.ok("state", "--at", "2025-12-31", "--format", "json"))
    [tariff] = [m for m in state["measures"] if m["measure"] == "us-reciprocal-tariff-pakistan"]
    assert (tariff["value"], tariff["in_force"]) == ("19%", True)
    assert {f["stage"] for f in state["financing"]} >= {"approved"}
    assert state["shipments"] and state["announcements"]
