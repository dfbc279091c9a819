"""Dates of any year 0001-9999, moments at the edges of what UTC can hold, periods given
as opening or closing bounds, and amounts: what is accepted is stored and read back
exactly, and what cannot be is refused in one line before anything is written."""

import json

import pytest
import yaml

from tests.conftest import stored_event_count
from tests.factories import SOURCE, doc
from tests.shipped import believed_shipped_documents

PARTICIPANTS = ["shehbaz-sharif", "ishaq-dar"]
SEPTEMBER = sum(  # shipped events that occurred in September 2025, as a new store believes
    d.occurred.edtf.startswith("2025-09") for d in believed_shipped_documents()
)
LAST_INSTANT_BEHIND_UTC = "9999-12-31T23:59:59-05:00"  # after UTC's last instant
FIRST_INSTANT_AHEAD_OF_UTC = "0001-01-01T00:00:00+05:00"  # before UTC's first instant


def write(tmp_path, name: str, document: dict) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def ids(entries: list[dict]) -> list[str]:
    return [e["id"] for e in entries]


def test_a_year_before_1000_is_stored_and_every_command_still_works(uspk, tmp_path):
    old = doc(
        "meeting",
        "council-of-999",
        "0999-05-01",
        participants=PARTICIPANTS,
        sources=[{**SOURCE, "published": "0500"}],
    )
    assert uspk.ok("append", "--dry-run", write(tmp_path, "old.yaml", old))
    assert "+ council-of-999" in uspk.ok("append", str(tmp_path / "old.yaml"))

    shown = json.loads(uspk.ok("show", "council-of-999", "--format", "json"))["event"]
    assert shown["occurred"]["edtf"] == "0999-05-01"
    assert shown["sources"][0]["published"]["edtf"] == "0500"
    assert ids(uspk.timeline("--until", "1000")) == ["council-of-999"]
    uspk.ok("state", "--at", "0999-05-01")
    uspk.ok("state", "--at", "2025-09-09", "--format", "json")
    exported = json.loads(uspk.ok("export", "--format", "json"))
    assert exported["events"][0]["occurred"]["edtf"] == "0999-05-01"
    uspk.ok("rebuild")
    uspk.ok(
        "retract", "council-of-999", "--reason", "Legend.",
        "--publisher", "P", "--title", "T", "--published", "0500",
    )  # fmt: skip
    assert "council-of-999" not in ids(uspk.timeline())
    uspk.ok("append", str(tmp_path / "old.yaml"))  # appending again is still a no-op


def test_known_at_a_date_before_year_1000_knows_nothing_yet(uspk):
    assert uspk.timeline()  # the shipped history, recorded now
    assert uspk.timeline("--known-at", "0300-06-30") == []
    assert uspk.timeline("--known-at", "0300-06-30T12:00:00") == []


def test_known_at_after_the_last_instant_utc_can_hold_is_as_known_now(uspk):
    now = uspk.timeline()
    assert uspk.timeline("--known-at", LAST_INSTANT_BEHIND_UTC) == now
    assert uspk.timeline("--known-at", "9999-12-31") == now
    state = json.loads(
        uspk.ok(
            "state", "--at", "2025-09", "--known-at", LAST_INSTANT_BEHIND_UTC, "--format", "json"
        )
    )
    assert state["agreements"]
    uspk.ok("diff", "2025-08", "2025-09", "--known-at", LAST_INSTANT_BEHIND_UTC)
    uspk.ok("export", "--format", "json", "--known-at", LAST_INSTANT_BEHIND_UTC)


def test_known_at_before_the_first_instant_utc_can_hold_knows_nothing(uspk):
    assert uspk.timeline()
    assert uspk.timeline("--known-at", FIRST_INSTANT_AHEAD_OF_UTC) == []
    assert uspk.timeline("--known-at", "0001-01-01T00:00:00") == []
    uspk.ok("state", "--at", "2025-09", "--known-at", FIRST_INSTANT_AHEAD_OF_UTC)


def test_since_a_month_means_its_first_day_and_until_its_last(uspk):
    september = uspk.timeline("--since", "2025-09", "--until", "2025-09")
    assert len(september) == SEPTEMBER
    assert september == uspk.timeline("--since", "2025-09-01", "--until", "2025-09-30")
    assert uspk.timeline("--since", "2025") == uspk.timeline()
    assert ids(uspk.timeline("--until", "2025-06")) == ["trump-munir-meeting-2025-06"]


