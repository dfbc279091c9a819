"""Corrections in the exports: the HTML page and the Markdown report say what was amended
or retracted, when it was recorded, why, and on which source; the page embeds the record
as believed before each correction."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from cli.exporters.html import CORRECTIONS_SCRIPT, CORRECTIONS_STYLE, SCRIPT, style
from tests.export.htmlscan import Scan
from tests.export.support import (
    CORRECTED_COMMITMENT,
    CORRECTED_JUNE,
    CORRECTION_REASON,
    JUNE_AMENDMENT,
    Uspk,
    corrected,
)
from tests.export.support import SCRIPT as HOSTILE_SCRIPT


def corrections_of(page: str) -> dict[str, str]:
    """Each correction item's text, by the id of the event it corrects (whitespace folded)."""
    found = {}
    for match in re.finditer(
        r'<li class="correction[^>]*data-target-id="([^"]+)">(.*?)</li>\n', page, re.S
    ):
        found[match.group(1)] = " ".join(Scan(match.group(2)).text.split())
    return found


def test_html_page_shows_an_amendment_and_a_retraction_with_when_why_and_source(
    uspk_any: Uspk, tmp_path: Path
):
    recorded = corrected(uspk_any)
    page = uspk_any.export(tmp_path, "html").decode()
    items = corrections_of(page)
    assert set(items) == {CORRECTED_JUNE, CORRECTED_COMMITMENT}
    amended, retracted = items[CORRECTED_JUNE], items[CORRECTED_COMMITMENT]
    assert amended.startswith(f"Amended {recorded['amended'][:10]}")
    assert "Field Marshal Asim Munir meets President Trump (June 2025" in amended
    assert "replaced by President Trump hosts Field Marshal Asim Munir for lunch" in amended
    assert "occurred: 2025-06 \u2192 2025-06-18" in amended
    assert "Why: Amends trump-munir-meeting-2025-06: Business Recorder" in amended
    assert "Business Recorder, \u201cPresident Trump hosts Field Marshal Munir" in amended
    assert retracted.startswith(f"Retracted {recorded['retracted'][:10]}")
    assert f"Why: {CORRECTION_REASON}" in retracted
    assert "Review desk, \u201cCuration review\u201d, October 2025" in retracted
    times = re.findall(r'<p class="when">.*?<time datetime="([^"]+)"', page)
    assert times[-2:] == [recorded["amended"], recorded["retracted"]]


def test_html_page_embeds_the_belief_before_each_correction_and_lists_the_old_events_hidden(
    uspk_any: Uspk, tmp_path: Path
):
    corrected(uspk_any)
    page = uspk_any.export(tmp_path, "html").decode()
    embedded = json.loads(Scan(page).scripts[0][1])["corrections"]
    now, before_amendment, before_retraction = (
        {"believed": [*(i for i in embedded["now"] if i not in v["hide"]), *v["show"]]}
        for v in embedded["views"]
    )
    assert JUNE_AMENDMENT in now["believed"] and CORRECTED_JUNE not in now["believed"]
    assert CORRECTED_COMMITMENT not in now["believed"]
    assert {CORRECTED_JUNE, CORRECTED_COMMITMENT} <= set(before_amendment["believed"])
    assert JUNE_AMENDMENT not in before_amendment["believed"]
    assert {JUNE_AMENDMENT, CORRECTED_COMMITMENT} <= set(before_retraction["believed"])
    hidden = re.findall(r'<li hidden class="event former [^"]*" id="event-([^"]+)"', page)
    assert sorted(hidden) == sorted([CORRECTED_JUNE, CORRECTED_COMMITMENT])
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', page)
    assert [value for value, _ in options] == ["now", "before-1", "before-2"]
    assert options[1][1].endswith(
        ", the amendment of \u201cField Marshal Asim Munir meets President Trump\u201d"
    )


def test_html_page_with_corrections_runs_only_its_own_scripts_and_styles(
    uspk: Uspk, tmp_path: Path
):
    corrected(uspk, reason=HOSTILE_SCRIPT)
    page = uspk.export(tmp_path, "html").decode()
    scan = Scan(page)
    assert [content for attrs, content in scan.scripts if "type" not in attrs] == [
        SCRIPT,
        CORRECTIONS_SCRIPT,
    ]
    assert scan.styles == [style(), CORRECTIONS_STYLE]
    [csp] = [
        a["content"] for _, a in scan.elements if a.get("http-equiv") == "Content-Security-Policy"
    ]
    for source in (SCRIPT, CORRECTIONS_SCRIPT, style(), CORRECTIONS_STYLE):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert HOSTILE_SCRIPT in scan.text  # the reason shown as text, never run


def test_html_page_without_corrections_has_no_corrections_section_nor_switch(
    uspk: Uspk, tmp_path: Path
):
    page = uspk.export(tmp_path, "html").decode()
    assert 'id="corrections"' not in page and 'id="known-at"' not in page
    assert "corrections" not in json.loads(Scan(page).scripts[0][1])


