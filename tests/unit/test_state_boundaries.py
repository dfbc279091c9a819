"""The state on a date, entry by entry and at its edges (projections.state), read from
records alone: each section's entries carry exactly the fields of the README's JSON
contract with the values their events give, and each rule of the date changes its
answer on the right day. Found by the mutation run (scripts/mutants state)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.records import Record
from domain.world import actor_registry
from projections.sections import STATE_KEYS
from projections.state import Narrowing, state_at, state_sections
from tests.factories import actor, financing, government_action, make, signing, step

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OTHER_SOURCE = {"publisher": "Other Daily", "title": "Another report", "published": "2026-06-30"}
DATE_FIELDS = {"edtf", "precision", "start", "end", "approximate", "uncertain", "display"}

ACTORS = make(
    "meeting",
    "intro",
    "2025-06",
    participants=["ussm", "fwo"],
    introduces=[
        actor("ussm", country="United States", role="A lender"),
        actor("fwo", country="Pakistan"),
        actor("munir", "person", role="Army chief"),
        actor("pakistan", "state"),
    ],
)
SIGNING = signing(
    venue="Islamabad",
    witnesses=["munir"],
    minerals=["copper"],
    sectors=["mining"],
    relates=[{"to": "an1", "relation": "realises", "note": "The deal, signed."}],
    alternatives=[{"field": "venue", "value": "Rawalpindi", "said_by": ["Other Daily"]}],
)
COMMITMENT = make(
    "commitment-made",
    "c1",
    "2025-09-08",
    agreement="a1",
    description="First phase.",
    amount=500_000_000,
    currency="USD",
    bound="up-to",
    phase="first",
)
VISIT = make(
    "visit",
    "v1",
    "2025-09-08",
    delegation=["ussm"],
    origin="ussm",
    destination="pakistan",
    purpose="Talks.",
    until="2025-09-10",
)
STEP = step(target="2025-09", agreement="a1")
STATEMENT = make(
    "statement-made",
    "st1",
    "2025-09-08",
    speaker="munir",
    on_behalf_of="pakistan",
    quote="Good.",
    about="a1",
)
TARIFF = make(
    "government-action",
    "ga1",
    "2025-07-31",
    authority="ussm",
    instrument="executive order",
    measure="tariff",
    description="A tariff.",
    subject="pakistan",
    value_before="29%",
    value_after="19%",
    effective="2025-08-07",
)
LOAN = financing("f1", "pledged", "2025-09-01", borrower="fwo", amount=100_000_000, currency="USD")
SHIPMENT = make(
    "shipment",
    "sh1",
    "2025-09-08",
    goods=["copper"],
    quantity="2 t",
    shipper="fwo",
    recipient="ussm",
    origin="Karachi",
    destination="Houston",
    agreement="a1",
    step="s1",
)
ANNOUNCEMENT = make(
    "announcement",
    "an1",
    "2025-09-01",
    deal="d1",
    announcer="ussm",
    counterparties=["fwo"],
    claim="A deal.",
    quote="Yes.",
    money={"amount": 5, "currency": "USD", "stage": "proposed"},
    review_days=30,
)
PROPOSAL = make(
    "proposal",
    "pr1",
    "2025-09-01",
    proposal="p1",
    proposer="munir",
    official=True,
    to=["ussm"],
    claim="A port.",
    money={"amount": 1_000_000_000, "currency": "USD", "stage": "proposed", "bound": "up-to"},
    review_days=10,
)
WORLD = [
    ACTORS,
    SIGNING,
    COMMITMENT,
    VISIT,
    STEP,
    STATEMENT,
    TARIFF,
    LOAN,
    SHIPMENT,
    ANNOUNCEMENT,
    PROPOSAL,
]


def records(happenings) -> list[Record]:
    return [Record(h, NOW, n) for n, h in enumerate(happenings, start=1)]


def state(on: str, *happenings, known_at: datetime | None = None) -> dict:
    return state_at(records(happenings or WORLD), date.fromisoformat(on), known_at)


def plain(value: Any) -> Any:
    """An entry with each date object shown by its EDTF text and each source by its
    publisher: the shapes of dates and sources are ``projections.views``' (tested there);
    which date and which source an entry shows is the state's."""
    if isinstance(value, dict):
        if set(value) == DATE_FIELDS:
            return value["edtf"]
        if {"publisher", "published"} <= set(value):
            return f"source: {value['publisher']}"
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


