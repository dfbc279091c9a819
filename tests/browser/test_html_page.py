"""The HTML export in a real browser (headless Chromium): drawn, clickable, readable without
JavaScript, printable, and inert whatever the event text says."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from cli.exporters import visible
from tests.export.support import (
    CORRECTED_COMMITMENT,
    CORRECTION_REASON,
    JUNE_AMENDMENT,
    all_hostile_documents,
    append,
    corrected,
    hostile_store,
    meeting,
)

JUNE = "trump-munir-meeting-2025-06"
VISIT = "ussm-mota-engil-visit-2025-09-07"

MARK_IDS = "[...document.querySelectorAll('#plot .mark')].map(m => m.dataset.eventId)"
LIST_IDS = "[...document.querySelectorAll('li.event')].map(m => m.dataset.eventId)"
SHOWN = (
    "(s => { const e = document.querySelector(s); return !!e && e.getClientRects().length > 0 })"
)
WIDTHS = (
    "Object.fromEntries([...document.querySelectorAll('#plot .mark')].map(m => "
    "[m.dataset.eventId, m.querySelector('.dot, .box, .bar').getBBox().width]))"
)
LABELS = (
    "[...document.querySelectorAll('#plot .mark text')]"
    ".every(t => t.getComputedTextLength() > 20 && t.getBBox().x >= 150)"
)
HANDLERS = (
    "[...document.querySelectorAll('*')]"
    ".flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))"
)


def clean(seen: dict) -> None:
    """Nothing went wrong: no console message, error, dialog, CSP report or network use."""
    assert seen["console"] == [], seen["console"]
    assert seen["pageErrors"] == [] and seen["dialogs"] == []
    assert seen["cspViolations"] == [] and seen["offMachine"] == []


def export_page(uspk, tmp_path) -> str:
    page = tmp_path / "reset.html"
    uspk.ok("export", "--format", "html", "-o", str(page))
    return page.as_uri()


def test_the_page_draws_one_mark_per_event_and_a_click_shows_its_sources(
    chromium, uspk, tmp_path, artifacts
):
    entries = uspk.timeline()
    seen = chromium.run(
        {
            "url": export_page(uspk, tmp_path),
            "steps": [
                {"probe": "marks", "expr": MARK_IDS},
                {"probe": "list", "expr": LIST_IDS},
                {"probe": "widths", "expr": WIDTHS},
                {"probe": "labels", "expr": LABELS},
                {"screenshot": str(artifacts / "export-html.png")},
                {"click": f"#plot .mark[data-event-id='{VISIT}']"},
                {"probe": "detail", "expr": "document.querySelector('#detail h3').textContent"},
                {
                    "probe": "links",
                    "expr": "[...document.querySelectorAll('#detail a')]"
                    ".map(a => [a.href, a.rel, a.target])",
                },
                {"probe": "selected", "expr": "document.querySelector('li.event.selected').id"},
                {"screenshot": str(artifacts / "export-html-selected.png"), "fullPage": False},
                {"press": "Escape"},
                {"probe": "closed", "expr": "document.getElementById('detail').hidden"},
            ],
        }
    )
    clean(seen)
    probes = seen["probes"]
    ids = [e["id"] for e in entries]
    assert probes["marks"] == ids and probes["list"] == ids
    widths = probes["widths"]
    assert widths[JUNE] > 60  # a month drawn as a span (about 1/11 of an axis ~1,000px wide)
    # three days (7-9 Sep) against June's thirty: a tenth of its width, drawn to scale
    assert widths[JUNE] / 12 < widths[VISIT] < widths[JUNE] / 8
    assert probes["labels"]  # every mark is labelled, inside the plot
    visit = next(e for e in entries if e["id"] == VISIT)
    assert probes["detail"] == visit["title"] and probes["selected"] == f"event-{VISIT}"
    assert [link[0] for link in probes["links"]] == [s["url"] for s in visit["sources"]]
    assert all(link[1:] == ["noopener noreferrer", "_blank"] for link in probes["links"])
    assert probes["closed"] is True
    assert (artifacts / "export-html.png").stat().st_size > 50_000


def test_a_year_long_span_is_drawn_across_its_year_with_its_label_beside_it(
    chromium, uspk, tmp_path
):
    """The shipped history runs into 2026, so a span for 2025 no longer fills the axis: its
    label goes in the room to its right (a span that fills the axis would carry it
    inside; the chart's rule is in cli/exporters/html.py)."""
    append(uspk, tmp_path, meeting("test-year", "2025", "Some time in 2025"))
    boxes = (
        "Object.fromEntries([...document.querySelectorAll('#plot .mark')].map(m => {"
        " const box = m.querySelector('.box, .dot, .bar').getBBox();"
        " const text = m.querySelector('text');"
        " return [m.dataset.eventId,"
        " [box.x, box.x + box.width, text.getBBox().x, text.textContent]]; }))"
    )
    seen = chromium.run(
        {"url": export_page(uspk, tmp_path), "steps": [{"probe": "boxes", "expr": boxes}]}
    )
    clean(seen)
    year, june = seen["probes"]["boxes"]["test-year"], seen["probes"]["boxes"][JUNE]
    assert (year[1] - year[0]) > 10 * (june[1] - june[0])  # twelve months against one
    assert year[1] < year[2] and year[3] == "Some time in 2025"
    assert june[3] == "Field Marshal Asim Munir meets President Trump"


def test_without_javascript_the_page_is_a_readable_list_of_every_event_and_the_state(
    chromium, uspk, tmp_path, artifacts
):
    entries = uspk.timeline()
    seen = chromium.run(
        {
            "url": export_page(uspk, tmp_path),
            "javaScript": False,
            "steps": [
                {"probe": "chart", "expr": f"{SHOWN}('#chart')"},
                {
                    "probe": "titles",
                    "expr": "[...document.querySelectorAll('li.event')]"
                    ".filter(li => li.getClientRects().length && li.offsetHeight > 40)"
                    ".map(li => li.querySelector('h3').textContent)",
                },
                {"probe": "links", "expr": "document.querySelectorAll('li.event a[href]').length"},
                {"probe": "state", "expr": "document.querySelector('aside.state').innerText"},
                {"screenshot": str(artifacts / "export-html-no-javascript.png")},
            ],
        }
    )
    assert seen["console"] == [] and seen["offMachine"] == []
    probes = seen["probes"]
    assert probes["chart"] is False  # nothing half-drawn
    assert probes["titles"] == [e["title"] for e in entries]
    assert probes["links"] == sum(len(e["sources"]) for e in entries)
    state = json.loads(uspk.ok("export", "--format", "json"))["state"]  # the page's date
    assert f"Agreements ({len(state['agreements'])})" in probes["state"]
    assert "about USD 500 million" in probes["state"]


def test_the_page_prints_its_chart_list_and_state_without_the_interactive_parts(
    chromium, uspk, tmp_path, artifacts
):
    pdf = artifacts / "export-html.pdf"
    seen = chromium.run(
        {
            "url": export_page(uspk, tmp_path),
            "viewport": {"width": 800, "height": 1100},
            "steps": [
                {"click": f"#plot .mark[data-event-id='{JUNE}']"},
                {"probe": "detail_on_screen", "expr": f"{SHOWN}('#detail')"},
                {"media": "print"},
                {"probe": "detail_printed", "expr": f"{SHOWN}('#detail')"},
                {"probe": "chart", "expr": f"{SHOWN}('#plot')"},
                {
                    "probe": "events",
                    "expr": "[...document.querySelectorAll('li.event')]"
                    ".filter(li => li.getClientRects().length).length",
                },
                {"probe": "state", "expr": f"{SHOWN}('aside.state')"},
                {
                    "probe": "overflow",
                    "expr": "document.documentElement.scrollWidth - window.innerWidth",
                },
                {"pdf": str(pdf)},
            ],
        }
    )
    clean(seen)
    probes = seen["probes"]
    assert probes["detail_on_screen"] is True and probes["detail_printed"] is False
    assert probes["chart"] is True and probes["state"] is True
    assert probes["events"] == len(uspk.timeline())
    assert probes["overflow"] <= 0  # nothing cut off at the page's right edge
    assert pdf.read_bytes().startswith(b"%PDF")


def test_hostile_event_text_runs_nothing_and_shows_as_text(chromium, tmp_path, artifacts):
    uspk = hostile_store(tmp_path)
    hostile = {d["id"]: d for d in all_hostile_documents()}
    titles = (
        "Object.fromEntries([...document.querySelectorAll('li.event')]"
        ".map(li => [li.dataset.eventId, li.querySelector('h3').textContent]))"
    )
    labels = (
        "Object.fromEntries([...document.querySelectorAll('#plot .mark')]"
        ".map(m => [m.dataset.eventId, m.querySelector('title').textContent.split('\\n')[0]]))"
    )
    seen = chromium.run(
        {
            "url": export_page(uspk, tmp_path),
            "steps": [
                {"click": "#plot .mark[data-event-id='hostile-override']"},
                {"click": "#plot .mark[data-event-id='hostile-minus']"},
                {"probe": "pwned", "expr": "typeof window.__pwned"},
                {"probe": "scripts", "expr": "document.scripts.length"},
                {"probe": "handlers", "expr": HANDLERS},
                {"probe": "images", "expr": "document.images.length"},
                {"probe": "titles", "expr": titles},
                {"probe": "labels", "expr": labels},
                {"probe": "marks", "expr": MARK_IDS},
                {"probe": "detail", "expr": "document.querySelector('#detail h3').textContent"},
                {"screenshot": str(artifacts / "export-html-hostile.png"), "fullPage": False},
            ],
        }
    )
    clean(seen)  # a script that escaped would also show as a CSP report or console error
    probes = seen["probes"]
    assert probes["pwned"] == "undefined"
    assert probes["scripts"] == 2 and probes["handlers"] == [] and probes["images"] == 0
    for event_id, document in hostile.items():
        assert probes["titles"][event_id] == visible(document["title"])
        assert probes["labels"][event_id] == visible(document["title"]).split("\n")[0]
    assert probes["detail"] == visible(hostile["hostile-minus"]["title"])
    assert probes["marks"] == [e["id"] for e in uspk.timeline()]


# -- corrections ----------------------------------------------------------------------

SHOWN_IDS = (
    "[...document.querySelectorAll('li.event')].filter(li => li.getClientRects().length)"
    ".map(li => li.dataset.eventId)"
)
FADED = "[...document.querySelectorAll('#plot .mark.not-then')].map(m => m.dataset.eventId)"
# The state panel a reader sees: which view it is, and its text.
STATE_SHOWN = (
    "[...document.querySelectorAll('aside.state .state-view')]"
    ".filter(v => v.getClientRects().length)"
    ".map(v => [v.dataset.view, v.innerText])"
)


def switch_to(view: str) -> dict:
    """A step choosing ``view`` in the known-at control, as a reader's choice does."""
    return {
        "probe": f"switched-{view}",
        "expr": f"(s => {{ s.value = '{view}'; s.dispatchEvent(new Event('change')); "
        "return s.value })(document.getElementById('known-at'))",
    }


def test_the_page_shows_an_amendment_and_a_retraction_and_the_belief_before_them(
    chromium, uspk, tmp_path, artifacts
):
    recorded = corrected(uspk)
    now = [e["id"] for e in uspk.timeline()]
    just_before = datetime.fromisoformat(recorded["amended"]) - timedelta(microseconds=1)
    before = [e["id"] for e in uspk.timeline("--known-at", just_before.isoformat())]
    assert JUNE in before and JUNE not in now  # the old belief, as the CLI shows it
    seen = chromium.run(
        {
            "url": export_page(uspk, tmp_path),
            "steps": [
                {"probe": "control", "expr": f"{SHOWN}('#known-at-control')"},
                {
                    "probe": "options",
                    "expr": "[...document.querySelectorAll('#known-at option')]"
                    ".map(o => o.textContent)",
                },
                {
                    "probe": "corrections",
                    "expr": "document.getElementById('corrections').innerText",
                },
                {"probe": "now", "expr": SHOWN_IDS},
                {"probe": "state_now", "expr": STATE_SHOWN},
                switch_to("before-1"),
                {"probe": "before", "expr": SHOWN_IDS},
                {"probe": "state_before", "expr": STATE_SHOWN},
                {"probe": "faded", "expr": FADED},
                {
                    "probe": "status",
                    "expr": "document.getElementById('known-at-status').textContent",
                },
                {
                    "probe": "old_title",
                    "expr": f"document.querySelector('#event-{JUNE} h3').innerText",
                },
                {
                    "screenshot": str(artifacts / "export-html-known-before-amendment.png"),
                    "fullPage": False,
                },
                switch_to("before-2"),
                {"probe": "state_between", "expr": STATE_SHOWN},
                switch_to("now"),
                {"probe": "back", "expr": SHOWN_IDS},
                {"probe": "state_back", "expr": STATE_SHOWN},
                {"screenshot": str(artifacts / "export-html-corrections.png"), "fullPage": True},
            ],
        }
    )
    clean(seen)
    probes = seen["probes"]
    assert probes["control"] is True and len(probes["options"]) == 3
    assert probes["options"][0] == "as known now, with every correction"
    text = probes["corrections"]
    assert "Corrections (2)" in text
    amended_at = recorded["amended"][:19].replace("T", " ")
    assert f"amended {amended_at} utc; the correction is" in text.lower()  # the type is upper-cased
    assert "Field Marshal Asim Munir meets President Trump" in text
    assert "occurred: 2025-06 → 2025-06-18" in text
    assert "Business Recorder, “President Trump hosts Field Marshal Munir" in text
    assert f"Why: {CORRECTION_REASON}" in text
    assert "Review desk, “Curation review”, October 2025" in text
    assert probes["now"] == now and probes["back"] == now
    assert sorted(probes["before"]) == sorted(before)
    assert JUNE in probes["before"] and JUNE_AMENDMENT not in probes["before"]
    assert CORRECTED_COMMITMENT in probes["before"]
    assert probes["faded"] == [JUNE_AMENDMENT]  # the chart marks what was not yet believed
    assert probes["status"] == f"{len(before)} events believed then"
    assert probes["old_title"] == "Field Marshal Asim Munir meets President Trump"
    # The state panel follows the switch: the state on the page's date as then believed.
    [(view, now_text)] = probes["state_now"]
    assert view == "now" and probes["state_back"] == probes["state_now"]
    [(view, before_text)] = probes["state_before"]
    assert view == "before-1" and before_text.startswith("As known before")
    [(view, between_text)] = probes["state_between"]
    assert view == "before-2"
    retracted = "Prioritise sustainability, profitability and environmental responsibility"
    assert retracted in before_text and retracted in between_text and retracted not in now_text
    old, new = "Field Marshal Asim Munir meets President Trump", "President Trump hosts"
    assert old in before_text and new not in before_text
    assert new in between_text and new in now_text and old not in now_text
    as_of = json.loads(uspk.ok("export", "--format", "json"))["as_of"]
    then = json.loads(
        uspk.ok("state", "--at", as_of, "--known-at", just_before.isoformat(), "--format", "json")
    )
    assert all(e["title"] in before_text for e in then["engagements"])  # as `uspk state` says


def test_without_javascript_the_corrections_read_as_a_list_and_old_events_stay_hidden(
    chromium, uspk, tmp_path
):
    corrected(uspk)
    now = [e["id"] for e in uspk.timeline()]
    seen = chromium.run(
        {
            "url": export_page(uspk, tmp_path),
            "javaScript": False,
            "steps": [
                {"probe": "control", "expr": f"{SHOWN}('#known-at-control')"},
                {"probe": "shown", "expr": SHOWN_IDS},
                {
                    "probe": "corrections",
                    "expr": "document.getElementById('corrections').innerText",
                },
            ],
        }
    )
    assert seen["console"] == [] and seen["offMachine"] == []
    probes = seen["probes"]
    assert probes["control"] is False and probes["shown"] == now
    retracted = r"retracted \d{4}-\d\d-\d\d \d\d:\d\d:\d\d utc; the correction is retract-"
    assert re.search(retracted, probes["corrections"].lower())
    assert CORRECTION_REASON in probes["corrections"]