def test_replay_until_a_month_goes_to_its_last_day(uspk):
    steps = json.loads(uspk.ok("replay", "--until", "2025-09", "--format", "json"))
    assert len(steps) == len(uspk.timeline("--until", "2025-09-30"))


def test_diff_of_two_months_is_what_changed_in_the_second(uspk):
    changed = json.loads(uspk.ok("diff", "2025-08", "2025-09", "--format", "json"))
    assert "ussm-fwo-mou-signed-2025-09-08" in {c["event_id"] for c in changed}
    assert json.loads(uspk.ok("diff", "2025-04", "2025-05", "--format", "json")) == []


def test_the_help_of_every_date_option_says_which_day_of_a_period_it_means(uspk):
    assert "means its first day" in " ".join(uspk.ok("timeline", "--help").split())
    for command in (["timeline"], ["state"], ["replay"], ["export"], ["diff"]):
        assert "means its last day" in " ".join(uspk.ok(*command, "--help").split())


@pytest.mark.parametrize(
    "amount",
    ["1E-1000000000", "1E-99999999999999999999", "0.0000001", "1000000000000001", "0E+100"],
)
def test_an_amount_that_cannot_be_written_out_in_bounded_space_is_refused(uspk, tmp_path, amount):
    assert uspk.timeline()
    before = stored_event_count(uspk.address)
    document = doc(
        "commitment-made",
        "test-huge-amount",
        agreement="ussm-fwo-mou",
        description="Too precise.",
        amount=amount,
    )
    path = write(tmp_path, "amount.yaml", document)
    for args in (("append", "--dry-run", path), ("append", path)):
        result = uspk(*args)
        assert result.exit_code == 1, result.output
        assert result.output == (
            f"Error: {path}: event (id 'test-huge-amount'), field 'amount': expected an "
            "amount from 0 to 10^15 (1000000000000000) with at most 6 decimal places, "
            "such as 500000000 or 1.25\n"
        )
    assert stored_event_count(uspk.address) == before


@pytest.mark.parametrize("amount", ["0.000001", "1000000000000000", "999999999999999.999999"])
def test_an_amount_at_the_bounds_is_kept_exactly(uspk, tmp_path, amount):
    document = doc(
        "commitment-made",
        "test-bound-amount",
        agreement="ussm-fwo-mou",
        description="At the bound.",
        amount=amount,
    )
    uspk.ok("append", write(tmp_path, "amount.yaml", document))
    shown = json.loads(uspk.ok("show", "test-bound-amount", "--format", "json"))
    assert shown["event"]["details"]["amount"] == amount
    state = json.loads(uspk.ok("state", "--at", "2025-09-09", "--format", "json"))
    amounts = {c["amount"] for a in state["agreements"] for c in a["commitments"]}
    assert amount in amounts


@pytest.mark.parametrize(
    ("occurred", "expected"),
    [
        ("2099-01-01", "occurred 2099-01-01 is after it is recorded"),
        ("9999", "occurred 9999 is after it is recorded"),
    ],
)
def test_the_dry_run_refuses_exactly_what_the_append_refuses(uspk, tmp_path, occurred, expected):
    assert uspk.timeline()
    before = stored_event_count(uspk.address)
    path = write(
        tmp_path,
        "future.yaml",
        doc("meeting", "test-future", occurred, participants=PARTICIPANTS),
    )
    dry, real = uspk("append", "--dry-run", path), uspk("append", path)
    assert dry.exit_code == real.exit_code == 1
    assert dry.output == real.output and expected in real.output
    assert stored_event_count(uspk.address) == before


@pytest.mark.parametrize("name", ["amount.json", "amount.yaml"])
def test_an_amount_written_as_a_number_is_kept_exactly_not_rounded(uspk, tmp_path, name):
    document = doc(
        "commitment-made",
        "test-number-amount",
        agreement="ussm-fwo-mou",
        description="Written as a number.",
        amount="AMOUNT",
    )
    number = "123456789012.345678"  # a float would keep 123456789012.34567
    written = json.dumps(document) if name.endswith(".json") else yaml.safe_dump(document)
    path = tmp_path / name
    path.write_text(written.replace('"AMOUNT"', number).replace("AMOUNT", number))
    uspk.ok("append", str(path))
    shown = json.loads(uspk.ok("show", "test-number-amount", "--format", "json"))
    assert shown["event"]["details"]["amount"] == number
