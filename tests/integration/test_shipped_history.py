"""The shipped history through April 2026 loads whole into a new store, on both backends,
and what its developments say shows in `state`: the 2025 measures and financing at the
end of 2025, and in spring 2026 what the research notes (docs/research/2026-sources.md)
say stood then."""

from __future__ import annotations

import json

from tests.clirunner import Uspk
from tests.shipped import current_documents, recorded_until, shipped_documents


def test_the_shipped_history_loads_whole_and_reaches_2026(store_address):
    uspk = Uspk(store_address)
    entries = uspk.timeline()
    assert {e["id"] for e in entries} == {d.id for d in current_documents()}
    assert len(entries) == len(current_documents())
    assert max(e["occurred"]["end"] for e in entries) == recorded_until() >= "2026-04-01"


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
    assert state["undetermined"] == []  # every 2025 event settled by the year's end
    agreements = {a["id"] for a in state["agreements"]}
    assert {"ussm-fwo-mou", "meg-nlcp-mou", "mof-binance-tokenisation-mou"} <= agreements


def test_in_spring_2026_the_reciprocal_tariff_has_ended_and_the_global_tariff_stands(
    store_address,
):
    """The research: the IEEPA ruling (20 February 2026) ended Pakistan's 19% when
    collection stopped on 24 February; the Section 122 duty, global (no subject), stood
    at 15% from 24 February; the EXIM facility stayed approved while Barrick reviewed
    Reko Diq; the immigrant-visa pause stood from 21 January."""
    state = json.loads(Uspk(store_address).ok("state", "--at", "2026-05-01", "--format", "json"))
    measures = {m["measure"]: m for m in state["measures"]}
    tariff = measures["us-reciprocal-tariff-pakistan"]
    assert (tariff["in_force"], tariff["status"]) == (False, "ended 2026-02-24")
    assert tariff["event_id"] == "us-reciprocal-tariff-pakistan-ends-2026-02-20"
    section_122 = measures["us-section-122-global-tariff"]
    assert (section_122["value"], section_122["in_force"]) == ("15%", True)
    assert section_122["since"]["edtf"] == "2026-02-24"
    assert section_122["subject"] is None  # global, not a measure on Pakistan
    visas = measures["us-immigrant-visa-pause"]
    assert (visas["in_force"], visas["subject"]) == (True, "pakistan")
    exim = next(f for f in state["financing"] if f["id"] == "exim-reko-diq-loan")
    assert exim["stage"] == "approved"
    agreements = {a["id"] for a in state["agreements"]}
    assert {"mof-sc-financial-technologies-mou", "board-of-peace-charter"} <= agreements
    statements = {s["event_id"] for s in state["statements"]}
    assert {
        "trump-iran-ceasefire-credits-pakistan-2026-04-07",
        "barrick-slows-reko-diq-2026-03-26",
        "trump-calls-off-envoys-islamabad-2026-04-25",
    } <= statements
    engagements = {e["event_id"] for e in state["engagements"]}
    ministerial = "critical-minerals-ministerial-2026-02-04-previews-marked"  # as amended
    assert {"islamabad-talks-us-iran-2026-04", ministerial} <= engagements
    assert state["undetermined"] == []  # every event of the spring settled by 1 May


def test_the_first_shipment_is_contradicted_in_the_record_not_rewritten(store_address):
    """October 2025's delivery keeps its 2025 event; Dawn's "sample shipment" stands
    beside it as a statement that contradicts it."""
    state = json.loads(Uspk(store_address).ok("state", "--at", "2025-12-31", "--format", "json"))
    [delivery] = [m for m in state["shipments"] if m["event_id"].endswith("2025-10-02")]
    assert {"from": "dawn-calls-ussm-delivery-a-sample-2025-10-06", "relation": "contradicts"} in [
        {k: r[k] for k in ("from", "relation")} for r in delivery["related_by"]
    ]
