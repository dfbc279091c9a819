"""A store that loaded an earlier release's shipped history gets this release's amendments
of it: the files it recorded are unchanged, so nothing conflicts; the amendments are
recorded once, the history load is not refused, and the chain still verifies."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import yaml

import events.history
from events.model import Happening
from tests.store.helpers import recorded_ids, uspk

AMENDMENTS = "*-alternatives-cited.yaml"


def test_a_store_with_the_earlier_shipped_history_records_the_amendments(
    store_address, tmp_path, monkeypatch
):
    earlier = tmp_path / "history"
    shutil.copytree(events.history.HISTORY_DIR, earlier, ignore=shutil.ignore_patterns("*.py"))
    for amendment in earlier.glob(AMENDMENTS):
        amendment.unlink()
    with monkeypatch.context() as release:
        release.setattr(events.history, "HISTORY_DIR", earlier)
        release.setattr(Happening, "unattributed", lambda _: None)  # before the rule
        before = recorded_ids(store_address)  # opened as the earlier release opens it

    opened = uspk(store_address, "show", "dar-rubio-meeting-2025-07-25-alternatives-cited")

    assert opened.exit_code == 0, opened.output
    assert "shipped history was not loaded" not in opened.stderr
    assert "Indian Defence News" in opened.output
    amendments = {
        f"{yaml.safe_load(p.read_text())['id']}"
        for p in events.history.HISTORY_DIR.glob(AMENDMENTS)
    }
    assert len(amendments) == 6
    after = recorded_ids(store_address)
    assert after - before == Counter(amendments)  # each once, nothing else new
    verified = uspk(store_address, "verify")
    assert verified.exit_code == 0, verified.output
    assert "shipped history was not loaded" not in uspk(store_address, "timeline").stderr
    assert recorded_ids(store_address) == after
    exported = json.loads(uspk(store_address, "export", "--format", "json").stdout)
    corrected = {c["target"]["id"]: c["replacement"]["id"] for c in exported["corrections"]}
    assert corrected == {a.removesuffix("-alternatives-cited"): a for a in amendments}


def test_a_new_store_shows_no_correction_for_what_it_never_believed(store_address):
    exported = json.loads(uspk(store_address, "export", "--format", "json").stdout)
    assert exported["corrections"] == []
