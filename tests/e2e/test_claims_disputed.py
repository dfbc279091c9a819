"""The five developments of issue 20, recorded with the kinds made for them by the
installed console script, on both backends: a pitch by unnamed advisers and its denial,
a multilateral ministerial, a notification with its amount and review period (then
amended), and a misdated meeting (then retracted).

TEST FIXTURES ONLY: the events below are shaped after the issue's table, with test
publishers and dates; they are not facts of the shipped history (events/history/), which
needs real stored sources.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.e2e


def source(publisher: str, published: str, **fields) -> dict:
    title = "Test fixture report"
    return {"publisher": publisher, "title": title, "published": published, **fields}


PITCH = {
    "id": "test-port-pitch-2025-09",
    "kind": "proposal",
    "occurred": "2025-09?",
    "title": "Advisers pitch a US-built, US-run port (test fixture)",
    "summary": "Advisers to the army chief pitch a port; the report says it is not policy.",
    "proposal": "test-port",
    "unnamed_proposer": "advisers to Field Marshal Asim Munir",
    "official": False,
    "to": ["united-states"],
    "claim": "A US-built and US-run port.",
    "sources": [
        source("Test Times", "2025-10-03"),
        source(
            "Test Mint",
            "2025-10-04",
            relays={"publisher": "Test Times", "published": "2025-10-03"},
        ),
    ],
}
DENIAL = {
    "id": "test-no-official-offer-2025-10-05",
    "kind": "statement-made",
    "occurred": "2025-10-05",
    "title": "A senior security official: no official offer (test fixture)",
    "summary": "A senior security official tells state TV there was no official offer.",
    "unnamed_speaker": "a senior security official",
    "quote": "There was no official offer.",
    "relates": [{"to": PITCH["id"], "relation": "denies"}],
    "sources": [source("Test State TV", "2025-10-05", stance="reports")],
}
MINISTERIAL = {
    "id": "test-ministerial-2025-10-06",
    "kind": "conference",
    "occurred": "2025-10-06",
    "until": "2025-10-07",
    "title": "A multilateral ministerial (test fixture)",
    "summary": "Two days, many delegations; a Pakistani minister attends.",
    "hosts": ["united-states"],
    "opened_by": ["jd-vance", "marco-rubio"],
    "participants": ["pakistan", "muhammad-aurangzeb"],
    "attendance": "more than 50 delegations",
    "place": "Washington",
    "sources": [source("Test Wire", "2025-10-08")],
}
NOTIFICATION = {
    "id": "test-arms-sale-notified-2025-10-08",
    "kind": "announcement",
    "occurred": "2025-10-08",
    "title": "A proposed arms sale notified to Congress (test fixture)",
    "summary": "A proposed sale to Pakistan is notified to Congress.",
    "deal": "test-arms-sale",
    "announcer": "united-states",
    "counterparties": ["pakistan"],
    "claim": "A proposed sale, under review.",
    "money": {"amount": 686000000, "currency": "USD", "stage": "notified"},
    "review_days": 30,
    "sources": [source("Test Agency", "2025-10-08")],
}
AMENDMENT = {
    "id": "test-arms-sale-notified-2025-10-08-amended",
    "kind": "announcement",
    "supersedes": NOTIFICATION["id"],
    "summary": "A proposed sale to Pakistan is notified to Congress, as corrected.",
    "money": {"amount": 686000000, "currency": "USD", "bound": "up-to", "stage": "notified"},
    "sources": [source("Test Agency", "2025-10-09")],
}
MISDATED = {
    "id": "test-misdated-meeting-2025-10-01",
    "kind": "meeting",
    "occurred": "2025-10-01",
    "title": "A meeting one outlet misdated (test fixture)",
    "summary": "A meeting that did not happen on this day.",
    "participants": ["shehbaz-sharif", "ishaq-dar"],
    "sources": [source("Test Daily", "2025-10-02")],
}


@pytest.fixture
def uspk(store_address, tmp_path):
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"

    def run(*args: str, stdin: str | None = None) -> str:
        env = {**os.environ, "USPK_DB": store_address, "HOME": str(tmp_path)}
        result = subprocess.run(
            [exe, *args],
            capture_output=True,
            env=env,
            cwd=tmp_path,
            input=None if stdin is None else stdin.encode(),
        )
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode()

    return run


def test_the_five_developments_read_as_the_sources_tell_them(uspk, tmp_path):
    batch = [PITCH, DENIAL, MINISTERIAL, NOTIFICATION, MISDATED]
    uspk("append", "-", stdin=json.dumps(batch))
    (tmp_path / "amend.json").write_text(json.dumps(AMENDMENT))
    uspk("amend", NOTIFICATION["id"], "amend.json")
    uspk(
        "retract",
        MISDATED["id"],
        "--reason",
        "Misdated by the outlet, which retracted it.",
        *("--publisher", "Test Daily", "--title", "Correction", "--published", "2025-10-03"),
    )

    text = uspk("state", "--at", "2025-10-10", "--all")
    said = text.split("What was said", 1)[1]
    pitch = said.split(f"[{PITCH['id']}]", 1)[1]
    assert pitch.lstrip().startswith("A US-built and US-run port.")
    assert "proposal test-port: denied, not official" in pitch
    assert f"DENIED: denied by a senior security official, 5 Oct 2025 ({DENIAL['id']})" in (
        " ".join(pitch.split())
    )
    engagements = " ".join(text.split("Engagements", 1)[1].split("Next steps", 1)[0].split())
    assert (
        "hosted by United States; opened by JD Vance, Marco Rubio; with Pakistan, "
        "Muhammad Aurangzeb; more than 50 delegations"
    ) in engagements
    notification = " ".join(said.split(f"[{AMENDMENT['id']}]", 1)[1].split())
    assert "amount: up to USD 686 million (notified); review: 30 days, to 2025-11-07" in (
        notification
    )
    assert MISDATED["id"] not in text

    state = json.loads(uspk("state", "--at", "2025-10-10", "--format", "json"))
    [proposal] = state["proposals"]
    assert proposal["status"] == "denied" and proposal["official"] is False
    assert [(b["event_id"], b["who"]) for b in proposal["standing"]["by"]] == [
        (DENIAL["id"], "a senior security official")
    ]
    [shown] = json.loads(uspk("timeline", "--kind", "proposal", "--format", "json"))
    assert shown["sources"][1]["relays"]["publisher"] == "Test Times"
    assert "Test Mint, \u201cTest fixture report\u201d, 4 Oct 2025, reporting Test Times" in uspk(
        "show", PITCH["id"]
    )


def test_the_exports_name_the_pitch_denied_and_the_schema_and_templates_know_the_new_kinds(
    uspk, tmp_path
):
    uspk("append", "-", stdin=json.dumps([PITCH, DENIAL, MINISTERIAL, NOTIFICATION]))
    denied = f"DENIED: denied by a senior security official, 5 Oct 2025 ({DENIAL['id']})"
    for fmt in ("markdown", "html"):
        page = uspk("export", "--format", fmt, "--at", "2025-10-10")
        assert denied in " ".join(page.split()), fmt
    page = " ".join(uspk("export", "--format", "html", "--at", "2025-10-10").split())
    assert "(hosted by United States; opened by JD Vance, Marco Rubio; with Pakistan," in page
    schema = json.dumps(json.loads(uspk("schema")))
    for name in ("proposal", "conference", "talks", "unnamed_speaker", "review_days", "relays"):
        assert f'"{name}"' in schema, name
    for kind in ("proposal", "conference", "talks"):
        assert f"kind: {kind}" in uspk("new", kind)
