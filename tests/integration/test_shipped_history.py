"""The shipped history through December 2025 loads whole into a new store, on both
backends, and what its July–December developments say shows in `state`."""

from __future__ import annotations

import json

from events.history import history_files
from tests.clirunner import Uspk
from tests.shipped import believed_shipped_documents, shipped_amendments, shipped_documents


def test_the_shipped_history_loads_whole_and_reaches_december_2025(store_address):
    uspk = Uspk(store_address)
    entries = uspk.timeline()
    assert {e["id"] for e in entries} == {d.id for d in believed_shipped_documents()}
    assert len(entries) == len(history_files()) - len(shipped_amendments())
    assert max(e["occurred"]["end"] for e in entries) >= "2025-12-01"


def test_the_shipped_history_shows_its_measures_financing_shipments_and_announcements(
    store_address,
):
    uspk = Uspk(store_address)
    state = json.loads(uspk.ok("state", "--at", "2025-12-31", "--format", "json"))
    [tariff] = [m for m in state["measures"] if m["measure"] == "us-reciprocal-tariff-pakistan"]
    assert (tariff["value"], tariff["value_before"], tariff["in_force"]) == ("19%", "29%", True)
    assert tariff["since"]["edtf"] == "2025-08-07"
    exim = next(f for f in state["financing"] if f["id"] == "exim-reko-diq-loan")
    assert exim["stage"] == "approved" and len(exim["history"]) == 2
    shipped_kinds = {d.kind for d in shipped_documents()}
    assert {"shipment", "announcement", "financing", "government-action"} <= shipped_kinds
    assert state["shipments"] and state["announcements"]
    assert state["undetermined"] == []  # every shipped event settled by the year's end
    agreements = {a["id"] for a in state["agreements"]}
    assert {"ussm-fwo-mou", "meg-nlcp-mou", "mof-binance-tokenisation-mou"} <= agreements
