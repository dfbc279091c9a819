"""PLOVER event data, validated against a JSON Schema written from the PLOVER codebook
(tests/export/plover.schema.json), and the CSV export's ACLED-style columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from events.kinds import model_for
from tests.export.support import append, meeting

SCHEMA = json.loads((Path(__file__).with_name("plover.schema.json")).read_text())
JUNE = "trump-munir-meeting-2025-06"  # known to the month only
VISIT = "ussm-mota-engil-visit-2025-09-07"
SIGNING = "ussm-fwo-mou-signed-2025-09-08"


def validator():
    return jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def plover(raw: bytes) -> list[dict]:
    lines = raw.decode().splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        validator().validate(record)
    return records


def test_each_believed_event_is_one_valid_plover_record_on_both_backends(uspk_any, tmp_path):
    records = plover(uspk_any.export(tmp_path, "plover"))
    assert [r["id"] for r in records] == [e["id"] for e in uspk_any.timeline()]


def test_the_schema_refuses_what_the_codebook_does_not_allow():
    record = {"id": "x", "date": "2025-09-08", "actor": [{"code": "PAK"}], "event": ["AGREE"]}
    validator().validate(record)
    for broken in (
        {k: v for k, v in record.items() if k != "actor"},  # actor is required
        {**record, "event": ["GREET"]},  # not a PLOVER category
        {**record, "date": "2025-09"},  # PLOVER dates are days
        {**record, "actor": [{"code": "Pakistan"}]},  # a 3-letter code
        {**record, "quad_code": 5},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validator().validate(broken)


def test_a_month_precision_event_is_its_interval_with_its_precision_never_a_day(uspk, tmp_path):
    by_id = {r["id"]: r for r in plover(uspk.export(tmp_path, "plover"))}
    june = by_id[JUNE]
    assert (june["date"], june["enddate"]) == ("2025-06-01", "2025-06-30")
    assert (june["date_precision"], june["date_edtf"]) == ("month", "2025-06")
    assert june["event"] == ["CONSULT"] and june["recipient"] == []
    assert {a["uspk_actor"] for a in june["actor"]} == {"asim-munir", "donald-trump"}


def test_the_code_actors_and_recipients_follow_the_kinds_declaration(uspk, tmp_path):
    by_id = {r["id"]: r for r in plover(uspk.export(tmp_path, "plover"))}
    timeline = {e["id"]: e for e in uspk.timeline()}
    visit = by_id[VISIT]
    assert (visit["event"], visit["mode"], visit["quad_code"]) == (["CONSULT"], ["visit"], 1)
    details = timeline[VISIT]["details"]
    assert [a["uspk_actor"] for a in visit["actor"]] == details["delegation"]
    [host] = visit["recipient"]
    assert host == {
        "entity_text": "Pakistan",
        "code": "PAK",
        "sector": "GOV",
        "uspk_actor": details["destination"],
    }
    signing = by_id[SIGNING]
    assert signing["event"] == ["SUPPORT"]  # the codebook's "sign ... an agreement"
    assert [a["uspk_actor"] for a in signing["actor"]] == timeline[SIGNING]["details"]["parties"]
    for record in by_id.values():
        declared = model_for(record["uspk_kind"]).plover
        entry = timeline[record["id"]]  # what it does to another event decides a statement's
        code = declared.code_for({**entry["details"], "relates": entry["relates"]})
        assert record["event"] == [code.event] and record["context"] == list(code.context)
        first = timeline[record["id"]]["sources"][0]
        assert record["cite_info"]["publication"] == first["publisher"]
        assert record["cite_info"]["url"] == first["url"]


def test_hostile_text_stays_exact_json_and_valid_plover(hostile_exports):
    records = plover(hostile_exports["plover"])
    raw = hostile_exports["plover"].decode()
    assert "\u202e" not in raw and "\\u202e" in raw  # the override as an escape
    [override] = [r for r in records if r["id"] == "hostile-override"]
    assert "\u202egnp.exe" in override["event_text"][0]  # the exact text, once decoded


# -- ACLED-style CSV ------------------------------------------------------------------


def acled_rows(raw: bytes) -> list[dict]:
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as the plain CSV
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_acled_columns_give_the_time_precision_of_the_acled_codebook(uspk, tmp_path):
    append(
        uspk,
        tmp_path,
        meeting("year-only-meeting", "2025", "A meeting known to the year only"),
        meeting("about-a-day-meeting", "2025-09-10~", "A meeting on about a day"),
    )
    rows = {r["event_id_cnty"]: r for r in acled_rows(uspk.export(tmp_path, "csv", "--acled"))}
    assert len(rows) == len(uspk.timeline())
    day = rows[VISIT]
    assert (day["event_date"], day["year"], day["time_precision"]) == ("2025-09-07", "2025", "1")
    assert rows["about-a-day-meeting"]["time_precision"] == "2"
    june = rows[JUNE]  # a month: ACLED's convention is its middle, and the EDTF says so
    assert (june["event_date"], june["time_precision"], june["edtf"]) == (
        "2025-06-15",
        "3",
        "2025-06",
    )
    year = rows["year-only-meeting"]  # ACLED codes nothing coarser than a month
    assert (year["event_date"], year["year"], year["time_precision"]) == ("", "2025", "")


def test_acled_actors_country_source_and_notes(uspk, tmp_path):
    rows = {r["event_id_cnty"]: r for r in acled_rows(uspk.export(tmp_path, "csv", "--acled"))}
    timeline = {e["id"]: e for e in uspk.timeline()}
    visit = rows[VISIT]
    assert (visit["actor1"], visit["assoc_actor_1"]) == ("US Strategic Metals", "Mota-Engil Group")
    assert (visit["actor2"], visit["country"]) == ("Pakistan", "Pakistan")
    assert visit["notes"] == timeline[VISIT]["summary"]
    publishers = [s["publisher"] for s in timeline[VISIT]["sources"]]
    assert visit["source"] == "; ".join(dict.fromkeys(publishers))
    assert rows[SIGNING]["sub_event_type"] == "Agreement"
    assert {r["event_type"] for r in rows.values()} == {"Strategic developments"}


def test_acled_is_an_option_of_the_csv_export_only(uspk):
    result = uspk("export", "--format", "json", "--acled")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--acled is an option of --format csv" in result.output


def test_acled_csv_defuses_formulas_in_hostile_text(tmp_path):
    from tests.export.support import hostile_store

    uspk = hostile_store(tmp_path)
    rows = acled_rows(uspk.export(tmp_path, "csv", "--acled"))
    hostile = [r for r in rows if r["event_id_cnty"].startswith("hostile")]
    assert hostile
    for row in hostile:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@"), value
    [override] = [r for r in hostile if r["event_id_cnty"] == "hostile-override"]
    assert "[U+202E]esrever" in override["notes"]
