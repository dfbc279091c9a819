"""The TimelineJS export loaded into the real TimelineJS library (npm @knight-lab/timelinejs),
served from this machine over HTTP, in headless Chromium."""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cli.exporters import visible
from tests.browser.conftest import NODE_MODULES
from tests.export.support import all_hostile_documents, hostile_store

# TimelineJS's own default font stylesheet asks Google Fonts for its typefaces; the
# export asks for nothing (its media are quotations, not the articles' web pages).
TIMELINEJS_FONTS = "https://fonts.gstatic.com/"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>uspk in TimelineJS</title>
<link rel="stylesheet" href="tl/css/timeline.css">
<script src="tl/js/timeline.js"></script></head>
<body style="margin:0">
<div id="timeline-embed" style="width:100%;height:680px"></div>
<script>
window.timelineLoaded = false;
window.timeline = new TL.Timeline("timeline-embed", "timeline.json",
  {script_path: new URL("tl/js/", location.href).href, hash_bookmark: false});
window.timeline.on("loaded", function () { window.timelineLoaded = true; });
</script></body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def site(node, tmp_path) -> Iterator[tuple[Path, str]]:
    """A folder served on 127.0.0.1 with the page and TimelineJS's files; (folder, URL)."""
    root = tmp_path / "site"
    root.mkdir()
    os.symlink(NODE_MODULES / "@knight-lab" / "timelinejs" / "dist", root / "tl")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def load(chromium, site, export: bytes, steps: list[dict]) -> dict:
    root, host = site
    (root / "timeline.json").write_bytes(export)
    return chromium.run(
        {
            "url": f"http://{host}/index.html",
            "allowHosts": [host],
            "steps": [{"waitFor": "window.timelineLoaded === true", "timeout": 30000}, *steps],
        }
    )


SLIDES = "[...document.querySelectorAll('.tl-slide')].map(s => s.id)"
ERRORS = "window.timeline.config.getErrors()"


def test_every_event_becomes_a_slide_in_the_real_timelinejs(
    chromium, site, uspk, tmp_path, artifacts
):
    export = uspk.export(tmp_path, "timelinejs")
    ids = [e["unique_id"] for e in json.loads(export)["events"]]
    seen = load(
        chromium,
        site,
        export,
        [
            {"probe": "slides", "expr": SLIDES},
            {"probe": "errors", "expr": ERRORS},
            {"probe": "markers", "expr": "document.querySelectorAll('.tl-timemarker').length"},
            {"probe": "go", "expr": "window.timeline.goToId('ussm-fwo-mou-signed-2025-09-08')"},
            {"waitFor": "new Promise(done => setTimeout(() => done(true), 1500))"},
            {
                "probe": "shown",
                "expr": "[...document.querySelectorAll('#ussm-fwo-mou-signed-2025-09-08 "
                ".tl-headline, #ussm-fwo-mou-signed-2025-09-08 .tl-media-blockquote')]"
                ".map(e => e.textContent.trim().slice(0, 40))",
            },
            {"screenshot": str(artifacts / "export-timelinejs.png"), "fullPage": False},
        ],
    )
    assert seen["pageErrors"] == [] and seen["dialogs"] == []
    assert all(url.startswith(TIMELINEJS_FONTS) for url in seen["offMachine"])
    probes = seen["probes"]
    assert probes["errors"] == []
    assert probes["slides"][1:] == ids  # the title slide, then one slide per event
    assert probes["markers"] == len(ids)
    assert probes["shown"][0] == "USSM and FWO sign critical-minerals MoU "
    assert probes["shown"][1].startswith("The Frontier Works Organization (FWO)")


def test_hostile_text_in_timelinejs_runs_nothing_and_shows_as_text(
    chromium, site, tmp_path, artifacts
):
    export = hostile_store(tmp_path).export(tmp_path, "timelinejs")
    hostile = {d["id"]: d for d in all_hostile_documents()}
    headlines = (
        "Object.fromEntries([...document.querySelectorAll('.tl-slide')]"
        ".map(s => [s.id, (s.querySelector('.tl-headline') || {}).textContent]))"
    )
    seen = load(
        chromium,
        site,
        export,
        [
            {"probe": "go", "expr": "window.timeline.goToId('hostile-minus')"},
            {"waitFor": "new Promise(done => setTimeout(() => done(true), 1500))"},
            {"probe": "pwned", "expr": "typeof window.__pwned"},
            {"probe": "headlines", "expr": headlines},
            {"probe": "images", "expr": "document.querySelectorAll('.tl-slide img').length"},
            {
                "probe": "handlers",
                "expr": "[...document.querySelectorAll('.tl-timeline *')].flatMap(e => "
                "[...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))",
            },
            {
                "probe": "links",
                "expr": "[...document.querySelectorAll('.tl-slide a[href]')].map(a => a.href)",
            },
            {"screenshot": str(artifacts / "export-timelinejs-hostile.png"), "fullPage": False},
        ],
    )
    assert seen["pageErrors"] == [] and seen["dialogs"] == []
    assert all(url.startswith(TIMELINEJS_FONTS) for url in seen["offMachine"])
    probes = seen["probes"]
    assert probes["pwned"] == "undefined"
    assert probes["images"] == 0 and probes["handlers"] == []
    for event_id, document in hostile.items():
        shown = " ".join(probes["headlines"][event_id].split())
        assert shown == " ".join(visible(document["title"]).split())
    assert not [
        h for h in probes["links"] if h.startswith("http://evil.example/") and "?q=" not in h
    ]