NO_LINKS = {"relates": [], "alternatives": [], "related_by": []}
SOURCES = {"sources": ["source: Test Gazette"]}


# -- each section's entries, whole --------------------------------------------------------


def test_the_state_has_every_section_of_the_contract_in_order():
    assert list(state("2025-09-09")) == list(STATE_KEYS)


def test_the_state_says_the_day_and_the_moment_it_was_asked_about():
    moment = datetime(2025, 12, 1, 9, 30, tzinfo=UTC)
    asked = state("2025-09-09", *WORLD, known_at=moment)
    assert (asked["as_of"], asked["known_at"]) == ("2025-09-09", "2025-12-01T09:30:00.000000+00:00")


def test_an_agreement_entry_carries_its_signing_and_its_commitments():
    [agreement] = state("2025-09-09")["agreements"]
    assert plain(agreement) == {
        "id": "a1",
        "instrument": "MoU",
        "status": "signed",
        "parties": [{"id": "ussm", "name": "Ussm"}, {"id": "fwo", "name": "Fwo"}],
        "signed": "2025-09-08",
        "venue": "Islamabad",
        "witnesses": [{"id": "munir", "name": "Munir"}],
        "scope": "Critical minerals.",
        "minerals": ["copper"],
        "sectors": ["mining"],
        "commitments": [
            {
                "event_id": "c1",
                "date": "2025-09-08",
                "description": "First phase.",
                "amount": "500000000",
                "currency": "USD",
                "approximate": False,
                "bound": "up-to",
                "phase": "first",
                "display": "up to USD 500 million",
                "status": "made",
                "progress": [{"status": "made", "date": "2025-09-08", "event_id": "c1"}],
                **SOURCES,
                **NO_LINKS,
            }
        ],
        "event_id": "a1-signed",
        **SOURCES,
        "relates": [{"to": "an1", "relation": "realises", "note": "The deal, signed."}],
        "alternatives": [
            {
                "field": "venue",
                "value": "Rawalpindi",
                "said_by": ["Other Daily"],
                "note": None,
                "sources": [],
            }
        ],
        "related_by": [],
    }


def test_a_commitment_without_an_amount_shows_its_description_as_its_display():
    bare = make("commitment-made", "c2", "2025-09-08", agreement="a1", description="Teams.")
    [agreement] = state("2025-09-09", ACTORS, SIGNING, bare)["agreements"]
    [commitment] = agreement["commitments"]
    assert (commitment["amount"], commitment["display"]) == (None, "Teams.")


def test_an_engagement_entry_carries_who_where_and_until_when():
    visit = next(e for e in state("2025-09-09")["engagements"] if e["event_id"] == "v1")
    assert plain(visit) == {
        "event_id": "v1",
        "kind": "visit",
        "title": "visit v1",
        "date": "2025-09-08",
        "until": "2025-09-10",
        "status": "under way",
        "participants": ["ussm"],
        "place": "Pakistan",
        "purpose": "Talks.",
        "outcomes": [],
        "priority_areas": [],
        "hosts": [],
        "mediators": [],
        "opened_by": [],
        "attendance": None,
        **SOURCES,
        **NO_LINKS,
    }


def test_a_conference_and_talks_show_their_hosts_openers_attendance_and_mediators():
    conference = make(
        "conference",
        "conf",
        "2025-09-02",
        hosts=["ussm"],
        participants=["fwo"],
        attendance="About 200",
        opened_by=["munir"],
        place="Islamabad",
        outcomes=["A forum."],
    )
    talks = make(
        "talks",
        "talks",
        "2025-09-03",
        parties=["ussm", "fwo"],
        mediators=["pakistan"],
        place="Doha",
    )
    meeting = make(
        "meeting", "meet", "2025-09-04", participants=["ussm", "fwo"], priority_areas=["Mining"]
    )
    entries = state("2025-09-09", ACTORS, conference, talks, meeting)["engagements"]
    by_id = {e["event_id"]: e for e in entries}
    assert (by_id["conf"]["hosts"], by_id["conf"]["opened_by"]) == (["ussm"], ["munir"])
    assert (by_id["conf"]["attendance"], by_id["conf"]["outcomes"]) == ("About 200", ["A forum."])
    assert (by_id["talks"]["mediators"], by_id["talks"]["place"]) == (["pakistan"], "Doha")
    assert by_id["meet"]["priority_areas"] == ["Mining"]


