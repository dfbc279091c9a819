"""The canned "what stood on a date" query, opened in a real Datasette in headless Chromium."""

from __future__ import annotations

from tests.datasette.served import serving

README_SETTINGS = ("--setting", "truncate_cells_html", "90")  # as the README serves it
ENTRIES = "[...document.querySelectorAll('table.rows-and-columns tbody tr')].length"
SECTIONS = (
    "[...new Set([...document.querySelectorAll('table.rows-and-columns td.col-section')]"
    ".map(td => td.textContent.trim()))]"
)


def test_the_state_on_8_september_opens_in_datasette_without_console_errors(
    chromium, uspk, tmp_path, artifacts
):
    uspk.ok("export", "--format", "sqlite", "-o", str(tmp_path / "reset.db"))
    database, metadata = tmp_path / "reset.db", tmp_path / "reset.metadata.json"
    with serving(database, metadata, *README_SETTINGS) as datasette:
        seen = chromium.run(
            {
                "url": datasette.url("what_stood_on", at="2025-09-08"),
                "allowHosts": [datasette.host],
                "viewport": {"width": 1500, "height": 1000},
                "steps": [
                    {"waitFor": f"{ENTRIES} > 0"},
                    {"probe": "entries", "expr": ENTRIES},
                    {"probe": "sections", "expr": SECTIONS},
                    {"probe": "heading", "expr": "document.querySelector('h1').textContent"},
                    {
                        "screenshot": str(artifacts / "datasette-state-on-a-date.png"),
                        "fullPage": False,
                    },
                ],
            }
        )
    assert seen["pageErrors"] == [] and seen["dialogs"] == [] and seen["offMachine"] == []
    assert [m for m in seen["console"] if m["type"] == "error"] == []
    assert "What stood on a date" in seen["probes"]["heading"]
    assert {"agreements", "engagements", "next_steps", "actors"} <= set(seen["probes"]["sections"])
    assert seen["probes"]["entries"] >= 30


def test_hostile_text_stays_exact_in_the_database_and_runs_nothing_in_datasette(chromium, tmp_path):
    from tests.export.support import SCRIPT, hostile_store

    hostile_store(tmp_path).ok("export", "--format", "sqlite", "-o", str(tmp_path / "reset.db"))
    database, metadata = tmp_path / "reset.db", tmp_path / "reset.metadata.json"
    with serving(database, metadata) as datasette:
        statement = datasette.rows("events", id="hostile-statement")[0]
        assert statement["title"] == f"@{SCRIPT} statement"  # stored exactly, not escaped
        pages = [
            datasette.url("events", _search="pwned"),
            datasette.url("what_stood_on", at="2025-09-09"),
            datasette.url("sources", _search="pwned"),
        ]
        for url in pages:
            seen = chromium.run(
                {
                    "url": url,
                    "allowHosts": [datasette.host],
                    "steps": [
                        {"probe": "pwned", "expr": "typeof window.__pwned"},
                        {"probe": "shown", "expr": "document.body.textContent.includes('pwned')"},
                    ],
                }
            )
            assert seen["probes"] == {"pwned": "undefined", "shown": True}, url
            assert seen["dialogs"] == [] and seen["pageErrors"] == [] and seen["offMachine"] == []
