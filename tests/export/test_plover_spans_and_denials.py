"""PLOVER: a multi-day event ends on its last day, and a statement is coded by what it
does to the claim it relates to (a denial is not SUPPORT)."""

from __future__ import annotations

import json

from tests.export.support import append

VISIT = "ussm-mota-engil-visit-2025-09-07"  # 7 to 9 September 2025 in the shipped history


def _statement(event_id: str, **fields) -> dict:
    return {
        "id": event_id,
        "kind": "statement-made",
        "occurred": "2025-10-05",
        "title": f"Statement {event_id}",
        "summary": "A test statement.",
        "speaker": "shehbaz-sharif",
        "quote": "Words said.",
        "sources": [{"publisher": "Test", "title": "A report", "published": "2025-10-05"}],
        **fields,
    }


def records(uspk, tmp_path) -> dict[str, dict]:
    raw = uspk.export(tmp_path, "plover").decode()
    return {r["id"]: r for r in map(json.loads, raw.splitlines())}


def test_a_visits_enddate_is_the_last_day_of_the_whole_visit(uspk, tmp_path):
    until = uspk.timeline("--kind", "visit")
    [visit] = [e for e in until if e["id"] == VISIT]
    assert visit["details"]["until"] == "2025-09-09"
    record = records(uspk, tmp_path)[VISIT]
    assert (record["date"], record["enddate"]) == ("2025-09-07", "2025-09-09")


def test_a_statement_is_coded_by_what_it_does_to_the_claim_it_relates_to(uspk, tmp_path):
    append(
        uspk,
        tmp_path,
        _statement("said"),
        _statement("denied", relates=[{"to": "said", "relation": "denies"}]),
        _statement("disputed", relates=[{"to": "said", "relation": "disputes"}]),
        _statement("confirmed", relates=[{"to": "said", "relation": "confirms"}]),
    )
    coded = {i: (r["event"], r["mode"]) for i, r in records(uspk, tmp_path).items()}
    assert coded["said"] == (["SUPPORT"], [])
    assert coded["denied"] == (["REJECT"], [])
    assert coded["disputed"] == (["ACCUSE"], ["disapprove"])
    assert coded["confirmed"] == (["SUPPORT"], [])
