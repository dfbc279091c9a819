"""What every rule shares, light enough for the read path: the refusal a broken rule
raises, and the replay order. Importing it builds no model (``domain.world`` does), so a
command that answers from stored rows never pays for the rules it does not run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import Any


class RuleBroken(ValueError):
    """A happening that breaks one of the domain's rules at its date.

    ``hint``: a typing aid that follows the message (similar known names), or a function
    giving it. A function is called only when the message is read: a fold that merely
    notes a happening as undetermined (the state, ``diff``) never pays for the likeness
    search over every known name."""

    def __init__(self, event_id: str, message: str, hint: str | Callable[[], str] = "") -> None:
        super().__init__(event_id, message)
        self.event_id = event_id
        # Without the typing aid that lists every actor or agreement of the record (what
        # the kept state quotes: projections/kept.py).
        self.reason = message
        self._hint = hint

    @cached_property
    def message(self) -> str:
        hint = self._hint() if callable(self._hint) else self._hint
        return f"{self.reason}{hint}"

    def __str__(self) -> str:
        return f"event {self.event_id!r}: {self.message}"


def replay_key(happening: Any) -> tuple[date, int, str]:
    """A happening's place in the replay: its start, its kind's rank, its id."""
    return (happening.occurred.start, type(happening).replay_rank(happening.__dict__), happening.id)