def test_a_next_step_entry_carries_its_plan_and_history():
    [planned] = state("2025-09-09")["next_steps"]
    assert plain(planned) == {
        "id": "s1",
        "description": "Form teams.",
        "status": "planned",
        "owners": ["ussm"],
        "agreement": "a1",
        "planned": "2025-09-08",
        "target": "2025-09",
        "history": [{"status": "planned", "date": "2025-09-08", "event_id": "s1-planned"}],
        "overdue": False,
        **SOURCES,
        **NO_LINKS,
    }


def test_a_step_that_moved_on_keeps_the_planning_events_sources_and_links():
    planned = step(
        sources=[OTHER_SOURCE],
        alternatives=[{"field": "target", "value": "soon", "said_by": ["Aides"]}],
    )
    moved = make("step-progressed", "p1", "2025-09-09", step="s1", status="under-way")
    [entry] = state("2025-09-09", ACTORS, planned, moved)["next_steps"]
    assert entry["sources"] == [
        {
            "publisher": "Other Daily",
            "title": "Another report",
            "published": entry["sources"][0]["published"],
            "url": None,
            "quote": None,
        }
    ]
    assert [a["value"] for a in entry["alternatives"]] == ["soon"]
    assert [h["event_id"] for h in entry["history"]] == ["s1-planned", "p1"]


def test_an_actor_entry_carries_its_id_name_type_country_and_role():
    assert state("2025-09-09")["actors"] == [
        {
            "id": "ussm",
            "name": "Ussm",
            "type": "organisation",
            "country": "United States",
            "role": "A lender",
        },
        {"id": "fwo", "name": "Fwo", "type": "organisation", "country": "Pakistan", "role": None},
        {"id": "munir", "name": "Munir", "type": "person", "country": None, "role": "Army chief"},
        {"id": "pakistan", "name": "Pakistan", "type": "state", "country": None, "role": None},
    ]


def test_a_statement_entry_names_its_speaker_and_on_whose_behalf():
    [statement] = state("2025-09-09")["statements"]
    assert plain(statement) == {
        "event_id": "st1",
        "date": "2025-09-08",
        "speaker": "Munir",
        "speaker_id": "munir",
        "on_behalf_of": "Pakistan",
        "quote": "Good.",
        "about": "a1",
        "standing": {"status": "reported", "by": []},
        **SOURCES,
        **NO_LINKS,
    }


def test_a_statement_on_nobodys_behalf_says_so():
    alone = make("statement-made", "st2", "2025-09-08", speaker="munir", quote="Mine.")
    [statement] = state("2025-09-09", ACTORS, alone)["statements"]
    assert (statement["speaker"], statement["on_behalf_of"], statement["about"]) == (
        "Munir",
        None,
        None,
    )


def test_a_measure_entry_carries_its_action_whole():
    [measure] = state("2025-09-09")["measures"]
    assert plain(measure) == {
        "measure": "tariff",
        "status": "in force",
        "in_force": True,
        "value": "19%",
        "value_before": "29%",
        "authority": {"id": "ussm", "name": "Ussm"},
        "instrument": "executive order",
        "subject": "pakistan",
        "description": "A tariff.",
        "since": "2025-08-07",
        "ends": None,
        "event_id": "ga1",
        "title": "government-action ga1",
        "date": "2025-07-31",
        **SOURCES,
        **NO_LINKS,
    }


def test_a_financing_entry_carries_its_latest_stage_and_its_history():
    approved = financing(
        "f2", "approved", "2025-09-05", borrower="fwo", instrument="A loan", sources=[OTHER_SOURCE]
    )
    [facility] = state("2025-09-09", ACTORS, LOAN, approved)["financing"]
    assert plain(facility) == {
        "id": "loan",
        "stage": "approved",
        "lender": {"id": "ussm", "name": "Ussm"},
        "borrower": {"id": "fwo", "name": "Fwo"},
        "project": "A mine",
        "instrument": "A loan",
        "amount": "100000000",
        "currency": "USD",
        "bound": "exact",
        "display": "USD 100 million",
        "history": [
            {"status": "pledged", "date": "2025-09-01", "event_id": "f1"},
            {"status": "approved", "date": "2025-09-05", "event_id": "f2"},
        ],
        "event_id": "f2",
        "sources": ["source: Other Daily"],
        **NO_LINKS,
    }


