"""The shipped history and the worked-example amendment, as typed documents for tests."""

from __future__ import annotations

from pathlib import Path

from events.files import load_bytes
from events.history import history_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def shipped_documents() -> list:
    return [load_bytes(p.read_bytes(), str(p)).documents[0] for p in history_files()]


def shipped(event_id: str):
    return next(d for d in shipped_documents() if d.id == event_id)


def example(name: str):
    path = EXAMPLES / name
    return load_bytes(path.read_bytes(), str(path)).documents[0]


def june_amendment():
    """The example that gives the June meeting its day, as `uspk amend` records it."""
    document = example("2025-06-18-trump-munir-lunch.yaml")
    return document.model_copy(update={"supersedes": "trump-munir-meeting-2025-06"})


def june_visit_backfill():
    """The example of an event learned late about an early date."""
    return example("2025-06-munir-us-visit.yaml")
