"""What changed in the state between two dates: each change with its event and source."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from projections.views import date_view, source_view

if TYPE_CHECKING:
    from domain.chronicle import Record
    from projections.kept_reading import Changed


def diff(
    records: list[Record], since: date, until: date, registry: dict | None = None
) -> list[dict[str, Any]]:
    """What the state on ``until`` holds that the state on ``since`` did not, in replay
    order, each change with its event and source, from a fold of ``records`` (every
    record believed: the kept change rows' oracle, ``changed`` their reading).

    A happening is in the state on a day once its date interval has ended and what it
    depends on is in the state too (see ``state_at``): so a commitment made in July to an
    agreement signed "2016" enters the state, and the diff, when 2016 has ended.
    """
    from domain.world import RuleBroken, world_for  # the oracle: the rules folded

    refuse_reversed(since, until)
    happenings = [r.document for r in records]
    settled_before = _settled(happenings, since, registry)
    world = world_for(happenings, registry)
    changes = []
    for happening in happenings:
        if happening.occurred.end > until:
            continue
        try:
            applied = world.apply(happening)
        except RuleBroken:  # depends on something not yet ended: undetermined, no change
            continue
        if happening.id in settled_before:
            continue
        for change in applied:
            changes.append(
                {
                    "event_id": happening.id,
                    "kind": happening.kind,
                    "occurred": date_view(happening.occurred),
                    "category": change.category,
                    "change": change.text,
                    "source": source_view(happening.sources[0]),
                }
            )
    return changes


def refuse_reversed(since: date, until: date) -> None:
    """A diff's days must not run backwards."""
    if until < since:
        raise ValueError(f"the end date {until} is before the start date {since}")


def changed(rows: list[Changed], first_joins: dict[str, str]) -> list[dict[str, Any]]:
    """``diff``'s answer from the kept change rows of the happenings that entered the
    state (``kept_reading.CHANGED_BETWEEN``, in replay order), and where each actor they
    introduce to their unit first joined the state on the later day (``first_joins``:
    ``settled.FIRST_JOINS``). An actor that joined before, through another unit, is not
    introduced again: it is updated if the happening brings it otherwise than the record
    first introduced it, and not named at all if not."""
    said = []
    for row in rows:
        entry = row.entry
        texts = list(entry["changes"])
        for n, actor, update in row.joins:
            joined = first_joins.get(actor)  # "<rank text>|<n>"
            if joined is not None and joined.rsplit("|", 1)[0] < row.rank:
                texts[n] = None if update is None else [texts[n][0], update]
        for category, text in filter(None, texts):
            said.append(
                {
                    "event_id": entry["event_id"],
                    "kind": entry["kind"],
                    "occurred": entry["occurred"],
                    "category": category,
                    "change": text,
                    "source": entry["source"],
                }
            )
    return said


def _settled(happenings: list, day: date, registry: dict | None) -> set[str]:
    """Ids of the happenings in the state on ``day``."""
    from domain.chronicle import fold_lenient

    ended = [h for h in happenings if h.occurred.end <= day]
    _, broken = fold_lenient(ended, registry)
    undetermined = {h.id for h, _ in broken}
    return {h.id for h in ended} - undetermined