def test_a_financing_without_a_borrower_or_an_amount_shows_none_for_them():
    [facility] = state("2025-10-02", ACTORS, financing("f1", "pledged"))["financing"]
    assert (facility["borrower"], facility["amount"], facility["display"]) == (None, None, None)


def test_a_shipment_entry_carries_its_goods_route_and_what_it_serves():
    [shipment] = state("2025-09-09")["shipments"]
    assert plain(shipment) == {
        "event_id": "sh1",
        "title": "shipment sh1",
        "date": "2025-09-08",
        "goods": ["copper"],
        "quantity": "2 t",
        "shipper": "fwo",
        "recipient": "ussm",
        "origin": "Karachi",
        "destination": "Houston",
        "agreement": "a1",
        "step": "s1",
        **SOURCES,
        **NO_LINKS,
    }


def test_an_announcement_entry_is_realised_by_the_signing_that_realises_it():
    [announcement] = state("2025-09-09")["announcements"]
    assert plain(announcement) == {
        "event_id": "an1",
        "title": "announcement an1",
        "date": "2025-09-01",
        "deal": "d1",
        "announcer": {"id": "ussm", "name": "Ussm"},
        "counterparties": ["fwo"],
        "claim": "A deal.",
        "quote": "Yes.",
        "realised_by": ["a1-signed"],
        "status": "realised",
        "standing": {"status": "reported", "by": []},
        "money": {
            "amount": "5",
            "currency": "USD",
            "bound": "exact",
            "stage": "proposed",
            "display": "USD 5",
        },
        "review": {"days": 30, "ends": "2025-10-01"},
        **SOURCES,
        "relates": [],
        "alternatives": [],
        "related_by": [{"from": "a1-signed", "relation": "realises", "note": "The deal, signed."}],
    }


def test_an_announcement_before_the_signing_that_realises_it_is_not_realised():
    [announcement] = state("2025-09-07")["announcements"]
    assert (announcement["realised_by"], announcement["status"]) == ([], "not realised")
    assert announcement["related_by"] == []


def test_a_proposal_entry_carries_its_proposer_addressees_money_and_review():
    [proposal] = state("2025-09-09")["proposals"]
    assert plain(proposal) == {
        "event_id": "pr1",
        "title": "proposal pr1",
        "date": "2025-09-01",
        "proposal": "p1",
        "proposer": "Munir",
        "proposer_id": "munir",
        "official": True,
        "to": [{"id": "ussm", "name": "Ussm"}],
        "claim": "A port.",
        "status": "proposed",
        "standing": {"status": "reported", "by": []},
        "money": {
            "amount": "1000000000",
            "currency": "USD",
            "bound": "up-to",
            "stage": "proposed",
            "display": "up to USD 1 billion",
        },
        "review": {"days": 10, "ends": "2025-09-11"},
        **SOURCES,
        **NO_LINKS,
    }


def test_an_unnamed_proposer_is_its_description_and_no_amount_or_review_is_none():
    floated = make(
        "proposal", "pr2", "2025-09-01", proposal="p2", unnamed_proposer="Aides", claim="A road."
    )
    [proposal] = state("2025-09-09", ACTORS, floated)["proposals"]
    assert (proposal["proposer"], proposal["proposer_id"], proposal["official"]) == (
        "Aides",
        None,
        None,
    )
    assert (proposal["money"], proposal["review"]) == (None, None)


def test_a_review_period_of_an_event_known_only_to_the_month_has_no_last_day():
    monthly = make(
        "proposal",
        "pr3",
        "2025-08",
        proposal="p3",
        proposer="munir",
        claim="A rail link.",
        review_days=10,
    )
    [proposal] = state("2025-09-09", ACTORS, monthly)["proposals"]
    assert proposal["review"] == {"days": 10, "ends": None}


