"""What every rule shares, light enough for the read path: the refusal a broken rule
raises, and the replay order. Importing it builds no model (``domain.world`` does), so a
command that answers from stored rows never pays for the rules it does not run."""

from __future__ import annotations

from datetime import date
from typing import Any


class RuleBroken(ValueError):
    """A happening that breaks one of the domain's rules at its date."""

    def __init__(self, event_id: str, message: str, hint: str = "") -> None:
        super().__init__(f"event {event_id!r}: {message}{hint}")
        self.event_id = event_id
        self.message = f"{message}{hint}"
        # Without the typing aid that lists every actor or agreement of the record (what
        # the kept state quotes: projections/kept.py).
        self.reason = message


def replay_key(happening: Any) -> tuple[date, int, str]:
    """A happening's place in the replay: its start, its kind's rank, its id."""
    return (happening.occurred.start, type(happening).replay_rank(happening.__dict__), happening.id)