def test_export_known_at_before_the_corrections_shows_none_of_them(uspk_any: Uspk, tmp_path: Path):
    shown = json.loads(uspk_any.ok("show", CORRECTED_JUNE, "--format", "json"))
    loaded = shown["event"]["recorded"]
    corrected(uspk_any)
    page = uspk_any.export(tmp_path, "html", "--known-at", loaded).decode()
    report = uspk_any.export(tmp_path, "markdown", "--known-at", loaded).decode()
    assert 'id="corrections"' not in page and "## Corrections" not in report


def test_markdown_report_lists_corrections_with_when_why_and_footnoted_sources(
    uspk_any: Uspk, tmp_path: Path
):
    recorded = corrected(uspk_any)
    report = uspk_any.export(tmp_path, "markdown").decode()
    section = report[report.index("## Corrections (2)") : report.index("## Sources")]
    rows = [line for line in section.splitlines() if line.startswith("| 20")]
    amended, retracted = rows
    # When, and by whom (no --as here: the system's user, marked as such).
    assert re.match(
        rf"\| {re.escape(recorded['amended'])} by (os|pg):\S+ \| Amended \| \*\*Field Marshal",
        amended,
    )
    assert "replaced by **President Trump hosts" in amended
    assert "occurred: 2025-06 \u2192 2025-06-18" in amended
    assert re.match(
        rf"\| {re.escape(recorded['retracted'])} by (os|pg):\S+ \| Retracted \|", retracted
    )
    assert f"| {CORRECTION_REASON} |" in retracted
    footnote = re.search(r"\[\^(\d+)\] \|$", retracted).group(1)
    assert f"[^{footnote}]: Review desk, \u201cCuration review\u201d, October 2025" in report


def just_before(recorded: str) -> str:
    return (datetime.fromisoformat(recorded) - timedelta(microseconds=1)).isoformat()


def test_each_earlier_view_holds_the_state_as_uspk_state_known_at_that_moment_gives_it(
    uspk_any: Uspk,
):
    """The page's known-at switch shows these states; they are the CLI's, not a copy."""
    from service import reading
    from service.bootstrap import Session, checked_store

    recorded = corrected(uspk_any)
    with Session(checked_store(uspk_any.address, existing=True)) as session:
        exported = reading.export_bundle(session)
        now, *earlier = exported.corrections.views
        states = [dict(view["state"]) for view in earlier]  # each read when it is shown
    assert "state" not in now  # the page's own state is the export's
    moments = [just_before(recorded["amended"]), just_before(recorded["retracted"])]
    as_of = exported.as_of.isoformat()
    for state, moment in zip(states, moments, strict=True):
        cli = uspk_any.ok("state", "--at", as_of, "--known-at", moment, "--format", "json")
        assert json.loads(json.dumps(state)) == json.loads(cli)
    commitments = [
        [c["event_id"] for a in state["agreements"] for c in a["commitments"]] for state in states
    ]
    assert all(CORRECTED_COMMITMENT in ids for ids in commitments)


def test_json_export_carries_each_correction_with_when_why_and_sources(uspk_any: Uspk, tmp_path):
    recorded = corrected(uspk_any)
    data = json.loads(uspk_any.export(tmp_path, "json"))
    amended, retracted = data["corrections"]
    assert (amended["type"], amended["target"]["id"]) == ("amended", CORRECTED_JUNE)
    assert amended["replacement"]["id"] == JUNE_AMENDMENT
    assert amended["recorded"] == recorded["amended"]
    assert {"field": "occurred", "before": "2025-06", "after": "2025-06-18"} in amended["changes"]
    assert amended["sources"][0]["publisher"] == "Business Recorder"
    assert (retracted["type"], retracted["target"]["id"]) == ("retracted", CORRECTED_COMMITMENT)
    assert (retracted["recorded"], retracted["reason"]) == (
        recorded["retracted"],
        CORRECTION_REASON,
    )
    assert retracted["sources"][0]["title"] == "Curation review"
    before = json.loads(
        uspk_any.export(tmp_path, "json", "--known-at", just_before(recorded["amended"]))
    )
    assert before["corrections"] == []


def test_timelinejs_has_a_corrections_slide_at_the_date_of_each_corrected_event(
    uspk_any: Uspk, tmp_path
):
    recorded = corrected(uspk_any)
    slides = json.loads(uspk_any.export(tmp_path, "timelinejs"))["events"]
    corrections = {s["unique_id"]: s for s in slides if s["group"] == "Corrections"}
    assert set(corrections) == {
        f"correction-{JUNE_AMENDMENT}",
        f"correction-retract-{CORRECTED_COMMITMENT}",
    }
    june = corrections[f"correction-{JUNE_AMENDMENT}"]
    assert june["start_date"] == {"year": 2025, "month": 6, "display_date": "June 2025"}
    assert june["text"]["headline"].startswith("Amended: Field Marshal Asim Munir meets")
    body = june["text"]["text"]
    assert recorded["amended"] in body and "occurred: 2025-06 \u2192 2025-06-18" in body
    assert "Business Recorder" in body and "Why: " in body
    gone = corrections[f"correction-retract-{CORRECTED_COMMITMENT}"]
    assert gone["start_date"]["day"] == 8 and gone["text"]["headline"].startswith("Retracted: ")
    assert f"Why: {CORRECTION_REASON}" in gone["text"]["text"]
    assert recorded["retracted"] in gone["text"]["text"]
    assert "Review desk" in gone["text"]["text"]
