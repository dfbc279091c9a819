"""The shipped history: one YAML file per happening, installed as package data."""

from __future__ import annotations

import hashlib
from pathlib import Path

HISTORY_DIR = Path(__file__).parent


def history_files() -> list[Path]:
    """The curated files in name order (names start with the date, so this is roughly time)."""
    return sorted(HISTORY_DIR.glob("*.yaml"))


def history_digest() -> str:
    """A cheap fingerprint of the shipped files, to notice when a new release adds some."""
    digest = hashlib.sha256()
    for path in history_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
