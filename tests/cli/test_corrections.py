"""Correcting the record from the command line: amend, retract, history, --known-at, diff."""

import json

from events.model import SLUG_MAX_LENGTH
from tests.factories import doc
from tests.shipped import EXAMPLES, with_dependents

JUNE = "trump-munir-meeting-2025-06"
LUNCH = "trump-munir-lunch-2025-06-18"
SOURCE = ["--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"]


def recorded_at(uspk, event_id):
    return json.loads(uspk("show", event_id, "--format", "json").output)["event"]["recorded"]


def test_amend_moves_the_june_meeting_to_its_day_and_known_at_before_still_shows_the_month(
    uspk,
):
    assert uspk("timeline").exit_code == 0
    loaded = recorded_at(uspk, JUNE)
    result = uspk("amend", JUNE, str(EXAMPLES / "2025-06-18-trump-munir-lunch.yaml"))
    assert result.exit_code == 0, result.output
    now = json.loads(uspk("timeline", "--format", "json").output)
    assert (now[0]["id"], now[0]["occurred"]["precision"]) == (LUNCH, "day")
    before = json.loads(uspk("timeline", "--known-at", loaded, "--format", "json").output)
    assert (before[0]["id"], before[0]["occurred"]["precision"]) == (JUNE, "month")
    shown = uspk("show", JUNE).output
    assert f"SUPERSEDED by {LUNCH}" in shown
    history = json.loads(uspk("history", JUNE, "--format", "json").output)
    assert [(h["id"], h["standing"]) for h in history] == [(JUNE, "superseded"), (LUNCH, "current")]


def test_amend_refuses_a_file_whose_supersedes_names_another_event(uspk, tmp_path):
    text = (EXAMPLES / "2025-06-18-trump-munir-lunch.yaml").read_text()
    path = tmp_path / "amend.yaml"
    path.write_text(text + "supersedes: delegation-meets-pm-2025-09-08\n")
    result = uspk("amend", JUNE, str(path))
    assert result.exit_code == 1 and "field 'supersedes'" in result.output


PARTIAL = """\
id: trump-munir-lunch-2025-06-18
occurred: "2025-06-18"
sources:
  - publisher: "Review desk"
    title: "A report giving the day"
    published: "2025-06-19"
"""


def test_amend_fills_kind_and_supersedes_from_the_id_so_a_file_gives_only_what_changes(
    uspk, tmp_path
):
    path = tmp_path / "day.yaml"
    path.write_text(PARTIAL)
    result = uspk("amend", JUNE, str(path))
    assert result.exit_code == 0, result.output
    shown = json.loads(uspk.ok("show", LUNCH, "--format", "json"))["event"]
    before = json.loads(uspk.ok("show", JUNE, "--format", "json"))["event"]
    assert shown["kind"] == "meeting" and shown["occurred"]["precision"] == "day"
    kept = ("participants", "outcomes", "priority_areas")
    assert shown["title"] == before["title"]
    assert [shown["details"].get(f) for f in kept] == [before["details"].get(f) for f in kept]
    history = json.loads(uspk.ok("history", JUNE, "--format", "json"))
    assert [(h["id"], h["standing"]) for h in history] == [(JUNE, "superseded"), (LUNCH, "current")]


def test_amend_refuses_a_file_that_gives_another_kind_in_one_line_and_writes_nothing(
    uspk, tmp_path
):
    from tests.conftest import stored_event_count

    assert uspk("timeline").exit_code == 0
    count = stored_event_count(uspk.address)
    path = tmp_path / "visit.yaml"
    path.write_text(PARTIAL + "kind: visit\n")
    result = uspk("amend", JUNE, str(path))
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"Error: {path}: ")
    assert "(meeting), not visit" in result.output and "nothing was written" in result.output
    assert stored_event_count(uspk.address) == count


def test_amend_of_an_unknown_id_with_a_file_that_leaves_out_its_kind_names_close_ids(
    uspk, tmp_path
):
    assert uspk("timeline").exit_code == 0
    path = tmp_path / "day.yaml"
    path.write_text(PARTIAL)
    result = uspk("amend", "trump-munir-meeting-2025-6", str(path))
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "no event with id 'trump-munir-meeting-2025-6'" in result.output
    assert JUNE in result.output


