"""Shared by the export and browser tests: running ``uspk export`` in-process against a
real store, and event documents whose text is hostile.

Nothing heavy is imported at module level, so a test can check what ``--help`` loads.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tests import clirunner
from tests.shipped import EXAMPLES

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# -- running the command --------------------------------------------------------------


class Uspk(clirunner.Uspk):
    """The command line in-process, with a helper to export to a file."""

    def export(self, tmp_path: Path, fmt: str, *args: str) -> bytes:
        """Export to a file under ``tmp_path`` and return the bytes written."""
        path = tmp_path / f"export-{fmt}.out"
        self.ok("export", "--format", fmt, "-o", str(path), *args)
        return path.read_bytes()


def meeting(event_id: str, occurred: str, title: str, **fields: Any) -> dict[str, Any]:
    """A valid meeting against the shipped history (two people it introduces)."""
    return {
        "id": event_id,
        "kind": "meeting",
        "occurred": occurred,
        "title": title,
        "summary": "A test happening.",
        "participants": ["shehbaz-sharif", "ishaq-dar"],
        "sources": [{"publisher": "Test", "title": "A report", "published": "2026-06-30"}],
        **fields,
    }


def append(uspk: Uspk, tmp_path: Path, *documents: dict[str, Any]) -> None:
    """``uspk append`` of the documents, from a JSON file."""
    path = tmp_path / "append.json"
    path.write_text(json.dumps(list(documents)), encoding="utf-8")
    uspk.ok("append", str(path))


# -- corrections ----------------------------------------------------------------------

CORRECTED_JUNE = "trump-munir-meeting-2025-06"
JUNE_AMENDMENT = "trump-munir-lunch-2025-06-18"
CORRECTED_COMMITMENT = "ussm-fwo-sustainability-priority-2025-09-08"  # nothing depends on it
CORRECTION_REASON = "A purpose of the cooperation, not a commitment of either party."
REVIEW = ["--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"]


def corrected(uspk: Uspk, reason: str = CORRECTION_REASON) -> dict[str, str]:
    """The shipped history with the June meeting amended to its day and one commitment
    retracted; returns when each correction was recorded."""
    uspk.ok("amend", CORRECTED_JUNE, str(EXAMPLES / "2025-06-18-trump-munir-lunch.yaml"))
    uspk.ok("retract", CORRECTED_COMMITMENT, "--reason", reason, *REVIEW)
    history = json.loads(uspk.ok("history", CORRECTED_JUNE, "--format", "json"))
    retraction = json.loads(uspk.ok("history", CORRECTED_COMMITMENT, "--format", "json"))
    return {"amended": history[-1]["recorded"], "retracted": retraction[-1]["recorded"]}


def corrected_in_pages(uspk: Uspk, monkeypatch) -> datetime:
    """The store ``corrected`` and its index read in pages of 4 rows (many pages: an
    export written as read goes through them); returns when the amendment was recorded."""
    from projections import queries
    from service.bootstrap import Session, checked_store

    recorded = corrected(uspk)  # an amendment and a retraction, after the history
    amended = datetime.fromisoformat(recorded["amended"].replace("Z", "+00:00"))
    monkeypatch.setattr(queries, "_ROWS", 4)
    with Session(checked_store(uspk.address)) as session:
        assert len(list(session.index.believed_pages())) > 5
    return amended


# -- hostile text ---------------------------------------------------------------------

RLM = "\u200f"  # RIGHT-TO-LEFT MARK: allowed in event files (Urdu needs it), a mark only
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows the text after it backwards
LRI = "\u2066"  # LEFT-TO-RIGHT ISOLATE
EVIL = "http://evil.example"
SCRIPT = "<script>window.__pwned = 'script'; alert('pwned')</script>"
IMG = "<img src=x onerror=\"window.__pwned = 'img'; alert('img')\">"
MD_LINK = f"[click me]({EVIL}/markdown)"
CLOSE = "</script><script>window.__pwned = 'close'</script><!--"
# Links Markdown viewers make without brackets, and strike-through.
AUTOLINKS = "mailto:evil@evil.example evil@evil.example //evil.example/pr ~~struck~~"

# Every text field a person sees starts, somewhere, with each spreadsheet formula prefix.
HOSTILE_TITLES = {
    "hostile-formula": f'=HYPERLINK("{EVIL}/csv","Click") {SCRIPT}',
    "hostile-plus": f"+1+cmd|' /C calc'!A0 {MD_LINK} {RLM}gnp.exe",
    "hostile-minus": f"-2+3 {IMG} &amp; &lt;b&gt; {CLOSE}",
    "hostile-at": f"@SUM(1,1) <b>bold</b> \u2028 www.evil.example {RLM}txt.exe",
}
HOSTILE_SUMMARY = (
    f'{SCRIPT} {IMG} {MD_LINK} <a href="{EVIL}/a">trusted link</a> | cell | '
    f"# heading *bold* _it_ `code` {CLOSE} {AUTOLINKS} {RLM}mark end"
)
HOSTILE_QUOTE = f'=HYPERLINK("{EVIL}/q","q") {SCRIPT} {MD_LINK} {RLM}etouq'
HOSTILE_SOURCE = {
    "publisher": f"@Evil <i>Press</i> {MD_LINK}",
    "title": f"-{CLOSE} {RLM}eltit",
    "published": "2026-06-30",
    # A valid URL (http, no spaces) that tries to break out of an href attribute.
    "url": f"{EVIL}/?q=\"><script>window.__pwned='href'</script>",
    "quote": HOSTILE_QUOTE,
}
HOSTILE_STATEMENT_QUOTE = f"+{SCRIPT} {MD_LINK} {RLM}tnemetats"
HOSTILE_STEP = f"={SCRIPT} {IMG} {MD_LINK} {RLM}pets"

# Event files may not hold bidirectional overrides, isolates or control characters (the
# command line refuses them); a store written before that rule, or through the Python
# API, can. The exports must keep them inert too.
OVERRIDE_TITLE = f"=Signed {RLO}gnp.exe {LRI}isolated \x1b[31mred"
OVERRIDE_SUMMARY = f"{SCRIPT} {RLO}esrever ni {MD_LINK} \x07bell"
OVERRIDE_QUOTE = f"-{RLO}etouq {LRI}x"


def hostile_documents() -> list[dict[str, Any]]:
    """Valid events against the shipped history, every text field hostile."""
    meetings = [
        {
            "id": event_id,
            "kind": "meeting",
            "occurred": "2025-09-09",
            "title": title,
            "summary": HOSTILE_SUMMARY,
            "participants": ["shehbaz-sharif", "ishaq-dar"],
            "place": f"{SCRIPT} {RLM}ecalp",
            "outcomes": [HOSTILE_STEP],
            "note": f"-{IMG} {MD_LINK}",
            "sources": [HOSTILE_SOURCE],
        }
        for event_id, title in HOSTILE_TITLES.items()
    ]
    statement = {
        "id": "hostile-statement",
        "kind": "statement-made",
        "occurred": "2025-09-09",
        "title": f"@{SCRIPT} statement",
        "summary": HOSTILE_SUMMARY,
        "speaker": "ishaq-dar",
        "quote": HOSTILE_STATEMENT_QUOTE,
        "sources": [HOSTILE_SOURCE],
    }
    step = {
        "id": "hostile-step",
        "kind": "step-planned",
        "occurred": "2025-09-09",
        "title": f"={SCRIPT} step",
        "summary": HOSTILE_SUMMARY,
        "step": "hostile-step",
        "description": HOSTILE_STEP,
        "owners": ["ussm"],
        "sources": [HOSTILE_SOURCE],
    }
    return [*meetings, statement, step]


def override_document() -> dict[str, Any]:
    """An event with overrides and control characters, which only the API accepts."""
    return {
        "id": "hostile-override",
        "kind": "statement-made",
        "occurred": "2025-09-09",
        "title": OVERRIDE_TITLE,
        "summary": OVERRIDE_SUMMARY,
        "speaker": "ishaq-dar",
        "quote": OVERRIDE_QUOTE,
        "sources": [{**HOSTILE_SOURCE, "title": f"+{RLO}eltit", "quote": OVERRIDE_QUOTE}],
    }


def all_hostile_documents() -> list[dict[str, Any]]:
    return [*hostile_documents(), override_document()]


def hostile_store(tmp_path: Path) -> Uspk:
    """A SQLite store with the shipped history and the hostile events: appended with
    ``uspk append`` from a YAML file, and the override event through the application."""
    import yaml

    def as_yaml(data: Any) -> str:  # a deep copy first: shared dicts would become aliases
        return yaml.safe_dump(json.loads(json.dumps(data)), allow_unicode=True)

    from events.files import validate
    from service.stores import resolve_store
    from tests.oracle import ReplayedUspk as Application

    uspk = Uspk(str(tmp_path / "hostile.sqlite"))
    path = tmp_path / "hostile.yaml"
    path.write_text(as_yaml(hostile_documents()), encoding="utf-8")
    assert "appended 6 event(s)" in uspk.ok("append", str(path))

    refused = tmp_path / "override.yaml"
    refused.write_text(as_yaml(override_document()), encoding="utf-8")
    result = uspk("append", str(refused))
    assert result.exit_code == 1 and "U+202E" in result.output, result.output

    app = Application(resolve_store(uspk.address))
    try:
        assert app.append([validate(override_document(), "test")]).added == ["hostile-override"]
    finally:
        app.close()
    return uspk
