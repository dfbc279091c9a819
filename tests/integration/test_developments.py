"""The record follows the relationship (issue 11): a file of developments written here
(not shipped) — a tariff that takes effect, a loan pledged then approved, a shipment
serving a planned step, a commitment fulfilled, an announcement realised by a signing, an
amount "up to" a bound, a source without a title, an amendment that introduces nobody —
appended to the shipped history; `state` before, between and after shows each, on both
backends."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from tests.clirunner import Uspk
from tests.factories import SOURCE, actor, doc
from tests.shipped import shipped_documents

TARIFF = doc(
    "government-action",
    "us-tariff-order-2025-07-31",
    "2025-07-31",
    authority="donald-trump",
    instrument="executive order",
    measure="test-tariff-on-pakistan",  # not the shipped measure: this test's own
    description="Reciprocal tariff on goods from Pakistan",
    subject="pakistan",
    value_before="29%",
    value_after="19%",
    effective="2025-08-07",
)
ANNOUNCED = doc(
    "announcement",
    "trade-deal-announced-2025-07-30",
    "2025-07-30",
    deal="test-trade-deal",
    announcer="donald-trump",
    counterparties=["pakistan"],
    claim="A trade deal with Pakistan has been concluded.",
    # A post whose headline is not known: publisher, date and address identify it.
    sources=[
        {"publisher": "Truth Social", "published": "2025-07-30", "url": "https://t.example/1"}
    ],
)
PLEDGED = doc(
    "financing",
    "mine-loan-pledged-2025-09-20",
    "2025-09-20",
    financing="test-mine-loan",
    stage="pledged",
    lender="test-exim",
    borrower="pakistan",
    project="A test copper mine",
    amount=2_000_000_000,
    currency="USD",
    bound="up-to",
    instrument="loan",
    introduces=[actor("test-exim", name="Test Export-Import Bank")],
)
APPROVED = doc(
    "financing",
    "mine-loan-approved-2025-10-15",
    "2025-10-15",
    financing="test-mine-loan",
    stage="approved",
    lender="test-exim",
    project="A test copper mine",
    amount=1_250_000_000,
    currency="USD",
    relates=[{"to": PLEDGED["id"], "relation": "follows-up"}],
)
STEP = doc(
    "step-planned",
    "test-step-planned-2025-09-10",
    "2025-09-10",
    step="test-survey",
    description="Survey the test deposit.",
    target="2025-10",
)
# A disputed value cited by its own report (said_by is then its publisher).
OTHER_DAILY = {
    "publisher": "Other Daily",
    "title": "Shipment leaves Karachi",
    "published": "2025-10-06",
    "url": "https://example.org/other-daily/shipment",
    "quote": "The consignment left Karachi on 6 October.",
}
CITED_ALTERNATIVE = (
    "occurred given otherwise: 2025-10-06 by Other Daily; source: Other Daily, "
    "\u201cShipment leaves Karachi\u201d, 6 Oct 2025 <https://example.org/other-daily/shipment>"
)
SHIPMENT = doc(
    "shipment",
    "first-shipment-2025-10-05",
    "2025-10-05",
    goods=["antimony", "copper concentrate"],
    quantity="about 2 tonnes",
    shipper="fwo",
    recipient="ussm",
    origin="Karachi",
    destination="United States",
    agreement="ussm-fwo-mou",
    step="identify-minerals-for-immediate-export",
    relates=[{"to": "ussm-fwo-immediate-export-2025-09-08", "relation": "fulfils"}],
    alternatives=[{"field": "occurred", "value": "2025-10-06", "sources": [OTHER_DAILY]}],
)
FULFILLED = doc(
    "commitment-progressed",
    "immediate-export-fulfilled-2025-10-05",
    "2025-10-05",
    commitment="ussm-fwo-immediate-export-2025-09-08",
    status="fulfilled",
)
SIGNED = doc(
    "agreement-signed",
    "trade-agreement-signed-2025-11-10",
    "2025-11-10",
    agreement="test-trade-agreement",
    instrument="trade agreement",
    parties=["united-states", "pakistan"],
    scope="Tariffs and market access.",
    relates=[{"to": ANNOUNCED["id"], "relation": "realises"}],
)
# The June meeting to its day, giving only what changes and its source: no introductions.
MEETING_TO_THE_DAY = {
    "id": "trump-munir-meeting-2025-06-18",
    "kind": "meeting",
    "supersedes": "trump-munir-meeting-2025-06",
    "occurred": "2025-06-18",
    "sources": [{**SOURCE, "title": "Munir lunches at the White House"}],
}
DEVELOPMENTS = [
    TARIFF,
    ANNOUNCED,
    PLEDGED,
    APPROVED,
    STEP,
    SHIPMENT,
    FULFILLED,
    SIGNED,
    MEETING_TO_THE_DAY,
]


@pytest.fixture
def uspk(store_address) -> Uspk:
    uspk = Uspk(store_address)
    appended = uspk("append", "-", input=json.dumps(DEVELOPMENTS))
    assert appended.exit_code == 0, appended.output
    return uspk


def state(uspk: Uspk, at: str) -> dict:
    return json.loads(uspk.ok("state", "--at", at, "--format", "json"))


def ids(items: list[dict], key: str = "event_id") -> list[str]:
    return [item[key] for item in items]


def ours(items: list[dict], key: str, *values: str) -> list[dict]:
    """The items of a state section about this test's own developments (the shipped
    history has measures, financing, shipments and announcements of its own)."""
    return [item for item in items if item[key] in values]


def shipped_status(commitment: str, on: date) -> str:
    """A commitment's status on ``on`` by the shipped history's own progress events."""
    progress = [
        d
        for d in shipped_documents()
        if d.kind == "commitment-progressed" and d.commitment == commitment and d.occurred.end <= on
    ]
    return max(progress, key=lambda d: d.occurred.start).status if progress else "made"


def test_the_amended_june_meeting_stands_on_its_day_with_the_actors_it_introduced(uspk):
    before, after = state(uspk, "2025-06-17"), state(uspk, "2025-06-18")
    assert before["engagements"] == [] and before["undetermined"] == []
    [meeting] = after["engagements"]
    assert meeting["event_id"] == MEETING_TO_THE_DAY["id"]
    assert meeting["date"]["precision"] == "day"
    assert {"asim-munir", "donald-trump"} <= set(ids(after["actors"], "id"))
    shown = json.loads(uspk.ok("show", MEETING_TO_THE_DAY["id"], "--format", "json"))
    # Taken from the meeting it amends, as the file did not give them.
    assert [a["id"] for a in shown["event"]["details"]["introduces"]][-1] == "asim-munir"
    assert shown["event"]["details"]["priority_areas"] == ["critical minerals"]
    assert shown["event"]["title"] == "Field Marshal Asim Munir meets President Trump"
    assert shown["event"]["sources"][0]["title"] == "Munir lunches at the White House"


def test_an_amendment_giving_only_what_changes_appended_again_changes_nothing(uspk):
    again = uspk("append", "-", input=json.dumps(MEETING_TO_THE_DAY))
    assert again.exit_code == 0, again.output
    assert "+ trump-munir-meeting-2025-06-18" not in again.output


def test_an_amendment_giving_only_what_changes_must_name_an_event_of_its_kind(uspk):
    wrong = {**MEETING_TO_THE_DAY, "id": "wrong-kind", "supersedes": SHIPMENT["id"]}
    refused = uspk("append", "-", input=json.dumps(wrong))
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "an amendment must be of the same kind" in refused.output
    assert "nothing was written" in refused.output


def test_a_tariff_is_announced_then_in_force_from_its_effective_date(uspk):
    def measures(at: str) -> list[dict]:
        return ours(state(uspk, at)["measures"], "measure", TARIFF["measure"])

    assert measures("2025-07-30") == []
    [announced] = measures("2025-08-01")
    assert (announced["status"], announced["in_force"]) == (
        "announced, effective 2025-08-07",
        False,
    )
    [in_force] = measures("2025-08-07")
    assert (in_force["measure"], in_force["status"]) == (TARIFF["measure"], "in force")
    assert (in_force["value"], in_force["value_before"]) == ("19%", "29%")
    assert in_force["since"]["edtf"] == "2025-08-07"
    assert in_force["authority"] == {"id": "donald-trump", "name": "Donald Trump"}
    assert "test-tariff-on-pakistan: 19% (in force)" in uspk.ok("state", "--at", "2025-09-01")


def test_an_announcement_stands_unrealised_until_a_signing_realises_it(uspk):
    def announcements(at: str) -> list[dict]:
        return ours(state(uspk, at)["announcements"], "event_id", ANNOUNCED["id"])

    [before] = announcements("2025-08-01")
    assert (before["status"], before["realised_by"]) == ("not realised", [])
    assert before["sources"][0]["title"] is None
    [after] = announcements("2025-11-10")
    assert (after["status"], after["realised_by"]) == ("realised", [SIGNED["id"]])
    text = uspk.ok("show", ANNOUNCED["id"])
    assert f"realised by {SIGNED['id']}" in text
    assert "Truth Social, 30 Jul 2025 <https://t.example/1>" in " ".join(text.split())


def test_a_loan_pledged_up_to_a_bound_is_later_approved(uspk):
    def financing(at: str) -> list[dict]:
        return ours(state(uspk, at)["financing"], "id", PLEDGED["financing"])

    assert financing("2025-09-19") == []
    [pledged] = financing("2025-09-20")
    assert (pledged["stage"], pledged["bound"], pledged["amount"]) == (
        "pledged",
        "up-to",
        "2000000000",
    )
    assert pledged["display"] == "up to USD 2 billion"
    assert pledged["lender"]["name"] == "Test Export-Import Bank"
    [approved] = financing("2025-10-15")
    assert approved["stage"] == "approved" and approved["display"] == "USD 1250 million"
    assert ids(approved["history"]) == [PLEDGED["id"], APPROVED["id"]]
    assert approved["borrower"] == {"id": "pakistan", "name": "Pakistan"}
    assert "[approved] test-mine-loan, USD 1250 million" in uspk.ok("state", "--at", "2025-11-01")


def test_a_shipment_serves_a_planned_step_and_fulfils_a_commitment(uspk):
    assert ours(state(uspk, "2025-10-04")["shipments"], "event_id", SHIPMENT["id"]) == []
    after = state(uspk, "2025-10-05")
    [shipment] = ours(after["shipments"], "event_id", SHIPMENT["id"])
    assert shipment["step"] == "identify-minerals-for-immediate-export"
    assert shipment["relates"] == [
        {"to": "ussm-fwo-immediate-export-2025-09-08", "relation": "fulfils", "note": None}
    ]
    [alternative] = shipment["alternatives"]
    assert alternative["said_by"] == ["Other Daily"]  # derived from its own sources
    assert [(c["publisher"], c["url"], c["quote"]) for c in alternative["sources"]] == [
        (OTHER_DAILY["publisher"], OTHER_DAILY["url"], OTHER_DAILY["quote"])
    ]
    [mou] = [a for a in after["agreements"] if a["id"] == "ussm-fwo-mou"]
    commitments = {c["event_id"]: c for c in mou["commitments"]}
    export = commitments["ussm-fwo-immediate-export-2025-09-08"]
    assert (export["status"], ids(export["progress"])[-1]) == ("fulfilled", FULFILLED["id"])
    assert SHIPMENT["id"] in [r["from"] for r in export["related_by"]]
    assert commitments["ussm-fwo-first-phase-500m-2025-09-08"]["status"] == "made"
    before = state(uspk, "2025-10-04")
    [mou_before] = [a for a in before["agreements"] if a["id"] == "ussm-fwo-mou"]
    then = {c["event_id"]: c["status"] for c in mou_before["commitments"]}
    assert then == {i: shipped_status(i, date(2025, 10, 4)) for i in then}
    assert then[FULFILLED["commitment"]] != "fulfilled"
    shown = uspk.ok("show", "ussm-fwo-immediate-export-2025-09-08")
    assert f"fulfilled by {SHIPMENT['id']}" in shown
    assert "fulfils ussm-fwo-immediate-export-2025-09-08" in uspk.ok("show", SHIPMENT["id"])
    assert CITED_ALTERNATIVE in " ".join(uspk.ok("show", SHIPMENT["id"]).split())


def test_a_step_with_no_progress_is_overdue_once_its_target_has_passed(uspk):
    def survey(at: str) -> dict:
        return next(s for s in state(uspk, at)["next_steps"] if s["id"] == "test-survey")

    assert survey("2025-10-15")["overdue"] is False  # its target month is not over
    assert survey("2025-11-01")["overdue"] is True
    assert "[planned, overdue] test-survey" in uspk.ok("state", "--at", "2025-11-01")


def test_every_event_view_carries_its_relations_and_alternatives(uspk):
    [entry] = [e for e in uspk.timeline() if e["id"] == SHIPMENT["id"]]
    assert entry["relates"][0]["relation"] == "fulfils"
    assert entry["alternatives"][0]["value"] == "2025-10-06"
    assert "relates" not in entry["details"]
    text = uspk.ok("timeline", "--kind", "shipment")
    assert "fulfils ussm-fwo-immediate-export-2025-09-08" in text
    assert "occurred given otherwise: 2025-10-06 by Other Daily" in text


def test_every_export_shows_the_new_sections_relations_and_alternatives(uspk):
    at = ("--at", "2025-11-15")
    fulfils = "fulfils ussm-fwo-immediate-export-2025-09-08"
    data = json.loads(uspk.ok("export", "--format", "json", *at))
    counted = {s: len(data["state"][s.lower()]) for s in ("Measures", "Shipments", "Announcements")}
    counted["Financing"] = len(data["state"]["financing"])
    assert all(counted.values())  # this test's own, at least
    page = uspk.ok("export", "--format", "html", *at)
    for heading, count in counted.items():
        assert f"{heading} ({count})" in page
    assert fulfils in page and f"realised by {SIGNED['id']}" in page
    assert "occurred given otherwise: 2025-10-06 by Other Daily" in page
    assert '<span class="status overdue">overdue</span>' in page
    report = uspk.ok("export", "--format", "markdown", *at)
    assert f"### Measures ({counted['Measures']})" in report
    assert "up to USD 2 billion" not in report  # the test loan is approved by then
    assert "USD 1250 million" in report and fulfils in report
    rows = list(
        csv.DictReader(io.StringIO(uspk.ok("export", "--format", "csv", *at).lstrip("\ufeff")))
    )
    [shipped] = [r for r in rows if r["id"] == SHIPMENT["id"]]
    assert shipped["relates"] == fulfils
    assert shipped["alternatives"] == CITED_ALTERNATIVE
    assert SHIPMENT["id"] in ids(data["state"]["shipments"])
    timelinejs = json.loads(uspk.ok("export", "--format", "timelinejs", *at))
    [slide] = [e for e in timelinejs["events"] if e["unique_id"] == SHIPMENT["id"]]
    assert fulfils in slide["text"]["text"]
    [post] = [e for e in timelinejs["events"] if e["unique_id"] == ANNOUNCED["id"]]
    assert "https://t.example/1" in post["media"]["caption"]


@pytest.mark.parametrize(
    "late",
    [
        # a stage of the same facility going back, in a later batch
        doc(
            "financing",
            "mine-loan-pledged-again-2025-11-01",
            "2025-11-01",
            financing="test-mine-loan",
            stage="pledged",
            lender="test-exim",
            project="A test copper mine",
        ),
        # the fulfilled commitment moving back to under way, in a later batch
        doc(
            "commitment-progressed",
            "export-under-way-again-2025-12-01",
            "2025-12-01",
            commitment=FULFILLED["commitment"],
            status="under-way",
        ),
    ],
    ids=["financing-stage", "commitment-status"],
)
def test_a_later_batch_cannot_move_a_thing_back(uspk, late):
    """The rules of one thing (a facility's stages, a commitment's status) hold across
    batches: the read model finds the thing's earlier events by what they are about."""
    before = uspk.ok("timeline", "--format", "json")
    refused = uspk("append", "-", input=json.dumps(late))
    assert refused.exit_code == 1 and "nothing was written" in refused.output
    assert uspk.ok("timeline", "--format", "json") == before


def test_an_amendment_does_not_carry_the_amended_events_note(uspk):
    """The June meeting's note explains its month precision; the day-precise amendment,
    which gives no note of its own, must not repeat it."""
    original = json.loads(uspk.ok("show", "trump-munir-meeting-2025-06", "--format", "json"))
    assert original["event"]["note"]
    amended = json.loads(uspk.ok("show", MEETING_TO_THE_DAY["id"], "--format", "json"))
    assert amended["event"]["note"] is None