def answer_to_proposal(relation: str, event_id: str, day: str):
    return make(
        "statement-made",
        event_id,
        day,
        speaker="ussm",
        quote="On the port.",
        relates=[{"to": "pr1", "relation": relation}],
    )


@pytest.mark.parametrize(
    ("relations", "status"),
    [
        ([], "proposed"),
        (["takes-up"], "taken up"),
        (["confirms"], "proposed"),
        (["denies"], "denied"),
        (["disputes"], "disputed"),
        (["takes-up", "withdraws"], "dropped"),
        (["takes-up", "denies"], "disputed"),
    ],
)
def test_a_proposal_is_taken_up_denied_disputed_or_dropped_by_what_bears_on_it(relations, status):
    answers = [
        answer_to_proposal(r, f"ans{n}", f"2025-09-0{2 + n}") for n, r in enumerate(relations)
    ]
    [proposal] = state("2025-09-09", ACTORS, PROPOSAL, *answers)["proposals"]
    assert proposal["status"] == status


def test_a_proposal_taken_up_after_the_date_is_still_proposed_on_it():
    later = answer_to_proposal("takes-up", "ans", "2025-09-10")
    [proposal] = state("2025-09-09", ACTORS, PROPOSAL, later)["proposals"]
    assert proposal["status"] == "proposed"


def test_a_happening_of_a_kind_without_rules_is_noted_as_told(sanction_kind):
    sanction = make(
        "sanction-imposed", "sanction", "2025-09-05", authority="ussm", measure="Licences."
    )
    [noted] = state("2025-09-09", ACTORS, sanction)["noted"]
    assert plain(noted) == {
        "event_id": "sanction",
        "kind": "sanction-imposed",
        "label": "sanction imposed",
        "title": "sanction-imposed sanction",
        "date": "2025-09-05",
        "summary": "A test happening.",
        "actors": ["ussm"],
        "details": {"authority": "ussm", "measure": "Licences."},
        **SOURCES,
        **NO_LINKS,
    }


def test_an_undetermined_entry_names_the_event_and_why():
    september = make("meeting", "sept", "2025-09", participants=["ussm", "fwo"])
    [undetermined] = state("2025-09-09", ACTORS, september)["undetermined"]
    assert plain(undetermined) == {
        "event_id": "sept",
        "kind": "meeting",
        "title": "meeting sept",
        "date": "2025-09",
        "reason": "its date (September 2025) contains 2025-09-09",
    }


def test_a_state_asked_about_one_kind_keeps_only_the_entries_of_that_kind():
    asked = state_at(
        records(WORLD), date(2025, 9, 9), narrowing=Narrowing(kinds=frozenset({"visit"}))
    )
    assert [e["event_id"] for e in asked["engagements"]] == ["v1"]
    assert asked["agreements"] == [] and asked["measures"] == []
    assert [a["id"] for a in asked["actors"]] == ["pakistan", "ussm"]


# -- the edges of the date --------------------------------------------------------------------


def meeting(event_id: str, occurred: str):
    return make("meeting", event_id, occurred, participants=["ussm", "fwo"])


def standing_and_undetermined(on: str, *happenings) -> tuple[list[str], list[str]]:
    asked = state(on, ACTORS, *happenings)
    held = [e["event_id"] for e in asked["engagements"] if e["event_id"] != "intro"]
    return held, [u["event_id"] for u in asked["undetermined"]]


def test_an_event_known_to_the_day_stands_on_that_day_and_not_the_day_before():
    on_the_day = meeting("m", "2025-09-09")
    assert standing_and_undetermined("2025-09-08", on_the_day) == ([], [])
    assert standing_and_undetermined("2025-09-09", on_the_day) == (["m"], [])


def test_an_event_known_to_the_month_is_undetermined_from_its_first_day_to_the_eve_of_its_last():
    september = meeting("m", "2025-09")
    assert standing_and_undetermined("2025-08-31", september) == ([], [])
    assert standing_and_undetermined("2025-09-01", september) == ([], ["m"])
    assert standing_and_undetermined("2025-09-29", september) == ([], ["m"])
    assert standing_and_undetermined("2025-09-30", september) == (["m"], [])


