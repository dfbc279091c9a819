"""Asking the shipped history its questions through the command line."""

import csv
import io
import json

from tests.shipped import current_documents, shipped_documents


def test_state_json_on_the_seventh_lists_no_signed_agreement(uspk):
    result = uspk("state", "--at", "2025-09-07", "--format", "json")
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert state["agreements"] == [] and state["as_of"] == "2025-09-07"


def test_state_json_on_the_eighth_lists_both_mous_the_500m_and_planned_steps(uspk):
    state = json.loads(uspk("state", "--at", "2025-09-08", "--format", "json").stdout)
    agreements = {a["id"]: a for a in state["agreements"]}
    assert set(agreements) == {"ussm-fwo-mou", "meg-nlcp-mou"}
    assert [p["id"] for p in agreements["meg-nlcp-mou"]["parties"]] == ["mota-engil", "nlcp"]
    assert "rare earth elements" in agreements["ussm-fwo-mou"]["minerals"]
    displays = [c["display"] for c in agreements["ussm-fwo-mou"]["commitments"]]
    assert "about USD 500 million" in displays
    assert len(state["next_steps"]) == 5
    assert all(step["status"] == "planned" for step in state["next_steps"])
    for key in ("as_of", "agreements", "engagements", "next_steps", "actors", "undetermined"):
        assert key in state


def test_state_text_fits_an_80_column_terminal(uspk):
    result = uspk("state", "--at", "2025-09-08")
    assert result.exit_code == 0
    assert "USD 500 million" in result.output
    too_long = [line for line in result.stdout.splitlines() if len(line) > 80]
    assert all(" " not in line.strip() for line in too_long), too_long  # only unbreakable ids


def test_a_month_asked_about_lists_events_inside_it_as_undetermined(uspk):
    state = json.loads(uspk("state", "--at", "2025-06-10", "--format", "json").stdout)
    assert [u["event_id"] for u in state["undetermined"]] == ["trump-munir-meeting-2025-06"]
    assert state["engagements"] == []


def test_timeline_begins_with_the_june_meeting_at_month_precision_each_with_a_source(uspk):
    result = uspk("timeline")
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("June 2025 [month]") and "trump-munir-meeting-2025-06" in first
    blocks = result.stdout.strip().split("\n\n")[:-1]
    assert len(blocks) == len(current_documents())
    assert all("Source: " in block for block in blocks)


def test_timeline_filters_by_actor_kind_and_dates(uspk):
    entries = json.loads(uspk("timeline", "--actor", "Natalie Baker", "--format", "json").stdout)
    hers = [d for d in shipped_documents() if "natalie-baker" in d.actors]
    assert {e["id"] for e in entries} == {d.id for d in hers}
    assert "baker-statement-on-mou-2025-09-08" in [e["id"] for e in entries]
    signed = json.loads(uspk("timeline", "--kind", "agreement-signed", "--format", "json").stdout)
    signings = [d for d in shipped_documents() if d.kind == "agreement-signed"]
    assert {e["details"]["agreement"] for e in signed} == {d.agreement for d in signings}
    assert {"ussm-fwo-mou", "meg-nlcp-mou"} <= {d.agreement for d in signings}
    june = json.loads(uspk("timeline", "--until", "2025-06-30", "--format", "json").stdout)
    assert [e["id"] for e in june] == ["trump-munir-meeting-2025-06"]


def test_timeline_unknown_actor_suggests_close_names(uspk):
    result = uspk("timeline", "--actor", "Shehbaz Sharef")
    assert result.exit_code == 2
    assert "Shehbaz Sharif" in result.output and "Traceback" not in result.output


def test_timeline_csv_has_one_row_per_event_with_date_precision(uspk):
    rows = list(csv.DictReader(io.StringIO(uspk("timeline", "--format", "csv").stdout)))
    assert len(rows) == len(current_documents())
    assert (rows[0]["date"], rows[0]["precision"], rows[0]["start"], rows[0]["end"]) == (
        "2025-06",
        "month",
        "2025-06-01",
        "2025-06-30",
    )


def test_timeline_markdown_footnotes_every_source(uspk):
    output = uspk("timeline", "--format", "markdown").stdout
    assert output.startswith("| Date | Kind | Event | Sources |")
    assert "[^1]:" in output and "pricetoday.online" in output


def test_replay_until_the_eighth_shows_the_state_growing_to_two_mous_and_steps(uspk):
    result = uspk("replay", "--until", "2025-09-08")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    signed = [line for line in lines if "+ agreement signed:" in line]
    assert len(signed) == 2
    assert sum("+ step planned:" in line for line in lines) == 5
    totals = [line for line in lines if line.startswith("     = ")]
    assert "0 agreements" in totals[0] and "2 agreements" in totals[-1]
    assert "5 steps planned" in totals[-1]


def test_show_prints_one_event_with_its_quotes(uspk):
    result = uspk("show", "baker-statement-on-mou-2025-09-08")
    assert result.exit_code == 0
    assert "strength of the US-Pakistan bilateral relationship" in result.output
    assert "recorded:" in result.output


def test_show_unknown_id_suggests_close_ids(uspk):
    result = uspk("show", "ussm-fwo-mou-signed")
    assert result.exit_code == 1
    assert "did you mean: ussm-fwo-mou-signed-2025-09-08" in result.output


def test_schema_is_the_generated_json_schema_of_an_event_file(uspk):
    schema = json.loads(uspk("schema").output)
    assert schema["title"] == "uspk event file"
    kinds = {
        d["properties"]["kind"]["const"]
        for d in schema["$defs"].values()
        if "kind" in d.get("properties", {})
    }
    assert "agreement-signed" in kinds and "retraction" in kinds
