"""A store that loaded an earlier release's shipped history gets this release's amendments
of it: the files it recorded are unchanged, so nothing conflicts; the amendments are
recorded once, the history load is not refused, and the chain still verifies. A store two
releases behind shows one correction per event, from what it believed to what it now
believes (the amendment in between was never believed there)."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
import yaml

import events.history
from domain import recording
from events.model import Happening
from tests.store.helpers import recorded_ids, uspk

# Two releases of amendments: issue 17's cited alternatives, then issue 20's previews.
AMENDMENTS = ("*-alternatives-cited.yaml", "*-previews-marked.yaml")


def amendment_files(folder) -> list:
    return [p for pattern in AMENDMENTS for p in folder.glob(pattern)]


@pytest.mark.parametrize("left_out", [AMENDMENTS, AMENDMENTS[1:]], ids=["two-back", "one-back"])
def test_a_store_with_the_earlier_shipped_history_records_the_amendments(
    store_address, tmp_path, monkeypatch, left_out
):
    earlier = tmp_path / "history"
    shutil.copytree(events.history.HISTORY_DIR, earlier, ignore=shutil.ignore_patterns("*.py"))
    for amendment in (p for pattern in left_out for p in earlier.glob(pattern)):
        amendment.unlink()
    with monkeypatch.context() as release:
        release.setattr(events.history, "HISTORY_DIR", earlier)
        release.setattr(Happening, "unattributed", lambda _: None)  # before the rule
        release.setattr(recording, "told_after_it", lambda _: None)  # ... and this one
        before = recorded_ids(store_address)  # opened as the earlier release opens it

    opened = uspk(store_address, "show", "dar-rubio-meeting-2025-07-25-alternatives-cited")

    assert opened.exit_code == 0, opened.output
    assert "shipped history was not loaded" not in opened.stderr
    assert "Indian Defence News" in opened.output
    shipped = {
        (raw := yaml.safe_load(p.read_text()))["id"]: raw["supersedes"]
        for p in amendment_files(events.history.HISTORY_DIR)
    }
    new = {i for i, _ in shipped.items() if any(i.endswith(p[1:-5]) for p in left_out)}
    assert len(shipped) == 8 and len(new) == (8 if len(left_out) == 2 else 2)
    after = recorded_ids(store_address)
    assert after - before == Counter(new)  # each once, nothing else new
    verified = uspk(store_address, "verify")
    assert verified.exit_code == 0, verified.output
    assert "shipped history was not loaded" not in uspk(store_address, "timeline").stderr
    assert recorded_ids(store_address) == after
    exported = json.loads(uspk(store_address, "export", "--format", "json").stdout)
    corrected = {c["replacement"]["id"]: c["target"]["id"] for c in exported["corrections"]}
    assert corrected == {i: believed_before(i, shipped, new) for i in new - set(shipped.values())}


def believed_before(amendment: str, supersedes: dict[str, str], new: set[str]) -> str:
    """What the store believed before ``amendment``: back over the versions recorded
    with it (a reader taking two amendments of one event at once never saw the first)."""
    target = supersedes[amendment]
    while target in new:
        target = supersedes[target]
    return target


def test_a_new_store_shows_no_correction_for_what_it_never_believed(store_address):
    exported = json.loads(uspk(store_address, "export", "--format", "json").stdout)
    assert exported["corrections"] == []