def test_what_depends_on_an_undetermined_event_is_undetermined_saying_why():
    signed = signing(occurred="2025-09")
    pledged = make(
        "commitment-made", "c1", "2025-09-08", agreement="a1", description="First phase."
    )
    asked = state("2025-09-09", ACTORS, signed, pledged)
    assert asked["agreements"] == []
    reasons = {u["event_id"]: u["reason"] for u in asked["undetermined"]}
    assert reasons["a1-signed"] == "its date (September 2025) contains 2025-09-09"
    assert reasons["c1"].startswith("depends on something undetermined: ")
    assert "a1" in reasons["c1"]


def test_an_actor_introduced_by_a_later_event_may_be_named_by_an_earlier_one():
    early = make("meeting", "early", "2025-09-01", participants=["ussm", "newcomer"])
    later = make(
        "meeting",
        "later",
        "2025-10-01",
        participants=["ussm", "newcomer"],
        introduces=[actor("newcomer", role="New")],
    )
    asked = state("2025-09-09", ACTORS, early, later)
    assert [e["event_id"] for e in asked["engagements"]] == ["intro", "early"]
    assert {"id": "newcomer", "role": "New"}.items() <= asked["actors"][-1].items()


@pytest.mark.parametrize(
    ("on", "overdue"), [("2025-09-08", False), ("2025-09-30", False), ("2025-10-01", True)]
)
def test_a_planned_step_is_overdue_once_the_whole_of_its_target_has_passed(on, overdue):
    [planned] = state(on, ACTORS, SIGNING, STEP)["next_steps"]
    assert planned["overdue"] is overdue


def test_a_step_under_way_or_without_a_target_is_never_overdue():
    moving = make("step-progressed", "p1", "2025-09-10", step="s1", status="under-way")
    [under_way] = state("2025-10-01", ACTORS, SIGNING, STEP, moving)["next_steps"]
    [untargeted] = state("2025-12-31", ACTORS, SIGNING, step())["next_steps"]
    assert (under_way["status"], under_way["overdue"]) == ("under-way", False)
    assert untargeted["overdue"] is False


def action(event_id: str, occurred: str, effective: str | None, value: str | None, **more):
    return government_action(event_id, occurred, effective, value_after=value, **more)


def measures(on: str, *actions) -> list[tuple[str, str | None, str]]:
    return [
        (m["status"], m["value"], m["event_id"]) for m in state(on, ACTORS, *actions)["measures"]
    ]


def test_a_measure_is_announced_until_the_day_it_takes_effect_and_in_force_on_it():
    raised = action("raise", "2025-07-31", "2025-08-07", "19%")
    assert measures("2025-08-06", raised) == [("announced, effective 2025-08-07", "19%", "raise")]
    assert measures("2025-08-07", raised) == [("in force", "19%", "raise")]


def test_a_measure_effective_in_a_month_is_undetermined_within_it():
    raised = action("raise", "2025-07-31", "2025-08", "19%")
    asked = state("2025-08-15", ACTORS, raised)
    assert asked["measures"] == []
    [undetermined] = asked["undetermined"]
    assert (undetermined["event_id"], undetermined["reason"]) == (
        "raise",
        "its effective date (August 2025) contains 2025-08-15",
    )
    assert measures("2025-08-31", raised) == [("in force", "19%", "raise")]


def test_the_latest_action_in_force_stands_and_the_ones_to_come_are_announced_in_date_order():
    first = action("first", "2025-07-01", None, "10%")
    second = action("second", "2025-08-01", None, "19%")
    later = action("later", "2025-08-05", "2025-12-01", "25%")
    sooner = action("sooner", "2025-08-06", "2025-10-01", "22%")
    assert measures("2025-09-01", first, second, later, sooner) == [
        ("announced, effective 2025-10-01", "22%", "sooner"),
        ("announced, effective 2025-12-01", "25%", "later"),
        ("in force", "19%", "second"),
    ]


def test_of_two_actions_taking_effect_the_same_day_the_later_recorded_stands():
    announced = action("announced", "2025-07-01", "2025-08-07", "25%")
    revised = action("revised", "2025-07-20", "2025-08-07", "19%")
    assert measures("2025-08-07", announced, revised) == [("in force", "19%", "revised")]
    # One told of later that took effect earlier does not replace it.
    earlier = action("earlier", "2025-07-25", "2025-08-01", "30%")
    assert measures("2025-08-07", revised, earlier) == [("in force", "19%", "revised")]