def test_amend_of_a_retraction_with_a_file_that_leaves_out_its_kind_is_refused(uspk, tmp_path):
    event = "ussm-fwo-sustainability-priority-2025-09-08"
    assert uspk("retract", event, "--reason", "test", *SOURCE).exit_code == 0
    path = tmp_path / "day.yaml"
    path.write_text(PARTIAL)
    result = uspk("amend", f"retract-{event}", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == f"Error: {path}: cannot amend 'retract-{event}': it is a retraction\n"


def test_retract_hides_an_event_shows_why_and_known_at_before_still_has_it(uspk):
    event = "ussm-fwo-sustainability-priority-2025-09-08"  # nothing depends on it
    assert uspk("timeline").exit_code == 0
    loaded = recorded_at(uspk, event)
    result = uspk("retract", event, "--reason", "A plan, not a commitment.", *SOURCE)
    assert result.exit_code == 0, result.output
    ids = [e["id"] for e in json.loads(uspk("timeline", "--format", "json").output)]
    assert event not in ids
    then = json.loads(uspk("timeline", "--known-at", loaded, "--format", "json").output)
    assert event in [e["id"] for e in then]
    shown = uspk("show", event).output
    assert "RETRACTED by retract-" in shown and "A plan, not a commitment." in shown


def test_retracting_a_signing_with_commitments_is_refused_naming_them_unless_in_one_batch(uspk):
    signing = "meg-nlcp-mou-signed-2025-09-08"
    refused = uspk("retract", "ussm-fwo-mou-signed-2025-09-08", "--reason", "test", *SOURCE)
    assert refused.exit_code == 1
    assert "ussm-fwo-first-phase-500m-2025-09-08" in refused.output
    assert "retract or amend them in the same batch" in refused.output
    # The MEG-NLCP signing introduces Zach Harkenrider, a witness of the other signing too.
    alone = uspk("retract", signing, "--reason", "test", *SOURCE)
    assert alone.exit_code == 1 and "unknown actor 'zach-harkenrider'" in alone.output
    dependents = with_dependents("ussm-fwo-mou-signed-2025-09-08")
    assert "ussm-fwo-first-phase-500m-2025-09-08" in dependents and signing not in dependents
    together = uspk("retract", *dependents, "--reason", "test", *SOURCE)
    assert together.exit_code == 0, together.output
    state = json.loads(uspk("state", "--at", "2025-09-30", "--format", "json").output)
    assert [a["id"] for a in state["agreements"]] == ["meg-nlcp-mou"]


def test_diff_between_june_and_september_lists_every_happening_with_id_and_source(uspk):
    changes = json.loads(uspk("diff", "2025-06-01", "2025-09-30", "--format", "json").stdout)
    ids = {c["event_id"] for c in changes}
    for expected in (
        JUNE,
        "ussm-mota-engil-visit-2025-09-07",
        "ussm-fwo-mou-signed-2025-09-08",
        "meg-nlcp-mou-signed-2025-09-08",
        "ussm-fwo-first-phase-500m-2025-09-08",
        "step-ussm-polymetallic-refinery-2025-09-08",
    ):
        assert expected in ids
    assert all(c["source"].get("title") or c["source"].get("url") for c in changes)
    text = uspk("diff", "2025-06-01", "2025-09-30").stdout
    assert "+ agreement signed: ussm-fwo-mou" in text and "Source: " in text


def test_diff_with_dates_the_wrong_way_round_is_a_usage_error(uspk):
    result = uspk("diff", "2025-09-30", "2025-06-01")
    assert result.exit_code == 2 and "before FROM" in result.output


def test_retracting_twice_says_by_which_retraction_and_when(uspk):
    event = "ussm-fwo-sustainability-priority-2025-09-08"  # nothing depends on it
    assert uspk("retract", event, "--reason", "A plan.", *SOURCE).exit_code == 0
    when = recorded_at_of_retraction(uspk, event)
    again = uspk("retract", event, "--reason", "Still a plan.", *SOURCE)
    assert again.exit_code == 1
    assert again.output == (
        f"Error: retract {event}: event 'retract-{event}': cannot retract '{event}': "
        f"already retracted by 'retract-{event}' (recorded {when} UTC); nothing was written\n"
    )


def recorded_at_of_retraction(uspk, event_id):
    """When the retraction of ``event_id`` was recorded, as 'YYYY-MM-DD HH:MM:SS'."""
    [entry] = [
        h
        for h in json.loads(uspk("history", event_id, "--format", "json").output)
        if h["kind"] == "retraction"
    ]
    return entry["recorded"].replace("T", " ")[:19]


def test_an_event_with_an_id_of_the_maximum_length_can_be_retracted_once(uspk, tmp_path):
    event = "m" * SLUG_MAX_LENGTH
    document = doc("meeting", event, "2025-09-09", participants=["shehbaz-sharif", "ishaq-dar"])
    path = tmp_path / "long.json"
    path.write_text(json.dumps(document))
    assert uspk("append", str(path)).exit_code == 0

    result = uspk("retract", event, "--reason", "Test.", *SOURCE)

    assert result.exit_code == 0, result.output
    assert event not in [e["id"] for e in uspk.timeline()]
    again = uspk("retract", event, "--reason", "Test again.", *SOURCE)
    assert (
        again.exit_code == 1 and f"cannot retract '{event}': already retracted by" in again.output
    )


def test_a_new_actor_cannot_pass_for_donald_trump_under_the_actor_filter(uspk, tmp_path):
    impostor = {
        "id": "impostor",
        "name": "I. M. Postor",
        "type": "person",
        "aliases": ["Donald Trump"],
    }
    document = doc(
        "meeting",
        "impostor-meeting",
        "2025-09-09",
        participants=["shehbaz-sharif", "impostor"],
        introduces=[impostor],
    )
    path = tmp_path / "impostor.json"
    path.write_text(json.dumps(document))

    result = uspk("append", str(path))

    assert result.exit_code == 1
    assert "'Donald Trump' already names actor donald-trump" in result.output
    ids = {e["id"] for e in uspk.timeline("--actor", "Donald Trump")}
    assert "impostor-meeting" not in ids and JUNE in ids


def test_a_bad_retraction_or_amendment_on_a_new_store_is_refused_before_the_store_is_made(
    uspk, tmp_path
):
    from tests.conftest import stored_event_count

    two = tmp_path / "two.yaml"
    two.write_text(
        json.dumps([doc("meeting", "test-a", participants=["ussm", "fwo"])] * 2), encoding="utf-8"
    )
    refused = {
        "retract": uspk("retract", JUNE, "--reason", "x", *SOURCE[:-1], "not-a-date"),
        "amend": uspk("amend", JUNE, str(two)),
    }
    assert refused["retract"].output.startswith("Error: retraction (id 'retract-trump-munir")
    assert "field 'sources.0.published'" in refused["retract"].output
    assert refused["amend"].output == (
        f"Error: {two}: expected exactly one event (not a retraction)\n"
    )
    assert all(result.exit_code == 1 for result in refused.values())
    assert "created a new store" not in "".join(r.stderr for r in refused.values())
    assert stored_event_count(uspk.address) == 0