def test_an_action_that_only_ends_a_measure_is_announced_as_its_end():
    imposed = action("imposed", "2025-07-01", None, "19%")
    lifted = action("lifted", "2025-08-01", "2025-09-01", None, ends="2025-09-01")
    assert measures("2025-08-15", imposed, lifted) == [
        ("announced, ends 2025-09-01", None, "lifted"),
        ("in force", "19%", "imposed"),
    ]
    [(status, _, event_id)] = measures("2025-09-01", imposed, lifted)
    assert (status, event_id) == ("ended 2025-09-01", "lifted")


def test_an_action_that_ends_a_measure_later_is_announced_by_when_it_takes_effect():
    imposed = action("imposed", "2025-07-01", None, "19%")
    ending = action("ending", "2025-08-01", "2025-09-01", "5%", ends="2025-12-31")
    assert measures("2025-08-15", imposed, ending)[0] == (
        "announced, effective 2025-09-01",
        "5%",
        "ending",
    )


def test_an_action_without_a_value_that_ends_after_it_takes_effect_is_announced_by_its_effect():
    imposed = action("imposed", "2025-07-01", None, "19%")
    paused = action("paused", "2025-08-01", "2025-09-01", None, ends="2025-12-31")
    assert measures("2025-08-15", imposed, paused)[0] == (
        "announced, effective 2025-09-01",
        None,
        "paused",
    )
    [ended] = state("2026-01-01", ACTORS, imposed, paused)["measures"]
    assert (ended["status"], ended["ends"]["edtf"]) == ("ended 2025-12-31", "2025-12-31")


def test_an_announced_action_names_its_measure():
    raised = action("raise", "2025-07-31", "2025-08-07", "19%")
    [announced] = state("2025-08-01", ACTORS, raised)["measures"]
    assert (announced["measure"], announced["status"]) == (
        "tariff",
        "announced, effective 2025-08-07",
    )


@pytest.mark.parametrize("on", ["2025-08-01", "2025-08-30"])
def test_each_measure_taking_effect_within_a_month_is_undetermined_from_its_first_day(on):
    tariff = action("tariff-raise", "2025-07-31", "2025-08", "19%")
    quota = action("quota-set", "2025-07-31", "2025-08", "100 t", measure="quota")
    asked = state(on, ACTORS, tariff, quota)
    assert asked["measures"] == []
    assert sorted(u["event_id"] for u in asked["undetermined"]) == ["quota-set", "tariff-raise"]


def test_a_measure_taking_effect_within_a_month_is_in_force_on_its_last_day_not_undetermined():
    tariff = action("tariff-raise", "2025-07-31", "2025-08", "19%")
    asked = state("2025-08-31", ACTORS, tariff)
    assert [m["status"] for m in asked["measures"]] == ["in force"]
    assert asked["undetermined"] == []


# -- found by the mutation run of 6 December (scripts/mutants state) ----------------------


def test_the_fold_says_what_each_happening_it_applied_changed_and_no_other():
    pending = meeting("sept", "2025-09")
    applied: dict[str, list] = {}
    sections = dict(
        state_sections(
            records([ACTORS, SIGNING, COMMITMENT, pending]), date(2025, 9, 9), None, None, applied
        )
    )
    assert [u["event_id"] for u in sections["undetermined"]] == ["sept"]
    assert set(applied) == {"intro", "a1-signed", "c1"}
    assert all(applied[i] for i in applied)


def test_a_state_given_the_record_s_actors_names_one_a_later_dated_event_introduces():
    later = make(
        "meeting",
        "later",
        "2025-12-01",
        participants=["ussm", "fwo"],
        introduces=[actor("zia", "person", role="An envoy")],
    )
    named = make("meeting", "m", "2025-09-08", participants=["ussm", "zia"])
    upto = records([ACTORS, named])
    registry = actor_registry(r.document for r in records([ACTORS, named, later]))
    given = state_at(upto, date(2025, 9, 9), None, registry)
    assert [e["event_id"] for e in given["engagements"]] == ["intro", "m"]
    assert state_at(upto, date(2025, 9, 9)) != given
